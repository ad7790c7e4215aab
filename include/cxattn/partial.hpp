// SPDX-License-Identifier: MIT
// cxattn/partial.hpp: split-KV attention. partial_attention attends to one part of the keys and
// returns each row's log-sum-exp with its output; merge combines two parts into the attention over
// both (flash-decoding's split-KV reduction; FlashAttention's softmax_lse).
#ifndef CXATTN_PARTIAL_HPP
#define CXATTN_PARTIAL_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/config.hpp"
#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/entry_rules.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"
#include "cxattn/streaming.hpp"

namespace cxattn {

// What partial_attention and merge return; an aggregate, so `auto [output, lse] = ...` works.
template <class T, std::size_t L, std::size_t Dv> struct partial_result {
    matrix<T, L, Dv> output; // L x Dv: the attention over this part's keys alone
    matrix<T, L, 1> lse;     // L x 1: log of sum_j exp(score_ij) over the part's attended keys; -inf for none
};

namespace detail {

template <class R> inline constexpr bool is_partial_result = false;
template <class T, std::size_t L, std::size_t Dv>
inline constexpr bool is_partial_result<partial_result<T, L, Dv>> = true;

} // namespace detail

namespace rule {

// A part's queries are placed by query_offset: causal_lower_right and align_lower_right place them
// by the part's own key count, which is not the keys' total.
template <class... Options>
inline constexpr bool parts_place_queries_by_offset =
    detail::count_options<detail::option_kind::causal_lower_right, Options...> == 0 &&
    detail::count_options<detail::option_kind::align_lower_right, Options...> == 0;

// A sink belongs to the whole row: merge adds it once; a part takes none.
template <class... Options>
inline constexpr bool parts_take_no_sink = detail::count_options<detail::option_kind::sink, Options...> == 0;

// merge takes two partial_results of the same type.
template <class A, class B>
inline constexpr bool merged_parts_agree = detail::is_partial_result<A>&& std::is_same_v<A, B>;

// merge's only option is one cxattn::sink with a floating-point logit.
template <class... Options> inline constexpr bool merge_options_are_one_sink = false;
template <> inline constexpr bool merge_options_are_one_sink<> = true;
template <class U> inline constexpr bool merge_options_are_one_sink<sink<U>> = std::is_floating_point_v<U>;

} // namespace rule

namespace detail {

// One row of merge (docs/semantics.md, "Split-KV"): the outputs oa, ob (Dv values) of two parts
// whose log-sum-exps are la, lb, into o and l. With M = max(la, lb), the weights wa = exp(la - M)
// and wb = exp(lb - M) give o = wa / (wa + wb) oa + wb / (wa + wb) ob and l = M + log(wa + wb), the
// attention and the log-sum-exp over both parts' keys. A part with lse -inf (no key attended, or
// only -inf scores) weighs 0, and two such give lse -inf; a +inf lse (a +inf score) takes the
// whole weight, the other part weighing 0, as in the softmax's limit. A part of weight 0 still adds
// 0 times its output, as scaled_dot_product_attention adds 0 times an attended value: a NaN there
// (from a NaN value at a -inf score) stays NaN. Two +inf lse give a NaN output and +inf, since how
// many +inf scores each part holds, which decides their shares, is not known; a NaN lse gives NaN.
// The products and sums take IEEE results in constant evaluation too (0 times inf is NaN), and
// each product rounds on its own (CXATTN_DETAIL_EXACT_STEPS, CXATTN_DETAIL_KEEP_ORDER: no
// multiply-add is fused, not even by Clang's folding of operands it knows), so that the run time
// gives the compile-time bits.
template <std::size_t Dv, class T>
CXATTN_DETAIL_EXACT_STEPS constexpr void merge_row(const T* oa, T la, const T* ob, T lb, T* o, T& l) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    constexpr T inf = std::numeric_limits<T>::infinity();
    if (CXATTN_DETAIL_IS_NAN(la) || CXATTN_DETAIL_IS_NAN(lb) ||
        (CXATTN_DETAIL_EQUAL(la, inf) && CXATTN_DETAIL_EQUAL(lb, inf))) {
        for (std::size_t d = 0; d < Dv; ++d) o[d] = std::numeric_limits<T>::quiet_NaN();
        l = CXATTN_DETAIL_EQUAL(la, inf) ? inf : std::numeric_limits<T>::quiet_NaN();
        return;
    }
    T ca{}, cb{}; // each part's share
    if (CXATTN_DETAIL_EQUAL(la, inf) || (CXATTN_DETAIL_EQUAL(lb, -inf) && !CXATTN_DETAIL_EQUAL(la, -inf))) {
        ca = T{1};
        l = la;
    } else if (CXATTN_DETAIL_EQUAL(lb, inf) || CXATTN_DETAIL_EQUAL(la, -inf)) {
        cb = CXATTN_DETAIL_EQUAL(lb, -inf) ? T{} : T{1}; // both -inf: neither
        l = lb;
    } else {
        const T max = la > lb ? la : lb;
        const T wa = cxattn::exp(la - max), wb = cxattn::exp(lb - max); // one of them 1
        const T sum = wa + wb;
        ca = wa / sum; // each at most 1: no overflow where the outputs are finite
        cb = wb / sum;
        l = max + cxattn::log(sum);
    }
    for (std::size_t d = 0; d < Dv; ++d) o[d] = ieee::add(ieee::mul(ca, oa[d]), ieee::mul(cb, ob[d]));
}

// merge into r, whose rules hold (r may be a or b: each row is read before it is written).
template <class T, std::size_t L, std::size_t Dv, class... Options>
constexpr void merge_into(const partial_result<T, L, Dv>& a, const partial_result<T, L, Dv>& b,
                          partial_result<T, L, Dv>& r, const Options&... options) noexcept {
    T sink = -std::numeric_limits<T>::infinity();
    if constexpr (sizeof...(Options) == 1) {
        const auto& s = (options, ...);
        if (!sink_is_usable<T>(s.logit)) { // NaN or +inf: the whole result is NaN, as in the attention calls
            fill_with_nan(r.output);
            fill_with_nan(r.lse);
            return;
        }
        sink = static_cast<T>(s.logit);
    }
    const T zeros[Dv]{};
    for (std::size_t i = 0; i < L; ++i) {
        T* o = r.output.values + i * Dv;
        merge_row<Dv>(a.output.values + i * Dv, a.lse.values[i], b.output.values + i * Dv, b.lse.values[i], o,
                      r.lse.values[i]);
        // The sink is a part of its own: one key of logit z whose value is 0 (-inf: none).
        if (sink > -std::numeric_limits<T>::infinity())
            merge_row<Dv>(o, r.lse.values[i], zeros, sink, o, r.lse.values[i]);
    }
}

} // namespace detail

// Attention of L queries over one part of the keys, S x Dk keys and S x Dv values, with each row's
// log-sum-exp: {output (L x Dv), lse (L x 1)}. output is streaming_attention(query, key, value,
// options...) and lse(i, 0) = log(sum_j exp(s_ij)) over the keys row i attends to (-inf when none;
// +inf when a score is +inf; NaN for a NaN row), s_ij the final scores (PyTorch:
// torch.logsumexp(scores, -1); FlashAttention's softmax_lse). The options are streaming_attention's
// with the parts' positions from cxattn::key_offset(first key's position) and cxattn::query_offset:
// causal_lower_right, align_lower_right (they would place the queries by this part's key count) and
// sink (merge adds it once) are rule errors. merge(partial_attention(...), partial_attention(...))
// over a split of the keys gives the attention over all of them.
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class... Options>
[[nodiscard]] constexpr partial_result<T, L, Dv>
partial_attention(const matrix<T, L, Dk>& query, const matrix<U, S, Dk2>& key, const matrix<V, S2, Dv>& value,
                  const Options&... options) noexcept {
    CXATTN_DETAIL_CHECK_ATTENTION_RULES("cxattn::partial_attention", T, U, V, L, Dk, S, Dk2, S2, Dv, Options);
    static_assert(rule::parts_place_queries_by_offset<Options...>,
                  "cxattn::partial_attention: causal_lower_right and align_lower_right place the queries by this "
                  "part's own key count (give query_offset(n - L) for n keys in all)");
    static_assert(rule::parts_take_no_sink<Options...>,
                  "cxattn::partial_attention: a part takes no sink (merge(a, b, cxattn::sink(z)) adds it once)");
    partial_result<T, L, Dv> r;
    if constexpr (rule::attention_operands_valid<T, U, V, shapes::query<L, Dk>, shapes::key<S, Dk2>,
                                                 shapes::value<S2, Dv>, Options...> &&
                  rule::parts_place_queries_by_offset<Options...> && rule::parts_take_no_sink<Options...>)
        detail::streaming_into<true>(query, key, value, r.output, &r.lse, options...);
    return r;
}

// Two partial results over disjoint sets of keys, for the same queries, combined into the attention
// over both sets and its log-sum-exp (the rule: detail::merge_row). Exact up to rounding for
// finite scores; a part with lse -inf weighs 0 (two give lse -inf); a +inf lse takes the whole
// weight, two give a NaN output. cxattn::sink(z), merge's only option, adds one logit z
// with no value, once (-inf: none; NaN or +inf fails to compile in constant evaluation, and makes
// the result NaN at run time, as in the attention calls).
template <class A, class B, class... Options>
[[nodiscard]] constexpr A merge(const A& a, const B& b, const Options&... options) noexcept {
    static_assert(rule::merged_parts_agree<A, B>,
                  "cxattn::merge: the parts are not partial_results of the same element type and shape");
    static_assert(rule::merge_options_are_one_sink<Options...>,
                  "cxattn::merge: the only option is one cxattn::sink(z) with a floating-point logit");
    A r{};
    if constexpr (rule::merged_parts_agree<A, B> && rule::merge_options_are_one_sink<Options...>)
        detail::merge_into(a, b, r, options...);
    return r;
}

} // namespace cxattn

#endif // CXATTN_PARTIAL_HPP
