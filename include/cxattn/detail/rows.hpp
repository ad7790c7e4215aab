// SPDX-License-Identifier: MIT
// cxattn/detail/rows.hpp: the constexpr row engine under scaled_dot_product_attention,
// streaming_attention and multi_head_attention: one query row at a time, written once over an
// arithmetic policy (detail/arithmetic.hpp). The run-time kernels' counterpart is
// kernels::detail::attention_core (cxattn/kernels/attention.hpp).
#ifndef CXATTN_DETAIL_ROWS_HPP
#define CXATTN_DETAIL_ROWS_HPP

#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/detail/scores.hpp"
#include "cxattn/detail/special_rows.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/softmax.hpp"

namespace cxattn::detail {

// Whether plain_arithmetic can be constant-evaluated on these operands: everything finite, except
// -inf in an additive mask (it masks, so it takes part in no arithmetic).
template <class Resolved, class... Operands>
[[nodiscard]] constexpr bool plain_arithmetic_suffices(const Resolved& options, const Operands&... operands) noexcept {
    if (!(all_finite(operands) && ...)) return false;
    if (!is_finite(options.score_scale)) return false;
    if constexpr (Resolved::has_additive_mask) {
        for (std::size_t i = 0; i < Resolved::query_length; ++i)
            if (!row_below_plus_inf(*options.bias, i * Resolved::key_length,
                                    std::make_index_sequence<Resolved::key_length>{}))
                return false;
    }
    return true;
}

// Where one query row's operands are: the row itself (Dk values at query.values[query_offset]),
// key j (Dk values at key.values[key_offset + j * key cols]) and value j (Dv values at
// value.values[value_offset + j * value cols]). The offsets and strides let multi_head_attention
// point into one head's columns of the projected matrices. may_overflow: whether the operands'
// magnitudes allow a plain score to overflow on the way; the scores are then computed by the rule
// of detail/scores.hpp (scores_may_overflow).
template <class Query, class Key, class Value> struct row_operands {
    const Query& query;
    std::size_t query_offset;
    const Key& key;
    std::size_t key_offset;
    const Value& value;
    std::size_t value_offset;
    bool may_overflow = false;
};

// Whether some plain score of the call could overflow on the way, from every query and key value
// (finite ones: a NaN or inf operand gives NaN or inf scores by the arithmetic anyway).
template <std::size_t Dk, class Query, class Key>
[[nodiscard]] constexpr bool scores_may_overflow(const Query& query, const Key& key) noexcept {
    return plain_score_may_overflow(max_abs_finite(query), max_abs_finite(key), Dk);
}

// The score of the query row and key j, (q . k_j) * scale + bias(row, j), for a position that no
// mask excludes; without an additive mask the bias is -0, which adds nothing. By the rule of
// detail/scores.hpp where the operands could overflow a plain sum. One statement: Clang charges a
// step per statement. With softcap, ALiBi or score_mod, the scaled dot product goes through
// resolved_options::final_score, which adds the bias after them.
template <std::size_t Dk, class A, class Resolved, class Query, class Key, class Value>
[[nodiscard]] constexpr typename Query::value_type score(const row_operands<Query, Key, Value>& in, std::size_t j,
                                                         std::size_t row, const Resolved& options) noexcept {
    using T = typename Query::value_type;
    if constexpr (Resolved::modifies_scores) {
        return options.template final_score<A>(
            row, j,
            in.may_overflow ? scaled_score<A>(in.query.values + in.query_offset,
                                              in.key.values + in.key_offset + j * Key::cols, 1, Dk, options.score_scale)
                            : A::affine_dot(in.query, in.query_offset, in.key, in.key_offset + j * Key::cols,
                                            options.score_scale, T(-0.0), std::make_index_sequence<Dk>{}));
    } else {
        return in.may_overflow
                   ? A::add(scaled_score<A>(in.query.values + in.query_offset,
                                            in.key.values + in.key_offset + j * Key::cols, 1, Dk, options.score_scale),
                            Resolved::has_additive_mask ? options.bias->values[row * Resolved::key_length + j]
                                                        : T(-0.0))
                   : A::affine_dot(
                         in.query, in.query_offset, in.key, in.key_offset + j * Key::cols, options.score_scale,
                         Resolved::has_additive_mask ? options.bias->values[row * Resolved::key_length + j] : T(-0.0),
                         std::make_index_sequence<Dk>{});
    }
}

// One query row of attention: the S weights at weights.values[weights_offset] and the Dv outputs
// at output.values[output_offset], which must be zero on entry (they accumulate). A masked position
// (resolved_options::masked) gets the score -inf, which softmax_row turns into the weight 0 (or a
// zero row when all are masked); the sum of values then skips it, so a NaN or inf in a masked key or
// value is never read.
template <std::size_t S, std::size_t Dk, std::size_t Dv, class A, class Resolved, class Query, class Key, class Value,
          class Weights, class Output>
constexpr void attend_row(const row_operands<Query, Key, Value>& in, std::size_t row, const Resolved& options,
                          Weights& weights, std::size_t weights_offset, Output& output,
                          std::size_t output_offset) noexcept {
    using T = typename Weights::value_type;
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    // Keys outside [begin, end) are masked (resolved_options::masked); begin is 0 without a window.
    const std::size_t begin = options.key_begin(row), end = options.key_end(row);
    for (std::size_t j = 0; j < begin; ++j) weights.values[weights_offset + j] = minus_inf;
    for (std::size_t j = begin; j < end; ++j)
        weights.values[weights_offset + j] = Resolved::has_pointwise_mask_in_range && options.masked_in_range(row, j)
                                                 ? minus_inf
                                                 : score<Dk, A>(in, j, row, options);
    for (std::size_t j = end; j < S; ++j) weights.values[weights_offset + j] = minus_inf;
    if (softmax_row<S, Resolved::has_sink>(weights, weights_offset, options.sink_logit())) { // a NaN score: all NaN
        for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] = std::numeric_limits<T>::quiet_NaN();
        return;
    }
    for (std::size_t j = begin; j < end; ++j)
        if (!(Resolved::has_pointwise_mask_in_range && options.masked_in_range(row, j)))
            A::add_scaled(output, output_offset, weights.values[weights_offset + j], in.value,
                          in.value_offset + j * Value::cols, std::make_index_sequence<Dv>{});
}

// The online softmax's rescaling of an output row by exp(old max - new max): a factor of 0 (the
// new maximum far above the old one) gives zeros, the exact limit (those weights are 0), also where
// the running sum overflowed to inf, whose product with 0 would be NaN (constant evaluation refuses
// that; at run time the second pass would recompute the row).
template <std::size_t Dv, class A, class Output, class T>
constexpr void rescale_row(Output& output, std::size_t output_offset, T factor) noexcept {
    if (CXATTN_DETAIL_EQUAL(factor, T{}))
        for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] = T{};
    else
        A::scale_row(output, output_offset, factor, std::make_index_sequence<Dv>{});
}

// One query row by the online softmax (Milakov & Gimelshein 2018, "Online normalizer calculation
// for softmax", alg. 3; the inner loop of FlashAttention, Dao et al. 2022): one pass over the keys
// keeps the running maximum m of the scores, the running sum l of exp(score - m) and the running
// weighted sum of values in the output row itself (Dv values at output.values[output_offset], zero
// on entry); a new maximum rescales l and the sum by exp(m_old - m_new). At the end the output is
// divided by l. So a row holds Dv + 3 values, whatever S is. Masked positions, the all-masked row
// and NaN behave as in attend_row; a sink is taken in after the last key, as one more. lse is
// nullptr (std::nullptr_t), or a T* where the row's log-sum-exp goes (row_lse; NaN for a NaN row),
// for partial_attention.
template <std::size_t S, std::size_t Dk, std::size_t Dv, class A, class Resolved, class Query, class Key, class Value,
          class Output, class Lse>
constexpr void stream_row(const row_operands<Query, Key, Value>& in, std::size_t row, const Resolved& options,
                          Output& output, std::size_t output_offset, Lse lse) noexcept {
    constexpr bool with_lse = !std::is_same_v<Lse, std::nullptr_t>;
    using T = typename Output::value_type;
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    const std::size_t begin = options.key_begin(row), end = options.key_end(row); // as in attend_row

    T max = minus_inf; // m: the largest score so far
    T sum{};           // l: sum of exp(score - m) so far
    for (std::size_t j = begin; j < end; ++j) {
        if (Resolved::has_pointwise_mask_in_range && options.masked_in_range(row, j)) continue;
        const T s = score<Dk, A>(in, j, row, options);
        if (!(s <= max)) {                 // a new maximum, or NaN (which compares false)
            if (CXATTN_DETAIL_IS_NAN(s)) { // the row is NaN, as the softmax of a row holding NaN is (row_kind::nan)
                for (std::size_t d = 0; d < Dv; ++d)
                    output.values[output_offset + d] = std::numeric_limits<T>::quiet_NaN();
                if constexpr (with_lse) *lse = std::numeric_limits<T>::quiet_NaN();
                return;
            }
            if (!CXATTN_DETAIL_EQUAL(max, minus_inf)) { // rescale what was accumulated against the old maximum
                const T factor = cxattn::exp(max - s);
                sum *= factor;
                rescale_row<Dv, A>(output, output_offset, factor);
            }
            max = s;
        }
        const T weight = online_weight(s, max);
        sum += weight;
        A::add_scaled(output, output_offset, weight, in.value, in.value_offset + j * Value::cols,
                      std::make_index_sequence<Dv>{});
    }
    if constexpr (Resolved::has_sink) { // one more logit, after the last key (take_in_sink)
        const T factor = take_in_sink(options.sink_logit(), max, sum);
        if (!CXATTN_DETAIL_EQUAL(factor, T{1})) rescale_row<Dv, A>(output, output_offset, factor);
    }
    if constexpr (with_lse) *lse = row_lse(max, sum);
    if (CXATTN_DETAIL_EQUAL(sum, T{}))
        return; // every weight online_weight gave is 0 (row_kind::all_masked): the output stays 0
    if (row_finite(output, output_offset, std::make_index_sequence<Dv>{})) {
        for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] /= sum;
        return;
    }
    // The running sum, not yet divided by l <= (keys attended), overflowed (values within a factor
    // S of the largest finite number), or values hold inf or NaN: a second pass with the final m and
    // l sums normalised weights, as scaled_dot_product_attention does. Rare, so scores are recomputed.
    for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] = T{};
    for (std::size_t j = begin; j < end; ++j) {
        if (Resolved::has_pointwise_mask_in_range && options.masked_in_range(row, j)) continue;
        A::add_scaled(output, output_offset, online_weight(score<Dk, A>(in, j, row, options), max) / sum, in.value,
                      in.value_offset + j * Value::cols, std::make_index_sequence<Dv>{});
    }
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_ROWS_HPP
