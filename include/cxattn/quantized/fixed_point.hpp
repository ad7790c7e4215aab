// SPDX-License-Identifier: MIT
// cxattn/quantized/fixed_point.hpp: the int32 fixed-point primitives of TensorFlow Lite's quantized
// kernels (gemmlowp's fixedpoint.h, as TFLite's reference kernels and CMSIS-NN use them), written
// so that every operation is defined for every int32 input: run time and compile time give the
// same bits, and a result never depends on undefined behaviour.
#ifndef CXATTN_QUANTIZED_FIXED_POINT_HPP
#define CXATTN_QUANTIZED_FIXED_POINT_HPP

#include "cxattn/config.hpp"

#include <cstdint>
#include <limits>

namespace cxattn::quantized::detail {

inline constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
inline constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

// a + b and a - b modulo 2^32: where the reference kernels' int32 arithmetic would overflow
// (undefined in C and C++, a wrap on every processor they run on).
[[nodiscard]] constexpr std::int32_t wrapping_add(std::int32_t a, std::int32_t b) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
[[nodiscard]] constexpr std::int32_t wrapping_sub(std::int32_t a, std::int32_t b) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}

// round(a * b / 2^31), ties toward +infinity, saturated: gemmlowp's SaturatingRoundingDoublingHighMul
// (ARM's VQRDMULH). The only overflow is INT32_MIN squared.
[[nodiscard]] constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) noexcept {
    return a == int32_min && b == int32_min
               ? int32_max
               : static_cast<std::int32_t>(
                     (static_cast<std::int64_t>(a) * b +
                      (static_cast<std::int64_t>(a) * b >= 0 ? (std::int64_t{1} << 30) : 1 - (std::int64_t{1} << 30))) /
                     (std::int64_t{1} << 31));
}

// round(x / 2^exponent), ties away from zero: gemmlowp's RoundingDivideByPOT for exponent in
// [0, 31]. Larger exponents (where the reference shifts by 32 or more, which is undefined) give
// the exact rounding too: 0, or -1 for INT32_MIN / 2^32.
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
    if (exponent > 31) return exponent == 32 && x == int32_min ? -1 : 0;
    return (x >> exponent) +
           (static_cast<std::int32_t>(static_cast<std::uint32_t>(x) & ((std::uint32_t{1} << exponent) - 1u)) >
                    static_cast<std::int32_t>(((std::uint32_t{1} << exponent) - 1u) >> 1) + (x < 0 ? 1 : 0)
                ? 1
                : 0);
}

// x * 2^exponent for exponent >= 0, saturated to int32: exact wherever the reference's
// x * (1 << exponent) does not overflow (gemmlowp's SaturatingRoundingMultiplyByPOT for a positive
// exponent saturates the same way).
[[nodiscard]] constexpr std::int32_t saturating_left_shift(std::int32_t x, int exponent) noexcept {
    return exponent >= 32                                           ? (x > 0   ? int32_max
                                                                       : x < 0 ? int32_min
                                                                               : 0)
           : (static_cast<std::int64_t>(x) << exponent) > int32_max ? int32_max
           : (static_cast<std::int64_t>(x) << exponent) < int32_min
               ? int32_min
               : static_cast<std::int32_t>(x * (std::int64_t{1} << exponent));
}

// gemmlowp's SaturatingRoundingMultiplyByPOT<Exponent> for Exponent in [1, 30]: x * 2^Exponent,
// saturated when |x| exceeds 2^(31 - Exponent) - 1 (which sends -2^(31 - Exponent) to INT32_MIN
// too, as gemmlowp does).
template <int Exponent> [[nodiscard]] constexpr std::int32_t saturating_multiply_by_pot(std::int32_t x) noexcept {
    static_assert(Exponent >= 1 && Exponent <= 30);
    constexpr std::int32_t threshold = (std::int32_t{1} << (31 - Exponent)) - 1;
    return x > threshold ? int32_max : x < -threshold ? int32_min : static_cast<std::int32_t>(x * (1 << Exponent));
}

} // namespace cxattn::quantized::detail

#endif // CXATTN_QUANTIZED_FIXED_POINT_HPP
