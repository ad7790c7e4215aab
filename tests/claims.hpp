// SPDX-License-Identifier: MIT
// The exact claims of docs/semantics.md, each a constexpr function that returns whether it holds:
// static/claims.cpp asserts them at compile time, runtime/test_claims.cpp at run time. They compare
// results bit for bit (==) where the semantics make two calls compute the same thing, and compare
// with exact values where the arithmetic is exact (0, 1/S, 0.5).
#ifndef CXATTN_TESTS_CLAIMS_HPP
#define CXATTN_TESTS_CLAIMS_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>

#include <cxattn/cxattn.hpp>

#include "test_data.hpp"

namespace claims {

using cxattn::matrix;

template <class T> constexpr T inf = std::numeric_limits<T>::infinity();
template <class T> constexpr T nan = std::numeric_limits<T>::quiet_NaN();

template <class T, std::size_t R, std::size_t C> constexpr bool is_nan(const matrix<T, R, C>& m, std::size_t row) {
    for (std::size_t j = 0; j < C; ++j)
        if (m(row, j) == m(row, j)) return false;
    return true;
}

// The lower-triangular bool mask of upper-left causal, and its lower-right shift.
template <std::size_t L, std::size_t S> constexpr matrix<bool, L, S> causal_mask(bool lower_right) {
    matrix<bool, L, S> m;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) m(i, j) = lower_right ? j + L <= i + S : j <= i;
    return m;
}

// Options in any order give the same bits.
template <class T> constexpr bool options_commute() {
    const auto q = test_data::uniform<T, 3, 4>(1);
    const auto k = test_data::uniform<T, 5, 4>(2);
    const auto v = test_data::uniform<T, 5, 2>(3);
    const auto bias = test_data::uniform<T, 3, 5>(4);
    matrix<bool, 3, 5> keep{true, false, true,  true, true, true, true, false,
                            true, true,  false, true, true, true, true};
    const auto a =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right, keep, bias, cxattn::scale(T(0.3)));
    const auto b =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(T(0.3)), bias, keep, cxattn::causal_lower_right);
    const auto c = cxattn::streaming_attention(q, k, v, keep, cxattn::scale(T(0.3)), cxattn::causal_lower_right, bias);
    const auto d = cxattn::streaming_attention(q, k, v, cxattn::causal_lower_right, bias, cxattn::scale(T(0.3)), keep);
    return a.output == b.output && a.weights == b.weights && c == d;
}

// Neutral options change nothing: an all-true bool mask, a zero additive mask, scale(1/sqrt(Dk)).
template <class T> constexpr bool neutral_options() {
    const auto q = test_data::uniform<T, 3, 4>(5);
    const auto k = test_data::uniform<T, 6, 4>(6);
    const auto v = test_data::uniform<T, 6, 3>(7);
    matrix<bool, 3, 6> all;
    for (bool& b : all.values) b = true;
    const auto plain = cxattn::scaled_dot_product_attention(q, k, v);
    const auto masked =
        cxattn::scaled_dot_product_attention(q, k, v, all, matrix<T, 3, 6>{}, cxattn::scale(T(1) / cxattn::sqrt(T(4))));
    return plain.output == masked.output && plain.weights == masked.weights &&
           cxattn::streaming_attention(q, k, v) == cxattn::streaming_attention(q, k, v, all, matrix<T, 3, 6>{});
}

// causal is the bool mask j <= i, causal_lower_right the mask j <= i + S - L; either is also an
// additive mask of 0 and -inf (masked positions are skipped, whichever option masks them). With
// L == S the two alignments coincide.
template <class T> constexpr bool causal_is_a_mask() {
    const auto q = test_data::uniform<T, 4, 3>(8);
    const auto k = test_data::uniform<T, 6, 3>(9);
    const auto v = test_data::uniform<T, 6, 2>(10);
    bool ok = true;
    for (bool lower_right : {false, true}) {
        const auto keep = causal_mask<4, 6>(lower_right);
        matrix<T, 4, 6> bias;
        for (std::size_t i = 0; i < 24; ++i) bias.values[i] = keep.values[i] ? T(0) : -inf<T>;
        const auto by_option = lower_right ? cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right)
                                           : cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal);
        const auto by_bool = cxattn::scaled_dot_product_attention(q, k, v, keep);
        const auto by_bias = cxattn::scaled_dot_product_attention(q, k, v, bias);
        ok = ok && by_option.weights == by_bool.weights && by_option.output == by_bool.output &&
             by_option.weights == by_bias.weights && by_option.output == by_bias.output;
    }
    const auto square_k = test_data::uniform<T, 4, 3>(11);
    const auto square_v = test_data::uniform<T, 4, 2>(12);
    const auto upper = cxattn::scaled_dot_product_attention(q, square_k, square_v, cxattn::causal);
    const auto lower = cxattn::scaled_dot_product_attention(q, square_k, square_v, cxattn::causal_lower_right);
    return ok && upper.weights == lower.weights && upper.output == lower.output;
}

// NaN and inf in masked keys and values (and NaN in a bias the bool mask excludes) never reach the
// result: the same bits as with finite numbers there.
template <class T> constexpr bool masked_values_are_never_read() {
    const auto q = test_data::uniform<T, 3, 4>(13);
    auto k = test_data::uniform<T, 5, 4>(14);
    auto v = test_data::uniform<T, 5, 3>(15);
    auto bias = test_data::uniform<T, 3, 5>(16);
    matrix<bool, 3, 5> keep{true,  true, true, false, true, true,  true, true,
                            false, true, true, true,  true, false, true};
    for (std::size_t i = 0; i < 3; ++i) bias(i, 4) = -inf<T>;
    const auto clean = cxattn::scaled_dot_product_attention(q, k, v, keep, bias);
    const auto clean_streaming = cxattn::streaming_attention(q, k, v, keep, bias);
    k(3, 0) = nan<T>; // column 3: masked by the bool mask in every row
    v(3, 2) = inf<T>;
    k(4, 1) = -inf<T>; // column 4: masked by -inf biases
    v(4, 0) = nan<T>;
    bias(0, 3) = nan<T>; // masked by the bool mask
    const auto poisoned = cxattn::scaled_dot_product_attention(q, k, v, keep, bias);
    return clean.output == poisoned.output && clean.weights == poisoned.weights &&
           clean_streaming == cxattn::streaming_attention(q, k, v, keep, bias);
}

// A row with nothing to attend to (bool mask all false, every bias -inf, or lower-right causal with
// L > S) has weights 0 and output 0 exactly, in both paths.
template <class T> constexpr bool fully_masked_rows_are_zero() {
    const auto q = test_data::uniform<T, 3, 2>(17);
    const auto k = test_data::uniform<T, 2, 2>(18);
    const auto v = test_data::uniform<T, 2, 2>(19);
    matrix<bool, 3, 2> keep{true, true, false, false, true, false};
    matrix<T, 3, 2> bias{0, 0, 0, 0, -inf<T>, -inf<T>};
    const auto by_bool = cxattn::scaled_dot_product_attention(q, k, v, keep);
    const auto by_bias = cxattn::scaled_dot_product_attention(q, k, v, bias);
    const auto by_causal =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right); // row 0 sees nothing
    const matrix<T, 1, 2> zero{};
    auto row = [](const matrix<T, 3, 2>& m, std::size_t i) { return matrix<T, 1, 2>{m(i, 0), m(i, 1)}; };
    return row(by_bool.weights, 1) == zero && row(by_bool.output, 1) == zero && row(by_bias.weights, 2) == zero &&
           row(by_bias.output, 2) == zero && row(by_causal.weights, 0) == zero && row(by_causal.output, 0) == zero &&
           row(cxattn::streaming_attention(q, k, v, keep), 1) == zero &&
           row(cxattn::streaming_attention(q, k, v, bias), 2) == zero &&
           row(cxattn::streaming_attention(q, k, v, cxattn::causal_lower_right), 0) == zero;
}

// Finite very negative biases are numbers: a row of -1e30 is uniform (the scores are absorbed), a
// -1e30 next to 0 weighs exactly 0 yet is attended (a NaN value there propagates, 0 * NaN).
template <class T> constexpr bool very_negative_biases_are_numbers() {
    const auto q = test_data::uniform<T, 2, 2>(20);
    const auto k = test_data::uniform<T, 3, 2>(21);
    auto v = test_data::uniform<T, 3, 2>(22);
    T big = static_cast<T>(-1e30); // not const: GCC 12 would keep a const's inexact (float)-1e30 unfolded
    const matrix<T, 2, 3> bias{big, big, big, 0, big, big};
    const auto r = cxattn::scaled_dot_product_attention(q, k, v, bias);
    const T third = T(1) / T(3);
    bool ok = r.weights(0, 0) == third && r.weights(0, 1) == third && r.weights(0, 2) == third &&
              r.weights(1, 0) == 1 && r.weights(1, 1) == 0 && r.output(1, 0) == v(0, 0);
    v(2, 1) = nan<T>;
    const auto p = cxattn::scaled_dot_product_attention(q, k, v, bias);
    const auto s = cxattn::streaming_attention(q, k, v, bias);
    return ok && p.output(1, 0) == v(0, 0) && p.output(1, 1) != p.output(1, 1) && s(1, 1) != s(1, 1);
}

// Logits of +-1e4 neither overflow nor give NaN: tied maxima share exactly, the rest is 0.
template <class T> constexpr bool huge_logits_are_stable() {
    const matrix<T, 1, 1> q{100};
    const matrix<T, 4, 1> k{100, -100, 100, 0};
    const matrix<T, 4, 1> v{2, 3, 4, 5};
    const auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(T(1)));
    return r.weights == matrix<T, 1, 4>{T(0.5), 0, T(0.5), 0} && r.output(0, 0) == 3 &&
           cxattn::streaming_attention(q, k, v, cxattn::scale(T(1)))(0, 0) == 3;
}

// +inf scores take softmax's limit: they share the weight equally, the rest weighs 0 (NaN comes
// from NaN only; IEEE arithmetic would give inf - inf).
template <class T> constexpr bool plus_inf_scores_share_the_weight() {
    const auto q = test_data::uniform<T, 2, 2>(41);
    const auto k = test_data::uniform<T, 4, 2>(42);
    const auto v = test_data::uniform<T, 4, 3>(43);
    const matrix<T, 2, 4> bias{inf<T>, 0, inf<T>, -inf<T>, 0, 0, inf<T>, 0};
    const auto r = cxattn::scaled_dot_product_attention(q, k, v, bias);
    const auto s = cxattn::streaming_attention(q, k, v, bias);
    bool ok = r.weights == matrix<T, 2, 4>{T(0.5), 0, T(0.5), 0, 0, 0, 1, 0};
    for (std::size_t d = 0; d < 3; ++d)
        ok = ok && r.output(0, d) == (v(0, d) + v(2, d)) / 2 && s(0, d) == r.output(0, d) &&
             r.output(1, d) == v(2, d) && s(1, d) == v(2, d);
    return ok;
}

// NaN in an attended position propagates: a NaN score makes its row's output NaN and its weights
// NaN but at masked positions (0); a NaN value makes its column NaN in the rows that attend it.
template <class T> constexpr bool attended_nan_propagates() {
    auto q = test_data::uniform<T, 3, 2>(23);
    auto k = test_data::uniform<T, 3, 2>(24);
    auto v = test_data::uniform<T, 3, 2>(25);
    k(2, 0) = nan<T>; // seen by row 2 only, under causal
    const auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal);
    const auto s = cxattn::streaming_attention(q, k, v, cxattn::causal);
    bool ok = !is_nan(r.weights, 0) && !is_nan(r.output, 1) && is_nan(r.weights, 2) && is_nan(r.output, 2) &&
              !is_nan(s, 1) && is_nan(s, 2);
    // A masked position keeps its weight 0 in a NaN row.
    const matrix<bool, 3, 3> keep{true, true, true, true, true, true, false, true, true};
    const auto m = cxattn::scaled_dot_product_attention(q, k, v, keep);
    ok = ok && m.weights(2, 0) == 0 && m.weights(2, 1) != m.weights(2, 1) && m.weights(2, 2) != m.weights(2, 2) &&
         is_nan(m.output, 2);
    k(2, 0) = 0;
    v(1, 1) = nan<T>; // seen by rows 1 and 2, column 1 only
    const auto w = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal);
    return ok && w.output(0, 1) == w.output(0, 1) && w.output(1, 0) == w.output(1, 0) &&
           w.output(1, 1) != w.output(1, 1) && w.output(2, 1) != w.output(2, 1) && !is_nan(w.weights, 2);
}

// Values near the largest finite number: the online softmax's running sum (not yet divided by l)
// overflows, and its second pass gives what scaled_dot_product_attention gives. Not a constant
// expression on GCC, which rejects the overflow itself.
template <class T> constexpr bool streaming_survives_overflow() {
    const T big = std::numeric_limits<T>::max() / 2;
    const matrix<T, 2, 1> q{0, 1};
    const matrix<T, 3, 1> k{1, 1, 1};
    const matrix<T, 3, 2> v{big, -1, big, 2, big, 3};
    const auto r = cxattn::scaled_dot_product_attention(q, k, v);
    const auto s = cxattn::streaming_attention(q, k, v);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t d = 0; d < 2; ++d) {
            const T diff = s(i, d) - r.output(i, d);
            const T scale = r.output(i, d) < 0 ? -r.output(i, d) : r.output(i, d);
            if (!(s(i, d) == s(i, d)) || !((diff < 0 ? -diff : diff) <= 4 * std::numeric_limits<T>::epsilon() * scale))
                return false;
        }
    return r.output(0, 0) < std::numeric_limits<T>::infinity();
}

// multi_head_attention with one head, identity projections and zero biases is
// scaled_dot_product_attention with scale 1/sqrt(E): x I^T + 0 is x exactly, and the mean of one
// head's weights is those weights.
template <class T> constexpr bool one_head_is_sdpa() {
    constexpr std::size_t E = 4;
    cxattn::mha_params<T, E, 1> identity{};
    for (std::size_t i = 0; i < E; ++i)
        identity.q_proj(i, i) = identity.k_proj(i, i) = identity.v_proj(i, i) = identity.out_proj(i, i) = 1;
    const auto q = test_data::uniform<T, 3, E>(26);
    const auto k = test_data::uniform<T, 5, E>(27);
    const auto v = test_data::uniform<T, 5, E>(28);
    matrix<bool, 3, 5> keep{true, false, true,  true, true, true, true, false,
                            true, true,  false, true, true, true, false};
    const auto m = cxattn::multi_head_attention(q, k, v, identity, cxattn::causal_lower_right, keep);
    const auto s = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right, keep);
    return m.output == s.output && m.weights == s.weights;
}

// Grouped-query attention is multi-head attention whose key/value projections repeat each
// key/value head for its NumHeads / NumKvHeads query heads (PyTorch's enable_gqa repeats them the
// same way, repeat_interleave): the same bits.
template <class T> constexpr bool grouped_query_is_repeated_heads() {
    constexpr std::size_t E = 8, H = 4, G = 2, head_dim = E / H, group = H / G;
    cxattn::mha_params<T, E, H, 3, 5, G> grouped{test_data::uniform<T, E, E>(30),
                                                 test_data::uniform<T, G * head_dim, 3>(31),
                                                 test_data::uniform<T, G * head_dim, 5>(32),
                                                 test_data::uniform<T, E, E>(33),
                                                 test_data::uniform<T, 1, E>(34),
                                                 test_data::uniform<T, 1, G * head_dim>(35),
                                                 test_data::uniform<T, 1, G * head_dim>(36),
                                                 test_data::uniform<T, 1, E>(37)};
    cxattn::mha_params<T, E, H, 3, 5> full{grouped.q_proj, {}, {}, grouped.out_proj,
                                           grouped.q_bias, {}, {}, grouped.out_bias};
    for (std::size_t h = 0; h < H; ++h)
        for (std::size_t d = 0; d < head_dim; ++d) {
            const std::size_t from = h / group * head_dim + d, to = h * head_dim + d;
            for (std::size_t c = 0; c < 3; ++c) full.k_proj(to, c) = grouped.k_proj(from, c);
            for (std::size_t c = 0; c < 5; ++c) full.v_proj(to, c) = grouped.v_proj(from, c);
            full.k_bias(0, to) = grouped.k_bias(0, from);
            full.v_bias(0, to) = grouped.v_bias(0, from);
        }
    const auto q = test_data::uniform<T, 3, E>(38);
    const auto k = test_data::uniform<T, 4, 3>(39);
    const auto v = test_data::uniform<T, 4, 5>(40);
    const auto a = cxattn::multi_head_attention(q, k, v, grouped, cxattn::causal);
    const auto b = cxattn::multi_head_attention(q, k, v, full, cxattn::causal);
    return a.output == b.output && a.weights == b.weights;
}

// streaming_attention agrees with scaled_dot_product_attention(...).output to a few ULP of the
// weighted sum's scale sum_j w_j |v_j| (a sum of mixed signs can cancel to near 0, so the error is
// measured against the magnitude of what was summed, not the result): max_ulps is returned through
// `worst` and must stay within `ulps`.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class... Options>
constexpr bool streaming_agrees(double ulps, double& worst, std::uint64_t seed, const Options&... options) {
    const auto q = test_data::uniform<T, L, Dk>(seed, T(-2), T(2));
    const auto k = test_data::uniform<T, S, Dk>(seed + 1, T(-2), T(2));
    const auto v = test_data::uniform<T, S, Dv>(seed + 2);
    const auto reference = cxattn::scaled_dot_product_attention(q, k, v, options...);
    const auto streamed = cxattn::streaming_attention(q, k, v, options...);
    worst = 0;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t d = 0; d < Dv; ++d) {
            double scale = 0;
            for (std::size_t j = 0; j < S; ++j)
                scale += static_cast<double>(reference.weights(i, j)) *
                         static_cast<double>(v(j, d) < 0 ? -v(j, d) : v(j, d));
            const double diff = static_cast<double>(streamed(i, d)) - static_cast<double>(reference.output(i, d));
            const double error =
                (diff < 0 ? -diff : diff) / (scale * std::numeric_limits<T>::epsilon() + std::numeric_limits<T>::min());
            if (error > worst) worst = error;
        }
    return worst <= ulps;
}

} // namespace claims

#endif // CXATTN_TESTS_CLAIMS_HPP
