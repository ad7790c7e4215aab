// SPDX-License-Identifier: MIT
// cxattn/shapes.hpp: the shape and type rules that operations check at their API boundary.
//
// Each rule is a variable template named after what it requires. Its arguments are empty tag types
// that carry an operand's role and shape, so a failing rule reads, on GCC and on Clang alike:
//   static assertion failed: cxattn::matmul: inner dimensions differ (lhs cols != rhs rows)
//   'cxattn::rule::inner_dimensions_agree<cxattn::shapes::lhs<3, 4>, cxattn::shapes::rhs<5, 6> >'
//   evaluates to false
#ifndef CXATTN_SHAPES_HPP
#define CXATTN_SHAPES_HPP

#include <cstddef>
#include <type_traits>

#include "cxattn/config.hpp"

namespace cxattn {

namespace shapes {
template <std::size_t Rows, std::size_t Cols> struct lhs {};
template <std::size_t Rows, std::size_t Cols> struct rhs {};
template <std::size_t Rows, std::size_t Cols> struct query {};
template <std::size_t Rows, std::size_t Cols> struct key {};
template <std::size_t Rows, std::size_t Cols> struct value {};
} // namespace shapes

namespace rule {

template <class Lhs, class Rhs> inline constexpr bool same_element_type = false;
template <class T> inline constexpr bool same_element_type<T, T> = true;

template <class Lhs, class Rhs> inline constexpr bool inner_dimensions_agree = false;
template <std::size_t M, std::size_t K, std::size_t K2, std::size_t N>
inline constexpr bool inner_dimensions_agree<shapes::lhs<M, K>, shapes::rhs<K2, N>> = K == K2;

template <class Lhs, class Rhs> inline constexpr bool same_shape = false;
template <std::size_t R, std::size_t C, std::size_t R2, std::size_t C2>
inline constexpr bool same_shape<shapes::lhs<R, C>, shapes::rhs<R2, C2>> = R == R2&& C == C2;

template <class Query, class Key> inline constexpr bool query_and_key_head_sizes_agree = false;
template <std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2>
inline constexpr bool query_and_key_head_sizes_agree<shapes::query<L, Dk>, shapes::key<S, Dk2>> = Dk == Dk2;

template <class Key, class Value> inline constexpr bool key_and_value_lengths_agree = false;
template <std::size_t S, std::size_t Dk, std::size_t S2, std::size_t Dv>
inline constexpr bool key_and_value_lengths_agree<shapes::key<S, Dk>, shapes::value<S2, Dv>> = S == S2;

// Arithmetic needs numbers: matrix<bool, R, C> is a mask, not a number matrix.
template <class T> inline constexpr bool arithmetic_element_type = true;
template <> inline constexpr bool arithmetic_element_type<bool> = false;

// A matmul's sums of products are computed in its element type: integer types narrower than int
// would wrap where the result is stored (an int8_t sum of 300 becomes 44). Floating point, and
// integers of int's width or wider (with C++'s own overflow rules), are accepted.
template <class T>
inline constexpr bool accumulates_without_narrowing = !std::is_integral_v<T> || sizeof(T) >= sizeof(int);

} // namespace rule
} // namespace cxattn

#endif // CXATTN_SHAPES_HPP
