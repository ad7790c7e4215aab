// SPDX-License-Identifier: MIT
// cxattn/kernels/softmax.hpp: row-wise softmax at run time, with the special rows of the constexpr softmax.
#ifndef CXATTN_KERNELS_SOFTMAX_HPP
#define CXATTN_KERNELS_SOFTMAX_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/special_rows.hpp"
#include "cxattn/kernels/exp.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/reduce.hpp"
#include "cxattn/kernels/target.hpp"

namespace cxattn::kernels {

namespace detail {

// A special row (cxattn/detail/special_rows.hpp: a NaN, a +inf maximum, every entry -inf) rewritten
// as logits whose softmax is the row's weights by that rule. Those weights are 0, NaN, or one value
// that every nonzero entry shares, so 0 becomes -inf, NaN stays, and the shared value becomes 0:
// exp then gives 1 there, and normalising by their count gives the shared value back (a NaN row's
// sum is NaN and is not normalised). Out of line: these rows are rare, and the loops of the common
// ones stay as the compilers like them.
template <class T, std::size_t C>
CXATTN_DETAIL_OUT_OF_LINE void special_row_as_logits(T* row, cxattn::detail::row_kind kind) noexcept {
    cxattn::detail::weigh_special_row(kind, row, C);
    for (std::size_t j = 0; j < C; ++j)
        row[j] = row[j] > T(0)                         ? T(0)
                 : cxattn::detail::equal(row[j], T(0)) ? -std::numeric_limits<T>::infinity()
                                                       : row[j];
}

// The shift of a row's entries before exp: its maximum, or 0 for a special row, which is
// rewritten by special_row_as_logits.
template <class T, std::size_t C> [[nodiscard]] inline T shift_of_row(T* row, row_extent<T> extent) noexcept {
    const cxattn::detail::row_kind kind = cxattn::detail::kind_of_row(extent.max, extent.has_nan);
    if (kind == cxattn::detail::row_kind::ordinary) return extent.max;
    special_row_as_logits<T, C>(row, kind);
    return T(0);
}

// The default of softmax_rows' rescore: the scores are final as they are.
struct no_rescore {};

// Calls rescore(i, row) if the scaled scores of row i are not all finite: a product or a partial
// sum of theirs may have overflowed (detail/scores.hpp), and rescore recomputes them by the rule.
template <class T, std::size_t C, class Rescore>
inline void rescore_if_not_finite(std::size_t i, T* row, const Rescore& rescore) noexcept {
    if constexpr (!std::is_same_v<Rescore, no_rescore>)
        if (!values_finite<T, C>(row)) rescore(i, row);
}

} // namespace detail

// Softmax of R rows of C scores at x, each multiplied by scale first, then masked. Rescore (for
// attention: a callable (i, row) that recomputes row i's scaled scores by the rule of
// detail/scores.hpp) is called for a row whose scaled scores are not all finite. A mask with a sink
// (detail::has_sink) has it taken into each ordinary row (cxattn::detail::take_in_sink), row by row.
template <class T, std::size_t R, std::size_t C, class Mask = no_mask, class Rescore = detail::no_rescore>
inline void softmax_rows(T* x, T scale, const Mask& mask = {}, const Rescore& rescore = {}) noexcept {
    static_assert(supported<T>, "cxattn::kernels::softmax_rows: the element type must be float or double (IEEE 754)");
    if constexpr ((C < detail::lanes<T> && R * C <= 2 * detail::lanes<T>) || detail::has_sink<Mask>) {
        // Short rows, few of them: row by row, each pass fused (measured 2x faster at 4 x 4 than
        // separate passes). More short rows take the path below, whose exp runs on whole vectors
        // (measured 2x to 4x faster at 8 x 8).
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            detail::row_extent<T> extent{row[0] * scale, false};
            if constexpr (std::is_same_v<Mask, no_mask> && std::is_same_v<Rescore, detail::no_rescore>) {
                for (std::size_t j = 0; j < C; ++j) {
                    row[j] *= scale;
                    extent.max = row[j] > extent.max ? row[j] : extent.max;
                    extent.has_nan |= cxattn::detail::is_nan(row[j]);
                }
            } else {
                for (std::size_t j = 0; j < C; ++j) row[j] *= scale;
                detail::rescore_if_not_finite<T, C>(i, row, rescore);
                mask.apply(i, 0, row, C, C);
                extent = detail::row_max<T, C>(row);
            }
            T max = detail::shift_of_row<T, C>(row, extent);
            kernels::exp_of_differences(row, C, max);
            T sum{};
            for (std::size_t j = 0; j < C; ++j) sum += row[j];
            T factor(1); // the sink's rescaling of the row's exps
            if constexpr (detail::has_sink<Mask>)
                if (cxattn::detail::kind_of_row(extent.max, extent.has_nan) == cxattn::detail::row_kind::ordinary)
                    factor = cxattn::detail::take_in_sink<T, &kernels::exp<T>>(detail::sink_of(mask), max, sum);
            if (cxattn::detail::equal(sum, T(0)) || cxattn::detail::is_nan(sum))
                continue; // zeros; a NaN row as special_row_as_logits left it
            const T inverse = factor / sum;
            for (std::size_t j = 0; j < C; ++j) row[j] *= inverse;
        }
    } else {
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            for (std::size_t j = 0; j < C; ++j) row[j] *= scale;
            detail::rescore_if_not_finite<T, C>(i, row, rescore);
            mask.apply(i, 0, row, C, C);
            const T max = detail::shift_of_row<T, C>(row, detail::row_max<T, C>(row));
            for (std::size_t j = 0; j < C; ++j) row[j] -= max;
        }
        // One exp pass over the whole block, the loop the compilers vectorise best.
        kernels::exp_of_differences(x, R * C, T(0));
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            const T sum = detail::row_sum<T, C>(row);
            if (cxattn::detail::equal(sum, T(0)) || cxattn::detail::is_nan(sum))
                continue; // zeros; a NaN row as special_row_as_logits left it
            const T inverse = T(1) / sum;
            for (std::size_t j = 0; j < C; ++j) row[j] *= inverse;
        }
    }
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_SOFTMAX_HPP
