// SPDX-License-Identifier: MIT
// cxattn/kernels/scalar.hpp: the run-time kernels for in-order cores with a scalar FPU (the Cortex-M
// cores; CXATTN_RUNTIME_KERNELS=2): attention and streaming attention 4 query rows at a time, with
// the sizes as run-time arguments.
//
// The kernels of cxattn/kernels/attention.hpp block for wide vector registers; a Cortex-M4 has 32
// single-precision registers and no vector unit. Here the scores of 4 queries against 4 keys, and
// the outputs of 4 rows in 4 columns, are 16 accumulators held in registers, so that each loaded
// value serves 4 products; exp is scalar::exp (a table of 2^(j/32), no libm call, no double
// arithmetic). The sizes are arguments, not template parameters: a program carries one copy of
// these loops per element type, whatever shapes it uses (docs/embedded.md measures code, stack and
// instructions per call).
// The semantics are the constexpr row engine's (cxattn/detail/rows.hpp), by the same rule functions:
// scores that overflow (detail/scores.hpp), masks (cxattn/options.hpp), special rows and the online
// weight (detail/special_rows.hpp); the results lie within the kernels' tolerance of the compile-time
// ones (tests/kernels/test_public_calls.cpp, tests/fuzz/fuzz_attention_scalar.cpp).
#ifndef CXATTN_KERNELS_SCALAR_HPP
#define CXATTN_KERNELS_SCALAR_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/scores.hpp"
#include "cxattn/detail/special_rows.hpp"
#include "cxattn/kernels/exp.hpp"
#include "cxattn/kernels/reduce.hpp"
#include "cxattn/kernels/target.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"

namespace cxattn::kernels::scalar {

// The sizes of a call: L queries (rows of L x Dk), S keys (S x Dk) and values (S x Dv).
struct dims {
    std::size_t L, S, Dk, Dv;
};

// A call with positions, a window, key_length, mask_mod, softcap, ALiBi, score_mod or a sink: its
// resolved options (cxattn/options.hpp) and the functions that apply their one definition, excludes
// (resolved_options::masked), finish (final_score) and key_bound (key_end, or key_begin when !end),
// and the sink's logit (-inf: none), which each row's softmax takes in (detail::take_in_sink).
template <class T> struct modifier_hooks {
    const void* options = nullptr;
    bool (*excludes)(const void*, std::size_t row, std::size_t j) = nullptr;
    T (*finish)(const void*, std::size_t row, std::size_t j, T score) = nullptr;
    std::size_t (*key_bound)(const void*, std::size_t row, bool end) = nullptr;
    T sink = -std::numeric_limits<T>::infinity();
};
struct no_modifier_hooks {};

// The masks of a call, at run time, by the rules of cxattn/options.hpp: query `row` sees the keys
// j < key_end(row) (causal_key_end, when causal), and of those the ones that masked(row, j) does
// not exclude (a false in keep, bias_masks in bias; keep and bias are L x S, or null). With
// Modifiers, the hooks decide instead (causal, keep and bias unset): a second copy of the kernels,
// so that a program without these options carries none of their code.
template <class T, bool Modifiers = false> struct masks {
    bool causal = false;
    std::ptrdiff_t diagonal = 0; // causal: query i sees keys j <= i + diagonal
    const bool* keep = nullptr;
    const T* bias = nullptr;
    [[no_unique_address]] std::conditional_t<Modifiers, modifier_hooks<T>, no_modifier_hooks> hooks{};

    // Query `row` sees no key outside [key_begin(row), key_end(row)); neither decreases from row to row.
    [[nodiscard]] std::size_t key_end(std::size_t row, std::size_t S) const noexcept {
        if constexpr (Modifiers)
            return hooks.key_bound(hooks.options, row, true);
        else
            return causal ? cxattn::detail::causal_key_end(row, diagonal, S) : S;
    }
    [[nodiscard]] std::size_t key_begin(std::size_t row) const noexcept {
        if constexpr (Modifiers)
            return hooks.key_bound(hooks.options, row, false);
        else
            return static_cast<void>(row), 0;
    }
    [[nodiscard]] bool pointwise() const noexcept { return Modifiers || keep != nullptr || bias != nullptr; }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t S) const noexcept {
        if constexpr (Modifiers)
            return static_cast<void>(S), hooks.excludes(hooks.options, row, j);
        else
            return (keep != nullptr && !keep[row * S + j]) ||
                   (bias != nullptr && cxattn::detail::bias_masks(bias[row * S + j]));
    }
};

namespace detail {
template <class Resolved> bool excludes(const void* options, std::size_t row, std::size_t j) noexcept {
    return static_cast<const Resolved*>(options)->masked(row, j);
}
template <class T, class Resolved> T finish(const void* options, std::size_t row, std::size_t j, T score) noexcept {
    return static_cast<const Resolved*>(options)->template final_score<cxattn::detail::plain_arithmetic>(row, j, score);
}
template <class Resolved> std::size_t key_bound(const void* options, std::size_t row, bool end) noexcept {
    const auto& o = *static_cast<const Resolved*>(options);
    return end ? o.key_end(row) : o.key_begin(row);
}
} // namespace detail

// Calls f(m) with m the masks of the options of a public call (cxattn::detail::resolved_options):
// without a bool or an additive mask a constant in read-only memory, so that a call builds none.
template <class T, std::size_t L, std::size_t S, class Resolved, class F>
inline void with_masks(const Resolved& options, F f) noexcept {
    constexpr bool causal = Resolved::is_causal_upper_left || Resolved::is_causal_lower_right;
    constexpr std::ptrdiff_t diagonal =
        Resolved::is_causal_lower_right ? static_cast<std::ptrdiff_t>(S) - static_cast<std::ptrdiff_t>(L) : 0;
    if constexpr (Resolved::has_modifiers) {
        f(masks<T, true>{false, 0, nullptr, nullptr,
                         modifier_hooks<T>{&options, &detail::excludes<Resolved>, &detail::finish<T, Resolved>,
                                           &detail::key_bound<Resolved>, options.sink_logit()}});
    } else if constexpr (!Resolved::has_pointwise_mask) {
        static constexpr masks<T> constant{causal, diagonal, nullptr, nullptr};
        f(constant);
    } else {
        const bool* keep = nullptr;
        const T* bias = nullptr;
        if constexpr (Resolved::has_bool_mask) keep = options.keep->values;
        if constexpr (Resolved::has_additive_mask) bias = options.bias->values;
        f(masks<T>{causal, diagonal, keep, bias});
    }
}

namespace detail {

// Whether x is finite, by its bits, as values_finite tests a row.
template <class T> [[nodiscard]] inline bool finite(T x) noexcept {
    using bits = kernels::detail::bits_of<T>;
    constexpr bits exponent = kernels::detail::exponent_field<T>;
    return (__builtin_bit_cast(bits, x) & exponent) != exponent;
}

// x[0..n) = 0 in a loop: the zero is hidden from the optimiser, which would otherwise call memset
// (newlib-nano's adds 162 bytes of code to an image that has none, and a call per row).
template <class T> inline void zero(T* x, std::size_t n) noexcept {
    kernels::detail::bits_of<T> bits = 0;
    __asm__("" : "+r"(bits));
    const T z = __builtin_bit_cast(T, bits);
    for (std::size_t i = 0; i < n; ++i) x[i] = z;
}

// The query rows of a group: the kernels compute 4 rows at a time, so that each loaded key or value
// serves 4 rows, with the 16 accumulators of 4 rows by 4 keys or columns in registers.
inline constexpr std::size_t group = 4;

// Row i0 + r of a group of `rows` (at most group) for r < group: the last row again for r >= rows
// (computed twice, the same values written to the same place).
[[nodiscard]] inline std::size_t group_row(std::size_t i0, std::size_t rows, std::size_t r) noexcept {
    return i0 + (r < rows ? r : rows - 1);
}

// a[r][t] += x[r][i] y[t] for the group's rows r and 4 columns t: one step of both blocked
// products (x the queries and y 4 keys' component i, or x the weights and y key i's values).
template <class T>
[[gnu::always_inline]] inline void add_outer_product(T (&a)[group][4], const T* const* x, std::size_t i,
                                                     const T (&y)[4]) noexcept {
#pragma GCC unroll 4
    for (std::size_t r = 0; r < group; ++r) {
        const T xr = x[r][i];
#pragma GCC unroll 4
        for (std::size_t t = 0; t < 4; ++t) a[r][t] += xr * y[t];
    }
}

// Scores of a group of queries (at q[0..group), Dk values each) against n keys (Dk values each, at
// k), into s[r][0..n): (q . k_j) * scale, the dot products summed in order, 4 keys at a time. The
// last block of fewer than 4 keys takes the 4 keys that end at n (or key n - 1 again), so that one
// loop serves every n: a key computed twice gets the same score twice. Not finite where a product or
// a partial sum overflowed: see rescore.
template <class T>
CXATTN_DETAIL_OUT_OF_LINE void scores(const T* const* q, const T* CXATTN_DETAIL_RESTRICT k, std::size_t n,
                                      std::size_t Dk, T scale, T* const* s) noexcept {
    for (std::size_t j0 = 0; j0 < n; j0 += 4) {
        std::size_t key[4];
        const std::size_t first = j0 + 4 <= n ? j0 : n >= 4 ? n - 4 : j0;
#pragma GCC unroll 4
        for (std::size_t t = 0; t < 4; ++t) key[t] = first + t < n ? first + t : n - 1;
        const T *k0 = k + key[0] * Dk, *k1 = k + key[1] * Dk, *k2 = k + key[2] * Dk, *k3 = k + key[3] * Dk;
        T a[group][4] = {};
        for (std::size_t c = 0; c < Dk; ++c) add_outer_product(a, q, c, {k0[c], k1[c], k2[c], k3[c]});
#pragma GCC unroll 4
        for (std::size_t r = 0; r < group; ++r)
#pragma GCC unroll 4
            for (std::size_t t = 0; t < 4; ++t) s[r][key[t]] = a[r][t] * scale;
    }
}

// o[r][0..Dv) += sum over j < n of p[r][j] v_j for a group of rows of weights (Dv values per key
// at v), 4 columns at a time, the 16 sums in registers; o[r][0..Dv) = the sum when !accumulate.
template <class T>
CXATTN_DETAIL_OUT_OF_LINE void add_weighted_values(const T* const* p, const T* CXATTN_DETAIL_RESTRICT v, std::size_t n,
                                                   std::size_t Dv, T* const* o, bool accumulate) noexcept {
    std::size_t d = 0;
    for (; d + 4 <= Dv; d += 4) {
        T a[group][4];
#pragma GCC unroll 4
        for (std::size_t r = 0; r < group; ++r)
#pragma GCC unroll 4
            for (std::size_t t = 0; t < 4; ++t) a[r][t] = accumulate ? o[r][d + t] : T{};
        for (std::size_t j = 0; j < n; ++j) {
            const T* vj = v + j * Dv + d;
            add_outer_product(a, p, j, {vj[0], vj[1], vj[2], vj[3]});
        }
#pragma GCC unroll 4
        for (std::size_t r = 0; r < group; ++r)
#pragma GCC unroll 4
            for (std::size_t t = 0; t < 4; ++t) o[r][d + t] = a[r][t];
    }
    for (; d < Dv; ++d) {
        T a[group];
#pragma GCC unroll 4
        for (std::size_t r = 0; r < group; ++r) a[r] = accumulate ? o[r][d] : T{};
        for (std::size_t j = 0; j < n; ++j) {
            const T y = v[j * Dv + d];
#pragma GCC unroll 4
            for (std::size_t r = 0; r < group; ++r) a[r] += p[r][j] * y;
        }
#pragma GCC unroll 4
        for (std::size_t r = 0; r < group; ++r) o[r][d] = a[r];
    }
}

// The scores s[0..n) of query q against the keys at k that are not finite, computed again by the
// rule of cxattn/detail/scores.hpp (a product or a partial sum overflowed), so that a finite plain
// score keeps its bits. Out of line: rare.
template <class T>
CXATTN_DETAIL_OUT_OF_LINE void rescore(const T* q, const T* k, std::size_t n, std::size_t Dk, T scale, T* s) noexcept {
    for (std::size_t j = 0; j < n; ++j)
        if (!finite(s[j]))
            s[j] = cxattn::detail::scaled_score<cxattn::detail::plain_arithmetic>(q, k + j * Dk, 1, Dk, scale);
}

// The masks of query `row` on its scores s[0..n) of keys [first, first + n): -inf from key `end` on
// (the causal mask's), and where a pointwise mask excludes the key; elsewhere the bias added (after
// the masks' test, so a masked position takes nothing from it).
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE void apply_masks(const masks<T, Modifiers>& m, std::size_t row, std::size_t first,
                                           std::size_t n, std::size_t end, std::size_t S, T* s) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
        if (first + j >= end || m.masked(row, first + j, S))
            s[j] = minus_inf;
        else if constexpr (Modifiers)
            s[j] = m.hooks.finish(m.hooks.options, row, first + j, s[j]);
        else if (m.bias != nullptr)
            s[j] += m.bias[row * S + first + j];
    }
}

// The scores s[0..n) of query `row` (at q) for keys [first, first + n) (at k), plain, made final: by
// the rule where one is not finite (through their sum, finite only if each is), then masked. Returns
// whether they were all finite and none is masked, and then their maximum in max (the same pass).
template <class T, bool Modifiers>
inline bool finish_scores(const masks<T, Modifiers>& m, std::size_t row, std::size_t first, std::size_t n,
                          std::size_t end, std::size_t S, const T* q, const T* k, std::size_t Dk, T scale, T* s,
                          T& max) noexcept {
    T check{}, largest = -std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < n; ++j) {
        largest = s[j] > largest ? s[j] : largest;
        check += s[j];
    }
    max = largest;
    const bool plain_finite = finite(check);
    if (!plain_finite) rescore(q, k + first * Dk, n, Dk, scale, s);
    if (!m.pointwise() && first + n <= end) return plain_finite;
    apply_masks(m, row, first, n, end, S, s);
    return false;
}

// o[0..Dv) += sum over the keys j < n (before the row's causal end) that the pointwise masks leave to
// query `row` (key first + j) of p[j] v_j: a masked key's value is left out, not multiplied by its
// zero weight (it may hold inf or NaN). Out of line: for the rare calls whose values are not all
// finite.
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE void add_unmasked_values(const T* p, const T* v, std::size_t n, std::size_t Dv, T* o,
                                                   const masks<T, Modifiers>& m, std::size_t row, std::size_t first,
                                                   std::size_t S) noexcept {
    for (std::size_t j = 0; j < n; ++j)
        if (!m.masked(row, first + j, S))
            for (std::size_t d = 0; d < Dv; ++d) o[d] += p[j] * v[j * Dv + d];
}

// exp for the rare steps (a growing maximum's rescaling, special rows, the second pass): one copy
// out of line, where the loops of the softmaxes inline it (exp_inline).
template <class T> CXATTN_DETAIL_OUT_OF_LINE CXATTN_DETAIL_EXACT_FP T rare_exp(T x) noexcept { return exp_inline(x); }

// Row `row` of the weights, in place: w[0..end) holds its plain scores (query q against the keys at
// k; the causal mask's keys start at end). Afterwards w[0..S) holds the row's weights by the rules
// of the constexpr softmax (detail/special_rows.hpp), and the row's kind is returned.
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE CXATTN_DETAIL_EXACT_FP cxattn::detail::row_kind
weigh_row(T* w, std::size_t end, std::size_t S, const masks<T, Modifiers>& m, std::size_t row, const T* q, const T* k,
          std::size_t Dk, T scale) noexcept {
    CXATTN_DETAIL_NO_REASSOCIATION
    using cxattn::detail::row_kind;
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    // One pass finds the maximum and, through the sum of the scores (finite only if each is),
    // whether the row's scores are final; otherwise they are made so and the rules decide its kind.
    T max = minus_inf, check{};
    for (std::size_t j = 0; j < end; ++j) {
        max = w[j] > max ? w[j] : max;
        check += w[j];
    }
    row_kind kind = end > 0 ? row_kind::ordinary : row_kind::all_masked;
    if (!finite(check) || m.pointwise()) {
        static_cast<void>(finish_scores(m, row, 0, end, end, S, q, k, Dk, scale, w, max));
        max = minus_inf;
        bool has_nan = false;
        for (std::size_t j = 0; j < end; ++j) {
            max = w[j] > max ? w[j] : max;
            has_nan |= cxattn::detail::is_nan(w[j]);
        }
        kind = cxattn::detail::kind_of_row(max, has_nan);
    }
    if (kind != row_kind::ordinary) {
        for (std::size_t j = end; j < S; ++j) w[j] = minus_inf;
        cxattn::detail::weigh_special_row(kind, w, S);
        return kind;
    }
    T sum{};
    for (std::size_t j = 0; j < end; ++j) sum += w[j] = exp_inline(w[j] - max);
    T factor(1); // the sink's rescaling of the row's exps
    if constexpr (Modifiers)
        if (m.hooks.sink > minus_inf) factor = cxattn::detail::take_in_sink<T, &rare_exp<T>>(m.hooks.sink, max, sum);
    const T inverse = factor / sum;
    for (std::size_t j = 0; j < end; ++j) w[j] *= inverse;
    zero(w + end, S - end); // the causal mask's keys: exp(-inf)
    return kind;
}

// The running state of one query row of the online softmax: the largest score so far, the sum of
// exp(score - max) so far, and whether a score was NaN (the row is then NaN).
template <class T> struct online_row {
    T max = -std::numeric_limits<T>::infinity();
    T sum{};
    bool nan = false;
};

// One block of the online softmax for one row: s[0..n) holds the final scores of keys [j0, j0 + n),
// and finite_max their maximum when finite_scores (finish_scores' result); afterwards their weights
// exp(score - max) against the running maximum (online_weight), the row's output o[0..Dv) and sum
// rescaled by exp(old max - new max) where the maximum grew. A NaN row's weights are zeros (its
// output is NaN in the end).
template <class T>
CXATTN_DETAIL_OUT_OF_LINE CXATTN_DETAIL_EXACT_FP void online_block(T* s, std::size_t n, bool finite_scores,
                                                                   T finite_max, online_row<T>& state, T* o,
                                                                   std::size_t Dv) noexcept {
    CXATTN_DETAIL_NO_REASSOCIATION
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    T block_max = finite_max;
    bool nan = false;
    if (!finite_scores) {
        block_max = minus_inf;
        for (std::size_t j = 0; j < n; ++j) {
            block_max = s[j] > block_max ? s[j] : block_max;
            nan |= cxattn::detail::is_nan(s[j]);
        }
    }
    if (nan || state.nan) {
        state.nan = true;
        zero(s, n);
        return;
    }
    T max = state.max, sum = state.sum;
    if (block_max > max) {
        if (!cxattn::detail::equal(max, minus_inf)) {
            const T factor = rare_exp(max - block_max); // rescale what was summed against the old maximum
            sum *= factor;
            for (std::size_t d = 0; d < Dv; ++d) o[d] *= factor;
        }
        max = block_max;
    }
    // online_weight(s, max) is exp(s - max) for a finite maximum (exp(0) is 1 exactly): the loop of
    // the common case calls exp alone.
    if (finite(max))
        for (std::size_t j = 0; j < n; ++j) sum += s[j] = exp_inline(s[j] - max);
    else
        for (std::size_t j = 0; j < n; ++j) sum += s[j] = cxattn::detail::online_weight<T, &rare_exp<T>>(s[j], max);
    state.max = max;
    state.sum = sum;
}

// Query row `row`'s output again, as a sum of normalised weights online_weight(score, max) / sum
// with its final maximum and sum, masked keys left out, as stream_row's second pass: for a row whose
// running output overflowed before the division, or whose values hold inf or NaN. s: a group of
// scratch rows of `block` values. Rare, so the scores are computed again (the row in every slot).
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE CXATTN_DETAIL_EXACT_FP void
normalised_row(const T* q, const T* k, const T* v, T scale, T* o, dims n, const masks<T, Modifiers>& m, std::size_t row,
               const online_row<T>& state, T* const* s, std::size_t block) noexcept {
    CXATTN_DETAIL_NO_REASSOCIATION
    const T* qr[group] = {q, q, q, q};
    const std::size_t end = m.key_end(row, n.S);
    zero(o, n.Dv);
    for (std::size_t j0 = 0; j0 < end; j0 += block) {
        const std::size_t count = end - j0 < block ? end - j0 : block;
        scores(qr, k + j0 * n.Dk, count, n.Dk, scale, s);
        T max;
        static_cast<void>(finish_scores(m, row, j0, count, end, n.S, q, k, n.Dk, scale, s[0], max));
        for (std::size_t j = 0; j < count; ++j)
            s[0][j] = cxattn::detail::online_weight<T, &rare_exp<T>>(s[0][j], state.max) / state.sum;
        add_unmasked_values(s[0], v + j0 * n.Dv, count, n.Dv, o, m, row, j0, n.S);
    }
}

} // namespace detail

// Attention at run time, 4 query rows at a time: weights (L x S) = softmax(mask(q k^T * scale)),
// output (L x Dv) = weights v, with the semantics of cxattn::scaled_dot_product_attention
// (cxattn/detail/rows.hpp, attend_row) for every input, NaN and infinities included.
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE void attention(const T* q, const T* k, const T* v, T scale, T* out, T* weights, dims n,
                                         const masks<T, Modifiers>& m) noexcept {
    using detail::group;
    // A masked key's value is left out, not multiplied by its zero weight, where values hold inf or
    // NaN: then row by row.
    const bool skip_masked = (m.causal || m.pointwise()) && !values_finite(v, n.S * n.Dv);
    for (std::size_t i0 = 0; i0 < n.L; i0 += group) {
        const std::size_t rows = n.L - i0 < group ? n.L - i0 : group;
        const T* qr[group];
        T *wr[group], *orow[group];
        for (std::size_t r = 0; r < group; ++r) {
            const std::size_t i = detail::group_row(i0, rows, r);
            qr[r] = q + i * n.Dk;
            wr[r] = weights + i * n.S;
            orow[r] = out + i * n.Dv;
        }
        // The causal mask lets later rows see more keys: the group's scores run to its last row's end.
        const std::size_t keys = m.key_end(i0 + rows - 1, n.S);
        detail::scores(qr, k, keys, n.Dk, scale, wr);
        cxattn::detail::row_kind kinds[group];
        for (std::size_t r = 0; r < rows; ++r)
            kinds[r] = detail::weigh_row(wr[r], m.key_end(i0 + r, n.S), n.S, m, i0 + r, qr[r], k, n.Dk, scale);
        if (!skip_masked)
            detail::add_weighted_values(wr, v, keys, n.Dv, orow, false);
        else
            for (std::size_t r = 0; r < rows; ++r) detail::zero(orow[r], n.Dv);
        for (std::size_t r = 0; r < rows; ++r) {
            if (skip_masked)
                detail::add_unmasked_values(wr[r], v, m.key_end(i0 + r, n.S), n.Dv, orow[r], m, i0 + r, 0, n.S);
            if (kinds[r] == cxattn::detail::row_kind::nan) // a NaN score: the whole output row is NaN
                for (std::size_t d = 0; d < n.Dv; ++d) orow[r][d] = std::numeric_limits<T>::quiet_NaN();
        }
    }
}

namespace detail {

// streaming_attention's rows; with WithLse, lse[i] is query i's log-sum-exp (cxattn::partial_attention;
// row_lse). Inlined into the two entry points, so that a program without partial_attention has no lse
// code (and no log) in its image.
template <bool WithLse, class T, bool Modifiers>
[[gnu::always_inline]] inline void streaming_rows(const T* q, const T* k, const T* v, T scale, T* out, const dims& n,
                                                  const masks<T, Modifiers>& m, T* lse) noexcept {
    using detail::group;
    constexpr std::size_t block = 16;
    const bool skip_masked = (m.causal || m.pointwise()) && !values_finite(v, n.S * n.Dv); // as attention()
    T scratch[group][block];
    T* const s[group] = {scratch[0], scratch[1], scratch[2], scratch[3]};
    for (std::size_t i0 = 0; i0 < n.L; i0 += group) {
        const std::size_t rows = n.L - i0 < group ? n.L - i0 : group;
        const T* qr[group];
        T* orow[group];
        detail::online_row<T> state[group];
        for (std::size_t r = 0; r < group; ++r) {
            const std::size_t i = detail::group_row(i0, rows, r);
            qr[r] = q + i * n.Dk;
            orow[r] = out + i * n.Dv;
        }
        // The group's keys run from its first row's key_begin to its last row's key_end: a sliding
        // window of w keys costs O(L (w + group)), not O(L S).
        const std::size_t start = m.key_begin(i0), keys = m.key_end(i0 + rows - 1, n.S);
        // The first block's products set the output rows (online_block leaves them alone while the
        // maximum is -inf); the skipping path adds to them, and with no key nothing writes them.
        if (skip_masked || keys <= start)
            for (std::size_t r = 0; r < rows; ++r) detail::zero(orow[r], n.Dv);
        for (std::size_t j0 = start; j0 < keys; j0 += block) {
            const std::size_t count = keys - j0 < block ? keys - j0 : block;
            detail::scores(qr, k + j0 * n.Dk, count, n.Dk, scale, s);
            for (std::size_t r = 0; r < rows; ++r) {
                T max;
                const bool finite_scores = detail::finish_scores(m, i0 + r, j0, count, m.key_end(i0 + r, n.S), n.S,
                                                                 qr[r], k, n.Dk, scale, s[r], max);
                detail::online_block(s[r], count, finite_scores, max, state[r], orow[r], n.Dv);
            }
            // The slots past the group's rows repeat its last row: the same values, written twice.
            for (std::size_t r = rows; r < group; ++r)
                for (std::size_t j = 0; j < count; ++j) s[r][j] = s[rows - 1][j];
            if (!skip_masked)
                detail::add_weighted_values(s, v + j0 * n.Dv, count, n.Dv, orow, j0 > start);
            else
                for (std::size_t r = 0; r < rows; ++r) { // up to the row's causal end, skipping the masked keys
                    const std::size_t end = m.key_end(i0 + r, n.S);
                    const std::size_t seen = end <= j0 ? 0 : end - j0 < count ? end - j0 : count;
                    detail::add_unmasked_values(s[r], v + j0 * n.Dv, seen, n.Dv, orow[r], m, i0 + r, j0, n.S);
                }
        }
        for (std::size_t r = 0; r < rows; ++r) {
            T* o = orow[r];
            if (state[r].nan) { // the row is NaN, as the softmax of a row holding NaN is (row_kind::nan)
                for (std::size_t d = 0; d < n.Dv; ++d) o[d] = std::numeric_limits<T>::quiet_NaN();
                if constexpr (WithLse) lse[i0 + r] = std::numeric_limits<T>::quiet_NaN();
                continue;
            }
            if constexpr (Modifiers) { // one more logit after the last key (take_in_sink)
                if (m.hooks.sink > -std::numeric_limits<T>::infinity()) {
                    const T factor =
                        cxattn::detail::take_in_sink<T, &detail::rare_exp<T>>(m.hooks.sink, state[r].max, state[r].sum);
                    if (!cxattn::detail::equal(factor, T(1)))
                        for (std::size_t d = 0; d < n.Dv; ++d) o[d] *= factor;
                }
            }
            if constexpr (WithLse) lse[i0 + r] = cxattn::detail::row_lse(state[r].max, state[r].sum);
            // A sum of 0: every weight 0 (row_kind::all_masked), the output as summed.
            if (cxattn::detail::equal(state[r].sum, T(0))) continue;
            // Divided, then tested: the sum is at least 1 (exp(0), the maximum's weight), so a finite
            // output stays finite, and inf or NaN stays so.
            const T sum = state[r].sum;
            for (std::size_t d = 0; d < n.Dv; ++d) o[d] /= sum;
            if (values_finite(o, n.Dv)) continue;
            normalised_row(qr[r], k, v, scale, o, n, m, i0 + r, state[r], s, block);
        }
    }
}

} // namespace detail

// The output of attention() by the online softmax (cxattn/detail/rows.hpp, stream_row: the same
// semantics), 4 query rows at a time over blocks of 16 keys, whose scores are the only scratch: the
// running maxima and sums, and the output rows rescaled by exp(old max - new max) when a maximum grows.
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE void streaming_attention(const T* q, const T* k, const T* v, T scale, T* out, dims n,
                                                   const masks<T, Modifiers>& m) noexcept {
    detail::streaming_rows<false>(q, k, v, scale, out, n, m, static_cast<T*>(nullptr));
}

// The same, and lse[i] = query i's log-sum-exp (L values).
template <class T, bool Modifiers>
CXATTN_DETAIL_OUT_OF_LINE void streaming_attention(const T* q, const T* k, const T* v, T scale, T* out, dims n,
                                                   const masks<T, Modifiers>& m, T* lse) noexcept {
    detail::streaming_rows<true>(q, k, v, scale, out, n, m, lse);
}

} // namespace cxattn::kernels::scalar

#endif // CXATTN_KERNELS_SCALAR_HPP
