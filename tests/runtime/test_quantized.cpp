// SPDX-License-Identifier: MIT
// cxattn::quantized at run time against the same calls at compile time, bit for bit: samples of
// every function (the constants of tests/static/quantized.cpp and larger cases with every option),
// with the run-time inputs read through volatile so that the compiler computes nothing ahead.
#define BOOST_TEST_MODULE quantized
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>

#include <cxattn/quantized.hpp>

namespace q = cxattn::quantized;
using cxattn::matrix;

namespace {

// A copy that the optimiser cannot see through.
template <class T> T at_run_time(const T& value) {
    T copy;
    const volatile unsigned char* from = reinterpret_cast<const volatile unsigned char*>(&value);
    unsigned char* to = reinterpret_cast<unsigned char*>(&copy);
    for (std::size_t i = 0; i < sizeof(T); ++i) to[i] = from[i];
    return copy;
}

template <std::size_t R, std::size_t C> constexpr matrix<std::int8_t, R, C> pseudo_random(std::uint32_t state) {
    matrix<std::int8_t, R, C> m;
    for (std::int8_t& v : m.values) {
        state = state * 1664525u + 1013904223u;
        v = static_cast<std::int8_t>(static_cast<std::int32_t>(state) >> 24);
    }
    return m;
}

} // namespace

constexpr double reals[] = {0.0,
                            1.0,
                            0.3,
                            0x1.fffffffffffffp-1,
                            0x1.00000002p-1,
                            0x1p-32,
                            0x1p-33,
                            0x1p31,
                            4.9e-324,
                            1.7976931348623157e308,
                            1e-5,
                            123.456};
constexpr std::int32_t xs[] = {0, 1, -1, 3, -3, -5, 100, -100, 1 << 20, -(1 << 20), 2147483647, -2147483647 - 1};
constexpr q::multiplier ms[] = {{1 << 30, 0},      {1 << 30, 1},    {1 << 30, -1},       {1288490189, -1},
                                {2147483647, -31}, {1073741825, 5}, {-2147483647 - 1, 0}};
// shift 5: x x 32 must fit, so the large x take shift 0 instead.
constexpr q::multiplier multiplier_for(std::size_t i, std::size_t j) {
    return ms[i].shift > 0 && (xs[j] > 1000 || xs[j] < -1000) ? q::multiplier{ms[i].value, 0} : ms[i];
}
constexpr double scales[] = {0.1, 1.0 / 256, 1.0, 1e-3, 0.0427, 3.0};
constexpr double betas[] = {1.0, 0.5, 0.125, 1e30, 0.0721};

BOOST_AUTO_TEST_CASE(quantize_multiplier_samples) {
    constexpr auto baked = [] {
        matrix<q::multiplier, 1, std::size(reals)> out{};
        for (std::size_t i = 0; i < std::size(reals); ++i) out.values[i] = q::quantize_multiplier(reals[i]);
        return out;
    }();
    for (std::size_t i = 0; i < std::size(reals); ++i) {
        const auto m = q::quantize_multiplier(at_run_time(reals[i]));
        BOOST_TEST(m.value == baked.values[i].value);
        BOOST_TEST(m.shift == baked.values[i].shift);
    }
}

BOOST_AUTO_TEST_CASE(multiply_by_quantized_multiplier_samples) {
    constexpr auto baked = [] {
        matrix<std::int32_t, std::size(ms), std::size(xs)> out{};
        for (std::size_t i = 0; i < std::size(ms); ++i)
            for (std::size_t j = 0; j < std::size(xs); ++j)
                out(i, j) = q::multiply_by_quantized_multiplier(xs[j], multiplier_for(i, j));
        return out;
    }();
    for (std::size_t i = 0; i < std::size(ms); ++i)
        for (std::size_t j = 0; j < std::size(xs); ++j)
            BOOST_TEST(q::multiply_by_quantized_multiplier(at_run_time(xs[j]), at_run_time(multiplier_for(i, j))) ==
                       baked(i, j));
}

BOOST_AUTO_TEST_CASE(softmax_params_for_samples) {
    constexpr auto baked = [] {
        matrix<q::softmax_params, std::size(scales), std::size(betas)> out{};
        for (std::size_t i = 0; i < std::size(scales); ++i)
            for (std::size_t j = 0; j < std::size(betas); ++j) out(i, j) = q::softmax_params_for(scales[i], betas[j]);
        return out;
    }();
    for (std::size_t i = 0; i < std::size(scales); ++i)
        for (std::size_t j = 0; j < std::size(betas); ++j) {
            const auto run = q::softmax_params_for(at_run_time(scales[i]), at_run_time(betas[j]));
            BOOST_TEST(run.input_multiplier == baked(i, j).input_multiplier);
            BOOST_TEST(run.input_left_shift == baked(i, j).input_left_shift);
            BOOST_TEST(run.diff_min == baked(i, j).diff_min);
        }
}

BOOST_AUTO_TEST_CASE(softmax_samples) {
    constexpr auto input = pseudo_random<16, 37>(7);
    constexpr auto p1 = q::softmax_params_for(0.1);
    constexpr auto p2 = q::softmax_params_for(0.003, 0.25);
    constexpr auto p3 = q::softmax_params_for(1.0, 8.0);
    constexpr auto w1 = q::softmax(input, p1);
    constexpr auto w2 = q::softmax(input, p2);
    constexpr auto w3 = q::softmax(input, p3);
    BOOST_TEST((q::softmax(at_run_time(input), at_run_time(p1)) == w1));
    BOOST_TEST((q::softmax(at_run_time(input), at_run_time(p2)) == w2));
    BOOST_TEST((q::softmax(at_run_time(input), at_run_time(p3)) == w3));
}

BOOST_AUTO_TEST_CASE(matmul_samples) {
    constexpr auto lhs = pseudo_random<9, 33>(1);
    constexpr auto rhs = pseudo_random<33, 11>(2);
    constexpr auto rhs_transposed = pseudo_random<11, 33>(3);
    constexpr q::matmul_params p{-3, 17, -100, q::quantize_multiplier(0.0012), -120, 100};
    constexpr auto plain = q::matmul(lhs, rhs, p);
    constexpr auto transposed = q::matmul_transposed(lhs, rhs_transposed, p);
    BOOST_TEST((q::matmul(at_run_time(lhs), at_run_time(rhs), at_run_time(p)) == plain));
    BOOST_TEST((q::matmul_transposed(at_run_time(lhs), at_run_time(rhs_transposed), at_run_time(p)) == transposed));
}

namespace {

constexpr auto query = pseudo_random<16, 16>(11);
constexpr auto key = pseudo_random<24, 16>(12);
constexpr auto value = pseudo_random<24, 8>(13);
constexpr q::attention_quantization quantization{{0.02, 3}, {0.015, -7}, {0.05, 0}, {0.2, -10}, {0.04, 2}};
constexpr auto keep = [] {
    matrix<bool, 16, 24> m{};
    for (std::size_t i = 0; i < m.size(); ++i) m.values[i] = (i * 7919) % 5 != 0 && i / 24 != 3; // row 3: all masked
    return m;
}();

template <class Result> void check_attention(const Result& run, const Result& baked) {
    BOOST_TEST((run.weights == baked.weights));
    BOOST_TEST((run.output == baked.output));
}

} // namespace

BOOST_AUTO_TEST_CASE(attention_samples) {
    constexpr auto plain = q::scaled_dot_product_attention(query, key, value, quantization);
    constexpr auto causal = q::scaled_dot_product_attention(query, key, value, quantization, cxattn::causal);
    constexpr auto lower_right =
        q::scaled_dot_product_attention(query, key, value, quantization, cxattn::causal_lower_right);
    constexpr auto masked = q::scaled_dot_product_attention(query, key, value, quantization, keep, cxattn::scale(0.3f));
    const auto rq = at_run_time(query);
    const auto rk = at_run_time(key);
    const auto rv = at_run_time(value);
    const auto rquantization = at_run_time(quantization);
    check_attention(q::scaled_dot_product_attention(rq, rk, rv, rquantization), plain);
    check_attention(q::scaled_dot_product_attention(rq, rk, rv, rquantization, cxattn::causal), causal);
    check_attention(q::scaled_dot_product_attention(rq, rk, rv, rquantization, cxattn::causal_lower_right),
                    lower_right);
    check_attention(q::scaled_dot_product_attention(rq, rk, rv, rquantization, at_run_time(keep), cxattn::scale(0.3f)),
                    masked);
    // The fully masked row: weights -128, output the output zero point.
    for (std::size_t j = 0; j < 24; ++j) BOOST_TEST(masked.weights(3, j) == -128);
    for (std::size_t d = 0; d < 8; ++d) BOOST_TEST(masked.output(3, d) == 2);
}
