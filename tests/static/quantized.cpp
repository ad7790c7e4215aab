// SPDX-License-Identifier: MIT
// cxattn::quantized at compile time: compiling is passing. Samples of every function whose value
// follows from the definitions by hand (each worked out in its comment), the rejections (which
// must not be constant expressions), and properties of the results. tests/runtime/test_quantized.cpp
// computes the same samples at run time and compares them with these constant results.
#include <cstdint>
#include <limits>
#include <type_traits>

#include <cxattn/quantized.hpp>

namespace q = cxattn::quantized;
using cxattn::matrix;

constexpr bool same(q::multiplier a, q::multiplier b) { return a.value == b.value && a.shift == b.shift; }
constexpr bool same(q::softmax_params a, q::softmax_params b) {
    return a.input_multiplier == b.input_multiplier && a.input_left_shift == b.input_left_shift &&
           a.diff_min == b.diff_min;
}

// quantize_multiplier: real = value x 2^(shift - 31).
static_assert(same(q::quantize_multiplier(0.0), {0, 0}));           // TFLite's special case
static_assert(same(q::quantize_multiplier(1.0), {1 << 30, 1}));     // 0.5 x 2^1
static_assert(same(q::quantize_multiplier(0.5), {1 << 30, 0}));     // 0.5 x 2^0
static_assert(same(q::quantize_multiplier(0.3), {1288490189, -1})); // round(0.6 x 2^31) = round(1288490188.8)
static_assert(same(q::quantize_multiplier(0.75), {1610612736, 0})); // 0.75 x 2^31 exactly
static_assert(same(q::quantize_multiplier(0x1.fffffffffffffp-1), {1 << 30, 1}));  // rounds to 2^31: the carry
static_assert(same(q::quantize_multiplier(0x1.00000002p-1), {(1 << 30) + 1, 0})); // a tie (2^30 + 0.5) rounds away
static_assert(same(q::quantize_multiplier(0x1.00000001p-1), {1 << 30, 0}));       // 2^30 + 0.25 rounds down
static_assert(same(q::quantize_multiplier(0x1p-32), {1 << 30, -31}));             // the smallest shift kept
static_assert(same(q::quantize_multiplier(0x1p-33), {0, 0}));                     // shift -32: TFLite's "ultra tiny"
static_assert(same(q::quantize_multiplier(0x1p31), {1 << 30, 32}));               // shifts of 31 and more are returned
static_assert(same(q::quantize_multiplier(std::numeric_limits<double>::denorm_min()), {0, 0}));
static_assert(same(q::quantize_multiplier(std::numeric_limits<double>::max()), {1 << 30, 1025})); // carries too

// multiply_by_quantized_multiplier: x x value x 2^(shift - 31), rounded twice as TFLite does.
static_assert(q::multiply_by_quantized_multiplier(100, q::quantize_multiplier(0.3)) == 30); // 60.0000000093 / 2
static_assert(q::multiply_by_quantized_multiplier(-5, {1 << 30, 0}) == -2);  // -2.5: the high multiply's tie goes up
static_assert(q::multiply_by_quantized_multiplier(-3, {1 << 30, 1}) == -3);  // -6 x 1/2, exactly
static_assert(q::multiply_by_quantized_multiplier(3, {1 << 30, -1}) == 1);   // 1.5 -> 2, then 2 / 2 = 1
static_assert(q::multiply_by_quantized_multiplier(-3, {1 << 30, -1}) == -1); // -1.5 -> -1, then -1/2 -> -1 (away)
static_assert(q::multiply_by_quantized_multiplier(std::numeric_limits<std::int32_t>::min(),
                                                  {std::numeric_limits<std::int32_t>::min(), 0}) ==
              std::numeric_limits<std::int32_t>::max());                                 // the saturating case
static_assert(q::multiply_by_quantized_multiplier(1 << 20, {1 << 30, 10}) == (1 << 29)); // 2^20 x 2^10 x 1/2

// softmax_params_for: input_left_shift from beta x input_scale x 2^26, diff_min = -floor(31 x 2^26 / 2^shift).
static_assert(same(q::softmax_params_for(0.1), {1717986918, 23, -248}));     // 0.1 x 2^26 = 0.8 x 2^23
static_assert(same(q::softmax_params_for(1.0 / 256), {1 << 30, 19, -3968})); // 2^18 = 0.5 x 2^19
static_assert(same(q::softmax_params_for(1.0, 0.5), {1 << 30, 26, -31}));    // 2^25; 31 x 2^26 / 2^26 = 31
static_assert(same(q::softmax_params_for(1.0, 1e30), {std::numeric_limits<std::int32_t>::max(), 31, 0})); // clamped

// The rejections are not constant expressions (compile_fail/quantized_*.cpp check the diagnostics).
template <class Real> constexpr bool multiplier_accepted = requires {
    typename std::integral_constant<int, q::quantize_multiplier(Real::value).shift>;
};
template <class Shift> constexpr bool multiply_accepted = requires {
    typename std::integral_constant<int, q::multiply_by_quantized_multiplier(1, {1 << 30, Shift::value})>;
};
template <class Scale> constexpr bool softmax_params_accepted = requires {
    typename std::integral_constant<int, q::softmax_params_for(Scale::value).diff_min>;
};
struct half {
    static constexpr double value = 0.5;
};
struct negative {
    static constexpr double value = -0.5;
};
struct not_a_number {
    static constexpr double value = std::numeric_limits<double>::quiet_NaN();
};
struct infinite {
    static constexpr double value = std::numeric_limits<double>::infinity();
};
struct shift_30 {
    static constexpr int value = 30;
};
struct shift_31 {
    static constexpr int value = 31;
};
struct scale_just_above {
    static constexpr double value = 0x1.0000000000001p-26;
}; // x 2^26 > 1
struct scale_at_limit {
    static constexpr double value = 0x1p-26;
}; // x 2^26 = 1
static_assert(multiplier_accepted<half>);
static_assert(!multiplier_accepted<negative>);
static_assert(!multiplier_accepted<not_a_number>);
static_assert(!multiplier_accepted<infinite>);
static_assert(multiply_accepted<shift_30>);
static_assert(!multiply_accepted<shift_31>);
static_assert(softmax_params_accepted<scale_just_above>);
static_assert(!softmax_params_accepted<scale_at_limit>);
static_assert(!softmax_params_accepted<negative>);

// softmax: output scale 1/256, zero point -128.
constexpr auto params = q::softmax_params_for(0.1);
constexpr matrix<std::int8_t, 3, 4> rows{5,    5,    5,    5,    // equal: 1/4 each = 64/256 -> -64
                                         127,  -128, -128, -128, // the spread 255 exceeds -diff_min = 248
                                         -128, -128, -128, -128};
constexpr auto weights = q::softmax(rows, params);
static_assert(weights(0, 0) == -64 && weights(0, 1) == -64 && weights(0, 2) == -64 && weights(0, 3) == -64);
static_assert(weights(1, 0) == 127 && weights(1, 1) == -128 && weights(1, 2) == -128); // 1.0 saturates to 127
static_assert(weights(2, 0) == -64 && weights(2, 3) == -64);
static_assert(q::softmax(matrix<std::int8_t, 1, 1>{-7}, params)(0, 0) == 127); // a row of one entry: 1.0
// A larger beta sharpens the weights: the maximum's weight grows.
constexpr matrix<std::int8_t, 1, 3> logits{10, 0, -10};
static_assert(q::softmax(logits, q::softmax_params_for(0.1, 2.0))(0, 0) > q::softmax(logits, params)(0, 0));

// matmul_transposed and matmul: with the multiplier 1 ({2^30, 1}) and zero points 0 the output is
// the dot product, clamped.
constexpr q::matmul_params identity{0, 0, 0, {1 << 30, 1}};
constexpr matrix<std::int8_t, 2, 2> a{1, 2, 3, 4};
constexpr matrix<std::int8_t, 2, 2> b{5, 6, 7, 8};
constexpr matrix<std::int8_t, 2, 2> b_transposed{5, 7, 6, 8};
static_assert(q::matmul(a, b, identity) == matrix<std::int8_t, 2, 2>{19, 22, 43, 50});
static_assert(q::matmul_transposed(a, b_transposed, identity) == q::matmul(a, b, identity));
// Zero points: (1 - 1)(5 - 2) + (2 - 1)(7 - 2) = 5; the output zero point adds 10.
static_assert(q::matmul(a, b, {1, 2, 10, {1 << 30, 1}})(0, 0) == 15);
// Activation range: clamped to [-5, 20]; then 127 clamps all of 43 x 4.
static_assert(q::matmul(a, b, {0, 0, 0, {1 << 30, 1}, -5, 20}) == matrix<std::int8_t, 2, 2>{19, 20, 20, 20});
static_assert(q::matmul(a, b, {0, 0, 0, {1 << 30, 3}})(1, 1) == 127);

// scaled_dot_product_attention.
constexpr q::attention_quantization quantization{{0.05, 0}, {0.05, 0}, {0.1, -3}, {0.02, 0}, {0.1, 5}};
constexpr matrix<std::int8_t, 3, 2> query{10, 20, -30, 40, 50, -60};
constexpr matrix<std::int8_t, 4, 2> key{1, 2, 3, 4, -5, 6, 7, -8};
constexpr matrix<std::int8_t, 4, 3> value{1, 2, 3, 4, 5, 6, 7, 8, 9, -10, -11, -12};
constexpr auto plain = q::scaled_dot_product_attention(query, key, value, quantization);
static_assert(std::is_same_v<decltype(plain), const cxattn::attention_result<std::int8_t, 3, 4, 3>>);
// The same as the composition of the three functions with the documented parameters.
constexpr auto scores = q::matmul_transposed(query, key, {0, 0, 0, q::quantize_multiplier(0.05 * 0.05 / 0.02)});
constexpr auto composed_weights = q::softmax(scores, q::softmax_params_for(0.02, 1.0 / cxattn::portable::sqrt(2.0)));
constexpr auto composed_output =
    q::matmul(composed_weights, value, {-128, -3, 5, q::quantize_multiplier(0.1 / 256.0 / 0.1)});
static_assert(plain.weights == composed_weights);
static_assert(plain.output == composed_output);
// Causal: query 0 sees key 0 alone (weight 1.0 -> 127); lower right: query 0 sees keys 0 and 1.
constexpr auto causal = q::scaled_dot_product_attention(query, key, value, quantization, cxattn::causal);
static_assert(causal.weights(0, 0) == 127 && causal.weights(0, 1) == -128 && causal.weights(0, 3) == -128);
constexpr auto lower_right =
    q::scaled_dot_product_attention(query, key, value, quantization, cxattn::causal_lower_right);
static_assert(lower_right.weights(0, 2) == -128 && lower_right.weights(2, 3) != -128);
// A fully masked row: weights -128, output the output zero point.
constexpr matrix<bool, 3, 4> keep{false, false, false, false, true, true, false, true, true, true, true, true};
constexpr auto masked = q::scaled_dot_product_attention(query, key, value, quantization, keep);
static_assert(masked.weights(0, 0) == -128 && masked.weights(0, 3) == -128);
static_assert(masked.output(0, 0) == 5 && masked.output(0, 2) == 5);
static_assert(masked.weights(1, 2) == -128);
// An unmasked row's weights are softmax's over its unmasked entries alone.
constexpr matrix<std::int8_t, 1, 3> row1_kept{scores(1, 0), scores(1, 1), scores(1, 3)};
constexpr auto row1_weights = q::softmax(row1_kept, q::softmax_params_for(0.02, 1.0 / cxattn::portable::sqrt(2.0)));
static_assert(masked.weights(1, 0) == row1_weights(0, 0) && masked.weights(1, 1) == row1_weights(0, 1) &&
              masked.weights(1, 3) == row1_weights(0, 2));
// scale(s) replaces 1/sqrt(Dk) as beta.
constexpr auto scaled = q::scaled_dot_product_attention(query, key, value, quantization, cxattn::scale(0.25f));
static_assert(scaled.weights == q::softmax(scores, q::softmax_params_for(0.02, 0.25)));

// Products longer than one fold expression (128 terms, Clang's nesting limit): 300 x 1 x 1 / 4 = 75
// and 300 columns of 2 x 3.
constexpr auto ones = [] {
    matrix<std::int8_t, 1, 300> m{};
    for (auto& v : m.values) v = 1;
    return m;
}();
static_assert(q::matmul_transposed(ones, ones, {0, 0, 0, q::quantize_multiplier(0.25)})(0, 0) == 75);
constexpr matrix<std::int8_t, 1, 1> two{2};
constexpr matrix<std::int8_t, 1, 300> threes = [] {
    matrix<std::int8_t, 1, 300> m{};
    for (auto& v : m.values) v = 3;
    return m;
}();
static_assert(q::matmul(two, threes, identity)(0, 299) == 6 && q::matmul(two, threes, identity)(0, 0) == 6);

int main() {}
