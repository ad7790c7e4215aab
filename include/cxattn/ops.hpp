// SPDX-License-Identifier: MIT
// cxattn/ops.hpp: matmul, transpose and element-wise arithmetic on cxattn::matrix.
#ifndef CXATTN_OPS_HPP
#define CXATTN_OPS_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "cxattn/detail/compare.hpp"
#include "cxattn/config.hpp"
#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/detail/dispatch.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn {
namespace detail {

// Runs algorithm(A{}) with the arithmetic policy of a call on element type T: ieee_arithmetic in
// constant evaluation of floating-point operands that are not all finite (finite() tells, and is
// called only then), plain_arithmetic otherwise. Element-wise operations and matmul have no
// run-time kernel, so path::kernels means plain arithmetic here.
template <class T, class Finite, class Algorithm>
constexpr void with_arithmetic(Finite finite, Algorithm algorithm) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
        if (path_for<T>(finite) == path::ieee) {
            algorithm(ieee_arithmetic{});
            return;
        }
    }
    algorithm(plain_arithmetic{});
}

template <class A, class T, std::size_t M, std::size_t K, std::size_t N>
constexpr void multiply(const matrix<T, M, K>& lhs, const matrix<T, K, N>& rhs, matrix<T, M, N>& out) noexcept {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j)
            out.values[i * N + j] = A::template dot<N>(lhs, i * K, rhs, j, std::make_index_sequence<K>{});
}

} // namespace detail

// lhs (M x K) times rhs (K x N) gives M x N.
template <class T, class U, std::size_t M, std::size_t K, std::size_t K2, std::size_t N>
[[nodiscard]] constexpr auto matmul(const matrix<T, M, K>& lhs, const matrix<U, K2, N>& rhs) noexcept {
    // Each rule is spelled out inside its static_assert, so the diagnostic prints it with the shapes.
    static_assert(rule::same_element_type<T, U>,
                  "cxattn::matmul: element types differ (lhs and rhs must hold the same type)");
    static_assert(rule::inner_dimensions_agree<shapes::lhs<M, K>, shapes::rhs<K2, N>>,
                  "cxattn::matmul: inner dimensions differ (lhs cols != rhs rows)");
    static_assert(rule::arithmetic_element_type<T>, "cxattn::matmul: bool matrices are masks, not numbers");
    static_assert(rule::accumulates_without_narrowing<T>,
                  "cxattn::matmul: integer elements narrower than int would wrap silently (int8_t, int16_t, uint8_t, "
                  "uint16_t): use int or wider, or cxattn::quantized::matmul for int8 arithmetic");
    matrix<T, M, N> out;
    if constexpr (rule::same_element_type<T, U> && K == K2 && rule::accumulates_without_narrowing<T>) {
        detail::with_arithmetic<T>([&] { return detail::all_finite(lhs) && detail::all_finite(rhs); },
                                   [&](auto arithmetic) { detail::multiply<decltype(arithmetic)>(lhs, rhs, out); });
    }
    return out;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, C, R> transpose(const matrix<T, R, C>& m) noexcept {
    matrix<T, C, R> out;
    for (std::size_t i = 0; i < R; ++i)
        for (std::size_t j = 0; j < C; ++j) out.values[j * R + i] = m.values[i * C + j];
    return out;
}

namespace detail {

// Named operations rather than lambdas: a lambda's parameters would trip -Wshadow in user code
// that has globals of the same names.
struct plus {
    template <class A, class T> static constexpr T apply(T lhs, T rhs) noexcept { return A::add(lhs, rhs); }
};
struct minus {
    template <class A, class T> static constexpr T apply(T lhs, T rhs) noexcept {
        return A::add(lhs, static_cast<T>(-rhs));
    }
};

template <class Op, class A, class T, std::size_t R, std::size_t C>
constexpr void zip_into(const matrix<T, R, C>& lhs, const matrix<T, R, C>& rhs, matrix<T, R, C>& out) noexcept {
    for (std::size_t i = 0; i < R * C; ++i) out.values[i] = Op::template apply<A>(lhs.values[i], rhs.values[i]);
}

template <class Op, class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> zip(const matrix<T, R, C>& lhs, const matrix<T, R, C>& rhs) noexcept {
    matrix<T, R, C> out;
    with_arithmetic<T>([&] { return all_finite(lhs) && all_finite(rhs); },
                       [&](auto arithmetic) { zip_into<Op, decltype(arithmetic)>(lhs, rhs, out); });
    return out;
}

// Every element of m times s (Divide: divided by s).
template <bool Divide, class A, class T, std::size_t R, std::size_t C>
constexpr void scale_into(matrix<T, R, C>& m, T s) noexcept {
    for (T& v : m.values) v = Divide ? A::divide(v, s) : A::mul(v, s);
}

} // namespace detail

// The element-wise operators accept any two matrices so that a mismatch reaches their own
// static_assert (and its message) instead of a "no matching operator" list.
template <class T, class U, std::size_t R, std::size_t C, std::size_t R2, std::size_t C2>
[[nodiscard]] constexpr auto operator+(const matrix<T, R, C>& lhs, const matrix<U, R2, C2>& rhs) noexcept {
    static_assert(rule::same_element_type<T, U>, "cxattn::operator+: element types differ");
    static_assert(rule::same_shape<shapes::lhs<R, C>, shapes::rhs<R2, C2>>, "cxattn::operator+: shapes differ");
    static_assert(rule::arithmetic_element_type<T>, "cxattn::operator+: bool matrices are masks, not numbers");
    if constexpr (rule::same_element_type<T, U> && R == R2 && C == C2)
        return detail::zip<detail::plus>(lhs, rhs);
    else
        return lhs;
}

template <class T, class U, std::size_t R, std::size_t C, std::size_t R2, std::size_t C2>
[[nodiscard]] constexpr auto operator-(const matrix<T, R, C>& lhs, const matrix<U, R2, C2>& rhs) noexcept {
    static_assert(rule::same_element_type<T, U>, "cxattn::operator-: element types differ");
    static_assert(rule::same_shape<shapes::lhs<R, C>, shapes::rhs<R2, C2>>, "cxattn::operator-: shapes differ");
    static_assert(rule::arithmetic_element_type<T>, "cxattn::operator-: bool matrices are masks, not numbers");
    if constexpr (rule::same_element_type<T, U> && R == R2 && C == C2)
        return detail::zip<detail::minus>(lhs, rhs);
    else
        return lhs;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> operator-(matrix<T, R, C> m) noexcept {
    static_assert(rule::arithmetic_element_type<T>, "cxattn: scalar arithmetic: bool matrices are masks, not numbers");
    for (T& v : m.values) v = static_cast<T>(-v);
    return m;
}

// Scalar factors take the element type (std::type_identity_t keeps them out of deduction), so
// `m * 2` works for a float matrix and converts 2 to float.
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> operator*(matrix<T, R, C> m, std::type_identity_t<T> s) noexcept {
    static_assert(rule::arithmetic_element_type<T>, "cxattn: scalar arithmetic: bool matrices are masks, not numbers");
    detail::with_arithmetic<T>([&] { return detail::all_finite(m) && detail::is_finite(s); },
                               [&](auto arithmetic) { detail::scale_into<false, decltype(arithmetic)>(m, s); });
    return m;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> operator*(std::type_identity_t<T> s, const matrix<T, R, C>& m) noexcept {
    return m * s;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> operator/(matrix<T, R, C> m, std::type_identity_t<T> s) noexcept {
    static_assert(rule::arithmetic_element_type<T>, "cxattn: scalar arithmetic: bool matrices are masks, not numbers");
    detail::with_arithmetic<T>([&] { return detail::all_finite(m) && detail::is_finite(s) && !detail::equal(s, T(0)); },
                               [&](auto arithmetic) { detail::scale_into<true, decltype(arithmetic)>(m, s); });
    return m;
}

} // namespace cxattn

#endif // CXATTN_OPS_HPP
