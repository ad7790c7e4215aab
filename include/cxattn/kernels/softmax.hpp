// cxattn/kernels/softmax.hpp: row-wise softmax at run time, with the special rows of the constexpr softmax.
#ifndef CXATTN_KERNELS_SOFTMAX_HPP
#define CXATTN_KERNELS_SOFTMAX_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/kernels/exp.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/reduce.hpp"
#include "cxattn/kernels/target.hpp"

namespace cxattn::kernels {

namespace detail {

// A row whose maximum is +inf takes the limit of softmax: its +inf entries share the weight, the
// others get 0. Rewriting +inf as 0 and the rest as -inf (then subtracting a maximum of 0) makes
// exp and the normalisation compute exactly that; a NaN is kept, and makes the row NaN.
template <class T, std::size_t C> inline void limit_of_infinite_row(T* row) noexcept {
    constexpr T inf = std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < C; ++j) row[j] = row[j] == inf ? T(0) : row[j] != row[j] ? row[j] : -inf;
}

// A row holding a NaN: its -inf entries (masked positions among them) get the weight 0 and all the
// others NaN. Rewriting those others as NaN makes exp and the normalisation, which a NaN sum skips,
// compute exactly that.
template <class T, std::size_t C> inline void nan_row(T* row) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < C; ++j) row[j] = row[j] == minus_inf ? minus_inf : std::numeric_limits<T>::quiet_NaN();
}

// The shift of a row's entries before exp, given the row's maximum and NaN, after the special
// rows are rewritten: a NaN row as nan_row, a +inf maximum as limit_of_infinite_row; those and a
// row of -inf take 0.
// The rare rows, out of line so that the loops of the common ones stay as the compilers like them.
template <class T, std::size_t C> CXATTN_DETAIL_OUT_OF_LINE void special_row(T* row, bool has_nan) noexcept {
    if (has_nan)
        nan_row<T, C>(row);
    else
        limit_of_infinite_row<T, C>(row);
}

template <class T, std::size_t C> [[nodiscard]] inline T shift_of_row(T* row, row_extent<T> extent) noexcept {
    if (extent.has_nan || extent.max == std::numeric_limits<T>::infinity()) {
        special_row<T, C>(row, extent.has_nan);
        return T(0);
    }
    return extent.max == -std::numeric_limits<T>::infinity() ? T(0) : extent.max; // exp(-inf - 0) = 0
}

} // namespace detail

template <class T, std::size_t R, std::size_t C, class Mask = no_mask>
inline void softmax_rows(T* x, T scale, const Mask& mask = {}) noexcept {
    static_assert(supported<T>, "cxattn::kernels::softmax_rows: the element type must be float or double (IEEE 754)");
    if constexpr (C < detail::lanes<T>) {
        // Short rows: row by row, each pass fused (measured 2x faster at 4 x 4 than separate passes).
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            detail::row_extent<T> extent{row[0] * scale, false};
            if constexpr (std::is_same_v<Mask, no_mask>) {
                for (std::size_t j = 0; j < C; ++j) {
                    row[j] *= scale;
                    extent.max = row[j] > extent.max ? row[j] : extent.max;
                    extent.has_nan |= row[j] != row[j];
                }
            } else {
                for (std::size_t j = 0; j < C; ++j) row[j] *= scale;
                mask.apply(i, 0, row, C, C);
                extent = detail::row_max<T, C>(row);
            }
            const T max = detail::shift_of_row<T, C>(row, extent);
            T sum{};
            for (std::size_t j = 0; j < C; ++j) {
                row[j] = kernels::exp(row[j] - max);
                sum += row[j];
            }
            if (sum == T(0) || sum != sum) continue; // zeros; a NaN row as nan_row left it
            const T inverse = T(1) / sum;
            for (std::size_t j = 0; j < C; ++j) row[j] *= inverse;
        }
    } else {
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            for (std::size_t j = 0; j < C; ++j) row[j] *= scale;
            mask.apply(i, 0, row, C, C);
            const T max = detail::shift_of_row<T, C>(row, detail::row_max<T, C>(row));
            for (std::size_t j = 0; j < C; ++j) row[j] -= max;
        }
        // One exp pass over the whole block, the loop the compilers vectorise best.
        for (std::size_t i = 0; i < R * C; ++i) x[i] = kernels::exp(x[i]);
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            const T sum = detail::row_sum<T, C>(row);
            if (sum == T(0) || sum != sum) continue; // zeros; a NaN row as nan_row left it
            const T inverse = T(1) / sum;
            for (std::size_t j = 0; j < C; ++j) row[j] *= inverse;
        }
    }
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_SOFTMAX_HPP
