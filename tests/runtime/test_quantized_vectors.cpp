// SPDX-License-Identifier: MIT
// cxattn::quantized on CMSIS-NN's own TensorFlow-generated test vectors (Tests/UnitTest/TestCases/
// TestData of the CMSIS-NN sources, generated with TFLite as the reference): the int8 softmax and
// the five int8 batch matmuls, each output compared bit for bit.
#define BOOST_TEST_MODULE quantized test vectors
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>

#include <cxattn/quantized.hpp>

#include "batch_matmul_1_s8/test_data.h"
#include "batch_matmul_2_s8/test_data.h"
#include "batch_matmul_3_s8/test_data.h"
#include "batch_matmul_4_s8/test_data.h"
#include "batch_matmul_5_s8/test_data.h"
#include "softmax/test_data.h"

namespace q = cxattn::quantized;

BOOST_AUTO_TEST_CASE(softmax_vector) {
    static_assert(SOFTMAX_NUM_ROWS == 2 && SOFTMAX_ROW_SIZE == 5);
    cxattn::matrix<std::int8_t, SOFTMAX_NUM_ROWS, SOFTMAX_ROW_SIZE> input;
    for (std::size_t i = 0; i < input.size(); ++i) input.values[i] = softmax_input[i];
    const auto output = q::softmax(input, {SOFTMAX_INPUT_MULT, SOFTMAX_INPUT_LEFT_SHIFT, SOFTMAX_DIFF_MIN});
    for (std::size_t i = 0; i < input.size(); ++i) BOOST_TEST(output.values[i] == softmax_output_ref[i]);
}

namespace {

// One TFLite BATCH_MATMUL test of CMSIS-NN: lhs as M x K blocks (lhs_batch x lhs_height of them),
// rhs as N x K blocks (transposed), output (batch x height) blocks of M x N, the batch dimensions
// broadcast where they are 1, as arm_batch_matmul_s8 does.
struct batch_test {
    const std::int8_t* lhs;
    int lhs_batch, lhs_height;
    const std::int8_t* rhs_transposed;
    int rhs_batch, rhs_height;
    const std::int8_t* output;
    int output_batch, output_height;
    std::int32_t lhs_offset, rhs_offset, output_offset, multiplier, shift, activation_min, activation_max;
};

template <std::size_t M, std::size_t K, std::size_t N> void check(const batch_test& t) {
    const q::matmul_params params{-t.lhs_offset,           -t.rhs_offset,    t.output_offset,
                                  {t.multiplier, t.shift}, t.activation_min, t.activation_max};
    std::size_t compared = 0;
    for (int b = 0; b < t.output_batch; ++b)
        for (int h = 0; h < t.output_height; ++h) {
            const int lhs_block = (t.lhs_batch == 1 ? 0 : b) * t.lhs_height + (t.lhs_height == 1 ? 0 : h);
            const int rhs_block = (t.rhs_batch == 1 ? 0 : b) * t.rhs_height + (t.rhs_height == 1 ? 0 : h);
            cxattn::matrix<std::int8_t, M, K> lhs;
            cxattn::matrix<std::int8_t, N, K> rhs;
            for (std::size_t i = 0; i < M * K; ++i)
                lhs.values[i] = t.lhs[static_cast<std::size_t>(lhs_block) * M * K + i];
            for (std::size_t i = 0; i < N * K; ++i)
                rhs.values[i] = t.rhs_transposed[static_cast<std::size_t>(rhs_block) * N * K + i];
            const auto out = q::matmul_transposed(lhs, rhs, params);
            const std::size_t base = static_cast<std::size_t>(b * t.output_height + h) * M * N;
            for (std::size_t i = 0; i < M * N; ++i) {
                BOOST_TEST(out.values[i] == t.output[base + i]);
                ++compared;
            }
        }
    BOOST_TEST(compared == static_cast<std::size_t>(t.output_batch * t.output_height) * M * N);
}

} // namespace

// The tensors CMSIS-NN's own test passes to arm_batch_matmul_s8 (lhs M x K, rhs N x K): M = 32,
// K = 16, N = 24 in all five.
#define CXATTN_BATCH_TEST(I, LHS, RHS)                                                                                 \
    batch_test {                                                                                                       \
        batch_matmul_##I##_s8_##LHS, BATCH_MATMUL_##I##_S8_LHS_BATCH, BATCH_MATMUL_##I##_S8_LHS_HEIGHT,                \
            batch_matmul_##I##_s8_##RHS, BATCH_MATMUL_##I##_S8_RHS_BATCH, BATCH_MATMUL_##I##_S8_RHS_HEIGHT,            \
            batch_matmul_##I##_s8_output, BATCH_MATMUL_##I##_S8_OUTPUT_BATCH, BATCH_MATMUL_##I##_S8_OUTPUT_HEIGHT,     \
            BATCH_MATMUL_##I##_S8_LHS_OFFSET, BATCH_MATMUL_##I##_S8_RHS_OFFSET, BATCH_MATMUL_##I##_S8_OUTPUT_OFFSET,   \
            BATCH_MATMUL_##I##_S8_OUTPUT_MULTIPLIER, BATCH_MATMUL_##I##_S8_OUTPUT_SHIFT,                               \
            BATCH_MATMUL_##I##_S8_ACTIVATION_MIN, BATCH_MATMUL_##I##_S8_ACTIVATION_MAX                                 \
    }

BOOST_AUTO_TEST_CASE(batch_matmul_vectors) {
    check<32, 16, 24>(CXATTN_BATCH_TEST(1, lhs_input_tensor, rhs_transposed_tensor));      // adj_x 0, adj_y 0
    check<32, 16, 24>(CXATTN_BATCH_TEST(2, lhs_input_tensor, rhs_input_tensor));           // adj_x 0, adj_y 1
    check<32, 16, 24>(CXATTN_BATCH_TEST(3, lhs_transposed_tensor, rhs_transposed_tensor)); // adj_x 1, adj_y 0
    check<32, 16, 24>(CXATTN_BATCH_TEST(4, lhs_transposed_tensor, rhs_input_tensor));      // adj_x 1, adj_y 1
    check<32, 16, 24>(CXATTN_BATCH_TEST(5, lhs_input_tensor, rhs_input_tensor));           // adj_x 0, adj_y 1
}
