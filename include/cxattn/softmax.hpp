// SPDX-License-Identifier: MIT
// cxattn/softmax.hpp: row-wise, numerically stable softmax.
#ifndef CXATTN_SOFTMAX_HPP
#define CXATTN_SOFTMAX_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/detail/compare.hpp"
#include "cxattn/config.hpp"
#include "cxattn/detail/dispatch.hpp"
#include "cxattn/detail/special_rows.hpp"
#include "cxattn/kernels.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn {
namespace detail {

// Replaces the N values m.values[offset + j] by their softmax: exp(x_j - max) / sum_k exp(x_k - max).
// Subtracting the row's maximum keeps every exp in (0, 1] (the notebook's "stability trick").
// Special rows (a NaN, a +inf maximum, every entry -inf) take the weights of
// detail/special_rows.hpp, decided by comparisons: constant evaluation rejects an operation that
// gives NaN (Clang even when an operand is NaN). -inf is how a masked position reaches softmax.
// The NaN test rides in the maximum's comparison: no extra statement, so no extra Clang step. The
// row is indexed as an array, not through a pointer: GCC's constant evaluator prices a pointer
// dereference far above an array subscript (see plain_arithmetic::dot).
// With Sink, the logit sink takes part in the row's softmax (take_in_sink). Returns whether the row
// is NaN.
template <std::size_t N, bool Sink = false, class T, std::size_t R, std::size_t C>
constexpr bool softmax_row(matrix<T, R, C>& m, std::size_t offset, T sink = T{}) noexcept {
    T max = m.values[offset];
    for (std::size_t j = offset + 1; j < offset + N; ++j)
        if (m.values[j] > max || CXATTN_DETAIL_IS_NAN(m.values[j])) max = m.values[j]; // NaN, once in max, stays
    const row_kind kind = kind_of_row(max, CXATTN_DETAIL_IS_NAN(max));
    if (kind != row_kind::ordinary) {
        weigh_special_row(kind, &m.values[offset], N);
        return kind == row_kind::nan;
    }
    T sum{};
    for (std::size_t j = offset; j < offset + N; ++j) sum += (m.values[j] = cxattn::exp(m.values[j] - max));
    if constexpr (Sink) {
        const T factor = take_in_sink(sink, max, sum);
        if (!CXATTN_DETAIL_EQUAL(factor, T{1}))
            for (std::size_t j = offset; j < offset + N; ++j) m.values[j] *= factor;
    }
    for (std::size_t j = offset; j < offset + N; ++j) m.values[j] /= sum;
    return false;
}

} // namespace detail

// softmax along each row (numpy's axis=-1).
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> softmax(matrix<T, R, C> m) noexcept {
    static_assert(std::is_floating_point_v<T>, "cxattn::softmax: the element type must be floating point");
    if constexpr (std::is_floating_point_v<T>) {
        if constexpr (detail::kernels_serve<T>) {
            if (detail::path_for<T>([] { return true; }) == detail::path::kernels) {
                kernels::softmax_rows<T, R, C>(m.values, T{1}); // the vectorised rows of cxattn/kernels/
                return m;
            }
        }
        for (std::size_t i = 0; i < R; ++i) static_cast<void>(detail::softmax_row<C>(m, i * C));
    }
    return m;
}

} // namespace cxattn

#endif // CXATTN_SOFTMAX_HPP
