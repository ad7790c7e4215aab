// SPDX-License-Identifier: MIT
// cxattn/quantized/multiplier.hpp: per-tensor affine quantization and the fixed-point multiplier
// that rescales an int32 accumulator, with TensorFlow Lite's arithmetic (quantization_util.cc,
// QuantizeMultiplier; common.h, MultiplyByQuantizedMultiplier in its default double-rounding
// build), which CMSIS-NN's arm_nn_requantize matches.
#ifndef CXATTN_QUANTIZED_MULTIPLIER_HPP
#define CXATTN_QUANTIZED_MULTIPLIER_HPP

#include "cxattn/config.hpp"

#include <bit>
#include <cstdint>
#include <limits>

#include "cxattn/quantized/fixed_point.hpp"

namespace cxattn::quantized {

// real = scale x (q - zero_point): TensorFlow Lite's per-tensor affine quantization. The scale is
// TFLite's float32 value widened to double.
struct quantization {
    double scale;
    std::int32_t zero_point;
};

// A real multiplier as TFLite stores it: real ~ value x 2^(shift - 31), value in [2^30, 2^31)
// (or value 0 and shift 0 for a real of 0, or one below about 2^-32).
struct multiplier {
    std::int32_t value;
    int shift;
};

namespace detail {

// Not constexpr on purpose: a constant evaluation that reaches one of these fails to compile, and
// the diagnostic names the broken rule. At run time they do nothing (docs/quantized.md says what
// the call then returns).
inline void real_multiplier_is_negative_or_not_finite() noexcept {}
inline void multiplier_shift_is_above_30() noexcept {}

} // namespace detail

// TFLite's QuantizeMultiplier, bit for bit: real = q x 2^shift with q in [0.5, 1) (frexp), value =
// round(q x 2^31) with ties away from zero; a value that rounds up to 2^31 becomes 2^30 with shift
// + 1; a shift below -31 gives {0, 0}. Every finite real >= 0 is accepted (shifts of 31 and more
// included, as TFLite returns them).
// Rejected: a negative or non-finite real (TFLite leaves it undefined). In constant evaluation
// that fails to compile; at run time the result is {0, 0}, which requantizes everything to 0.
[[nodiscard]] constexpr multiplier quantize_multiplier(double real) noexcept {
    if (!(real >= 0.0) || real > std::numeric_limits<double>::max()) { // negative, NaN or +inf
        detail::real_multiplier_is_negative_or_not_finite();
        return {0, 0};
    }
    if (real == 0.0) return {0, 0}; // TFLite's special case: frexp(0) has no significand in [0.5, 1)
    // frexp from the bits: a normal double is (significand / 2^53) x 2^(biased exponent - 1022), with
    // the implicit bit in the significand; a subnormal is normalised first.
    const auto bits = std::bit_cast<std::uint64_t>(real);
    const int biased_exponent = static_cast<int>(bits >> 52);
    std::uint64_t significand = bits & ((std::uint64_t{1} << 52) - 1);
    int shift = biased_exponent - 1022;
    if (biased_exponent == 0) {
        const int normalising_shift = std::countl_zero(significand) - 11;
        significand <<= normalising_shift;
        shift = -1021 - normalising_shift;
    } else {
        significand |= std::uint64_t{1} << 52;
    }
    // round(q x 2^31) = round(significand / 2^22), exactly: the sum cannot lose a bit.
    std::int64_t value = static_cast<std::int64_t>((significand + (std::uint64_t{1} << 21)) >> 22);
    if (value == (std::int64_t{1} << 31)) { // q rounded up to 1: 2^31 x 2^(shift - 31) = 2^30 x 2^shift
        value /= 2;
        ++shift;
    }
    if (shift < -31) return {0, 0}; // every bit would be shifted out: TFLite's "ultra tiny" case
    return {static_cast<std::int32_t>(value), shift};
}

// x x value x 2^(shift - 31), rounded: TFLite's MultiplyByQuantizedMultiplier (double rounding):
// x x 2^max(shift, 0), then the saturating rounding doubling high multiply by value, then a
// rounding division by 2^max(-shift, 0) (ties away from zero). Bit-exact with TFLite and with
// CMSIS-NN's arm_nn_requantize wherever x x 2^max(shift, 0) fits in int32; beyond that the
// references overflow (undefined), and cxattn saturates that product to int32 first.
// Rejected: a shift above 30 (TFLite's single-rounding build cannot represent it and the
// double-rounding one overflows for every x but 0). In constant evaluation that fails to compile;
// at run time x x 2^shift saturates as above.
[[nodiscard]] constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, multiplier m) noexcept {
    if (m.shift > 30) detail::multiplier_shift_is_above_30();
    return detail::rounding_divide_by_pot(detail::saturating_rounding_doubling_high_mul(
                                              detail::saturating_left_shift(x, m.shift > 0 ? m.shift : 0), m.value),
                                          m.shift > 0 ? 0 : (m.shift < -32 ? 33 : -m.shift));
}

} // namespace cxattn::quantized

#endif // CXATTN_QUANTIZED_MULTIPLIER_HPP
