// SPDX-License-Identifier: MIT
// cxattn/additive.hpp: additive (Bahdanau) attention, softmax(v . tanh(W_q q_i + W_k k_j) + mask) V,
// with the mask and position options of cxattn/options.hpp.
//
//   cxattn::additive_attention(Q, K, V, params, cxattn::causal);
#ifndef CXATTN_ADDITIVE_HPP
#define CXATTN_ADDITIVE_HPP

#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/attention.hpp"
#include "cxattn/config.hpp"
#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/detail/dispatch.hpp"
#include "cxattn/detail/entry_rules.hpp"
#include "cxattn/detail/rows.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"
#include "cxattn/shapes.hpp"
#include "cxattn/softmax.hpp"

namespace cxattn {

// The parameters of additive_attention: the alignment model a(q, k) = v . tanh(W_q q + W_k k) of
// Bahdanau et al. 2015 (appendix A.1.2: W_a, U_a, v_a), for queries of Dq columns, keys of Dk
// columns and A hidden units. An aggregate: additive_params<float, 2, 3, 5>{w_query, w_key, v}.
template <class T, std::size_t Dq, std::size_t Dk, std::size_t A> struct additive_params {
    matrix<T, A, Dq> w_query; // A x Dq: x = Q W_q^T
    matrix<T, A, Dk> w_key;   // A x Dk: y = K W_k^T
    matrix<T, 1, A> v;        // 1 x A: score(i, j) = sum_a v_a tanh(x_ia + y_ja)
};

namespace shapes {
template <std::size_t Rows, std::size_t Cols> struct w_query {};
template <std::size_t Rows, std::size_t Cols> struct w_key {};
} // namespace shapes

namespace detail {

// Whether additive_attention defines an option of this kind (rule::additive_options_defined).
[[nodiscard]] constexpr bool additive_defines(option_kind kind) noexcept {
    return kind == option_kind::causal || kind == option_kind::causal_lower_right || kind == option_kind::bool_mask ||
           kind == option_kind::additive_mask || kind == option_kind::query_offset || kind == option_kind::key_offset ||
           kind == option_kind::align_lower_right || kind == option_kind::sliding_window ||
           kind == option_kind::key_length || kind == option_kind::mask_mod || kind == option_kind::scale ||
           kind == option_kind::result || kind == option_kind::unknown;
}

} // namespace detail

namespace rule {

// W_q multiplies each query: its cols are the query's cols.
template <class Query, class WQuery> inline constexpr bool query_cols_are_w_query_cols = false;
template <std::size_t L, std::size_t Dq, std::size_t A, std::size_t Dq2>
inline constexpr bool query_cols_are_w_query_cols<shapes::query<L, Dq>, shapes::w_query<A, Dq2>> = Dq == Dq2;

// W_k multiplies each key: its cols are the key's cols.
template <class Key, class WKey> inline constexpr bool key_cols_are_w_key_cols = false;
template <std::size_t S, std::size_t Dk, std::size_t A, std::size_t Dk2>
inline constexpr bool key_cols_are_w_key_cols<shapes::key<S, Dk>, shapes::w_key<A, Dk2>> = Dk == Dk2;

// The additive score is v . tanh(...) as it stands: no scale (Bahdanau et al. have none).
template <class... Options>
inline constexpr bool additive_scores_unscaled = detail::count_options<detail::option_kind::scale, Options...> == 0;

// The options additive_attention defines: the masks and the positions, as scaled_dot_product_attention
// does. softcap, ALiBi and score_mod are defined on scaled dot products, per_head_weights on heads;
// those, and any option added later, are rule errors here until defined (a scale, a misplaced
// result and an unknown option have rules of their own).
template <class... Options>
inline constexpr bool additive_options_defined = (detail::additive_defines(detail::kind_of_option<Options>) && ...);

// Every rule of additive_attention: T, U, V, P the element types of query, key, value and params;
// Query, Key, Value, WQuery, WKey their shapes.
template <class T, class U, class V, class P, class Query, class Key, class Value, class WQuery, class WKey,
          class... Options>
inline constexpr bool additive_operands_valid = false;
template <class T, class U, class V, class P, std::size_t L, std::size_t Dq, std::size_t S, std::size_t Dk,
          std::size_t S2, std::size_t Dv, std::size_t A, std::size_t Dq2, std::size_t A2, std::size_t Dk2,
          class... Options>
inline constexpr bool
    additive_operands_valid<T, U, V, P, shapes::query<L, Dq>, shapes::key<S, Dk>, shapes::value<S2, Dv>,
                            shapes::w_query<A, Dq2>, shapes::w_key<A2, Dk2>, Options...> =
        same_element_type<T, U>&& same_element_type<T, V>&& same_element_type<T, P>&& std::is_floating_point_v<T>&&
            query_cols_are_w_query_cols<shapes::query<L, Dq>, shapes::w_query<A, Dq2>>&&
                key_cols_are_w_key_cols<shapes::key<S, Dk>, shapes::w_key<A2, Dk2>>&& key_and_value_lengths_agree<
                    shapes::key<S, Dk>, shapes::value<S2, Dv>>&& additive_scores_unscaled<Options...>&&
                    additive_options_defined<Options...>&& attention_options_valid<T, L, S, Options...>;

} // namespace rule

namespace detail {

// The additive score of the query row whose projection is x (x_a = (W_q q_i)_a) and key `key`
// (y.values[key * A + a] = (W_k k_j)_a): sum over a of v_a tanh(x_a + y_a), summed left to right
// from a = 0, then the additive mask's bias. Called for unmasked positions only.
template <class Arithmetic, std::size_t A, std::size_t Rows, class T, class Resolved>
[[nodiscard]] constexpr T additive_score(const matrix<T, 1, A>& x, const matrix<T, Rows, A>& y, std::size_t key,
                                         const matrix<T, 1, A>& v, std::size_t row, const Resolved& options) noexcept {
    T s{};
    for (std::size_t a = 0; a < A; ++a)
        s = Arithmetic::add(
            s, Arithmetic::mul(v.values[a], cxattn::tanh(Arithmetic::add(x.values[a], y.values[key * A + a]))));
    if constexpr (Resolved::has_additive_mask)
        s = Arithmetic::add(s, options.bias->values[row * Resolved::key_length + key]);
    return s;
}

// additive_attention into r, row by row over the arithmetic policy (detail/arithmetic.hpp). The key
// projections y = K W_k^T are computed once, for the keys some query may see (below the largest
// key_end); each query's projection x_i = W_q q_i when its row is reached. Masked positions get
// the score -inf without computing it, and their values are not read, as in detail::attend_row.
template <class Arithmetic, class T, std::size_t L, std::size_t Dq, std::size_t S, std::size_t Dk, std::size_t Dv,
          std::size_t A, class Resolved>
constexpr void additive_rows(const matrix<T, L, Dq>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                             const additive_params<T, Dq, Dk, A>& params, const Resolved& options,
                             attention_result<T, L, S, Dv>& r) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    std::size_t keys_seen = 0;
    for (std::size_t i = 0; i < L; ++i)
        if (options.key_end(i) > keys_seen) keys_seen = options.key_end(i);
    matrix<T, S, A> y;
    for (std::size_t j = 0; j < keys_seen; ++j)
        for (std::size_t a = 0; a < A; ++a)
            y.values[j * A + a] = Arithmetic::dot(key, j * Dk, params.w_key, a * Dk, std::make_index_sequence<Dk>{});
    matrix<T, 1, A> x;
    for (std::size_t i = 0; i < L; ++i) {
        for (std::size_t a = 0; a < A; ++a)
            x.values[a] = Arithmetic::dot(query, i * Dq, params.w_query, a * Dq, std::make_index_sequence<Dq>{});
        // Keys outside [begin, end) are masked (resolved_options::masked), as in detail::attend_row.
        const std::size_t begin = options.key_begin(i), end = options.key_end(i);
        for (std::size_t j = 0; j < begin; ++j) r.weights.values[i * S + j] = minus_inf;
        for (std::size_t j = begin; j < end; ++j)
            r.weights.values[i * S + j] = Resolved::has_pointwise_mask_in_range && options.masked_in_range(i, j)
                                              ? minus_inf
                                              : additive_score<Arithmetic>(x, y, j, params.v, i, options);
        for (std::size_t j = end; j < S; ++j) r.weights.values[i * S + j] = minus_inf;
        for (std::size_t d = 0; d < Dv; ++d) r.output.values[i * Dv + d] = T{};
        if (softmax_row<S>(r.weights, i * S)) { // a NaN score: the whole output row is NaN
            for (std::size_t d = 0; d < Dv; ++d) r.output.values[i * Dv + d] = std::numeric_limits<T>::quiet_NaN();
            continue;
        }
        for (std::size_t j = begin; j < end; ++j)
            if (!(Resolved::has_pointwise_mask_in_range && options.masked_in_range(i, j)))
                Arithmetic::add_scaled(r.output, i * Dv, r.weights.values[i * S + j], value, j * Dv,
                                       std::make_index_sequence<Dv>{});
    }
}

template <class T, std::size_t L, std::size_t Dq, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t A,
          class... Options>
constexpr void additive_attention_into(const matrix<T, L, Dq>& query, const matrix<T, S, Dk>& key,
                                       const matrix<T, S, Dv>& value, const additive_params<T, Dq, Dk, A>& params,
                                       attention_result<T, L, S, Dv>& r, const Options&... options) noexcept {
    const auto resolved = resolve_options<T, L, S>(T{1}, options...); // the factor is not used: no scale
    // At run time and on finite operands plain arithmetic; in constant evaluation of operands that
    // hold NaN or inf, ieee_arithmetic (detail/dispatch.hpp). No kernel serves this function.
    if (path_for<T>([&] {
            return plain_arithmetic_suffices(resolved, query, key, value, params.w_query, params.w_key, params.v);
        }) == path::ieee)
        additive_rows<ieee_arithmetic>(query, key, value, params, resolved, r);
    else
        additive_rows<plain_arithmetic>(query, key, value, params, resolved, r);
}

} // namespace detail

// Additive attention of L queries over S key/value pairs (Bahdanau, Cho & Bengio 2015, "Neural
// machine translation by jointly learning to align and translate", eq. 6 and appendix A.1.2): query
// is L x Dq, key S x Dk, value S x Dv, params holds W_q (A x Dq), W_k (A x Dk) and v (1 x A).
// score(i, j) = sum_a v_a tanh(x_ia + y_ja), x = Q W_q^T, y = K W_k^T, with no scale; the weights
// are the softmax of each row of scores and the output their weighted sum of the values. Returns
// {output (L x Dv), weights (L x S)}. The masks and positions of scaled_dot_product_attention apply
// as defined there (docs/semantics.md): causal, causal_lower_right, a bool mask (true = attend), an
// additive mask (added to the score; -inf masks), query_offset, key_offset, align_lower_right,
// sliding_window, key_length, mask_mod. scale, softcap, alibi, alibi_slope, score_mod, per_head_weights
// (and any other option) are rule errors. docs/semantics.md, "Additive attention", has the edge cases.
template <class T, std::size_t L, std::size_t Dq, class U, std::size_t S, std::size_t Dk, class V, std::size_t S2,
          std::size_t Dv, class P, std::size_t Dq2, std::size_t Dk2, std::size_t A, class... Options>
[[nodiscard]] constexpr attention_result<T, L, S, Dv>
additive_attention(const matrix<T, L, Dq>& query, const matrix<U, S, Dk>& key, const matrix<V, S2, Dv>& value,
                   const additive_params<P, Dq2, Dk2, A>& params, const Options&... options) noexcept {
    static_assert(rule::same_element_type<T, U>, "cxattn::additive_attention: query and key element types differ");
    static_assert(rule::same_element_type<T, V>, "cxattn::additive_attention: query and value element types differ");
    static_assert(rule::same_element_type<T, P>,
                  "cxattn::additive_attention: query and parameter element types differ");
    static_assert(std::is_floating_point_v<T>, "cxattn::additive_attention: the element type must be floating point");
    static_assert(rule::query_cols_are_w_query_cols<shapes::query<L, Dq>, shapes::w_query<A, Dq2>>,
                  "cxattn::additive_attention: query cols differ from the parameters' w_query cols (Dq)");
    static_assert(rule::key_cols_are_w_key_cols<shapes::key<S, Dk>, shapes::w_key<A, Dk2>>,
                  "cxattn::additive_attention: key cols differ from the parameters' w_key cols (Dk)");
    static_assert(rule::key_and_value_lengths_agree<shapes::key<S, Dk>, shapes::value<S2, Dv>>,
                  "cxattn::additive_attention: key and value lengths differ (key rows != value rows)");
    static_assert(rule::additive_scores_unscaled<Options...>,
                  "cxattn::additive_attention: cxattn::scale is not defined for additive attention (its scores "
                  "are not scaled)");
    static_assert(rule::additive_options_defined<Options...>,
                  "cxattn::additive_attention: an option is not defined for additive attention (it takes the masks "
                  "and positions: causal, causal_lower_right, a mask, query_offset, key_offset, align_lower_right, "
                  "sliding_window, key_length, mask_mod; not softcap, alibi, alibi_slope, score_mod, "
                  "per_head_weights)");
    CXATTN_DETAIL_CHECK_OPTION_RULES("cxattn::additive_attention", T, L, S, Options);

    attention_result<T, L, S, Dv> r;
    if constexpr (rule::additive_operands_valid<T, U, V, P, shapes::query<L, Dq>, shapes::key<S, Dk>,
                                                shapes::value<S2, Dv>, shapes::w_query<A, Dq2>, shapes::w_key<A, Dk2>,
                                                Options...>)
        detail::additive_attention_into(query, key, value, params, r, options...);
    return r;
}

} // namespace cxattn

#endif // CXATTN_ADDITIVE_HPP
