// SPDX-License-Identifier: MIT
// Fuzz target: cxattn::quantized at run time against its oracles, bit for bit, on arbitrary bytes:
// quantize_multiplier and softmax_params_for against TFLite's formulas (tests/oracles/
// tflite_formulas.hpp), multiply_by_quantized_multiplier, softmax, matmul_transposed and the
// attention (with a bool mask and a causal option) against CMSIS-NN (tests/oracles/cmsis_nn.h).
// The bytes choose the inputs; where a reference is undefined or aborts (see docs/quantized.md)
// the input is brought into its domain instead of being skipped.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <cxattn/quantized.hpp>

#include "oracles/cmsis_nn.h"
#include "oracles/tflite_formulas.hpp"
#include "fuzz_input.hpp"

namespace {

namespace q = cxattn::quantized;

// A double in [lo, hi] on a log scale, from 32 bits.
double log_uniform(fuzz::input& in, double lo, double hi) {
    const double t = static_cast<double>(in.next<std::uint32_t>()) / 4294967295.0;
    return static_cast<double>(static_cast<float>(std::exp(std::log(lo) + t * (std::log(hi) - std::log(lo)))));
}

void check_parameters(fuzz::input& in) {
    const double real = std::fabs(in.next<double>());
    if (std::isfinite(real)) {
        const auto expected = tflite_formulas::quantize_multiplier(real);
        const auto got = q::quantize_multiplier(real);
        FUZZ_CHECK(expected.valid && got.value == expected.value && got.shift == expected.shift,
                   "quantize_multiplier(%a) = {%d, %d}, TFLite {%d, %d}", real, got.value, got.shift, expected.value,
                   expected.shift);
    }
    const double scale = std::fabs(in.next<double>());
    const double beta = std::fabs(in.next<double>());
    const auto expected = tflite_formulas::softmax_params_for(scale, beta);
    if (expected.valid) {
        const auto got = q::softmax_params_for(scale, beta);
        FUZZ_CHECK(got.input_multiplier == expected.input_multiplier &&
                       got.input_left_shift == expected.input_left_shift && got.diff_min == expected.diff_min,
                   "softmax_params_for(%a, %a)", scale, beta);
    }
}

void check_requantize(fuzz::input& in) {
    const int shift = static_cast<int>(in.next<std::uint8_t>() % 62) - 31; // [-31, 30]
    std::int32_t value = in.next<std::int32_t>();
    if (value == std::numeric_limits<std::int32_t>::min()) value = 1 << 30; // outside CMSIS-NN's range
    // x x 2^max(shift, 0) must fit in int32: keep the top bits that fit.
    const std::int32_t x = in.next<std::int32_t>() >> (shift > 0 ? shift : 0);
    const std::int32_t expected = cmsis_nn_requantize(x, value, shift);
    const std::int32_t got = q::multiply_by_quantized_multiplier(x, {value, shift});
    FUZZ_CHECK(got == expected, "multiply_by_quantized_multiplier(%d, {%d, %d}) = %d, arm_nn_requantize %d", x, value,
               shift, got, expected);
}

template <std::size_t R, std::size_t C> void check_softmax(fuzz::input& in) {
    const double scale = log_uniform(in, 1e-3, 1.0);
    const double beta = log_uniform(in, 0.01, 31.0);
    const auto p = tflite_formulas::softmax_params_for(scale, beta);
    if (!p.valid || p.input_left_shift > 30) return; // arm_softmax_s8 shifts 1 << 31 there (undefined)
    const auto x = in.next_matrix<std::int8_t, R, C>();
    cxattn::matrix<std::int8_t, R, C> expected;
    cmsis_nn_softmax_s8(x.values, R, C, p.input_multiplier, p.input_left_shift, p.diff_min, expected.values);
    FUZZ_CHECK((q::softmax(x, {p.input_multiplier, p.input_left_shift, p.diff_min}) == expected),
               "softmax %zux%zu differs from arm_softmax_s8", R, C);
}

template <std::size_t M, std::size_t K, std::size_t N> void check_matmul(fuzz::input& in) {
    const auto m = tflite_formulas::quantize_multiplier(log_uniform(in, 1e-7, 1e3));
    const q::matmul_params p{
        in.next<std::int8_t>(), in.next<std::int8_t>(), in.next<std::int8_t>(), {m.value, m.shift}};
    const auto lhs = in.next_matrix<std::int8_t, M, K>();
    const auto rhs = in.next_matrix<std::int8_t, N, K>();
    cxattn::matrix<std::int8_t, M, N> expected;
    FUZZ_CHECK(cmsis_nn_batch_matmul_s8(lhs.values, M, rhs.values, N, K, -p.lhs_zero_point, -p.rhs_zero_point,
                                        p.output_zero_point, m.value, m.shift, -128, 127, expected.values) == 0,
               "arm_batch_matmul_s8 failed");
    FUZZ_CHECK((q::matmul_transposed(lhs, rhs, p) == expected), "matmul_transposed %zux%zux%zu differs", M, K, N);
}

template <std::size_t L, std::size_t S, std::size_t D> void check_attention(fuzz::input& in) {
    const auto zero_point = [&in] { return static_cast<std::int32_t>(in.next<std::int8_t>()); };
    q::attention_quantization a{};
    a.query = {log_uniform(in, 1e-3, 1), zero_point()};
    a.key = {log_uniform(in, 1e-3, 1), zero_point()};
    a.value = {log_uniform(in, 1e-3, 1), zero_point()};
    a.scores = {log_uniform(in, 1e-4, 1), zero_point()};
    a.output = {log_uniform(in, 1e-4, 1), zero_point()};
    const bool causal = (in.next<std::uint8_t>() & 1) != 0;
    const auto query = in.next_matrix<std::int8_t, L, D>();
    const auto key = in.next_matrix<std::int8_t, S, D>();
    const auto value = in.next_matrix<std::int8_t, S, D>();
    cxattn::matrix<bool, L, S> keep;
    for (bool& k : keep.values) k = (in.next<std::uint8_t>() & 1) != 0; // a byte is not a bool's bit pattern
    const double beta = 1.0 / std::sqrt(static_cast<double>(D));
    const auto scores_m = tflite_formulas::quantize_multiplier(a.query.scale * a.key.scale / a.scores.scale);
    const auto output_m = tflite_formulas::quantize_multiplier(a.value.scale / 256.0 / a.output.scale);
    const auto sp = tflite_formulas::softmax_params_for(a.scores.scale, beta);
    if (scores_m.shift > 30 || output_m.shift > 30 || !sp.valid || sp.input_left_shift > 30) return;
    const auto got = causal ? q::scaled_dot_product_attention(query, key, value, a, keep, cxattn::causal)
                            : q::scaled_dot_product_attention(query, key, value, a, keep);
    // The oracle: scores by arm_batch_matmul_s8; each row's unmasked scores by arm_softmax_s8; the
    // masked weights -128; the output by arm_batch_matmul_s8 of the weights and the transposed values.
    cxattn::matrix<std::int8_t, L, S> scores, weights;
    cmsis_nn_batch_matmul_s8(query.values, L, key.values, S, D, -a.query.zero_point, -a.key.zero_point,
                             a.scores.zero_point, scores_m.value, scores_m.shift, -128, 127, scores.values);
    for (std::size_t i = 0; i < L; ++i) {
        std::int8_t kept[S], kept_weights[S];
        std::size_t n = 0;
        const auto masked = [&](std::size_t j) { return !keep(i, j) || (causal && j > i); };
        for (std::size_t j = 0; j < S; ++j)
            if (!masked(j)) kept[n++] = scores(i, j);
        if (n > 0)
            cmsis_nn_softmax_s8(kept, 1, static_cast<std::int32_t>(n), sp.input_multiplier, sp.input_left_shift,
                                sp.diff_min, kept_weights);
        n = 0;
        for (std::size_t j = 0; j < S; ++j) weights(i, j) = masked(j) ? std::int8_t{-128} : kept_weights[n++];
    }
    cxattn::matrix<std::int8_t, D, S> value_transposed;
    for (std::size_t j = 0; j < S; ++j)
        for (std::size_t d = 0; d < D; ++d) value_transposed(d, j) = value(j, d);
    cxattn::matrix<std::int8_t, L, D> output;
    cmsis_nn_batch_matmul_s8(weights.values, L, value_transposed.values, D, S, 128, -a.value.zero_point,
                             a.output.zero_point, output_m.value, output_m.shift, -128, 127, output.values);
    FUZZ_CHECK((got.weights == weights), "attention weights differ from the CMSIS-NN composition");
    FUZZ_CHECK((got.output == output), "attention output differs from the CMSIS-NN composition");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input in(data, size);
    check_parameters(in);
    for (int i = 0; i < 4; ++i) check_requantize(in);
    check_softmax<2, 7>(in);
    check_softmax<1, 33>(in);
    check_matmul<3, 5, 4>(in);
    check_attention<4, 5, 3>(in);
    return 0;
}
