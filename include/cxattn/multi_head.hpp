// SPDX-License-Identifier: MIT
// cxattn/multi_head.hpp: multi-head attention with input and output projections, as
// torch.nn.MultiheadAttention (batch_first=True, need_weights=True, average_attn_weights=True),
// with grouped-query and multi-query attention (fewer key/value heads than query heads).
#ifndef CXATTN_MULTI_HEAD_HPP
#define CXATTN_MULTI_HEAD_HPP

#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/attention.hpp"
#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/detail/dispatch.hpp"
#include "cxattn/detail/entry_rules.hpp"
#include "cxattn/detail/rows.hpp"
#include "cxattn/kernels/attention.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/ops.hpp"
#include "cxattn/options.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn {

namespace shapes {
template <std::size_t E> struct embed_dim {};
template <std::size_t NumHeads> struct num_heads {};
template <std::size_t NumKvHeads> struct num_kv_heads {};
template <std::size_t K> struct kdim {};
template <std::size_t V> struct vdim {};
} // namespace shapes

namespace rule {

// Each head takes E / NumHeads columns of the projected query.
template <class EmbedDim, class NumHeads> inline constexpr bool num_heads_divide_embed_dim = false;
template <std::size_t E, std::size_t NumHeads>
inline constexpr bool num_heads_divide_embed_dim<shapes::embed_dim<E>, shapes::num_heads<NumHeads>> =
    NumHeads != 0 && E % NumHeads == 0;

// Each key/value head serves NumHeads / NumKvHeads query heads.
template <class NumHeads, class NumKvHeads> inline constexpr bool num_kv_heads_divide_num_heads = false;
template <std::size_t NumHeads, std::size_t NumKvHeads>
inline constexpr bool num_kv_heads_divide_num_heads<shapes::num_heads<NumHeads>, shapes::num_kv_heads<NumKvHeads>> =
    NumKvHeads != 0 && NumHeads % NumKvHeads == 0;

template <class Query, class EmbedDim> inline constexpr bool query_cols_are_embed_dim = false;
template <std::size_t L, std::size_t Eq, std::size_t E>
inline constexpr bool query_cols_are_embed_dim<shapes::query<L, Eq>, shapes::embed_dim<E>> = Eq == E;

template <class Key, class KDim> inline constexpr bool key_cols_are_kdim = false;
template <std::size_t S, std::size_t K, std::size_t KDim>
inline constexpr bool key_cols_are_kdim<shapes::key<S, K>, shapes::kdim<KDim>> = K == KDim;

template <class Value, class VDim> inline constexpr bool value_cols_are_vdim = false;
template <std::size_t S, std::size_t V, std::size_t VDim>
inline constexpr bool value_cols_are_vdim<shapes::value<S, V>, shapes::vdim<VDim>> = V == VDim;

// Every rule of multi_head_attention on its operands (mha_params checks its own): the element types
// of query, key, value (T, U, V) and of the parameters (W), the operands' shapes against the
// parameters' E, KDim and VDim, the options.
template <class T, class U, class V, class W, class Query, class Key, class Value, class EmbedDim, class KeyDim,
          class ValueDim, class... Options>
inline constexpr bool multi_head_operands_valid = false;
template <class T, class U, class V, class W, std::size_t L, std::size_t QueryCols, std::size_t S, std::size_t KeyCols,
          std::size_t S2, std::size_t ValueCols, std::size_t E, std::size_t KDim, std::size_t VDim, class... Options>
inline constexpr bool multi_head_operands_valid<T, U, V, W, shapes::query<L, QueryCols>, shapes::key<S, KeyCols>,
                                                shapes::value<S2, ValueCols>, shapes::embed_dim<E>, shapes::kdim<KDim>,
                                                shapes::vdim<VDim>, Options...> =
    (same_element_type<T, U> && same_element_type<T, V> && same_element_type<T, W> && QueryCols == E &&
     KeyCols == KDim && ValueCols == VDim && S == S2 && attention_options_valid<T, L, S, Options...>);

} // namespace rule

// The parameters of multi_head_attention, in torch.nn.MultiheadAttention's layout: a projection
// computes y = x W^T + b (torch.nn.functional.linear), so W is (outputs x inputs) and a state_dict's
// weights are copied without transposition. With KDim = VDim = E and NumKvHeads = NumHeads,
// in_proj_weight (3E x E) is q_proj, k_proj, v_proj stacked in that order, in_proj_bias (3E) is
// q_bias, k_bias, v_bias, and out_proj.weight, out_proj.bias are out_proj, out_bias.
// An aggregate: initialise it with the eight matrices in the order of the members.
template <class T, std::size_t E, std::size_t NumHeads, std::size_t KDim = E, std::size_t VDim = E,
          std::size_t NumKvHeads = NumHeads>
struct mha_params {
    static_assert(rule::num_heads_divide_embed_dim<shapes::embed_dim<E>, shapes::num_heads<NumHeads>>,
                  "cxattn::mha_params: the embedding size E is not a multiple of NumHeads "
                  "(each head takes E / NumHeads columns)");
    static_assert(rule::num_kv_heads_divide_num_heads<shapes::num_heads<NumHeads>, shapes::num_kv_heads<NumKvHeads>>,
                  "cxattn::mha_params: NumHeads is not a multiple of NumKvHeads "
                  "(each key/value head serves NumHeads / NumKvHeads query heads)");
    static_assert(std::is_floating_point_v<T>, "cxattn::mha_params: the element type must be floating point");

    static constexpr bool valid =
        rule::num_heads_divide_embed_dim<shapes::embed_dim<E>, shapes::num_heads<NumHeads>> &&
        rule::num_kv_heads_divide_num_heads<shapes::num_heads<NumHeads>, shapes::num_kv_heads<NumKvHeads>> &&
        std::is_floating_point_v<T>;
    static constexpr std::size_t embed_dim = E;
    static constexpr std::size_t num_heads = NumHeads;
    static constexpr std::size_t num_kv_heads = NumKvHeads;
    static constexpr std::size_t kdim = KDim;
    static constexpr std::size_t vdim = VDim;
    static constexpr std::size_t head_dim = valid ? E / NumHeads : 1;
    // Columns of the projected keys and values: NumKvHeads heads of head_dim.
    static constexpr std::size_t kv_dim = valid ? NumKvHeads * head_dim : 1;

    matrix<T, E, E> q_proj;         // E x E
    matrix<T, kv_dim, KDim> k_proj; // NumKvHeads*E/NumHeads x KDim
    matrix<T, kv_dim, VDim> v_proj; // NumKvHeads*E/NumHeads x VDim
    matrix<T, E, E> out_proj;       // E x E
    matrix<T, 1, E> q_bias;
    matrix<T, 1, kv_dim> k_bias;
    matrix<T, 1, kv_dim> v_bias;
    matrix<T, 1, E> out_bias;
};

// The former name of mha_params, kept for one release (deprecated; see CHANGELOG.md).
template <class T, std::size_t E, std::size_t NumHeads, std::size_t KDim = E, std::size_t VDim = E,
          std::size_t NumKvHeads = NumHeads>
using mha_weights [[deprecated("cxattn::mha_weights is now cxattn::mha_params")]] =
    mha_params<T, E, NumHeads, KDim, VDim, NumKvHeads>;

// What multi_head_attention returns with cxattn::per_head_weights: the output (L x E) and each
// query head's weights (L x S each; PyTorch's average_attn_weights=False). An aggregate.
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t NumHeads> struct multi_head_result {
    matrix<T, L, E> output;
    std::array<matrix<T, L, S>, NumHeads> weights;
};

namespace detail {

template <class R> inline constexpr bool is_multi_head_result = false;
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t NumHeads>
inline constexpr bool is_multi_head_result<multi_head_result<T, L, S, E, NumHeads>> = true;

// The result of multi_head_attention with these options.
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t NumHeads, class... Options>
using multi_head_result_of = std::conditional_t<count_options<option_kind::per_head_weights, Options...> != 0,
                                                multi_head_result<T, L, S, E, NumHeads>, attention_result<T, L, S, E>>;

// y.values[y_offset + o] = x.values[x_offset ...] . weight row o + bias[o]: one row of x W^T + b.
template <class A, class T, std::size_t RX, std::size_t In, std::size_t Out, std::size_t RY>
constexpr void project_row(const matrix<T, RX, In>& x, std::size_t x_offset, const matrix<T, Out, In>& weight,
                           const matrix<T, 1, Out>& bias, matrix<T, RY, Out>& y, std::size_t y_offset) noexcept {
    for (std::size_t o = 0; o < Out; ++o)
        y.values[y_offset + o] =
            A::affine_dot(x, x_offset, weight, o * In, T{1}, bias.values[o], std::make_index_sequence<In>{});
}

template <class A, class T, std::size_t L, std::size_t E, std::size_t S, std::size_t KDim, std::size_t VDim,
          std::size_t NumHeads, std::size_t NumKvHeads, class Resolved, class Result>
constexpr void multi_head(const matrix<T, L, E>& query, const matrix<T, S, KDim>& key, const matrix<T, S, VDim>& value,
                          const mha_params<T, E, NumHeads, KDim, VDim, NumKvHeads>& params, const Resolved& options,
                          Result& result) noexcept {
    constexpr bool per_head = is_multi_head_result<Result>;
    using params_type = mha_params<T, E, NumHeads, KDim, VDim, NumKvHeads>;
    constexpr std::size_t head_dim = params_type::head_dim;
    constexpr std::size_t kv_dim = params_type::kv_dim;
    constexpr std::size_t group = NumHeads / NumKvHeads; // query heads per key/value head (PyTorch's enable_gqa)

    // Every query row reads every projected key and value; a query row is projected when needed.
    matrix<T, S, kv_dim> keys;
    matrix<T, S, kv_dim> values;
    for (std::size_t j = 0; j < S; ++j) {
        project_row<A>(key, j * KDim, params.k_proj, params.k_bias, keys, j * kv_dim);
        project_row<A>(value, j * VDim, params.v_proj, params.v_bias, values, j * kv_dim);
    }
    const T max_abs_key = max_abs_finite(keys);
    matrix<T, 1, E> query_row;
    matrix<T, 1, S> head_weights;
    for (std::size_t i = 0; i < L; ++i) {
        project_row<A>(query, i * E, params.q_proj, params.q_bias, query_row, 0);
        const bool overflow_possible = plain_score_may_overflow(max_abs_finite(query_row), max_abs_key, head_dim);
        matrix<T, 1, E> heads{}; // the heads' outputs side by side (PyTorch's concatenation)
        for (std::size_t h = 0; h < NumHeads; ++h) {
            const std::size_t kv_offset = h / group * head_dim;
            // The head's weights: straight into its own matrix (per_head_weights), or summed.
            auto& weights_row = [&]() -> auto& {
                if constexpr (per_head)
                    return result.weights[h];
                else
                    return head_weights;
            }
            ();
            attend_row<S, head_dim, head_dim, A>(
                row_operands<matrix<T, 1, E>, matrix<T, S, kv_dim>, matrix<T, S, kv_dim>>{
                    query_row, h * head_dim, keys, kv_offset, values, kv_offset, overflow_possible},
                i,
                [&]() -> decltype(auto) {
                    if constexpr (Resolved::has_modifiers)
                        return options.for_head(h, NumHeads);
                    else
                        return (options);
                }(),
                weights_row, per_head ? i* S : 0, heads, h* head_dim);
            if constexpr (!per_head)
                for (std::size_t j = 0; j < S; ++j)
                    result.weights.values[i * S + j] = A::add(result.weights.values[i * S + j], head_weights.values[j]);
        }
        if constexpr (!per_head)
            for (std::size_t j = 0; j < S; ++j) // the mean over the heads (average_attn_weights=True)
                result.weights.values[i * S + j] =
                    A::divide(result.weights.values[i * S + j], static_cast<T>(NumHeads));
        project_row<A>(heads, 0, params.out_proj, params.out_bias, result.output, i * E);
    }
}

} // namespace detail

namespace detail {

// multi_head_attention into r, whose rules hold, in place.
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t NumHeads, std::size_t KDim,
          std::size_t VDim, std::size_t NumKvHeads, class Result, class... Options>
constexpr void multi_head_into(const matrix<T, L, E>& query, const matrix<T, S, KDim>& key,
                               const matrix<T, S, VDim>& value,
                               const mha_params<T, E, NumHeads, KDim, VDim, NumKvHeads>& params, Result& r,
                               const Options&... options) noexcept {
    using params_type = mha_params<T, E, NumHeads, KDim, VDim, NumKvHeads>;
    const auto resolved = resolve_options<T, L, S>(default_scale<T, params_type::head_dim>, options...);
    if (resolved.refuses_sink()) { // a sink of NaN or +inf (sink_is_usable): the whole result is NaN
        fill_with_nan(r.output);
        if constexpr (is_multi_head_result<Result>)
            for (auto& w : r.weights) fill_with_nan(w);
        else
            fill_with_nan(r.weights);
        return;
    }
    const path chosen = path_for<T>([&] {
        return plain_arithmetic_suffices(resolved, query, key, value, params.q_proj, params.k_proj, params.v_proj,
                                         params.out_proj, params.q_bias, params.k_bias, params.v_bias, params.out_bias);
    });
    if (chosen == path::kernels) {
        if constexpr (kernels_serve<T>)
            kernels::multi_head_attention<T, L, S, E, KDim, VDim, NumHeads, NumKvHeads>(
                query, key, value, params, resolved.score_scale, r.output, r.weights,
                kernels::mask_of<T, L, S>(resolved));
        return;
    }
    if constexpr (!is_multi_head_result<Result>)
        for (T& x : r.weights.values) x = T{}; // the heads' weights are summed into them
    if (chosen == path::plain)
        multi_head<plain_arithmetic>(query, key, value, params, resolved, r);
    else
        multi_head<ieee_arithmetic>(query, key, value, params, resolved, r);
}

} // namespace detail

// The entry rules of both multi_head_attention overloads, each spelled out inside its static_assert,
// so the diagnostic prints it with the shapes (a macro: a message must be a literal). E % NumHeads
// and NumHeads % NumKvHeads are mha_params' own rules.
#define CXATTN_DETAIL_CHECK_MULTI_HEAD_RULES                                                                           \
    static_assert(rule::same_element_type<T, U>, "cxattn::multi_head_attention: query and key element types differ");  \
    static_assert(rule::same_element_type<T, V>,                                                                       \
                  "cxattn::multi_head_attention: query and value element types differ");                               \
    static_assert(rule::same_element_type<T, W>,                                                                       \
                  "cxattn::multi_head_attention: query and parameter element types differ");                           \
    static_assert(rule::query_cols_are_embed_dim<shapes::query<L, QueryCols>, shapes::embed_dim<E>>,                   \
                  "cxattn::multi_head_attention: query cols differ from the parameters' embedding size E");            \
    static_assert(rule::key_cols_are_kdim<shapes::key<S, KeyCols>, shapes::kdim<KDim>>,                                \
                  "cxattn::multi_head_attention: key cols differ from the parameters' KDim");                          \
    static_assert(rule::value_cols_are_vdim<shapes::value<S2, ValueCols>, shapes::vdim<VDim>>,                         \
                  "cxattn::multi_head_attention: value cols differ from the parameters' VDim");                        \
    static_assert(rule::key_and_value_lengths_agree<shapes::key<S, KeyCols>, shapes::value<S2, ValueCols>>,            \
                  "cxattn::multi_head_attention: key and value lengths differ (key rows != value rows)");              \
    static_assert(rule::sinks_fit_heads<T, NumHeads, Options...>,                                                      \
                  "cxattn::multi_head_attention: a sink's logit is a floating-point number, or a "                     \
                  "matrix<T, 1, NumHeads> of one logit per query head");                                               \
    CXATTN_DETAIL_CHECK_OPTION_RULES("cxattn::multi_head_attention", T, L, S, Options)

// torch.nn.MultiheadAttention(E, NumHeads, kdim=KDim, vdim=VDim, batch_first=True) applied to
// (query, key, value) with need_weights=True, average_attn_weights=True, one batch: query is L x E,
// key S x KDim, value S x VDim. Each head h attends, by scaled_dot_product_attention's rules, with
// columns [h*E/NumHeads, (h+1)*E/NumHeads) of the projected query and the columns of key/value
// head h / (NumHeads / NumKvHeads) (grouped-query attention; NumKvHeads = 1 is multi-query).
// Returns output (L x E) and weights (L x S, the mean of the heads' weights; with
// cxattn::per_head_weights a multi_head_result, each query head's L x S weights). The options are
// those of scaled_dot_product_attention, applied to every head (score_mod and mask_mod receive the
// query head; cxattn::alibi gives each its slope; cxattn::sink takes one logit for every head or a
// matrix<T, 1, NumHeads> of one per query head); the default scale is 1/sqrt(E/NumHeads). Masks keep SDPA's polarity (true = attend), the opposite of
// nn.MultiheadAttention's bool attn_mask.
template <class T, std::size_t L, std::size_t QueryCols, class U, std::size_t S, std::size_t KeyCols, class V,
          std::size_t S2, std::size_t ValueCols, class W, std::size_t E, std::size_t NumHeads, std::size_t KDim,
          std::size_t VDim, std::size_t NumKvHeads, class... Options>
[[nodiscard]] constexpr detail::multi_head_result_of<T, L, S, E, NumHeads, Options...> multi_head_attention(
    const matrix<T, L, QueryCols>& query, const matrix<U, S, KeyCols>& key, const matrix<V, S2, ValueCols>& value,
    const mha_params<W, E, NumHeads, KDim, VDim, NumKvHeads>& params, const Options&... options) noexcept {
    CXATTN_DETAIL_CHECK_MULTI_HEAD_RULES;

    detail::multi_head_result_of<T, L, S, E, NumHeads, Options...> r;
    if constexpr (mha_params<W, E, NumHeads, KDim, VDim, NumKvHeads>::valid &&
                  rule::multi_head_operands_valid<T, U, V, W, shapes::query<L, QueryCols>, shapes::key<S, KeyCols>,
                                                  shapes::value<S2, ValueCols>, shapes::embed_dim<E>,
                                                  shapes::kdim<KDim>, shapes::vdim<VDim>, Options...> &&
                  rule::sinks_fit_heads<T, NumHeads, Options...>)
        detail::multi_head_into(query, key, value, params, r, options...);
    return r;
}

// The same, written into the caller's result: multi_head_attention(query, key, value, params,
// result, options...), result being the attention_result<T, L, S, E> the call would return (static
// storage, say, when L x S or L x E does not fit the stack). Also in constant evaluation.
template <class T, std::size_t L, std::size_t QueryCols, class U, std::size_t S, std::size_t KeyCols, class V,
          std::size_t S2, std::size_t ValueCols, class W, std::size_t E, std::size_t NumHeads, std::size_t KDim,
          std::size_t VDim, std::size_t NumKvHeads, class Result, class... Options>
requires(
    detail::is_attention_result<Result> ||
    detail::is_multi_head_result<
        Result>) constexpr void multi_head_attention(const matrix<T, L, QueryCols>& query,
                                                     const matrix<U, S, KeyCols>& key,
                                                     const matrix<V, S2, ValueCols>& value,
                                                     const mha_params<W, E, NumHeads, KDim, VDim, NumKvHeads>& params,
                                                     Result& result, const Options&... options) noexcept {
    CXATTN_DETAIL_CHECK_MULTI_HEAD_RULES;

    static_assert(
        rule::result_type_matches_operands<Result, detail::multi_head_result_of<T, L, S, E, NumHeads, Options...>>,
        "cxattn::multi_head_attention: the result is not the attention_result<T, L, S, E> (with "
        "per_head_weights: multi_head_result<T, L, S, E, NumHeads>) of the operands "
        "(query's element type, query rows, key rows, the parameters' E)");
    if constexpr (mha_params<W, E, NumHeads, KDim, VDim, NumKvHeads>::valid &&
                  rule::multi_head_operands_valid<T, U, V, W, shapes::query<L, QueryCols>, shapes::key<S, KeyCols>,
                                                  shapes::value<S2, ValueCols>, shapes::embed_dim<E>,
                                                  shapes::kdim<KDim>, shapes::vdim<VDim>, Options...> &&
                  rule::sinks_fit_heads<T, NumHeads, Options...> &&
                  rule::result_type_matches_operands<Result,
                                                     detail::multi_head_result_of<T, L, S, E, NumHeads, Options...>>)
        detail::multi_head_into(query, key, value, params, result, options...);
}

} // namespace cxattn

#undef CXATTN_DETAIL_CHECK_MULTI_HEAD_RULES

#endif // CXATTN_MULTI_HEAD_HPP
