// cxattn/ops.hpp: matmul, transpose and element-wise arithmetic on cxattn::matrix.
#ifndef CXATTN_OPS_HPP
#define CXATTN_OPS_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn {
namespace detail {

// The dot product of a.values[a_offset + k] and b.values[b_offset + k * BStride] over
// k < sizeof...(K), summed left to right: the inner loop of every cxattn kernel in constant
// evaluation, so its cost per multiply-add bounds how large a problem a compiler can evaluate.
// One fold expression, no loop: Clang charges one step per statement, so this is one step per dot
// product. The indexing is chosen per compiler because their evaluators price it differently
// (measured in docs/benchmarks.md): GCC evaluates an array subscript far more cheaply than a
// pointer dereference, Clang the reverse.
template <std::size_t BStride, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
          std::size_t... K>
[[nodiscard]] constexpr T dot(const matrix<T, RA, CA>& a, std::size_t a_offset, const matrix<T, RB, CB>& b,
                              std::size_t b_offset, std::index_sequence<K...>) noexcept {
#if defined(__clang__)
    const T* const a_row = &a.values[a_offset];
    const T* const b_col = &b.values[b_offset];
    return (... + (a_row[K] * b_col[K * BStride]));
#else
    return (... + (a.values[a_offset + K] * b.values[b_offset + K * BStride]));
#endif
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
    matrix<T, M, N> out;
    if constexpr (rule::same_element_type<T, U> && K == K2) {
        if constexpr (std::is_floating_point_v<T>) {
            if (cxattn::detail::is_constant_evaluated() && !(detail::all_finite(lhs) && detail::all_finite(rhs))) {
                // NaN or inf at compile time: IEEE results by comparisons (cxattn/ieee.hpp).
                const matrix<T, N, K> rhs_rows = transpose(rhs);
                for (std::size_t i = 0; i < M; ++i)
                    for (std::size_t j = 0; j < N; ++j)
                        out.values[i * N + j] = detail::ieee::dot<K>(lhs, i * K, rhs_rows, j * K);
                return out;
            }
        }
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j)
                out.values[i * N + j] = detail::dot<N>(lhs, i * K, rhs, j, std::make_index_sequence<K>{});
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
    template <class T> static constexpr T apply(T lhs, T rhs) noexcept { return static_cast<T>(lhs + rhs); }
    template <class T> static constexpr T apply_ieee(T lhs, T rhs) noexcept { return ieee::add(lhs, rhs); }
};
struct minus {
    template <class T> static constexpr T apply(T lhs, T rhs) noexcept { return static_cast<T>(lhs - rhs); }
    template <class T> static constexpr T apply_ieee(T lhs, T rhs) noexcept { return ieee::add(lhs, -rhs); }
};

template <class Op, class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> zip(const matrix<T, R, C>& lhs, const matrix<T, R, C>& rhs) noexcept {
    matrix<T, R, C> out;
    if constexpr (std::is_floating_point_v<T>) {
        if (cxattn::detail::is_constant_evaluated() && !(all_finite(lhs) && all_finite(rhs))) {
            for (std::size_t i = 0; i < R * C; ++i) out.values[i] = Op::apply_ieee(lhs.values[i], rhs.values[i]);
            return out;
        }
    }
    for (std::size_t i = 0; i < R * C; ++i) out.values[i] = Op::apply(lhs.values[i], rhs.values[i]);
    return out;
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
    if constexpr (std::is_floating_point_v<T>) {
        if (cxattn::detail::is_constant_evaluated() && !(detail::all_finite(m) && detail::is_finite(s))) {
            for (T& v : m.values) v = detail::ieee::mul(v, s);
            return m;
        }
    }
    for (T& v : m.values) v = static_cast<T>(v * s);
    return m;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> operator*(std::type_identity_t<T> s, const matrix<T, R, C>& m) noexcept {
    return m * s;
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> operator/(matrix<T, R, C> m, std::type_identity_t<T> s) noexcept {
    static_assert(rule::arithmetic_element_type<T>, "cxattn: scalar arithmetic: bool matrices are masks, not numbers");
    if constexpr (std::is_floating_point_v<T>) {
        if (cxattn::detail::is_constant_evaluated() && !(detail::all_finite(m) && detail::is_finite(s) && s != 0)) {
            for (T& v : m.values) v = detail::ieee::divide(v, s);
            return m;
        }
    }
    for (T& v : m.values) v = static_cast<T>(v / s);
    return m;
}

} // namespace cxattn

#endif // CXATTN_OPS_HPP
