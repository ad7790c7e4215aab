// SPDX-License-Identifier: MIT
// Fuzz target: scaled_dot_product_attention and streaming_attention at run time, on float and
// double matrices of arbitrary bit patterns and every combination of options (a trailing flags
// byte: none, causal or causal_lower_right; a bool mask; an additive mask; a scale; and in cases of
// their own the position options: sliding_window, key_length, key_offset, and a sink), checked
// against the long double reference (tests/reference.hpp) with error bounds derived from each
// input's conditioning (tests/fuzz/oracle.hpp). In the cases with positions, also the merge of
// partial_attention over two parts of the keys (cxattn/partial.hpp) and its log-sum-exp; in cases of
// their own, alibi_slope and a score_mod (a s + b (k - q)) with the positions.
#include <cstdint>

#include <cxattn/attention.hpp>
#include <cxattn/partial.hpp>
#include <cxattn/streaming.hpp>

#include "oracle.hpp"
#include "reference.hpp"

namespace {

// A score_mod of the modifiers' cases: a s + b (k - q), whose reference is a scale and a bias.
template <class T> struct linear_score {
    T a, b;
    constexpr T operator()(T s, std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) const {
        return a * s + b * static_cast<T>(k - q);
    }
};

// Positions, Sink, Modifiers: whether the case takes the position options, a sink, and ALiBi with a
// score_mod (known at compile time, so that each case compiles only its own calls).
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, bool Positions, bool Sink,
          bool Modifiers>
struct case_data {
    cxattn::matrix<T, L, Dk> q;
    cxattn::matrix<T, S, Dk> k;
    cxattn::matrix<T, S, Dv> v;
    cxattn::matrix<bool, L, S> bool_mask;
    cxattn::matrix<T, L, S> additive_mask;
    T scale;
    unsigned flags; // % 3: 0 no causal option, 1 causal, 2 causal_lower_right; 4 bool mask; 8 additive; 16 scale
    // The position options (docs/semantics.md, "Positions, windows and modifiers"), all given or none:
    // sliding_window(left, right), key_length(valid_keys), key_offset(first_key).
    static constexpr bool positions = Positions;
    std::size_t left = 0, right = 0, valid_keys = 0;
    std::ptrdiff_t first_key = 0;
    static constexpr bool has_sink = Sink; // cxattn::sink(sink): any bit pattern, NaN and +inf (refused) included
    T sink{};
    // With the positions: alibi_slope(slope) and score_mod(linear_score{mod_scale, mod_shift}).
    static constexpr bool modifiers = Modifiers;
    T slope{}, mod_scale{1}, mod_shift{};
};

// Calls tail(options...) with the options that c.flags select, in this order: the causal alignment
// (lower_right(next) calls next with the options that stand for causal_lower_right), the bool mask
// keep, the additive mask bias, the scale. 24 combinations, each its own type.
template <class Case, class Keep, class Bias, class LowerRight, class Tail>
void with_flag_options(const Case& c, const Keep& keep, const Bias& bias, LowerRight&& lower_right, Tail&& tail) {
    const auto with_scale = [&](auto... o) {
        if (c.flags & 16u)
            tail(o..., cxattn::scale(c.scale));
        else
            tail(o...);
    };
    const auto with_additive = [&](auto... o) {
        if (c.flags & 8u)
            with_scale(o..., bias);
        else
            with_scale(o...);
    };
    const auto with_bool = [&](auto... o) {
        if (c.flags & 4u)
            with_additive(o..., keep);
        else
            with_additive(o...);
    };
    switch (c.flags % 3) {
    case 1:
        with_bool(cxattn::causal);
        break;
    case 2:
        lower_right(with_bool);
        break;
    default:
        with_bool();
        break;
    }
}

// Calls f(options...) with the options of the case: those of its flags, then its positions (and
// modifiers), then its sink.
template <class Case, class F> void with_options(const Case& c, F&& f) {
    auto with_sink = [&](auto... o) {
        if constexpr (Case::has_sink)
            f(o..., cxattn::sink(c.sink));
        else
            f(o...);
    };
    auto with_positions = [&](auto... o) {
        if constexpr (Case::modifiers)
            with_sink(o..., cxattn::sliding_window(c.left, c.right), cxattn::key_length(c.valid_keys),
                      cxattn::key_offset(c.first_key), cxattn::alibi_slope(c.slope),
                      cxattn::score_mod(linear_score<decltype(c.slope)>{c.mod_scale, c.mod_shift}));
        else if constexpr (Case::positions)
            with_sink(o..., cxattn::sliding_window(c.left, c.right), cxattn::key_length(c.valid_keys),
                      cxattn::key_offset(c.first_key));
        else
            with_sink(o...);
    };
    with_flag_options(
        c, c.bool_mask, c.additive_mask, [](const auto& next) { next(cxattn::causal_lower_right); }, with_positions);
}

// Split-KV: the keys [First, First + N) of a case and their columns of its masks.
template <class T, std::size_t L, std::size_t N, std::size_t Dk, std::size_t Dv> struct part_data {
    cxattn::matrix<T, N, Dk> k;
    cxattn::matrix<T, N, Dv> v;
    cxattn::matrix<bool, L, N> bool_mask;
    cxattn::matrix<T, L, N> additive_mask;
};

// partial_attention over keys [First, First + N) of the case with its options as they apply to a
// part: the lower-right alignment is causal with query_offset(n - L), key_length the part's share of
// the valid keys, key_offset the part's first key's position.
template <std::size_t First, std::size_t N, class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv,
          bool Positions, bool Sink, bool Modifiers>
cxattn::partial_result<T, L, Dv> part_of(const case_data<T, L, S, Dk, Dv, Positions, Sink, Modifiers>& c) {
    static part_data<T, L, N, Dk, Dv> p;
    for (std::size_t j = 0; j < N * Dk; ++j) p.k.values[j] = c.k.values[First * Dk + j];
    for (std::size_t j = 0; j < N * Dv; ++j) p.v.values[j] = c.v.values[First * Dv + j];
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            p.bool_mask(i, j) = c.bool_mask(i, First + j);
            p.additive_mask(i, j) = c.additive_mask(i, First + j);
        }
    cxattn::partial_result<T, L, Dv> r;
    const auto call = [&](auto... o) { r = cxattn::partial_attention(c.q, p.k, p.v, o...); };
    const std::size_t valid = c.positions ? c.valid_keys : S;
    const std::size_t part_valid = valid <= First ? 0 : valid - First < N ? valid - First : N;
    const auto with_positions = [&](auto... o) {
        if constexpr (Modifiers)
            call(o..., cxattn::sliding_window(c.left, c.right), cxattn::key_length(part_valid),
                 cxattn::key_offset(c.first_key + static_cast<std::ptrdiff_t>(First)), cxattn::alibi_slope(c.slope),
                 cxattn::score_mod(linear_score<T>{c.mod_scale, c.mod_shift}));
        else if constexpr (Positions)
            call(o..., cxattn::sliding_window(c.left, c.right), cxattn::key_length(part_valid),
                 cxattn::key_offset(c.first_key + static_cast<std::ptrdiff_t>(First)));
        else
            call(o..., cxattn::key_offset(static_cast<std::ptrdiff_t>(First)));
    };
    with_flag_options(
        c, p.bool_mask, p.additive_mask,
        [&](const auto& next) {
            next(cxattn::causal,
                 cxattn::query_offset(static_cast<std::ptrdiff_t>(valid) - static_cast<std::ptrdiff_t>(L)));
        },
        with_positions);
    return r;
}

// Positions, Sink, Modifiers: whether the case also takes the position options, a sink, and (with
// the positions) ALiBi and a score_mod, read after the other fields (so the inputs of the cases
// without them keep their meaning). Split: if not 0, the keys [0, Split) and [Split, S) are also
// attended as two parts and merged (with the sink).
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, bool Positions = false,
          bool Sink = false, std::size_t Split = 0, bool Modifiers = false>
void check(fuzz::input& in) {
    static_assert(Positions || !Modifiers, "the modifiers' cases have the positions");
    static case_data<T, L, S, Dk, Dv, Positions, Sink, Modifiers> c;
    c.q = in.next_matrix<T, L, Dk>();
    c.k = in.next_matrix<T, S, Dk>();
    c.v = in.next_matrix<T, S, Dv>();
    c.additive_mask = in.next_matrix<T, L, S>();
    for (bool& b : c.bool_mask.values) b = (in.next<std::uint8_t>() & 1u) != 0;
    c.scale = in.next<T>();
    c.flags = in.next<std::uint8_t>();
    if constexpr (Positions) {
        // A left or right of 255 stands for unbounded (saturating).
        const std::uint8_t left = in.next<std::uint8_t>(), right = in.next<std::uint8_t>();
        c.left = left == 255 ? std::numeric_limits<std::size_t>::max() : left % (S + 1);
        c.right = right == 255 ? std::numeric_limits<std::size_t>::max() : right % 4;
        c.valid_keys = in.next<std::uint8_t>() % (S + 1);
        c.first_key = static_cast<std::ptrdiff_t>(in.next<std::int8_t>() % 8);
    }
    if constexpr (Sink) c.sink = in.next<T>();
    if constexpr (Modifiers) {
        // Small multiples of powers of two: ALiBi's slope, and score_mod's factor (0 and negative
        // included) and shift per position.
        c.slope = static_cast<T>(in.next<std::int8_t>()) / T(16);
        c.mod_scale = static_cast<T>(in.next<std::int8_t>()) / T(32);
        c.mod_shift = static_cast<T>(in.next<std::int8_t>()) / T(64);
    }

    // The reference, with the options resolved per position (docs/semantics.md).
    // Positions p(i) = i (+ n - L lower right, n the valid keys), k(j) = first_key + j.
    static reference::position_options<L, S> options;
    const long n = c.positions ? static_cast<long>(c.valid_keys) : static_cast<long>(S);
    const long first_query = c.flags % 3 == 2 ? n - static_cast<long>(L) : 0;
    const long first_key = c.positions ? static_cast<long>(c.first_key) : 0;
    constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) {
            const long p = first_query + static_cast<long>(i), k = first_key + static_cast<long>(j);
            const bool causal_ok = c.flags % 3 == 0 || k <= p;
            const bool window_ok = !c.positions || ((c.left == unbounded || p - static_cast<long>(c.left) <= k) &&
                                                    (c.right == unbounded || k <= p + static_cast<long>(c.right)) &&
                                                    static_cast<long>(j) < n);
            options.attend[i][j] = causal_ok && window_ok && (!(c.flags & 4u) || c.bool_mask(i, j));
            options.bias[i][j] = (c.flags & 8u) ? static_cast<long double>(c.additive_mask(i, j)) : 0.0L;
            // ALiBi and the score_mod: a ((q . k) scale + m (k - p)) + b (k - p) + bias, that is the
            // scale a scale and the bias (a m + b) (k - p) + bias.
            if constexpr (Modifiers)
                options.bias[i][j] +=
                    (static_cast<long double>(c.mod_scale) * c.slope + c.mod_shift) * static_cast<long double>(k - p);
        }
    // The call's scale, and the reference's (times score_mod's factor).
    const long double call_scale = (c.flags & 16u) ? static_cast<long double>(c.scale)
                                                   : static_cast<long double>(T{1} / std::sqrt(static_cast<T>(Dk)));
    const long double scale = Modifiers ? call_scale * c.mod_scale : call_scale;
    static reference::attention_result<L, S, Dv> ref;
    reference::attention(c.q, c.k, c.v, options, scale, ref);
    // A sink z is one more logit of each row, with no value (docs/semantics.md, "Sinks"): an ordinary
    // row's weights and output are the reference's times the keys' share 1 - w_z = sum / (sum +
    // exp(z - M)), sum = sum_j exp(s_j - M), M = max(max s, z), computed as that quotient (1 - w_z
    // would cancel to 0 where the sink dwarfs every key); rows with NaN, a +inf score or no key
    // attended keep theirs.
    const bool sink_refused = c.has_sink && !(c.sink <= std::numeric_limits<T>::max()); // NaN or +inf
    if (c.has_sink && !sink_refused && c.sink > -std::numeric_limits<T>::infinity()) {
        for (std::size_t i = 0; i < L; ++i) {
            long double max = c.sink, sum = 0;
            bool ordinary = true;
            for (std::size_t j = 0; j < S; ++j) {
                ordinary = ordinary && !std::isnan(ref.scores[i][j]) &&
                           ref.scores[i][j] != std::numeric_limits<long double>::infinity();
                max = ref.scores[i][j] > max ? ref.scores[i][j] : max;
            }
            if (!ordinary) continue;
            for (std::size_t j = 0; j < S; ++j) sum += std::exp(ref.scores[i][j] - max);
            const long double keys_share = sum / (sum + std::exp(c.sink - max));
            for (std::size_t j = 0; j < S; ++j) ref.weights[i][j] *= keys_share;
            for (std::size_t d = 0; d < Dv; ++d) ref.output[i][d] *= keys_share;
        }
    }

    static cxattn::attention_result<T, L, S, Dv> got;
    static cxattn::matrix<T, L, Dv> streamed;
    with_options(c, [&](auto... o) {
        got = cxattn::scaled_dot_product_attention(c.q, c.k, c.v, o...);
        streamed = cxattn::streaming_attention(c.q, c.k, c.v, o...);
    });
    static cxattn::partial_result<T, L, Dv> merged;
    if constexpr (Split != 0) {
        if (c.has_sink)
            merged = cxattn::merge(part_of<0, Split>(c), part_of<Split, S - Split>(c), cxattn::sink(c.sink));
        else
            merged = cxattn::merge(part_of<0, Split>(c), part_of<Split, S - Split>(c));
    }

    constexpr long double inf = std::numeric_limits<long double>::infinity();
    constexpr long double overflow = std::numeric_limits<T>::max() / 2;
    const long double u = std::numeric_limits<T>::epsilon() / 2.0L, tiny = std::numeric_limits<T>::denorm_min();
    // A sink of NaN or +inf in T is refused: every weight and output NaN (docs/semantics.md).
    if (sink_refused) {
        for (T x : got.weights.values)
            FUZZ_CHECK(std::isnan(x), "sink %Lg: a weight is %Lg", (long double)c.sink, (long double)x);
        if constexpr (Split != 0) {
            for (T x : merged.output.values)
                FUZZ_CHECK(std::isnan(x), "sink %Lg: a merged output is not NaN", (long double)c.sink);
            for (T x : merged.lse.values)
                FUZZ_CHECK(std::isnan(x), "sink %Lg: a merged lse is not NaN", (long double)c.sink);
        }
        for (std::size_t i = 0; i < L * Dv; ++i)
            FUZZ_CHECK(std::isnan(got.output.values[i]) && std::isnan(streamed.values[i]),
                       "sink %Lg: output %zu is %Lg, streamed %Lg", (long double)c.sink, i,
                       (long double)got.output.values[i], (long double)streamed.values[i]);
        return;
    }
    // A scale that is not finite and positive in T makes every unmasked weight and every output NaN
    // (docs/semantics.md); a fully masked row stays 0.
    if ((c.flags & 16u) && !(c.scale > T(0) && c.scale <= std::numeric_limits<T>::max())) {
        for (std::size_t i = 0; i < L; ++i) {
            bool any = false;
            for (std::size_t j = 0; j < S; ++j) {
                const bool attended = options.attend[i][j] && options.bias[i][j] != -inf;
                any = any || attended;
                FUZZ_CHECK(attended ? std::isnan(got.weights(i, j)) : got.weights(i, j) == 0,
                           "scale %Lg: row %zu, weight %zu is %Lg (flags %u)", static_cast<long double>(c.scale), i, j,
                           static_cast<long double>(got.weights(i, j)), c.flags);
            }
            for (std::size_t d = 0; d < Dv; ++d)
                FUZZ_CHECK(any ? std::isnan(got.output(i, d)) && std::isnan(streamed(i, d))
                               : got.output(i, d) == 0 && streamed(i, d) == 0,
                           "scale %Lg: row %zu, output %zu is %Lg, streamed %Lg (flags %u)",
                           static_cast<long double>(c.scale), i, d, static_cast<long double>(got.output(i, d)),
                           static_cast<long double>(streamed(i, d)), c.flags);
        }
        return;
    }
    for (std::size_t i = 0; i < L; ++i) {
        // A computed score is fl(fl(q.k) * scale) (+ bias): within gamma(Dk + 1) |scale| sum |q||k|
        // of the exact one, plus the addition's rounding, unless an intermediate may overflow T.
        fuzz::score_row<S> scores;
        scores.error_bound = 0;
        for (std::size_t j = 0; j < S; ++j) {
            scores.exact[j] = ref.scores[i][j];
            const long double m = ref.dot_magnitude[i][j], scaled = m * std::fabs(call_scale);
            long double error = fuzz::gamma<T>(Dk + 1) * scaled + u * std::fabs(ref.scores[i][j]) +
                                static_cast<long double>(Dk + 1) * tiny * std::fmax(std::fabs(call_scale), 1.0L);
            bool may_overflow = !(m < overflow) || !(scaled < overflow) ||
                                !(std::fabs(options.bias[i][j]) < overflow) || !(std::fabs(scale) < overflow);
            if constexpr (Modifiers) {
                // The scaled score s0 (error e0, above), s1 = s0 + m (k - p) (exact product), s2 =
                // a s1 + b (k - p) (two roundings), then the bias: a e0 + 2u |a| |s1| + u |s2|
                // besides the last rounding.
                const long double a = std::fabs(static_cast<long double>(c.mod_scale));
                const long double distance = std::fabs(static_cast<long double>(first_key - first_query) +
                                                       static_cast<long double>(j) - static_cast<long double>(i));
                const long double s1 = scaled + std::fabs(static_cast<long double>(c.slope)) * distance;
                const long double s2 = a * s1 + std::fabs(static_cast<long double>(c.mod_shift)) * distance;
                error = a * (error - u * std::fabs(ref.scores[i][j])) + 2 * u * a * s1 + u * s2 +
                        u * std::fabs(ref.scores[i][j]);
                may_overflow = may_overflow || !(s1 < overflow) || !(s2 < overflow);
            }
            scores.error_bound = may_overflow && options.attend[i][j] ? inf : std::fmax(scores.error_bound, error);
        }
        long double weight_error[S];
        if (c.has_sink && !(c.sink == -std::numeric_limits<T>::infinity())) {
            // The sink as one more score (exact), whose weight, not returned, is the exact one.
            fuzz::score_row<S + 1> with_sink;
            with_sink.error_bound = scores.error_bound;
            T row[S + 1];
            for (std::size_t j = 0; j < S; ++j) {
                with_sink.exact[j] = scores.exact[j];
                row[j] = got.weights(i, j);
            }
            with_sink.exact[S] = c.sink;
            row[S] = T(0); // the sink's weight is not returned (not read)
            long double errors[S + 1];
            fuzz::check_weights(row, with_sink, errors, "attention weights with a sink", i, true);
            for (std::size_t j = 0; j < S; ++j) weight_error[j] = errors[j];
        } else {
            fuzz::check_weights(&got.weights.values[i * S], scores, weight_error, "attention weights", i);
        }
        for (std::size_t j = 0; j < S; ++j)
            FUZZ_CHECK(options.attend[i][j] && options.bias[i][j] != -inf ? true : got.weights(i, j) == 0,
                       "row %zu: masked position %zu has weight %Lg (%zu-byte elements, flags %u)", i, j,
                       static_cast<long double>(got.weights(i, j)), sizeof(T), c.flags);

        // Whether both parts of the split hold a +inf exact score (the merge's NaN case).
        bool infinite_in_both_parts = false;
        if constexpr (Split != 0) {
            bool first = false, second = false;
            for (std::size_t j = 0; j < S; ++j)
                (j < Split ? first : second) = (j < Split ? first : second) || ref.scores[i][j] == inf;
            infinite_in_both_parts = first && second && scores.error_bound != inf;
        }
        // output(i, d) = sum_j w_ij v_jd over attended j: the weights' errors times |v|, plus the
        // sum's own rounding gamma(S) sum |w||v|; the online softmax rescales the running sum up
        // to S times more (gamma(3S + 8)).
        for (std::size_t d = 0; d < Dv; ++d) {
            long double bound = 0, magnitude = 0, values = 0;
            bool finite = true;
            for (std::size_t j = 0; j < S; ++j) {
                if (ref.weights[i][j] == 0 && weight_error[j] == 0) continue; // masked: never read
                finite = finite && std::isfinite(c.v(j, d));
                bound += weight_error[j] * std::fabs(static_cast<long double>(c.v(j, d)));
                magnitude += std::fabs(ref.weights[i][j] * static_cast<long double>(c.v(j, d)));
                values += std::fabs(static_cast<long double>(c.v(j, d)));
            }
            const long double want = ref.output[i][d];
            if (!finite || !std::isfinite(bound) || !(magnitude < overflow) || std::isnan(want)) continue;
            const long double slack = static_cast<long double>(S + 1) * tiny + u * std::fabs(want);
            const long double got_d = got.output(i, d), streamed_d = streamed(i, d);
            FUZZ_CHECK(std::fabs(got_d - want) <= bound + fuzz::gamma<T>(S + 1) * magnitude + slack,
                       "attention output (%zu, %zu) is %.9Lg, exact %.9Lg, bound %.3Lg (flags %u)", i, d, got_d, want,
                       bound, c.flags);
            // The online softmax's running sum is not normalised until the end (as in
            // FlashAttention): it holds sum_j exp(s_j - running max) v_j, up to sum_j |v_j|, which
            // may overflow where the normalised output does not (docs/semantics.md).
            if (values < overflow)
                FUZZ_CHECK(std::fabs(streamed_d - want) <= bound + fuzz::gamma<T>(3 * S + 8) * magnitude + slack,
                           "streaming output (%zu, %zu) is %.9Lg, exact %.9Lg, bound %.3Lg (flags %u)", i, d,
                           streamed_d, want, bound, c.flags);
            // The merged parts: each part's online softmax, then the merge's weighting (a few more
            // roundings of each term). A +inf score in both parts leaves the shares unknown: NaN.
            if constexpr (Split != 0) {
                if (values < overflow && !infinite_in_both_parts)
                    FUZZ_CHECK(std::fabs(merged.output(i, d) - want) <=
                                   bound + fuzz::gamma<T>(3 * S + 16) * magnitude + slack,
                               "merged output (%zu, %zu) is %.9Lg, exact %.9Lg, bound %.3Lg (flags %u)", i, d,
                               static_cast<long double>(merged.output(i, d)), want, bound, c.flags);
            }
        }
        if constexpr (Split != 0) {
            // The merged lse: log(sum_j exp(s_j) (+ exp(z))), within the scores' error bound plus the
            // roundings of the sums, logs and the merge; -inf where nothing is attended, +inf with a
            // +inf score, NaN with a NaN one.
            long double max = c.has_sink ? static_cast<long double>(c.sink) : -inf, sum = 0;
            bool nan_score = false;
            for (std::size_t j = 0; j < S; ++j) {
                nan_score = nan_score || std::isnan(ref.scores[i][j]);
                max = std::fmax(max, ref.scores[i][j]);
            }
            const long double got_lse = merged.lse(i, 0);
            if (scores.error_bound == inf) {
                // A score may overflow: no bound.
            } else if (nan_score) {
                FUZZ_CHECK(std::isnan(got_lse) && std::isnan(merged.output(i, 0)),
                           "row %zu: merged lse %Lg of a NaN row", i, got_lse);
            } else if (infinite_in_both_parts) {
                FUZZ_CHECK(got_lse == inf && std::isnan(merged.output(i, 0)),
                           "row %zu: +inf scores in both parts, merged lse %Lg, output %Lg", i, got_lse,
                           static_cast<long double>(merged.output(i, 0)));
            } else if (max == -inf || max == inf) {
                FUZZ_CHECK(got_lse == max, "row %zu: merged lse %Lg, not %Lg", i, got_lse, max);
            } else {
                for (std::size_t j = 0; j < S; ++j) sum += std::exp(ref.scores[i][j] - max);
                if (c.has_sink) sum += std::exp(static_cast<long double>(c.sink) - max);
                const long double want = max + std::log(sum);
                FUZZ_CHECK(std::fabs(got_lse - want) <=
                               scores.error_bound + fuzz::gamma<T>(S + 8) * (1 + std::fabs(want)),
                           "row %zu: merged lse %.9Lg, exact %.9Lg, score error bound %.3Lg (flags %u)", i, got_lse,
                           want, scores.error_bound, c.flags);
            }
        }
        // A fully masked row gives a zero output on both paths.
        bool any = false;
        for (std::size_t j = 0; j < S; ++j) any = any || (options.attend[i][j] && options.bias[i][j] != -inf);
        if (!any)
            for (std::size_t d = 0; d < Dv; ++d)
                FUZZ_CHECK(got.output(i, d) == 0 && streamed(i, d) == 0 && (Split == 0 || merged.output(i, d) == 0),
                           "row %zu is fully masked, output %zu not 0", i, d);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input in(data, size);
    check<float, 3, 5, 4, 3>(in);
    check<double, 4, 2, 2, 2>(in);
#ifdef FUZZ_ATTENTION_LONG_ROWS
    check<float, 2, 37, 2, 5>(in); // rows longer than a block of keys of the scalar kernels
#endif
    // The position options, on rows longer than a block of keys of either kernel (whose blocks
    // outside a window are skipped).
    // With them, the merge of two parts of the keys (split across the kernels' blocks at 70 keys).
    check<float, 3, 5, 4, 3, true, false, 2>(in);
    check<double, 4, 2, 2, 2, true, false, 1>(in);
    check<float, 3, 70, 2, 2, true, false, 37>(in);
    // A sink, with and without the position options.
    check<float, 3, 5, 4, 3, false, true>(in);
    check<double, 4, 2, 2, 2, true, true, 1>(in);
    check<float, 3, 70, 2, 2, true, true, 37>(in);
    // ALiBi and a score_mod with the positions, also merged from two parts (last: the inputs of the
    // cases above keep their meaning).
    check<float, 3, 20, 3, 2, true, false, 9, true>(in);
    check<double, 2, 5, 2, 3, true, true, 2, true>(in);
    return 0;
}
