// SPDX-License-Identifier: MIT
// cxattn/streaming.hpp: attention by the online softmax, which never holds a row of weights.
#ifndef CXATTN_STREAMING_HPP
#define CXATTN_STREAMING_HPP

#include <cstddef>

#include "cxattn/config.hpp"
#include "cxattn/detail/dispatch.hpp"
#include "cxattn/detail/entry_rules.hpp"
#include "cxattn/detail/rows.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/scalar.hpp"
#include "cxattn/kernels/streaming.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"

namespace cxattn {
namespace detail {

// Where row i's log-sum-exp goes: nowhere (std::nullptr_t, known at compile time), or lse(i, 0).
constexpr std::nullptr_t lse_of_row(std::nullptr_t, std::size_t) noexcept { return nullptr; }
template <class T, std::size_t L> constexpr T* lse_of_row(matrix<T, L, 1>* lse, std::size_t i) noexcept {
    return lse->values + i;
}

// lse: a matrix<T, L, 1>* for the rows' log-sum-exps, or nullptr (std::nullptr_t: none, at compile time).
template <class A, class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class Resolved, class Lse>
constexpr void stream(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      const Resolved& options, matrix<T, L, Dv>& output, Lse lse) noexcept {
    const bool overflow_possible = scores_may_overflow<Dk>(query, key);
    for (std::size_t i = 0; i < L; ++i)
        stream_row<S, Dk, Dv, A>(row_operands<matrix<T, L, Dk>, matrix<T, S, Dk>, matrix<T, S, Dv>>{query, i * Dk, key,
                                                                                                    0, value, 0,
                                                                                                    overflow_possible},
                                 i, options, output, i * Dv, lse_of_row(lse, i));
}

// streaming_attention into output, whose rules hold, row by row in place; WithLse, each row's
// log-sum-exp in *lse too (partial_attention, which takes no sink). A compile-time choice, so that
// streaming_attention compiles no log-sum-exp code (and no log) on any path.
template <bool WithLse, class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class... Options>
constexpr void streaming_into(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                              matrix<T, L, Dv>& output, matrix<T, L, 1>* lse, const Options&... options) noexcept {
    const auto resolved = resolve_options<T, L, S>(default_scale<T, Dk>, options...);
    if (resolved.refuses_sink()) return fill_with_nan(output); // a sink of NaN or +inf (sink_is_usable)
    const path chosen = path_for<T, true>([&] { return plain_arithmetic_suffices(resolved, query, key, value); });
    if (chosen == path::kernels) {
        if constexpr (kernels_serve<T>) {
            if constexpr (WithLse)
                kernels::streaming_attention(query, key, value, resolved.score_scale, output,
                                             kernels::mask_of<T, L, S>(resolved), *lse);
            else
                kernels::streaming_attention(query, key, value, resolved.score_scale, output,
                                             kernels::mask_of<T, L, S>(resolved));
        }
        return;
    }
    if (chosen == path::scalar) {
        if constexpr (scalar_kernels_serve<T>)
            kernels::scalar::with_masks<T, L, S>(resolved, [&](const auto& masks) {
                if constexpr (WithLse)
                    kernels::scalar::streaming_attention(query.values, key.values, value.values, resolved.score_scale,
                                                         output.values, {L, S, Dk, Dv}, masks, lse->values);
                else
                    kernels::scalar::streaming_attention(query.values, key.values, value.values, resolved.score_scale,
                                                         output.values, {L, S, Dk, Dv}, masks);
            });
        return;
    }
    for (T& x : output.values) x = T{}; // stream_row accumulates in the output row
    if constexpr (WithLse) {
        if (chosen == path::plain)
            stream<plain_arithmetic>(query, key, value, resolved, output, lse);
        else
            stream<ieee_arithmetic>(query, key, value, resolved, output, lse);
    } else {
        if (chosen == path::plain)
            stream<plain_arithmetic>(query, key, value, resolved, output, nullptr);
        else
            stream<ieee_arithmetic>(query, key, value, resolved, output, nullptr);
    }
}

} // namespace detail

// The output of scaled_dot_product_attention(query, key, value, options...), L x Dv, computed by
// the online softmax: each query row is one pass over the keys that holds Dv + 3 values, and no
// L x S weights exist. It takes the same options and gives the same semantics; the results agree
// with scaled_dot_product_attention(...).output to a few ULP (the exps are taken against a running
// maximum, then rescaled).
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class... Options>
[[nodiscard]] constexpr matrix<T, L, Dv>
streaming_attention(const matrix<T, L, Dk>& query, const matrix<U, S, Dk2>& key, const matrix<V, S2, Dv>& value,
                    const Options&... options) noexcept {
    CXATTN_DETAIL_CHECK_ATTENTION_RULES("cxattn::streaming_attention", T, U, V, L, Dk, S, Dk2, S2, Dv, Options);
    matrix<T, L, Dv> output;
    if constexpr (rule::attention_operands_valid<T, U, V, shapes::query<L, Dk>, shapes::key<S, Dk2>,
                                                 shapes::value<S2, Dv>, Options...>)
        detail::streaming_into<false>(query, key, value, output, static_cast<matrix<T, L, 1>*>(nullptr), options...);
    return output;
}

// The same, written into the caller's matrix: streaming_attention(Q, K, V, cxattn::into(out),
// options...), out being the matrix<T, L, Dv> the call would return (static storage, say). Also in
// constant evaluation.
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class W, std::size_t Rows, std::size_t Cols, class... Options>
constexpr void streaming_attention(const matrix<T, L, Dk>& query, const matrix<U, S, Dk2>& key,
                                   const matrix<V, S2, Dv>& value, output_into<W, Rows, Cols> output,
                                   const Options&... options) noexcept {
    CXATTN_DETAIL_CHECK_ATTENTION_RULES("cxattn::streaming_attention", T, U, V, L, Dk, S, Dk2, S2, Dv, Options);
    static_assert(rule::result_type_matches_operands<matrix<W, Rows, Cols>, matrix<T, L, Dv>>,
                  "cxattn::streaming_attention: the output given by cxattn::into is not the matrix<T, L, Dv> of the "
                  "operands (query's element type, query rows, value cols)");
    if constexpr (rule::attention_operands_valid<T, U, V, shapes::query<L, Dk>, shapes::key<S, Dk2>,
                                                 shapes::value<S2, Dv>, Options...> &&
                  rule::result_type_matches_operands<matrix<W, Rows, Cols>, matrix<T, L, Dv>>)
        detail::streaming_into<false>(query, key, value, *output.target, static_cast<matrix<T, L, 1>*>(nullptr),
                                      options...);
}

} // namespace cxattn

#endif // CXATTN_STREAMING_HPP
