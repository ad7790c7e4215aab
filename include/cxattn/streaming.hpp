// cxattn/streaming.hpp: attention by the online softmax, which never holds a row of weights.
#ifndef CXATTN_STREAMING_HPP
#define CXATTN_STREAMING_HPP

#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/attention.hpp"
#include "cxattn/kernels.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/ops.hpp"
#include "cxattn/options.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn {
namespace detail {

// acc.values[offset + d] *= factor for every d: one fold expression (see add_scaled).
template <class T, std::size_t R, std::size_t C, std::size_t... D>
constexpr void scale_row(matrix<T, R, C>& acc, std::size_t offset, T factor, std::index_sequence<D...>) noexcept {
#if defined(__clang__)
    T* const a = &acc.values[offset];
    ((a[D] *= factor), ...);
#else
    ((acc.values[offset + D] *= factor), ...);
#endif
}

// One query row by the online softmax (Milakov & Gimelshein 2018, "Online normalizer calculation
// for softmax", alg. 3; the inner loop of FlashAttention, Dao et al. 2022): one pass over the keys
// keeps the running maximum m of the scores, the running sum l of exp(score - m) and the running
// weighted sum of values in the output row itself (Dv values at output.values[output_offset], zero
// on entry); a new maximum rescales l and the sum by exp(m_old - m_new). At the end the output is
// divided by l. So a row holds Dv + 3 values, whatever S is. The masked positions, the all-masked
// row and NaN behave as in attend_row (cxattn/attention.hpp).
template <std::size_t S, std::size_t Dk, std::size_t Dv, bool Checked, class Resolved, class Query, class Key,
          class Value, class Output>
constexpr void stream_row(const row_operands<Query, Key, Value>& in, std::size_t row, const Resolved& options,
                          Output& output, std::size_t output_offset) noexcept {
    using T = typename Output::value_type;
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    constexpr std::size_t value_stride = Value::cols;
    const std::size_t end = options.key_end(row);
    const std::size_t mask_offset = row * S;

    T max = minus_inf; // m: the largest score so far
    T sum{};           // l: sum of exp(score - m) so far
    for (std::size_t j = 0; j < end; ++j) {
        if constexpr (Resolved::has_bool_mask)
            if (!options.keep->values[mask_offset + j]) continue;
        if constexpr (Resolved::has_additive_mask)
            if (options.bias->values[mask_offset + j] == minus_inf) continue;
        const T s = score<Dk, Checked>(in, j, mask_offset, options);
        if (!(s <= max)) { // a new maximum, or NaN (which compares false)
            if (s != s) {  // the row is NaN, as the softmax of a row holding NaN is
                for (std::size_t d = 0; d < Dv; ++d)
                    output.values[output_offset + d] = std::numeric_limits<T>::quiet_NaN();
                return;
            }
            if (max != minus_inf) { // rescale what was accumulated against the old maximum
                const T factor = cxattn::exp(max - s);
                sum *= factor;
                if constexpr (Checked) {
                    for (std::size_t d = 0; d < Dv; ++d)
                        output.values[output_offset + d] = ieee::mul(output.values[output_offset + d], factor);
                } else {
                    scale_row(output, output_offset, factor, std::make_index_sequence<Dv>{});
                }
            }
            max = s;
        }
        // exp(s - max), except where that is inf - inf: scores of -inf while the maximum is -inf
        // weigh 0, and scores equal to the maximum weigh exp(0) = 1, +inf ones included (a +inf
        // maximum rescaled what came before by exp(-inf) = 0: softmax_row's limit, in which the
        // +inf scores share the weight).
        const T weight = max == minus_inf ? T{} : s == max ? T{1} : cxattn::exp(s - max);
        sum += weight;
        if constexpr (Checked)
            ieee::add_scaled<Dv>(output, output_offset, weight, in.value, in.value_offset + j * value_stride);
        else
            add_scaled(output, output_offset, weight, in.value, in.value_offset + j * value_stride,
                       std::make_index_sequence<Dv>{});
    }
    if (max == minus_inf) return; // nothing attended, or every score -inf: all weights are zero
    if (row_finite(output, output_offset, std::make_index_sequence<Dv>{})) {
        for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] /= sum;
        return;
    }
    // The running sum, not yet divided by l <= (keys attended), overflowed (values within a factor
    // S of the largest finite number), or values hold inf or NaN: a second pass with the final m and
    // l sums normalised weights, as scaled_dot_product_attention does. Rare, so scores are recomputed.
    for (std::size_t d = 0; d < Dv; ++d) output.values[output_offset + d] = T{};
    for (std::size_t j = 0; j < end; ++j) {
        if constexpr (Resolved::has_bool_mask)
            if (!options.keep->values[mask_offset + j]) continue;
        if constexpr (Resolved::has_additive_mask)
            if (options.bias->values[mask_offset + j] == minus_inf) continue;
        const T s = score<Dk, Checked>(in, j, mask_offset, options);
        const T weight = (s == max ? T{1} : cxattn::exp(s - max)) / sum;
        if constexpr (Checked)
            ieee::add_scaled<Dv>(output, output_offset, weight, in.value, in.value_offset + j * value_stride);
        else
            add_scaled(output, output_offset, weight, in.value, in.value_offset + j * value_stride,
                       std::make_index_sequence<Dv>{});
    }
}

template <bool Checked, class T, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dv, class Resolved>
constexpr void stream(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      const Resolved& options, matrix<T, L, Dv>& output) noexcept {
    for (std::size_t i = 0; i < L; ++i)
        stream_row<S, Dk, Dv, Checked>(
            row_operands<matrix<T, L, Dk>, matrix<T, S, Dk>, matrix<T, S, Dv>>{query, i * Dk, key, 0, value, 0}, i,
            options, output, i * Dv);
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
    // Each rule is spelled out inside its static_assert, so the diagnostic prints it with the shapes.
    static_assert(rule::same_element_type<T, U>, "cxattn::streaming_attention: query and key element types differ");
    static_assert(rule::same_element_type<T, V>, "cxattn::streaming_attention: query and value element types differ");
    static_assert(rule::query_and_key_head_sizes_agree<shapes::query<L, Dk>, shapes::key<S, Dk2>>,
                  "cxattn::streaming_attention: query and key head sizes differ (query cols != key cols)");
    static_assert(rule::key_and_value_lengths_agree<shapes::key<S, Dk2>, shapes::value<S2, Dv>>,
                  "cxattn::streaming_attention: key and value lengths differ (key rows != value rows)");
    static_assert(std::is_floating_point_v<T>, "cxattn::streaming_attention: the element type must be floating point");
    static_assert(rule::every_option_is_known<Options...>,
                  "cxattn::streaming_attention: an option is none of causal, causal_lower_right, "
                  "a mask (cxattn::matrix), scale(s)");
    static_assert(rule::each_option_at_most_once<Options...>,
                  "cxattn::streaming_attention: an option is given twice (each kind at most once)");
    static_assert(rule::one_causal_alignment<Options...>,
                  "cxattn::streaming_attention: causal and causal_lower_right together (choose one)");
    static_assert(rule::masks_match_scores<shapes::scores<L, S>, Options...>,
                  "cxattn::streaming_attention: a mask is not L x S (query rows x key rows)");
    static_assert(rule::additive_masks_hold_element_type<T, Options...>,
                  "cxattn::streaming_attention: an additive mask's element type differs from the query's "
                  "(a mask holds bool, or the element type)");

    matrix<T, L, Dv> output;
    if constexpr (rule::same_element_type<T, U> && rule::same_element_type<T, V> && Dk == Dk2 && S == S2 &&
                  std::is_floating_point_v<T> && rule::options_valid<T, L, S, Options...>) {
        const auto resolved = detail::resolve_options<T, L, S>(T{1} / cxattn::sqrt(static_cast<T>(Dk)), options...);
#if CXATTN_RUNTIME_KERNELS
        // At run time, the blocked online softmax of cxattn/kernels.hpp.
        if constexpr (kernels::supported<T>) {
            if (!cxattn::detail::is_constant_evaluated()) {
                kernels::streaming_attention(query, key, value, resolved.score_scale, output,
                                             kernels::mask_of<T, L, S>(resolved));
                return output;
            }
        }
#endif
        if (cxattn::detail::is_constant_evaluated() && !detail::plain_arithmetic_suffices(resolved, query, key, value))
            detail::stream<true>(query, key, value, resolved, output);
        else
            detail::stream<false>(query, key, value, resolved, output);
    }
    return output;
}

} // namespace cxattn

#endif // CXATTN_STREAMING_HPP
