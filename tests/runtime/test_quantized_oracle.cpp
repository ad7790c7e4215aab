// SPDX-License-Identifier: MIT
// cxattn::quantized against its oracles, bit for bit, at run time: TFLite's parameter formulas
// (tests/oracles/tflite_formulas.hpp), CMSIS-NN's portable C functions (arm_nn_requantize,
// arm_softmax_s8, arm_batch_matmul_s8, built from subprojects/cmsis-nn.wrap) on randomised inputs
// over every parameter range that TFLite produces, and CMSIS-NN's TensorFlow-generated test vectors.
// Each function is checked on at least 10^5 rows (or values); the inputs come from a fixed seed.
#define BOOST_TEST_MODULE quantized oracle
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include <cxattn/quantized.hpp>

#include "oracles/cmsis_nn.h"
#include "oracles/tflite_formulas.hpp"

namespace q = cxattn::quantized;

namespace {

constexpr std::size_t minimum_rows = 100000;

std::mt19937_64 rng{20260729};

double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
std::int64_t integer(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}
bool chance(double p) { return uniform(0, 1) < p; }

// A scale as a model stores it: a float32, log-uniform in [lo, hi], widened to double.
double float_scale(double lo, double hi) {
    return static_cast<double>(static_cast<float>(std::exp(uniform(std::log(lo), std::log(hi)))));
}

std::int8_t random_int8() { return static_cast<std::int8_t>(integer(-128, 127)); }

// Rows of the kinds the tests need: uniform, all equal, only -128 and 127, narrow around a value.
void fill_row(std::int8_t* row, std::size_t n) {
    const auto kind = integer(0, 4);
    const std::int8_t base = random_int8();
    for (std::size_t j = 0; j < n; ++j) {
        switch (kind) {
        case 0:
            row[j] = random_int8();
            break;
        case 1:
            row[j] = base;
            break;
        case 2:
            row[j] = chance(0.5) ? std::int8_t{-128} : std::int8_t{127};
            break;
        case 3:
            row[j] = static_cast<std::int8_t>(std::clamp<std::int64_t>(base + integer(-3, 3), -128, 127));
            break;
        default:
            row[j] = chance(0.1) ? std::int8_t{127} : random_int8();
            break;
        }
    }
}

template <std::size_t R, std::size_t C> cxattn::matrix<std::int8_t, R, C> random_matrix() {
    cxattn::matrix<std::int8_t, R, C> m;
    for (std::size_t i = 0; i < R; ++i) fill_row(&m.values[i * C], C);
    return m;
}

q::multiplier to_multiplier(const tflite_formulas::quantized_multiplier& m) { return {m.value, m.shift}; }

// Reports a difference from the oracle (the first few of each kind in full). A plain function, so
// that the templates instantiated per shape hold no Boost.Test macro (they cost most of the build).
void report(std::size_t& failures, const char* what, std::size_t a, std::size_t b, std::size_t c, std::size_t d,
            long long detail) {
    if (++failures < 10)
        BOOST_ERROR(what << " differs from the oracle: shape " << a << " " << b << " " << c << " " << d << " ("
                         << detail << ")");
}

// A CMSIS-NN call that must succeed (arm_batch_matmul_s8 returns ARM_CMSIS_NN_SUCCESS, 0).
void require_success(int status) { BOOST_REQUIRE(status == 0); }

} // namespace

BOOST_AUTO_TEST_SUITE(parameters)

// quantize_multiplier against TFLite's QuantizeMultiplier on every kind of finite real >= 0.
BOOST_AUTO_TEST_CASE(quantize_multiplier_is_tflites) {
    std::vector<double> reals = {0.0,
                                 std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::min(),
                                 std::numeric_limits<double>::max(),
                                 1.0,
                                 0.5,
                                 std::ldexp(1.0, -31),
                                 std::ldexp(1.0, -32),
                                 std::ldexp(1.0, -33),
                                 std::ldexp(1.0, 30),
                                 std::ldexp(1.0, 31),
                                 std::ldexp(1.0, 32),
                                 std::nextafter(1.0, 0.0), // rounds to 2^31: the carry
                                 std::nextafter(0.5, 1.0)};
    // Ties of round(q x 2^31): significands whose 22 low bits are exactly 2^21.
    for (int e = -40; e <= 40; ++e) reals.push_back(std::ldexp(1.0 + std::ldexp(1.0, -31) + std::ldexp(1.0, -52), e));
    for (int e = -40; e <= 40; ++e) reals.push_back(std::ldexp((std::ldexp(1.0, 31) + 0.5) / std::ldexp(1.0, 31), e));
    for (int i = 0; i < 200000; ++i) reals.push_back(std::exp2(uniform(-1074, 1023.99)));
    for (int i = 0; i < 100000; ++i) reals.push_back(uniform(0, 4));
    std::size_t failures = 0;
    for (double real : reals) {
        const auto expected = tflite_formulas::quantize_multiplier(real);
        const auto got = q::quantize_multiplier(real);
        if (!expected.valid || got.value != expected.value || got.shift != expected.shift) {
            if (++failures < 10)
                BOOST_ERROR("quantize_multiplier(" << real << ") = {" << got.value << ", " << got.shift << "}, TFLite {"
                                                   << expected.value << ", " << expected.shift << "}");
        }
    }
    BOOST_TEST(failures == 0u);
    BOOST_TEST(reals.size() >= minimum_rows);
}

// softmax_params_for against TFLite's int8 SOFTMAX preparation, over input scales 1e-3 to 1 and
// betas from 1/sqrt(4096) to well past the clamp at 2^31 - 1.
BOOST_AUTO_TEST_CASE(softmax_params_for_is_tflites) {
    std::size_t checked = 0, failures = 0;
    bool saw_shift_31 = false;
    for (int i = 0; i < 150000; ++i) {
        const double input_scale = i % 3 == 0 ? float_scale(1e-8, 1e3) : float_scale(1e-3, 1.0);
        const double beta = i % 4 == 0   ? 1.0
                            : i % 4 == 1 ? 1.0 / std::sqrt(static_cast<double>(integer(1, 4096)))
                            : i % 4 == 2 ? static_cast<double>(static_cast<float>(uniform(0.01, 4)))
                                         : std::exp2(uniform(-10, 40));
        const auto expected = tflite_formulas::softmax_params_for(input_scale, beta);
        if (!expected.valid) continue; // TFLite aborts: the rejection is tested separately
        const auto got = q::softmax_params_for(input_scale, beta);
        ++checked;
        saw_shift_31 = saw_shift_31 || got.input_left_shift == 31;
        if (got.input_multiplier != expected.input_multiplier || got.input_left_shift != expected.input_left_shift ||
            got.diff_min != expected.diff_min) {
            if (++failures < 10)
                BOOST_ERROR("softmax_params_for(" << input_scale << ", " << beta << ") = {" << got.input_multiplier
                                                  << ", " << got.input_left_shift << ", " << got.diff_min
                                                  << "}, TFLite {" << expected.input_multiplier << ", "
                                                  << expected.input_left_shift << ", " << expected.diff_min << "}");
        }
    }
    BOOST_TEST(failures == 0u);
    BOOST_TEST(checked >= minimum_rows);
    BOOST_TEST(saw_shift_31);
}

// What the rejected inputs give at run time (docs/quantized.md).
BOOST_AUTO_TEST_CASE(rejected_inputs_at_run_time) {
    volatile double negative = -0.25, nan = std::numeric_limits<double>::quiet_NaN(),
                    inf = std::numeric_limits<double>::infinity();
    for (double real : {static_cast<double>(negative), static_cast<double>(nan), static_cast<double>(inf)}) {
        const auto m = q::quantize_multiplier(real);
        BOOST_TEST(m.value == 0);
        BOOST_TEST(m.shift == 0);
    }
    // A shift above 30: x x 2^shift saturates first.
    const q::multiplier big{1 << 30, 31};
    volatile std::int32_t one = 1, minus_one = -1, zero = 0;
    BOOST_TEST(q::multiply_by_quantized_multiplier(one, big) == (1 << 30));        // INT32_MAX x 1/2, rounded
    BOOST_TEST(q::multiply_by_quantized_multiplier(minus_one, big) == -(1 << 30)); // INT32_MIN x 1/2
    BOOST_TEST(q::multiply_by_quantized_multiplier(zero, big) == 0);
    // beta x input_scale x 2^26 <= 1: every entry of a row gets the same weight.
    volatile double tiny_scale = 1e-9;
    const auto uniform_params = q::softmax_params_for(tiny_scale);
    BOOST_TEST(uniform_params.input_multiplier == 0);
    BOOST_TEST(uniform_params.input_left_shift == 0);
    BOOST_TEST(uniform_params.diff_min == -2080374784);
    const cxattn::matrix<std::int8_t, 1, 4> row{-128, 0, 64, 127};
    const auto weights = q::softmax(row, uniform_params);
    BOOST_TEST(weights.values[0] == weights.values[3]);
    BOOST_TEST(weights.values[0] == -64); // 1/4 = 64/256
    // An input left shift outside [0, 31] is clamped to it.
    const q::softmax_params negative_shift{1 << 30, -3, -100}, zero_shift{1 << 30, 0, -100};
    BOOST_TEST((q::softmax(row, negative_shift) == q::softmax(row, zero_shift)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cmsis_nn)

// multiply_by_quantized_multiplier against arm_nn_requantize: every shift in [-31, 30], multipliers
// from quantize_multiplier and arbitrary ones (CMSIS-NN's range, INT32_MIN excluded), x wherever
// x x 2^max(shift, 0) fits in int32 (the edges included).
BOOST_AUTO_TEST_CASE(multiply_by_quantized_multiplier_is_arm_nn_requantize) {
    std::size_t checked = 0, failures = 0;
    for (int i = 0; i < 1000000; ++i) {
        const int shift = static_cast<int>(integer(-31, 30));
        std::int32_t value;
        if (i % 2 == 0) {
            const auto m = q::quantize_multiplier(std::ldexp(uniform(0.5, 1.0), shift));
            if (m.shift > 30) continue;
            value = m.value;
        } else {
            value = static_cast<std::int32_t>(
                integer(std::numeric_limits<std::int32_t>::min() + 1, std::numeric_limits<std::int32_t>::max()));
        }
        const std::int64_t limit = (std::int64_t{1} << (31 - (shift > 0 ? shift : 0)));
        std::int32_t x;
        switch (i % 5) {
        case 0:
            x = static_cast<std::int32_t>(-limit);
            break;
        case 1:
            x = static_cast<std::int32_t>(limit - 1);
            break;
        case 2:
            x = static_cast<std::int32_t>(
                integer(-std::min<std::int64_t>(limit, 1000), std::min<std::int64_t>(limit, 1000) - 1));
            break;
        default:
            x = static_cast<std::int32_t>(integer(-limit, limit - 1));
            break;
        }
        const q::multiplier m{value, shift};
        const std::int32_t expected = cmsis_nn_requantize(x, value, shift);
        const std::int32_t got = q::multiply_by_quantized_multiplier(x, m);
        ++checked;
        if (got != expected && ++failures < 10)
            BOOST_ERROR("multiply_by_quantized_multiplier(" << x << ", {" << value << ", " << shift << "}) = " << got
                                                            << ", arm_nn_requantize " << expected);
    }
    BOOST_TEST(failures == 0u);
    BOOST_TEST(checked >= minimum_rows);
}

namespace {

std::size_t softmax_rows = 0, softmax_failures = 0;

// A softmax parameter set of TFLite's, within what arm_softmax_s8 computes without undefined
// behaviour (its 1 << input_left_shift needs a shift below 31).
tflite_formulas::softmax_params random_softmax_params() {
    for (;;) {
        const double input_scale = float_scale(1e-3, 1.0);
        const double beta = chance(0.5) ? 1.0 : static_cast<double>(static_cast<float>(uniform(0.05, 31.0)));
        const auto p = tflite_formulas::softmax_params_for(input_scale, beta);
        if (p.valid && p.input_left_shift < 31) return p;
    }
}

template <std::size_t C> void softmax_case(int calls) {
    constexpr std::size_t R = 3;
    for (int call = 0; call < calls; ++call) {
        const auto p = random_softmax_params();
        const auto input = random_matrix<R, C>();
        const auto got = q::softmax(input, q::softmax_params{p.input_multiplier, p.input_left_shift, p.diff_min});
        cxattn::matrix<std::int8_t, R, C> expected;
        cmsis_nn_softmax_s8(input.values, R, C, p.input_multiplier, p.input_left_shift, p.diff_min, expected.values);
        softmax_rows += R;
        if (!(got == expected) && ++softmax_failures < 10)
            BOOST_ERROR("softmax differs from arm_softmax_s8: C = " << C << ", params {" << p.input_multiplier << ", "
                                                                    << p.input_left_shift << ", " << p.diff_min << "}");
    }
}

template <std::size_t... C> void softmax_cases(int calls, std::index_sequence<C...>) {
    (softmax_case<C + 1>(calls), ...);
}

} // namespace

// softmax against arm_softmax_s8: every row length from 1 to 32, then lengths up to 300 around
// the powers of 2.
BOOST_AUTO_TEST_CASE(softmax_is_arm_softmax_s8) {
    softmax_cases(1000, std::make_index_sequence<32>{});
    softmax_case<47>(300);
    softmax_case<63>(300);
    softmax_case<64>(300);
    softmax_case<65>(300);
    softmax_case<100>(300);
    softmax_case<127>(300);
    softmax_case<128>(300);
    softmax_case<129>(300);
    softmax_case<200>(200);
    softmax_case<255>(200);
    softmax_case<256>(200);
    softmax_case<257>(200);
    softmax_case<299>(200);
    softmax_case<300>(200);
    BOOST_TEST(softmax_failures == 0u);
    BOOST_TEST(softmax_rows >= minimum_rows);
    BOOST_TEST_MESSAGE("softmax: " << softmax_rows << " rows compared");
}

namespace {

std::size_t matmul_rows = 0, matmul_failures = 0;

// The accumulator times 2^max(shift, 0) must fit in int32 (beyond, arm_nn_requantize overflows):
// |accumulator| <= K x 255^2.
q::matmul_params random_matmul_params(std::size_t k) {
    for (;;) {
        const auto m = tflite_formulas::quantize_multiplier(std::exp2(uniform(-24, 8)));
        if (m.shift > 30 || (static_cast<std::int64_t>(k) * 255 * 255 << (m.shift > 0 ? m.shift : 0)) > 2147483647)
            continue;
        std::int32_t low = -128, high = 127;
        if (chance(0.3)) {
            low = static_cast<std::int32_t>(integer(-128, 0));
            high = static_cast<std::int32_t>(integer(low, 127));
        }
        return {static_cast<std::int32_t>(integer(-128, 127)),
                static_cast<std::int32_t>(integer(-128, 127)),
                static_cast<std::int32_t>(integer(-128, 127)),
                to_multiplier(m),
                low,
                high};
    }
}

template <std::size_t M, std::size_t K, std::size_t N> void matmul_case(int calls) {
    for (int call = 0; call < calls; ++call) {
        const auto p = random_matmul_params(K);
        const auto lhs = random_matrix<M, K>();
        const auto rhs_transposed = random_matrix<N, K>();
        cxattn::matrix<std::int8_t, K, N> rhs;
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t n = 0; n < N; ++n) rhs(k, n) = rhs_transposed(n, k);
        cxattn::matrix<std::int8_t, M, N> expected;
        const int status = cmsis_nn_batch_matmul_s8(
            lhs.values, M, rhs_transposed.values, N, K, -p.lhs_zero_point, -p.rhs_zero_point, p.output_zero_point,
            p.output_multiplier.value, p.output_multiplier.shift, p.activation_min, p.activation_max, expected.values);
        require_success(status);
        const bool transposed_ok = q::matmul_transposed(lhs, rhs_transposed, p) == expected;
        const bool plain_ok = q::matmul(lhs, rhs, p) == expected;
        matmul_rows += M;
        if (!(transposed_ok && plain_ok)) report(matmul_failures, "matmul", M, K, N, 0, transposed_ok);
    }
}

} // namespace

// matmul_transposed and matmul against arm_batch_matmul_s8 (rhs transposed): zero points over
// int8, multipliers from 2^-24 to 2^8 (shifts -23 to 9), narrowed activation ranges.
BOOST_AUTO_TEST_CASE(matmul_is_arm_batch_matmul_s8) {
    matmul_case<1, 1, 1>(10000);
    matmul_case<1, 7, 3>(10000);
    matmul_case<3, 5, 4>(7000);
    matmul_case<4, 16, 4>(2000);
    matmul_case<8, 64, 8>(2000);
    matmul_case<5, 33, 17>(2000);
    matmul_case<16, 3, 300>(500);
    matmul_case<32, 128, 16>(500);
    matmul_case<2, 300, 2>(2000);
    BOOST_TEST(matmul_failures == 0u);
    BOOST_TEST(matmul_rows >= minimum_rows);
    BOOST_TEST_MESSAGE("matmul: " << matmul_rows << " rows compared");
}

namespace {

std::size_t attention_rows = 0, attention_failures = 0;

// The attention's quantization: input scales 1e-3 to 1; a scores scale around the scores' range
// (q.scale x k.scale x Dk x 128^2 / 128, times 2^-4 to 2^4), so that scores use the int8 range;
// an output scale around the values'.
q::attention_quantization random_attention_quantization(std::size_t dk) {
    const auto zero_point = [] { return static_cast<std::int32_t>(integer(-128, 127)); };
    q::attention_quantization a{{float_scale(1e-3, 1), zero_point()},
                                {float_scale(1e-3, 1), zero_point()},
                                {float_scale(1e-3, 1), zero_point()},
                                {0, zero_point()},
                                {0, zero_point()}};
    a.scores.scale = static_cast<double>(
        static_cast<float>(a.query.scale * a.key.scale * std::sqrt(double(dk)) * 128 * std::exp2(uniform(-4, 4))));
    a.output.scale = static_cast<double>(static_cast<float>(a.value.scale * std::exp2(uniform(-3, 3))));
    return a;
}

// The oracle: arm_batch_matmul_s8 -> arm_softmax_s8 -> arm_batch_matmul_s8 with TFLite's parameter
// formulas; a masked position is left out of its row's softmax (the row's unmasked entries alone go
// to arm_softmax_s8) and gets -128.
template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Masked>
void oracle_attention(const cxattn::matrix<std::int8_t, L, Dk>& query, const cxattn::matrix<std::int8_t, S, Dk>& key,
                      const cxattn::matrix<std::int8_t, S, Dv>& value, const q::attention_quantization& a, double beta,
                      const Masked& masked, cxattn::matrix<std::int8_t, L, Dv>& output,
                      cxattn::matrix<std::int8_t, L, S>& weights) {
    const auto scores_m = tflite_formulas::quantize_multiplier(a.query.scale * a.key.scale / a.scores.scale);
    cxattn::matrix<std::int8_t, L, S> scores;
    require_success(cmsis_nn_batch_matmul_s8(query.values, L, key.values, S, Dk, -a.query.zero_point, -a.key.zero_point,
                                             a.scores.zero_point, scores_m.value, scores_m.shift, -128, 127,
                                             scores.values));
    const auto sp = tflite_formulas::softmax_params_for(a.scores.scale, beta);
    require_success(sp.valid ? 0 : 1);
    for (std::size_t i = 0; i < L; ++i) {
        std::int8_t kept[S], kept_weights[S];
        std::size_t n = 0;
        for (std::size_t j = 0; j < S; ++j)
            if (!masked(i, j)) kept[n++] = scores(i, j);
        if (n > 0)
            cmsis_nn_softmax_s8(kept, 1, static_cast<std::int32_t>(n), sp.input_multiplier, sp.input_left_shift,
                                sp.diff_min, kept_weights);
        n = 0;
        for (std::size_t j = 0; j < S; ++j) weights(i, j) = masked(i, j) ? std::int8_t{-128} : kept_weights[n++];
    }
    cxattn::matrix<std::int8_t, Dv, S> value_transposed;
    for (std::size_t j = 0; j < S; ++j)
        for (std::size_t d = 0; d < Dv; ++d) value_transposed(d, j) = value(j, d);
    const auto output_m = tflite_formulas::quantize_multiplier(a.value.scale / 256.0 / a.output.scale);
    require_success(cmsis_nn_batch_matmul_s8(weights.values, L, value_transposed.values, Dv, S, 128,
                                             -a.value.zero_point, a.output.zero_point, output_m.value, output_m.shift,
                                             -128, 127, output.values));
}

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> void attention_case(int calls) {
    for (int call = 0; call < calls; ++call) {
        const auto query = random_matrix<L, Dk>();
        const auto key = random_matrix<S, Dk>();
        const auto value = random_matrix<S, Dv>();
        const auto a = random_attention_quantization(Dk);
        cxattn::matrix<bool, L, S> keep;
        for (bool& k : keep.values) k = chance(0.7);
        if (chance(0.2)) // a fully masked row
            for (std::size_t j = 0; j < S; ++j) keep(0, j) = false;
        const float user_scale = static_cast<float>(uniform(0.05, 1.0));
        const double default_beta = 1.0 / std::sqrt(static_cast<double>(Dk));
        cxattn::attention_result<std::int8_t, L, S, Dv> got;
        cxattn::matrix<std::int8_t, L, Dv> output;
        cxattn::matrix<std::int8_t, L, S> weights;
        const int kind = call % 5;
        switch (kind) {
        case 0:
            got = q::scaled_dot_product_attention(query, key, value, a);
            oracle_attention(
                query, key, value, a, default_beta, [](std::size_t, std::size_t) { return false; }, output, weights);
            break;
        case 1:
            got = q::scaled_dot_product_attention(query, key, value, a, cxattn::causal);
            oracle_attention(
                query, key, value, a, default_beta, [](std::size_t i, std::size_t j) { return j > i; }, output,
                weights);
            break;
        case 2:
            got = q::scaled_dot_product_attention(query, key, value, a, cxattn::causal_lower_right);
            oracle_attention(
                query, key, value, a, default_beta, [](std::size_t i, std::size_t j) { return j + L > i + S; }, output,
                weights);
            break;
        case 3:
            got = q::scaled_dot_product_attention(query, key, value, a, keep);
            oracle_attention(
                query, key, value, a, default_beta, [&](std::size_t i, std::size_t j) { return !keep(i, j); }, output,
                weights);
            break;
        default:
            got =
                q::scaled_dot_product_attention(query, key, value, a, cxattn::scale(user_scale), keep, cxattn::causal);
            oracle_attention(
                query, key, value, a, static_cast<double>(user_scale),
                [&](std::size_t i, std::size_t j) { return j > i || !keep(i, j); }, output, weights);
            break;
        }
        attention_rows += L;
        if (!(got.weights == weights && got.output == output))
            report(attention_failures, "attention", L, S, Dk, Dv, kind);
    }
}

} // namespace

// scaled_dot_product_attention against the CMSIS-NN composition, with and without options.
BOOST_AUTO_TEST_CASE(attention_is_the_cmsis_nn_composition) {
    attention_case<1, 1, 1, 1>(10000);
    attention_case<3, 5, 4, 2>(10000);
    attention_case<8, 8, 8, 8>(5000);
    attention_case<4, 37, 16, 3>(2000);
    attention_case<16, 16, 64, 16>(1000);
    attention_case<2, 300, 2, 5>(1000);
    BOOST_TEST(attention_failures == 0u);
    BOOST_TEST(attention_rows >= minimum_rows);
    BOOST_TEST_MESSAGE("attention: " << attention_rows << " rows compared");
}

BOOST_AUTO_TEST_SUITE_END()
