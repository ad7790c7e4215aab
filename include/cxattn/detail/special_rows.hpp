// SPDX-License-Identifier: MIT
// cxattn/detail/special_rows.hpp: the rule for the rows of softmax that plain arithmetic gets wrong
// (docs/semantics.md, "Special rows"), stated once for the constexpr algorithms and the run-time
// kernels alike.
#ifndef CXATTN_DETAIL_SPECIAL_ROWS_HPP
#define CXATTN_DETAIL_SPECIAL_ROWS_HPP

#include <cstddef>
#include <limits>

#include "cxattn/detail/compare.hpp"
#include "cxattn/math.hpp"

namespace cxattn::detail {

enum class row_kind {
    ordinary,     // exp(x - max) / sum: every entry finite or -inf, at least one finite
    nan,          // a NaN: NaN weights, except 0 at -inf (masked positions stay 0)
    infinite_max, // the maximum is +inf: the +inf entries share the weight (softmax's limit)
    all_masked,   // every entry -inf: nothing to attend to, all weights 0
};

// The kind of a row from its maximum and whether it holds a NaN; decided by comparisons, so that it
// works in constant evaluation too.
template <class T> [[nodiscard]] constexpr row_kind kind_of_row(T max, bool has_nan) noexcept {
    if (has_nan) return row_kind::nan;
    if (CXATTN_DETAIL_EQUAL(max, std::numeric_limits<T>::infinity())) return row_kind::infinite_max;
    if (CXATTN_DETAIL_EQUAL(max, -std::numeric_limits<T>::infinity())) return row_kind::all_masked;
    return row_kind::ordinary;
}

// The weight of the entry x of a row of that kind (not ordinary); infinite_count is the number of
// +inf entries of the row (used by row_kind::infinite_max only).
template <class T> [[nodiscard]] constexpr T special_row_weight(row_kind kind, T x, T infinite_count) noexcept {
    constexpr T inf = std::numeric_limits<T>::infinity();
    if (kind == row_kind::nan) return CXATTN_DETAIL_EQUAL(x, -inf) ? T{} : std::numeric_limits<T>::quiet_NaN();
    if (kind == row_kind::infinite_max) return CXATTN_DETAIL_EQUAL(x, inf) ? T{1} / infinite_count : T{};
    return T{};
}

// Replaces the n entries row[0, n) of a row of that kind (not ordinary) by their weights.
template <class T> constexpr void weigh_special_row(row_kind kind, T* row, std::size_t n) noexcept {
    T infinite_count{};
    for (std::size_t j = 0; j < n; ++j)
        infinite_count += CXATTN_DETAIL_EQUAL(row[j], std::numeric_limits<T>::infinity()) ? T{1} : T{};
    for (std::size_t j = 0; j < n; ++j) row[j] = special_row_weight(kind, row[j], infinite_count);
}

// The online softmax's unnormalised weight of the score s against the running maximum max:
// exp(s - max), except where that is inf - inf: 0 while the maximum is -inf (every score so far
// masked: row_kind::all_masked), and 1 at the maximum, +inf included (a +inf maximum rescales the
// finite scores before it by exp(-inf) = 0, so the +inf scores share the weight:
// row_kind::infinite_max).
// Exp takes e^x: cxattn::exp, or a run-time kernel's (a function, not a wrapper, so that constant
// evaluation pays no extra call).
template <class T, T (*Exp)(T) = &cxattn::exp<T>> [[nodiscard]] constexpr T online_weight(T s, T max) noexcept {
    return CXATTN_DETAIL_EQUAL(max, -std::numeric_limits<T>::infinity()) ? T{}
           : CXATTN_DETAIL_EQUAL(s, max)                                 ? T{1}
                                                                         : Exp(s - max);
}

// cxattn::sink (docs/semantics.md, "Sinks"): a logit with no value, one more entry of the row's
// softmax whose weight is dropped. Taken in once the row's maximum max and sum of exp(score - max)
// are known (the online softmax: after the last key), as one more key would be: max and sum become
// the row's with the sink, and the factor returned, exp(old max - new max), rescales the row's
// exp(score - old max) and an output summed with them. A sink of -inf changes nothing (factor 1, the
// sum plus 0); a row whose maximum is +inf keeps its weights (the sink's is exp(-inf)); a row with
// every key masked gets the sum 1 from the sink alone, so its weights and output stay 0. Not for a
// row holding a NaN score (NaN whatever the sink), nor a sink of NaN or +inf (refused where the
// sink is taken: detail::sink_is_usable).
template <class T, T (*Exp)(T) = &cxattn::exp<T>> constexpr T take_in_sink(T sink, T& max, T& sum) noexcept {
    if (!(sink > max)) {
        sum += online_weight<T, Exp>(sink, max);
        return T{1};
    }
    const T factor = online_weight<T, Exp>(max, sink); // exp(max - sink): 0 while max is -inf
    sum = sum * factor + T{1};
    max = sink;
    return factor;
}

// partial_attention's log-sum-exp of a row, log(sum_j exp(s_j)) over its attended keys, from the
// online softmax's final maximum max and sum of exp(score - max): max + log(sum). A row with no key
// attended (sum 0: row_kind::all_masked) gives -inf; a +inf maximum gives +inf (row_kind::infinite_max);
// a NaN sum (the vector kernels' NaN row) gives NaN. The rows holding a NaN score whose path knows it
// without a sum write NaN themselves.
template <class T> [[nodiscard]] constexpr T row_lse(T max, T sum) noexcept {
    if (CXATTN_DETAIL_EQUAL(sum, T{})) return -std::numeric_limits<T>::infinity();
    return max + cxattn::log(sum);
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_SPECIAL_ROWS_HPP
