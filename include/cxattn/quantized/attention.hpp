// SPDX-License-Identifier: MIT
// cxattn/quantized/attention.hpp: int8 scaled dot-product attention as TensorFlow Lite Micro and
// CMSIS-NN run it, BATCH_MATMUL -> SOFTMAX -> BATCH_MATMUL, with cxattn's options (causal,
// causal_lower_right, bool masks, scale).
#ifndef CXATTN_QUANTIZED_ATTENTION_HPP
#define CXATTN_QUANTIZED_ATTENTION_HPP

#include <cstddef>
#include <cstdint>

#include "cxattn/attention.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"
#include "cxattn/quantized/matmul.hpp"
#include "cxattn/quantized/multiplier.hpp"
#include "cxattn/quantized/rules.hpp"
#include "cxattn/quantized/softmax.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn::quantized {

// The quantization of each tensor of one attention: the int8 inputs, the int8 scores Q K^T and the
// int8 output. The weights are softmax's: scale 1/256, zero point -128.
struct attention_quantization {
    quantization query, key, value, scores, output;
};

namespace detail {

// The three parameter sets of one attention, derived as for a TFLite graph BATCH_MATMUL -> SOFTMAX ->
// BATCH_MATMUL (double arithmetic, left to right).
struct attention_params {
    matmul_params scores;
    softmax_params weights;
    int weights_left_shift;
    matmul_params output;
};

[[nodiscard]] constexpr attention_params attention_params_for(const attention_quantization& q, double beta) noexcept {
    const softmax_params weights = softmax_params_for(q.scores.scale, beta);
    return {
        {q.query.zero_point, q.key.zero_point, q.scores.zero_point,
         quantize_multiplier(q.query.scale * q.key.scale / q.scores.scale)},
        weights,
        checked_input_left_shift(weights),
        {-128, q.value.zero_point, q.output.zero_point, quantize_multiplier(q.value.scale / 256.0 / q.output.scale)}};
}

// One query row: its S scores (only those of unmasked keys are computed), their softmax over the
// unmasked keys, and the Dv outputs. A masked key's weight is -128, which adds nothing to the
// output (weight - (-128) = 0), so skipping it gives the bits of the full product.
template <std::size_t S, std::size_t Dk, std::size_t Dv, class Resolved>
constexpr void attend_row(const std::int8_t* query_row, const std::int8_t* key, const std::int8_t* value,
                          std::size_t row, const Resolved& options, const attention_params& p, std::int8_t* weights_row,
                          std::int8_t* output_row) noexcept {
    const auto attends = [&options, row](std::size_t j) { return !options.masked(row, j); };
    std::int8_t scores[S]{};
    for (std::size_t j = 0; j < S; ++j)
        if (attends(j))
            scores[j] = requantize(dot<Dk>(query_row, p.scores.lhs_zero_point, &key[j * Dk], p.scores.rhs_zero_point),
                                   p.scores);
    softmax_row<S>(scores, weights_row, p.weights, p.weights_left_shift, attends);
    matmul_row<S, Dv>(weights_row, value, p.output, output_row);
}

} // namespace detail

// Int8 attention of L queries over S keys and values: query L x Dk, key S x Dk, value S x Dv, each
// quantized as q says; returns {output: L x Dv in q.output's quantization, weights: L x S in
// softmax's (scale 1/256, zero point -128)}. The composition, with TFLite's parameter formulas:
//   scores  = matmul_transposed(query, key) with quantize_multiplier(q.query.scale * q.key.scale /
//             q.scores.scale), into q.scores;
//   weights = softmax(scores, softmax_params_for(q.scores.scale, beta)), beta = 1 / sqrt(Dk)
//             (sqrt correctly rounded, in double) or the value of cxattn::scale(s);
//   output  = weights times value with quantize_multiplier(q.value.scale / 256.0 / q.output.scale).
// Without options this is bit-exact with CMSIS-NN's arm_batch_matmul_s8 -> arm_softmax_s8 ->
// arm_batch_matmul_s8. Options (cxattn/options.hpp): causal, causal_lower_right, a bool mask
// matrix<bool, L, S> (true = attend) and scale(s); a masked position takes no part in its row's max
// or sum and gets the weight -128 (0.0), so an unmasked row's weights are those of arm_softmax_s8
// on its unmasked entries alone; a fully masked row gives weights -128 and the output zero point.
// An additive mask is refused (a float bias has no meaning on int8 scores). Invalid quantization
// (see quantize_multiplier, multiply_by_quantized_multiplier and softmax_params_for) fails to
// compile in constant evaluation.
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class... Options>
[[nodiscard]] constexpr attention_result<T, L, S, Dv>
scaled_dot_product_attention(const matrix<T, L, Dk>& query, const matrix<U, S, Dk2>& key,
                             const matrix<V, S2, Dv>& value, const attention_quantization& q,
                             const Options&... options) noexcept {
    static_assert(rule::int8_element_type<T>,
                  "cxattn::quantized::scaled_dot_product_attention: the query element type must be std::int8_t");
    static_assert(rule::int8_element_type<U>,
                  "cxattn::quantized::scaled_dot_product_attention: the key element type must be std::int8_t");
    static_assert(rule::int8_element_type<V>,
                  "cxattn::quantized::scaled_dot_product_attention: the value element type must be std::int8_t");
    static_assert(rule::query_and_key_head_sizes_agree<shapes::query<L, Dk>, shapes::key<S, Dk2>>,
                  "cxattn::quantized::scaled_dot_product_attention: query and key head sizes differ (query cols != "
                  "key cols)");
    static_assert(rule::key_and_value_lengths_agree<shapes::key<S, Dk2>, shapes::value<S2, Dv>>,
                  "cxattn::quantized::scaled_dot_product_attention: key and value lengths differ (key rows != value "
                  "rows)");
    static_assert(rule::softmax_row_fits_int32_sum<shapes::softmax_row<S>>,
                  "cxattn::quantized::scaled_dot_product_attention: more than 4095 keys (the int32 sum of exps "
                  "overflows)");
    static_assert(rule::every_option_is_known<Options...>,
                  "cxattn::quantized::scaled_dot_product_attention: an option is none of causal, "
                  "causal_lower_right, a bool mask (cxattn::matrix<bool, L, S>), scale(s)");
    static_assert(rule::each_option_at_most_once<Options...>,
                  "cxattn::quantized::scaled_dot_product_attention: an option is given twice (each kind at most "
                  "once)");
    static_assert(rule::one_causal_alignment<Options...>,
                  "cxattn::quantized::scaled_dot_product_attention: causal and causal_lower_right together (choose "
                  "one)");
    static_assert(rule::masks_match_scores<shapes::scores<L, S>, Options...>,
                  "cxattn::quantized::scaled_dot_product_attention: a mask is not L x S (query rows x key rows)");
    static_assert(rule::no_additive_mask<Options...>,
                  "cxattn::quantized::scaled_dot_product_attention: an additive (float) mask has no meaning for "
                  "int8 scores (use a bool mask, true = attend)");
    static_assert(rule::no_float_score_options<Options...>,
                  "cxattn::quantized::scaled_dot_product_attention: positions, windows, key_length, ALiBi, softcap, "
                  "score_mod, mask_mod, per_head_weights and sink are options of the float attention (here: causal, "
                  "causal_lower_right, a bool mask, scale)");

    attention_result<T, L, S, Dv> r;
    if constexpr (rule::int8_element_type<T> && rule::int8_element_type<U> && rule::int8_element_type<V> && Dk == Dk2 &&
                  S == S2 && rule::softmax_row_fits_int32_sum<shapes::softmax_row<S>> &&
                  rule::options_valid<double, L, S, Options...> && rule::no_additive_mask<Options...> &&
                  rule::no_float_score_options<Options...>) {
        const auto resolved = cxattn::detail::resolve_options<double, L, S>(
            1.0 / cxattn::portable::sqrt(static_cast<double>(Dk)), options...);
        const detail::attention_params p = detail::attention_params_for(q, resolved.score_scale);
        for (std::size_t i = 0; i < L; ++i)
            detail::attend_row<S, Dk, Dv>(&query.values[i * Dk], key.values, value.values, i, resolved, p,
                                          &r.weights.values[i * S], &r.output.values[i * Dv]);
    }
    return r;
}

} // namespace cxattn::quantized

#endif // CXATTN_QUANTIZED_ATTENTION_HPP
