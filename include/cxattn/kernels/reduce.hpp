// SPDX-License-Identifier: MIT
// cxattn/kernels/reduce.hpp: row reductions (maximum, sum, finiteness) in the vectorisable order.
#ifndef CXATTN_KERNELS_REDUCE_HPP
#define CXATTN_KERNELS_REDUCE_HPP

#include <cstddef>
#include <type_traits>
#include <cstdint>

#include "cxattn/detail/compare.hpp"
#include "cxattn/kernels/target.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::kernels {

namespace detail {

// The width of the partial results of a row reduction over N values: nr<T> (more than 16, so that
// GCC vectorises the loop rather than unrolling it), or less for short rows.
template <class T, std::size_t N>
inline constexpr std::size_t reduction_width = N >= nr<T>      ? nr<T>
                                               : N >= lanes<T> ? lanes<T>
                                                               : 1;

// The maximum of N values, skipping NaN unless it comes first, and whether any is NaN; both in
// reduction_width interleaved partial results so that the loop vectorises (a single running
// maximum is a loop-carried dependence the compilers do not vectorise without -ffast-math).
template <class T> struct row_extent {
    T max;
    bool has_nan;
};

template <class T, std::size_t N> [[nodiscard]] inline row_extent<T> row_max(const T* x) noexcept {
    constexpr std::size_t w = reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    T m[w], nan[w] = {};
    for (std::size_t l = 0; l < w; ++l) m[l] = x[l];
    for (std::size_t b = 0; b < N / w; ++b)
        for (std::size_t l = 0; l < w; ++l) {
            const T y = x[b * w + l];
            m[l] = y > m[l] ? y : m[l];
            nan[l] += cxattn::detail::is_nan(y) ? T(1) : T(0);
        }
    T max = m[0], count{};
    for (std::size_t l = 1; l < w; ++l) max = m[l] > max ? m[l] : max;
    for (std::size_t l = 0; l < w; ++l) count += nan[l];
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) {
            max = x[j] > max ? x[j] : max;
            count += cxattn::detail::is_nan(x[j]) ? T(1) : T(0);
        }
    return {max, count > T(0)};
}

// Sum of N values in reduction_width interleaved partial sums (the vectorisable order).
template <class T, std::size_t N> [[nodiscard]] inline T row_sum(const T* x) noexcept {
    constexpr std::size_t w = reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    T s[w] = {};
    for (std::size_t b = 0; b < N / w; ++b)
        for (std::size_t l = 0; l < w; ++l) s[l] += x[b * w + l];
    T sum{};
    for (std::size_t l = 0; l < w; ++l) sum += s[l];
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) sum += x[j];
    return sum;
}

} // namespace detail

// Whether every one of the N values at x is finite: by the bits (an exponent field of all ones is
// inf or NaN), so that no compiler flag can fold the test away (x - x, the arithmetic test, is folded
// to 0 under reassociation). Integer operations only: the loop vectorises.
template <class T, std::size_t N> [[nodiscard]] inline bool values_finite(const T* x) noexcept {
    using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    constexpr bits exponent = static_cast<bits>(sizeof(T) == 4 ? 0x7f80'0000ULL : 0x7ff0'0000'0000'0000ULL);
    bits non_finite = 0;
    for (std::size_t j = 0; j < N; ++j) non_finite |= (__builtin_bit_cast(bits, x[j]) & exponent) == exponent ? 1U : 0U;
    return non_finite == 0;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] inline bool values_finite(const matrix<T, R, C>& m) noexcept {
    return values_finite<T, R * C>(m.values);
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_REDUCE_HPP
