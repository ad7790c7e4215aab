// SPDX-License-Identifier: MIT
// cxattn/quantized/rules.hpp: the compile-time rules of the quantized functions, beside those of
// cxattn/shapes.hpp and cxattn/options.hpp. As there, each rule is a variable template over types
// that carry the shapes, so a failing static_assert prints them.
#ifndef CXATTN_QUANTIZED_RULES_HPP
#define CXATTN_QUANTIZED_RULES_HPP

#include <cstddef>
#include <cstdint>

#include "cxattn/options.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn {

namespace shapes {
// A right-hand side given transposed: N x K for an M x K left-hand side.
template <std::size_t Rows, std::size_t Cols> struct rhs_transposed {};
// A row of the int8 softmax (its number of entries).
template <std::size_t Cols> struct softmax_row {};
} // namespace shapes

namespace rule {

// The quantized functions compute on int8 (TFLite's and CMSIS-NN's int8 kernels).
template <class T> inline constexpr bool int8_element_type = false;
template <> inline constexpr bool int8_element_type<std::int8_t> = true;

template <class Lhs, class RhsTransposed> inline constexpr bool inner_dimensions_agree_transposed = false;
template <std::size_t M, std::size_t K, std::size_t N, std::size_t K2>
inline constexpr bool inner_dimensions_agree_transposed<shapes::lhs<M, K>, shapes::rhs_transposed<N, K2>> = K == K2;

// The int8 softmax sums exp(x - max) / 2^12 <= 2^19 per entry in int32 (12 integer bits): 4095
// entries at most, or the sum overflows.
template <class Row> inline constexpr bool softmax_row_fits_int32_sum = false;
template <std::size_t C> inline constexpr bool softmax_row_fits_int32_sum<shapes::softmax_row<C>> = C <= 4095;

// The quantized attention has no additive mask: a float bias has no meaning on int8 scores.
template <class... Options>
inline constexpr bool no_additive_mask =
    cxattn::detail::count_options<cxattn::detail::option_kind::additive_mask, Options...> == 0;

// Nor the float-score options (positions, windows, key_length, ALiBi, softcap, score_mod,
// mask_mod; and per_head_weights): the quantized attention takes causal, causal_lower_right, a bool
// mask and scale.
template <class... Options>
inline constexpr bool no_float_score_options =
    !cxattn::detail::resolved_options<double, 1, 1, Options...>::has_modifiers &&
    cxattn::detail::count_options<cxattn::detail::option_kind::per_head_weights, Options...> == 0;

} // namespace rule
} // namespace cxattn

#endif // CXATTN_QUANTIZED_RULES_HPP
