// SPDX-License-Identifier: MIT
// cxattn/quantized/softmax.hpp: the int8 softmax of TensorFlow Lite (reference_ops::Softmax for
// int8, with gemmlowp's fixed-point exp and reciprocal) and CMSIS-NN (arm_softmax_s8), bit for bit.
#ifndef CXATTN_QUANTIZED_SOFTMAX_HPP
#define CXATTN_QUANTIZED_SOFTMAX_HPP

#include <bit>
#include <cstddef>
#include <cstdint>

#include "cxattn/matrix.hpp"
#include "cxattn/quantized/fixed_point.hpp"
#include "cxattn/quantized/multiplier.hpp"
#include "cxattn/quantized/rules.hpp"

namespace cxattn::quantized {

// TFLite's int8 SOFTMAX parameters (SoftmaxParams / CMSIS-NN's mult, shift, diff_min): a difference
// d = x - max(row) of int8 inputs becomes the Q5.26 value d x 2^input_left_shift x input_multiplier
// / 2^31 (beta x input_scale x d); differences below diff_min get the weight 0 (output -128).
struct softmax_params {
    std::int32_t input_multiplier;
    std::int32_t input_left_shift;
    std::int32_t diff_min;
};

namespace detail {

// TFLite's kScaledDiffIntegerBits: the scaled differences are Q5.26, exp's input range [-32, 0].
inline constexpr int scaled_diff_integer_bits = 5;
// TFLite's kAccumulationIntegerBits: the sum of exps is Q12.19.
inline constexpr int accumulation_integer_bits = 12;

inline void softmax_beta_times_input_scale_times_2_pow_26_is_at_most_1() noexcept {}
inline void softmax_input_left_shift_is_outside_0_to_31() noexcept {}

// TFLite's CalculateInputRadius(5, input_left_shift): floor(31 x 2^26 / 2^input_left_shift), the
// largest |d| whose scaled difference fits Q5.26. An integer shift is that floor exactly.
[[nodiscard]] constexpr std::int32_t input_radius(int input_left_shift) noexcept {
    return ((std::int32_t{1} << scaled_diff_integer_bits) - 1) * (std::int32_t{1} << (31 - scaled_diff_integer_bits)) >>
           input_left_shift;
}

// exp(x) for x in [-1/4, 0) in Q0.31, as a Taylor polynomial around -1/8 (gemmlowp's
// exp_on_interval_between_negative_one_quarter_and_0_excl).
[[nodiscard]] constexpr std::int32_t exp_on_negative_quarter(std::int32_t a) noexcept {
    constexpr std::int32_t exp_minus_one_eighth = 1895147668; // exp(-1/8) in Q0.31
    constexpr std::int32_t one_third = 715827883;             // 1/3 in Q0.31
    const std::int32_t x = a + (1 << 28);                     // x = a + 1/8
    const std::int32_t x2 = saturating_rounding_doubling_high_mul(x, x);
    const std::int32_t x3 = saturating_rounding_doubling_high_mul(x2, x);
    const std::int32_t x4_over_4 = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x2, x2), 2);
    const std::int32_t x4_over_24_plus_x3_over_6_plus_x2_over_2 =
        rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth +
           saturating_rounding_doubling_high_mul(exp_minus_one_eighth, x + x4_over_24_plus_x3_over_6_plus_x2_over_2);
}

// exp(a) for a Q5.26 value a <= 0, in Q0.31 (gemmlowp's exp_on_negative_values with 5 integer bits):
// exp of a mod 1/4 by the polynomial, times exp(-2^k) for each bit k of the rest (a barrel
// shifter of constants). Defined for every int32 (positive inputs give what the reference gives).
[[nodiscard]] constexpr std::int32_t exp_on_negative_values(std::int32_t a) noexcept {
    // a = 0: exp(0) = 1, the largest Q0.31 value.
    if (a == 0) return int32_max;
    const std::int32_t a_mod_quarter_minus_one_quarter = (a & ((1 << 24) - 1)) - (1 << 24);
    // Q5.26 to Q0.31: a left shift by 5 that cannot saturate ([-2^24, -1] x 32).
    std::int32_t result = exp_on_negative_quarter(a_mod_quarter_minus_one_quarter * (1 << 5));
    const std::int32_t remainder = wrapping_sub(a_mod_quarter_minus_one_quarter, a);
    // exp(-1/4), exp(-1/2), exp(-1), exp(-2), exp(-4), exp(-8), exp(-16) in Q0.31.
    constexpr std::int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    for (int k = 0; k < 7; ++k)
        if ((remainder & (1 << (24 + k))) != 0) result = saturating_rounding_doubling_high_mul(result, barrel[k]);
    return result;
}

// 1 / (1 + a) for a in [0, 1) in Q0.31, by three Newton-Raphson steps from 48/17 - 32/17 d on the
// half denominator d in Q2.29 (gemmlowp's one_over_one_plus_x_for_x_in_0_1).
[[nodiscard]] constexpr std::int32_t one_over_one_plus_x_for_x_in_0_1(std::int32_t a) noexcept {
    // gemmlowp's RoundingHalfSum(a, 1): (a + 1) / 2 rounded away from zero, in int64.
    const std::int64_t sum = static_cast<std::int64_t>(a) + int32_max;
    const auto half_denominator = static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
    constexpr std::int32_t forty_eight_seventeenths = 1515870810;       // 48/17 in Q2.29
    constexpr std::int32_t minus_thirty_two_seventeenths = -1010580540; // -32/17 in Q2.29
    constexpr std::int32_t one = 1 << 29;                               // 1 in Q2.29
    std::int32_t x = forty_eight_seventeenths +
                     saturating_rounding_doubling_high_mul(half_denominator, minus_thirty_two_seventeenths);
    for (int step = 0; step < 3; ++step)
        x += saturating_multiply_by_pot<2>(
            saturating_rounding_doubling_high_mul(x, one - saturating_rounding_doubling_high_mul(half_denominator, x)));
    return saturating_multiply_by_pot<1>(x);
}

// The input left shift a call uses: [0, 31] is TFLite's range (softmax_params_for gives 1 to 31).
// Outside it, constant evaluation fails to compile and run time clamps it to [0, 31].
[[nodiscard]] constexpr int checked_input_left_shift(const softmax_params& params) noexcept {
    if (params.input_left_shift < 0 || params.input_left_shift > 31) {
        softmax_input_left_shift_is_outside_0_to_31();
        return params.input_left_shift < 0 ? 0 : 31;
    }
    return static_cast<int>(params.input_left_shift);
}

// exp of the scaled difference d (TFLite's MultiplyByQuantizedMultiplierGreaterThanOne, then the
// exp): d x 2^left_shift fits int32 whenever d >= diff_min for parameters from softmax_params_for,
// and saturates otherwise.
[[nodiscard]] constexpr std::int32_t exp_of_difference(std::int32_t difference, std::int32_t input_multiplier,
                                                       int left_shift) noexcept {
    return exp_on_negative_values(
        saturating_rounding_doubling_high_mul(saturating_left_shift(difference, left_shift), input_multiplier));
}

// One row of C int8 inputs (at `input`) to C int8 weights (at `output`): the entries j for which
// taken(j) holds are the row; the others get -128 and take no part in its max or sum. A row with no
// entry taken is all -128. `exps` holds C int32 (each exp is computed once; the reference computes
// it twice, with the same bits).
template <std::size_t C, class Taken>
constexpr void softmax_row(const std::int8_t* input, std::int8_t* output, const softmax_params& params, int left_shift,
                           const Taken& taken) noexcept {
    bool any = false;
    std::int32_t max = -128;
    for (std::size_t j = 0; j < C; ++j)
        if (taken(j)) {
            any = true;
            if (input[j] > max) max = input[j];
        }
    std::int32_t exps[C]{};
    std::int32_t sum = 0; // Q12.19
    if (any)
        for (std::size_t j = 0; j < C; ++j)
            if (taken(j) && input[j] - max >= params.diff_min) {
                exps[j] = exp_of_difference(input[j] - max, params.input_multiplier, left_shift);
                sum = wrapping_add(sum, rounding_divide_by_pot(exps[j], accumulation_integer_bits));
            }
    if (sum == 0) { // nothing taken, or a diff_min above 0 that leaves out even the maximum
        for (std::size_t j = 0; j < C; ++j) output[j] = -128;
        return;
    }
    // TFLite's GetReciprocal: sum = (1 + s) x 2^(12 - headroom) with s in [0, 1) in Q0.31.
    const int headroom = std::countl_zero(static_cast<std::uint32_t>(sum));
    const std::int32_t shifted_scale = one_over_one_plus_x_for_x_in_0_1(
        static_cast<std::int32_t>((static_cast<std::uint32_t>(sum) << headroom) - (std::uint32_t{1} << 31)));
    // weight = exp x shifted_scale / 2^(12 - headroom), in units of 1/256, offset by -128.
    const int bits_over_unit = accumulation_integer_bits - headroom + 31 - 8;
    for (std::size_t j = 0; j < C; ++j) {
        if (taken(j) && input[j] - max >= params.diff_min) {
            const std::int32_t weight =
                rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted_scale, exps[j]), bits_over_unit) -
                128;
            output[j] = static_cast<std::int8_t>(weight < -128 ? -128 : weight > 127 ? 127 : weight);
        } else {
            output[j] = -128;
        }
    }
}

} // namespace detail

// TFLite's int8 SOFTMAX preparation (softmax_common.cc, CalculateSoftmaxParams for int8 in,
// int8 out): PreprocessSoftmaxScaling(beta, input_scale, 5) gives input_multiplier and
// input_left_shift from min(beta x input_scale x 2^26, 2^31 - 1) by QuantizeMultiplierGreaterThanOne,
// and diff_min = -CalculateInputRadius(5, input_left_shift). input_scale is the scores' scale (the
// float32 of the model, widened); beta is the softmax's beta (1 by default; the attention's scale).
// Rejected: beta x input_scale x 2^26 <= 1, or NaN (TFLite aborts there). In constant evaluation
// that fails to compile; at run time the result is {0, 0, -2080374784}, with which every entry of a
// row gets the same weight (the limit of softmax as beta x input_scale goes to 0).
[[nodiscard]] constexpr softmax_params softmax_params_for(double input_scale, double beta = 1.0) noexcept {
    constexpr double max_real_multiplier = static_cast<double>((std::int64_t{1} << 31) - 1);
    const double scaled = beta * input_scale * (1 << (31 - detail::scaled_diff_integer_bits));
    const double real = max_real_multiplier < scaled ? max_real_multiplier : scaled; // std::min, NaN kept
    if (!(real > 1.0)) {
        detail::softmax_beta_times_input_scale_times_2_pow_26_is_at_most_1();
        return {0, 0, -detail::input_radius(0)};
    }
    const multiplier m = quantize_multiplier(real); // shift in [1, 31]: real is in (1, 2^31 - 1]
    return {m.value, m.shift, -detail::input_radius(m.shift)};
}

// Row-wise int8 softmax: output scale 1/256 and zero point -128 (weight w means (w + 128) / 256),
// bit-exact with TFLite Micro's reference int8 softmax and CMSIS-NN's arm_softmax_s8 for every
// input and every parameter set that softmax_params_for gives. Rows of 1 to 4095 entries.
// Parameters with input_left_shift outside [0, 31] fail to compile in constant evaluation and are
// clamped to it at run time.
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> softmax(const matrix<T, R, C>& input, const softmax_params& params) noexcept {
    static_assert(rule::int8_element_type<T>, "cxattn::quantized::softmax: the element type must be std::int8_t");
    static_assert(rule::softmax_row_fits_int32_sum<shapes::softmax_row<C>>,
                  "cxattn::quantized::softmax: a row has more than 4095 entries (the int32 sum of exps overflows)");
    matrix<T, R, C> output;
    if constexpr (rule::int8_element_type<T> && rule::softmax_row_fits_int32_sum<shapes::softmax_row<C>>) {
        const int left_shift = detail::checked_input_left_shift(params);
        for (std::size_t i = 0; i < R; ++i)
            detail::softmax_row<C>(&input.values[i * C], &output.values[i * C], params, left_shift,
                                   [](std::size_t) { return true; });
    }
    return output;
}

} // namespace cxattn::quantized

#endif // CXATTN_QUANTIZED_SOFTMAX_HPP
