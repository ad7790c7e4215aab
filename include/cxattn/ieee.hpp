// SPDX-License-Identifier: MIT
// cxattn/ieee.hpp: IEEE 754 results that constant evaluation refuses to compute by arithmetic.
//
// Constant evaluation rejects a floating-point operation whose result is NaN (Clang even when an
// operand already is NaN), so the kernels' compile-time path checks its operands once and, when
// they hold NaN or infinity, takes this arithmetic, which decides such results by comparisons.
// At run time the hardware gives the same results, and the kernels never come here.
#ifndef CXATTN_IEEE_HPP
#define CXATTN_IEEE_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/detail/chunks.hpp"
#include "cxattn/detail/compare.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::detail {

// Whether every value is finite: one fold per row, comparisons only (x - x would be NaN
// arithmetic). A row longer than fold_chunk: one fold per chunk (detail/chunks.hpp), in the
// second overload (an if constexpr would cost an evaluation step on every call).
template <class T, std::size_t R, std::size_t C, std::size_t... K>
requires(sizeof...(K) <= fold_chunk)
    [[nodiscard]] constexpr bool row_finite(const matrix<T, R, C>& m, std::size_t offset,
                                            std::index_sequence<K...>) noexcept {
    return ((m.values[offset + K] >= -std::numeric_limits<T>::max() &&
             m.values[offset + K] <= std::numeric_limits<T>::max()) &&
            ...);
}

template <class T, std::size_t R, std::size_t C, std::size_t... K>
requires(sizeof...(K) > fold_chunk)
    [[nodiscard]] constexpr bool row_finite(const matrix<T, R, C>& m, std::size_t offset,
                                            std::index_sequence<K...>) noexcept {
    return all_chunks<sizeof...(K)>(
        [&](std::size_t first, auto chunk) { return row_finite(m, offset + first, chunk); });
}

// Whether x is finite; every value of an integer or bool type is.
template <class T> [[nodiscard]] constexpr bool is_finite(T x) noexcept {
    if constexpr (std::is_floating_point_v<T>)
        return x >= -std::numeric_limits<T>::max() && x <= std::numeric_limits<T>::max();
    else
        return true;
}

// Whether every value of m is finite; every value of an integer or bool type is.
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr bool all_finite(const matrix<T, R, C>& m) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
        for (std::size_t i = 0; i < R; ++i)
            if (!row_finite(m, i * C, std::make_index_sequence<C>{})) return false;
    }
    return true;
}

// Whether no value is NaN or +inf (-inf is allowed: in an additive mask it masks).
template <class T, std::size_t R, std::size_t C, std::size_t... K>
requires(sizeof...(K) <= fold_chunk)
    [[nodiscard]] constexpr bool row_below_plus_inf(const matrix<T, R, C>& m, std::size_t offset,
                                                    std::index_sequence<K...>) noexcept {
    return ((m.values[offset + K] <= std::numeric_limits<T>::max()) && ...);
}

template <class T, std::size_t R, std::size_t C, std::size_t... K>
requires(sizeof...(K) > fold_chunk)
    [[nodiscard]] constexpr bool row_below_plus_inf(const matrix<T, R, C>& m, std::size_t offset,
                                                    std::index_sequence<K...>) noexcept {
    return all_chunks<sizeof...(K)>(
        [&](std::size_t first, auto chunk) { return row_below_plus_inf(m, offset + first, chunk); });
}

// IEEE 754 results for the operations that constant evaluation refuses to perform (a NaN result,
// or a NaN operand on Clang), decided by comparisons. Only the compile-time path for operands that
// hold NaN or infinity uses them; at run time the hardware gives the same.
namespace ieee {

template <class T> [[nodiscard]] constexpr bool is_infinite(T x) noexcept {
    return equal(x, std::numeric_limits<T>::infinity()) || equal(x, -std::numeric_limits<T>::infinity());
}

template <class T> [[nodiscard]] constexpr T mul(T a, T b) noexcept {
    if (is_nan(a) || is_nan(b)) return std::numeric_limits<T>::quiet_NaN();
    if ((equal(a, T(0)) && is_infinite(b)) || (equal(b, T(0)) && is_infinite(a)))
        return std::numeric_limits<T>::quiet_NaN();
    return a * b;
}

template <class T> [[nodiscard]] constexpr T add(T a, T b) noexcept {
    if (is_nan(a) || is_nan(b)) return std::numeric_limits<T>::quiet_NaN();
    if (is_infinite(a) && is_infinite(b) && (a > 0) != (b > 0)) return std::numeric_limits<T>::quiet_NaN();
    return a + b;
}

// Whether a zero is -0, without dividing by it. Through the bits for 4- and 8-byte types; an x87
// long double cannot be bit_cast in Clang's constant evaluation, so there a zero counts as +0.
template <class T> [[nodiscard]] constexpr bool is_negative_zero(T zero) noexcept {
    if constexpr (sizeof(T) == sizeof(std::uint32_t))
        return (std::bit_cast<std::uint32_t>(zero) >> 31) != 0;
    else if constexpr (sizeof(T) == sizeof(std::uint64_t))
        return (std::bit_cast<std::uint64_t>(zero) >> 63) != 0;
    else
        return false;
}

// a / b for any operands: x / +-0 is +-inf by the signs, 0 / 0 and inf / inf NaN.
template <class T> [[nodiscard]] constexpr T divide(T a, T b) noexcept {
    constexpr T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
    if (is_nan(a) || is_nan(b) || (equal(a, T(0)) && equal(b, T(0))) || (is_infinite(a) && is_infinite(b))) return nan;
    if (equal(b, T(0))) return (a < 0) != is_negative_zero(b) ? -inf : inf;
    return a / b;
}

} // namespace ieee

} // namespace cxattn::detail

#endif // CXATTN_IEEE_HPP
