// cxattn/attention.hpp: scaled dot-product attention, softmax(Q K^T / sqrt(Dk) + mask) V, with the
// options of cxattn/options.hpp (causal, bool and additive masks, scale).
#ifndef CXATTN_ATTENTION_HPP
#define CXATTN_ATTENTION_HPP

#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/kernels.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/ops.hpp"
#include "cxattn/options.hpp"
#include "cxattn/shapes.hpp"
#include "cxattn/softmax.hpp"

namespace cxattn {

// What scaled_dot_product_attention returns; an aggregate, so `auto [output, weights] = ...` works.
template <class T, std::size_t L, std::size_t S, std::size_t Dv> struct attention_result {
    matrix<T, L, Dv> output; // L x Dv: each query's weighted sum of the values
    matrix<T, L, S> weights; // L x S: each row is a probability distribution over the keys
};

namespace detail {

// acc.values[acc_offset + d] += weight * x.values[x_offset + d] for every d: one fold expression,
// so one Clang step per row of values, indexed per compiler as detail::dot is (ops.hpp).
template <class T, std::size_t RA, std::size_t CA, std::size_t RX, std::size_t CX, std::size_t... D>
constexpr void add_scaled(matrix<T, RA, CA>& acc, std::size_t acc_offset, T weight, const matrix<T, RX, CX>& x,
                          std::size_t x_offset, std::index_sequence<D...>) noexcept {
#if defined(__clang__)
    T* const a = &acc.values[acc_offset];
    const T* const b = &x.values[x_offset];
    ((a[D] += weight * b[D]), ...);
#else
    ((acc.values[acc_offset + D] += weight * x.values[x_offset + D]), ...);
#endif
}

// Whether the plain loops can be constant-evaluated on these operands: everything finite, except
// -inf in an additive mask (it masks, so it takes part in no arithmetic). Otherwise the
// compile-time path takes the ieee:: arithmetic.
template <class Resolved, class... Operands>
[[nodiscard]] constexpr bool plain_arithmetic_suffices(const Resolved& options, const Operands&... operands) noexcept {
    if (!(all_finite(operands) && ...)) return false;
    if (!(options.score_scale >= -std::numeric_limits<decltype(options.score_scale)>::max() &&
          options.score_scale <= std::numeric_limits<decltype(options.score_scale)>::max()))
        return false;
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
// point into one head's columns of the projected matrices.
template <class Query, class Key, class Value> struct row_operands {
    const Query& query;
    std::size_t query_offset;
    const Key& key;
    std::size_t key_offset;
    const Value& value;
    std::size_t value_offset;
};

// The score of the query row and key j, (q . k_j) * scale + bias(row, j), for a position that no
// mask excludes (mask_offset = row * S locates the row's biases). Checked: the ieee:: arithmetic.
// One return statement per case, no locals: Clang charges a step per statement evaluated.
template <std::size_t Dk, bool Checked, class Resolved, class Query, class Key, class Value>
[[nodiscard]] constexpr typename Query::value_type score(const row_operands<Query, Key, Value>& in, std::size_t j,
                                                         std::size_t mask_offset, const Resolved& options) noexcept {
    if constexpr (Checked && Resolved::has_additive_mask)
        return ieee::add(ieee::mul(ieee::dot<Dk>(in.query, in.query_offset, in.key, in.key_offset + j * Key::cols),
                                   options.score_scale),
                         options.bias->values[mask_offset + j]);
    else if constexpr (Checked)
        return ieee::mul(ieee::dot<Dk>(in.query, in.query_offset, in.key, in.key_offset + j * Key::cols),
                         options.score_scale);
    else if constexpr (Resolved::has_additive_mask)
        return dot<1>(in.query, in.query_offset, in.key, in.key_offset + j * Key::cols,
                      std::make_index_sequence<Dk>{}) *
                   options.score_scale +
               options.bias->values[mask_offset + j];
    else
        return dot<1>(in.query, in.query_offset, in.key, in.key_offset + j * Key::cols,
                      std::make_index_sequence<Dk>{}) *
               options.score_scale;
}

// One query row of attention: the S weights at weights.values[weights_offset] and the Dv outputs
// at output.values[output_offset], which must be zero on entry (they accumulate).
// Masked positions get the score -inf, which softmax_row turns into the weight 0 (or a zero row
// when all are masked); the sum of values then skips them, so a NaN or inf in a masked key or value
// is never read. Checked selects the ieee:: arithmetic (constant evaluation of NaN or inf).
template <std::size_t S, std::size_t Dk, std::size_t Dv, bool Checked, class Resolved, class Query, class Key,
          class Value, class Weights, class Output>
constexpr void attend_row(const row_operands<Query, Key, Value>& in, std::size_t row, const Resolved& options,
                          Weights& weights, std::size_t weights_offset, Output& output,
                          std::size_t output_offset) noexcept {
    using T = typename Weights::value_type;
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    constexpr std::size_t value_stride = Value::cols;
    const std::size_t end = options.key_end(row);
    const std::size_t mask_offset = row * S;

    for (std::size_t j = 0; j < end; ++j) {
        if constexpr (Resolved::has_bool_mask)
            if (!options.keep->values[mask_offset + j]) {
                weights.values[weights_offset + j] = minus_inf;
                continue;
            }
        if constexpr (Resolved::has_additive_mask)
            if (options.bias->values[mask_offset + j] == minus_inf) {
                weights.values[weights_offset + j] = minus_inf;
                continue;
            }
        weights.values[weights_offset + j] = score<Dk, Checked>(in, j, mask_offset, options);
    }
    for (std::size_t j = end; j < S; ++j) weights.values[weights_offset + j] = minus_inf;
    if (softmax_row<S>(weights, weights_offset)) { // a NaN score: the whole output row is NaN
        for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] = std::numeric_limits<T>::quiet_NaN();
        return;
    }
    for (std::size_t j = 0; j < end; ++j) {
        if constexpr (Resolved::has_bool_mask)
            if (!options.keep->values[mask_offset + j]) continue;
        if constexpr (Resolved::has_additive_mask)
            if (options.bias->values[mask_offset + j] == minus_inf) continue;
        if constexpr (Checked)
            ieee::add_scaled<Dv>(output, output_offset, weights.values[weights_offset + j], in.value,
                                 in.value_offset + j * value_stride);
        else
            add_scaled(output, output_offset, weights.values[weights_offset + j], in.value,
                       in.value_offset + j * value_stride, std::make_index_sequence<Dv>{});
    }
}

template <bool Checked, class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class Resolved>
constexpr void attend(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      const Resolved& options, attention_result<T, L, S, Dv>& result) noexcept {
    for (std::size_t i = 0; i < L; ++i)
        attend_row<S, Dk, Dv, Checked>(
            row_operands<matrix<T, L, Dk>, matrix<T, S, Dk>, matrix<T, S, Dv>>{query, i * Dk, key, 0, value, 0}, i,
            options, result.weights, i * S, result.output, i * Dv);
}

} // namespace detail

// Attention of L queries over S key/value pairs (Vaswani et al. 2017, eq. 1; the seed notebook):
// query is L x Dk, key is S x Dk, value is S x Dv. The scores are multiplied by 1/sqrt(Dk), as
// PyTorch's scaled_dot_product_attention does, or by cxattn::scale(s). The trailing options
// (cxattn/options.hpp), in any order, each at most once:
//   cxattn::causal, cxattn::causal_lower_right   which keys each query may see;
//   cxattn::matrix<bool, L, S>                   true = attend;
//   cxattn::matrix<T, L, S>                      added to the scaled scores (-inf masks);
//   cxattn::scale(s)                             replaces 1/sqrt(Dk).
// The return types of the attention functions are spelled out, not deduced: Clang 14 does not
// apply NRVO in a function whose return type is deduced, and the copy doubled the stack.
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class... Options>
[[nodiscard]] constexpr attention_result<T, L, S, Dv>
scaled_dot_product_attention(const matrix<T, L, Dk>& query, const matrix<U, S, Dk2>& key,
                             const matrix<V, S2, Dv>& value, const Options&... options) noexcept {
    // Each rule is spelled out inside its static_assert, so the diagnostic prints it with the shapes.
    static_assert(rule::same_element_type<T, U>,
                  "cxattn::scaled_dot_product_attention: query and key element types differ");
    static_assert(rule::same_element_type<T, V>,
                  "cxattn::scaled_dot_product_attention: query and value element types differ");
    static_assert(rule::query_and_key_head_sizes_agree<shapes::query<L, Dk>, shapes::key<S, Dk2>>,
                  "cxattn::scaled_dot_product_attention: query and key head sizes differ (query cols != key cols)");
    static_assert(rule::key_and_value_lengths_agree<shapes::key<S, Dk2>, shapes::value<S2, Dv>>,
                  "cxattn::scaled_dot_product_attention: key and value lengths differ (key rows != value rows)");
    static_assert(std::is_floating_point_v<T>,
                  "cxattn::scaled_dot_product_attention: the element type must be floating point");
    static_assert(rule::every_option_is_known<Options...>,
                  "cxattn::scaled_dot_product_attention: an option is none of causal, causal_lower_right, "
                  "a mask (cxattn::matrix), scale(s)");
    static_assert(rule::each_option_at_most_once<Options...>,
                  "cxattn::scaled_dot_product_attention: an option is given twice (each kind at most once)");
    static_assert(rule::one_causal_alignment<Options...>,
                  "cxattn::scaled_dot_product_attention: causal and causal_lower_right together (choose one)");
    static_assert(rule::masks_match_scores<shapes::scores<L, S>, Options...>,
                  "cxattn::scaled_dot_product_attention: a mask is not L x S (query rows x key rows)");
    static_assert(rule::additive_masks_hold_element_type<T, Options...>,
                  "cxattn::scaled_dot_product_attention: an additive mask's element type differs from the query's "
                  "(a mask holds bool, or the element type)");

    attention_result<T, L, S, Dv> r;
    if constexpr (rule::same_element_type<T, U> && rule::same_element_type<T, V> && Dk == Dk2 && S == S2 &&
                  std::is_floating_point_v<T> && rule::options_valid<T, L, S, Options...>) {
        const auto resolved = detail::resolve_options<T, L, S>(T{1} / cxattn::sqrt(static_cast<T>(Dk)), options...);
#if CXATTN_RUNTIME_KERNELS
        // At run time, the kernels written for the processor (cxattn/kernels.hpp).
        if constexpr (kernels::supported<T>) {
            if (!cxattn::detail::is_constant_evaluated()) {
                kernels::attention(query, key, value, resolved.score_scale, r.output, r.weights,
                                   kernels::mask_of<T, L, S>(resolved));
                return r;
            }
        }
#endif
        // NaN or inf in the operands takes the checked arithmetic in constant evaluation only.
        if (cxattn::detail::is_constant_evaluated() && !detail::plain_arithmetic_suffices(resolved, query, key, value))
            detail::attend<true>(query, key, value, resolved, r);
        else
            detail::attend<false>(query, key, value, resolved, r);
    }
    return r;
}

} // namespace cxattn

#endif // CXATTN_ATTENTION_HPP
