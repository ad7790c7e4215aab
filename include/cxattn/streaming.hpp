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
#include "cxattn/kernels/streaming.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"

namespace cxattn {
namespace detail {

template <class A, class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class Resolved>
constexpr void stream(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      const Resolved& options, matrix<T, L, Dv>& output) noexcept {
    const score_scaling scaling = score_scaling_of<Dk>(query, key);
    for (std::size_t i = 0; i < L; ++i)
        stream_row<S, Dk, Dv, A>(row_operands<matrix<T, L, Dk>, matrix<T, S, Dk>, matrix<T, S, Dv>>{query, i * Dk, key,
                                                                                                    0, value, 0,
                                                                                                    scaling},
                                 i, options, output, i * Dv);
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
                                                 shapes::value<S2, Dv>, Options...>) {
        const auto resolved = detail::resolve_options<T, L, S>(T{1} / cxattn::sqrt(static_cast<T>(Dk)), options...);
        switch (detail::path_for<T>([&] { return detail::plain_arithmetic_suffices(resolved, query, key, value); })) {
        case detail::path::kernels:
            if constexpr (detail::kernels_serve<T>)
                kernels::streaming_attention(query, key, value, resolved.score_scale, output,
                                             kernels::mask_of<T, L, S>(resolved));
            break;
        case detail::path::plain:
            detail::stream<detail::plain_arithmetic>(query, key, value, resolved, output);
            break;
        case detail::path::ieee:
            detail::stream<detail::ieee_arithmetic>(query, key, value, resolved, output);
            break;
        }
    }
    return output;
}

} // namespace cxattn

#endif // CXATTN_STREAMING_HPP
