// SPDX-License-Identifier: MIT
// cxattn/attention.hpp: scaled dot-product attention, softmax(Q K^T / sqrt(Dk) + mask) V, with the
// options of cxattn/options.hpp (causal, bool and additive masks, scale).
#ifndef CXATTN_ATTENTION_HPP
#define CXATTN_ATTENTION_HPP

#include <cstddef>

#include "cxattn/config.hpp"
#include "cxattn/detail/dispatch.hpp"
#include "cxattn/detail/entry_rules.hpp"
#include "cxattn/detail/rows.hpp"
#include "cxattn/kernels/attention.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/scalar.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"

namespace cxattn {

// What scaled_dot_product_attention returns; an aggregate, so `auto [output, weights] = ...` works.
template <class T, std::size_t L, std::size_t S, std::size_t Dv> struct attention_result {
    matrix<T, L, Dv> output; // L x Dv: each query's weighted sum of the values
    matrix<T, L, S> weights; // L x S: each row is a probability distribution over the keys
};

namespace detail {

template <class A, class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class Resolved>
constexpr void attend(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      const Resolved& options, attention_result<T, L, S, Dv>& result) noexcept {
    const bool overflow_possible = scores_may_overflow<Dk>(query, key);
    for (std::size_t i = 0; i < L; ++i)
        attend_row<S, Dk, Dv, A>(row_operands<matrix<T, L, Dk>, matrix<T, S, Dk>, matrix<T, S, Dv>>{query, i * Dk, key,
                                                                                                    0, value, 0,
                                                                                                    overflow_possible},
                                 i, options, result.weights, i * S, result.output, i * Dv);
}

} // namespace detail

namespace detail {

// Whether R is an attention_result: the in-place overloads take such a result by reference, and
// check that it is the operands' own with rule::result_type_matches_operands.
template <class R> inline constexpr bool is_attention_result = false;
template <class T, std::size_t L, std::size_t S, std::size_t Dv>
inline constexpr bool is_attention_result<attention_result<T, L, S, Dv>> = true;

// scaled_dot_product_attention into r, whose rules hold. r's rows are written in place: no
// temporary of the result's size, whatever r held before.
template <class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class... Options>
constexpr void attention_into(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                              attention_result<T, L, S, Dv>& r, const Options&... options) noexcept {
    const auto resolved = resolve_options<T, L, S>(default_scale<T, Dk>, options...);
    if (resolved.refuses_sink()) { // a sink of NaN or +inf (sink_is_usable): the whole result is NaN
        fill_with_nan(r.output);
        fill_with_nan(r.weights);
        return;
    }
    const path chosen = path_for<T, true>([&] { return plain_arithmetic_suffices(resolved, query, key, value); });
    if (chosen == path::kernels) {
        if constexpr (kernels_serve<T>)
            kernels::attention(query, key, value, resolved.score_scale, r.output, r.weights,
                               kernels::mask_of<T, L, S>(resolved));
        return;
    }
    if (chosen == path::scalar) {
        if constexpr (scalar_kernels_serve<T>)
            kernels::scalar::with_masks<T, L, S>(resolved, [&](const auto& masks) {
                kernels::scalar::attention(query.values, key.values, value.values, resolved.score_scale,
                                           r.output.values, r.weights.values, {L, S, Dk, Dv}, masks);
            });
        return;
    }
    for (T& x : r.output.values) x = T{}; // the row engine accumulates the output
    if (chosen == path::plain)
        attend<plain_arithmetic>(query, key, value, resolved, r);
    else
        attend<ieee_arithmetic>(query, key, value, resolved, r);
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
    CXATTN_DETAIL_CHECK_ATTENTION_RULES("cxattn::scaled_dot_product_attention", T, U, V, L, Dk, S, Dk2, S2, Dv,
                                        Options);
    attention_result<T, L, S, Dv> r;
    if constexpr (rule::attention_operands_valid<T, U, V, shapes::query<L, Dk>, shapes::key<S, Dk2>,
                                                 shapes::value<S2, Dv>, Options...>)
        detail::attention_into(query, key, value, r, options...);
    return r;
}

// The same, written into the caller's result (static storage, say, when L x S does not fit the
// stack): scaled_dot_product_attention(Q, K, V, result, options...), result being the
// attention_result<T, L, S, Dv> the call would return. Also in constant evaluation.
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class Result, class... Options>
requires detail::is_attention_result<Result>
constexpr void scaled_dot_product_attention(const matrix<T, L, Dk>& query, const matrix<U, S, Dk2>& key,
                                            const matrix<V, S2, Dv>& value, Result& result,
                                            const Options&... options) noexcept {
    CXATTN_DETAIL_CHECK_ATTENTION_RULES("cxattn::scaled_dot_product_attention", T, U, V, L, Dk, S, Dk2, S2, Dv,
                                        Options);
    static_assert(rule::result_type_matches_operands<Result, attention_result<T, L, S, Dv>>,
                  "cxattn::scaled_dot_product_attention: the result is not the attention_result<T, L, S, Dv> of "
                  "the operands (query's element type, query rows, key rows, value cols)");
    if constexpr (rule::attention_operands_valid<T, U, V, shapes::query<L, Dk>, shapes::key<S, Dk2>,
                                                 shapes::value<S2, Dv>, Options...> &&
                  rule::result_type_matches_operands<Result, attention_result<T, L, S, Dv>>)
        detail::attention_into(query, key, value, result, options...);
}

} // namespace cxattn

#endif // CXATTN_ATTENTION_HPP
