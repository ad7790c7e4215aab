// SPDX-License-Identifier: MIT
// cxattn/kernels/streaming.hpp: attention by the online softmax at run time, one block of scores at a time.
#ifndef CXATTN_KERNELS_STREAMING_HPP
#define CXATTN_KERNELS_STREAMING_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/special_rows.hpp"
#include "cxattn/kernels/attention.hpp"
#include "cxattn/kernels/exp.hpp"
#include "cxattn/kernels/gemm.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/reduce.hpp"
#include "cxattn/kernels/softmax.hpp"
#include "cxattn/kernels/target.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::kernels {

namespace detail {

// Blocks of the streaming kernel: 4 nr keys (128 floats, 96 doubles with AVX-512) by as many
// queries as keep that block of scores within 32 KiB, a multiple of the micro-kernel's mr rows; its
// two products pack panels of at most 8 KiB each. Its stack is then bounded whatever L, S, Dk and Dv
// are: about 48 KiB (the scores, two panels, O(queries) scalars), which leaves an N = 256 call room
// in a 64 KiB thread. Fewer queries per block would pack each block of keys and values more often.
// stream_block is out of line, so that a key block and the shorter last one do not both have their
// scores on the stack.
inline constexpr std::size_t stream_scores_bytes = 32768;
template <class T> inline constexpr std::size_t stream_panel_depth = 8192 / (nr<T> * sizeof(T));
template <class T> inline constexpr std::size_t stream_key_block = 4 * nr<T>;
template <class T>
inline constexpr std::size_t stream_query_rows = stream_scores_bytes / (stream_key_block<T> * sizeof(T));
template <class T>
inline constexpr std::size_t stream_query_block =
    stream_query_rows<T> < mr<T> ? mr<T> : stream_query_rows<T> / mr<T>* mr<T>;

// One query's plain products with a block of N keys (at k) times the scale, computed again by the
// rule of cxattn/detail/scores.hpp if they are not all finite (rescore_row): the same scores in the
// running pass and in normalised_row.
template <class T, std::size_t N, std::size_t Dk>
inline void scale_block_row(const T* q, const T* k, T scale, T* row) noexcept {
    for (std::size_t j = 0; j < N; ++j) row[j] *= scale;
    if (!values_finite<T, N>(row)) rescore_row<T, N, Dk, Dk>(q, k, scale, row);
}

// Queries [I0, I0 + LB) against keys [J0, J0 + SB): the online softmax update of the rows' running
// maxima and sums, and output += exp(scores - max) value.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LB, std::size_t SB,
          class Mask>
CXATTN_DETAIL_OUT_OF_LINE void stream_block(const T* q, const T* k, const T* v, T scale, T* out, const Mask& mask,
                                            std::size_t i0, std::size_t j0, bool first, T* max, T* sum) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    alignas(64) T scores[LB * SB];
    product<T, LB, Dk, SB, true, stream_panel_depth<T>>(q + i0 * Dk, Dk, k + j0 * Dk, Dk, scores, SB, false);
    for (std::size_t r = 0; r < LB; ++r) {
        T* row = scores + r * SB;
        scale_block_row<T, SB, Dk>(q + (i0 + r) * Dk, k + j0 * Dk, scale, row);
        mask.apply(i0 + r, j0, row, SB, S);
        const row_extent<T> extent = row_max<T, SB>(row); // a NaN reaches the sum through exp
        const T new_max = extent.max > max[r] ? extent.max : max[r];
        // The online form of the special rows (cxattn::detail::online_weight in cxattn/detail/special_rows.hpp): every score so far -inf,
        // the weights stay zero (exp(-inf - 0)), nothing to rescale; a maximum of +inf, only the +inf
        // scores weigh, as in a row of row_kind::infinite_max.
        T shift = cxattn::detail::equal(new_max, minus_inf) ? T(0) : new_max;
        if (cxattn::detail::equal(new_max, -minus_inf)) {
            special_row_as_logits<T, SB>(row, cxattn::detail::kind_of_row(new_max, extent.has_nan));
            shift = T(0);
        }
        kernels::exp_of_differences(row, SB, shift);
        const T block_sum = row_sum<T, SB>(row);
        if (first) {
            sum[r] = block_sum;
        } else {
            // exp(m_old - m_new) rescales what was accumulated against the old maximum: 0 if that
            // was -inf or the new one is +inf (the finite scores before weigh nothing then), 1 if
            // the maximum is unchanged (also +inf, or -inf).
            const T factor = cxattn::detail::equal(new_max, max[r]) ? T(1) : kernels::exp(max[r] - new_max);
            sum[r] = sum[r] * factor + block_sum;
            if (!cxattn::detail::equal(factor, T(1))) {
                T* o = out + (i0 + r) * Dv;
                for (std::size_t d = 0; d < Dv; ++d) o[d] *= factor;
            }
        }
        max[r] = new_max;
    }
    if constexpr (!std::is_same_v<Mask, no_mask>) {
        if (!values_finite<T, SB * Dv>(v + j0 * Dv)) {
            product_skipping<T, LB, SB, Dv>(
                scores, SB, v + j0 * Dv, Dv, out + i0 * Dv, Dv, !first,
                [&](std::size_t r, std::size_t j) { return mask.masked(i0 + r, j0 + j, S); });
            return;
        }
    }
    product<T, LB, SB, Dv, false, stream_panel_depth<T>>(scores, SB, v + j0 * Dv, Dv, out + i0 * Dv, Dv, !first);
}

// The output row o of query i again, as a sum of normalised weights: for a row whose running sum,
// not yet divided by the final sum l, overflowed (values within a factor of the keys' count of the
// largest finite number), or was rescaled from inf by 0 after a +inf score (NaN), or whose values
// hold inf or NaN. With the final maximum m and sum l, each weight is online_weight(s, m) / l
// (cxattn/detail/special_rows.hpp), as in the second pass of detail::stream_row; masked keys are
// skipped. Rare, so the row's scores are recomputed, SB at a time. Out of line: the common rows'
// loops stay as the compilers like them, and its frame is not on their stack.
template <class T, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t SB, class Mask>
CXATTN_DETAIL_OUT_OF_LINE CXATTN_DETAIL_EXACT_FP void normalised_row(const T* q, const T* k, const T* v, T scale, T* o,
                                                                     const Mask& mask, std::size_t i, T max,
                                                                     T sum) noexcept {
    // Not reassociated (-fassociative-math, part of -ffast-math): the sum of weight * value over the
    // keys would become weight * (the sum of the values), which overflows, the case this pass is for.
    CXATTN_DETAIL_NO_REASSOCIATION
    alignas(64) T scores[SB];
    for (std::size_t d = 0; d < Dv; ++d) o[d] = T(0);
    const auto add_block = [&](std::size_t j0, auto keys) { // keys: SB, or S - full for the last block
        constexpr std::size_t count = decltype(keys)::value;
        product<T, 1, Dk, count, true, stream_panel_depth<T>>(q, Dk, k + j0 * Dk, Dk, scores, SB, false);
        scale_block_row<T, count, Dk>(q, k + j0 * Dk, scale, scores);
        mask.apply(i, j0, scores, count, S);
        for (std::size_t j = 0; j < count; ++j) {
            if (mask.masked(i, j0 + j, S)) continue;
            const T weight = cxattn::detail::online_weight(scores[j], max) / sum;
            const T* vj = v + (j0 + j) * Dv;
            for (std::size_t d = 0; d < Dv; ++d) o[d] += weight * vj[d];
        }
    };
    constexpr std::size_t full = S / SB * SB;
    for (std::size_t j0 = 0; j0 < full; j0 += SB) add_block(j0, std::integral_constant<std::size_t, SB>{});
    if constexpr (full < S) add_block(full, std::integral_constant<std::size_t, S - full>{});
}

// Queries [i0, i0 + LB); with WithLse, lse[i] gets query i's log-sum-exp (row_lse), which the
// blocked path's running maxima and sums give: that path also serves a single block then.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LB, bool WithLse,
          class Mask>
inline void stream_rows(const T* q, const T* k, const T* v, T scale, T* out, const Mask& mask, std::size_t i0,
                        T* lse) noexcept {
    if constexpr (S <= stream_key_block<T> && !WithLse) {
        // One block of keys: the scores of these queries fit the scratch, so the softmax needs no
        // running maximum, and this is attention() without the weights.
        alignas(64) T scores[LB * S];
        if constexpr (tiny<T, LB, S, Dk, Dv> && !has_sink<Mask>) {
            tiny_attention<T, LB, S, Dk, Dv, Dk, Dk, Dv, Dv>(q + i0 * Dk, k, v, scale, out + i0 * Dv, scores,
                                                             rows_from(mask, i0));
        } else {
            product<T, LB, Dk, S, true, stream_panel_depth<T>>(q + i0 * Dk, Dk, k, Dk, scores, S, false);
            softmax_rows<T, LB, S>(scores, scale, rows_from(mask, i0), [&](std::size_t r, T* row) {
                rescore_row<T, S, Dk, Dk>(q + (i0 + r) * Dk, k, scale, row);
            });
            product<T, LB, S, Dv, false, stream_panel_depth<T>>(scores, S, v, Dv, out + i0 * Dv, Dv, false);
        }
        if constexpr (!std::is_same_v<Mask, no_mask>) {
            if (!values_finite<T, S * Dv>(v))
                product_skipping<T, LB, S, Dv>(scores, S, v, Dv, out + i0 * Dv, Dv, false,
                                               [&](std::size_t r, std::size_t j) { return mask.masked(i0 + r, j, S); });
        }
        return;
    }
    constexpr std::size_t SB = S < stream_key_block<T> ? S : stream_key_block<T>;
    T max[LB], sum[LB];
    // The first block sets sum; zeroing it too keeps GCC 12 at -O3 from warning that it may be
    // read uninitialised (-Wmaybe-uninitialized, when S is not a multiple of the key block).
    for (std::size_t r = 0; r < LB; ++r) {
        max[r] = -std::numeric_limits<T>::infinity();
        sum[r] = T(0);
    }
    constexpr std::size_t full = S / SB * SB;
    // A block of keys that every row of the block masks by its key range (a sliding window,
    // key_length, the causal bound) is skipped: a window of w keys costs O(L (w + LB)), not O(L S).
    bool first = true; // the first block computed sets the sums and the output rows
    for (std::size_t j0 = 0; j0 < full; j0 += SB) {
        if (keys_outside(mask, i0, LB, j0, SB)) continue;
        stream_block<T, L, S, Dk, Dv, LB, SB>(q, k, v, scale, out, mask, i0, j0, first, max, sum);
        first = false;
    }
    if constexpr (full < S) {
        if (!keys_outside(mask, i0, LB, full, S - full)) {
            stream_block<T, L, S, Dk, Dv, LB, S - full>(q, k, v, scale, out, mask, i0, full, first, max, sum);
            first = false;
        }
    }
    if (first) // no block computed: every key masked for these rows, whose outputs are 0
        for (std::size_t i = 0; i < LB * Dv; ++i) out[i0 * Dv + i] = T(0);
    for (std::size_t r = 0; r < LB; ++r) {
        T* o = out + (i0 + r) * Dv;
        if constexpr (has_sink<Mask>) { // one more logit after the last key (take_in_sink)
            const T factor = cxattn::detail::take_in_sink<T, &kernels::exp<T>>(sink_of(mask), max[r], sum[r]);
            if (!cxattn::detail::equal(factor, T(1)))
                for (std::size_t d = 0; d < Dv; ++d) o[d] *= factor;
        }
        if constexpr (WithLse) lse[i0 + r] = cxattn::detail::row_lse(max[r], sum[r]);
        if (cxattn::detail::equal(sum[r], T(0))) continue; // every key masked: the output row stays zero
        const T inverse = T(1) / sum[r];
        for (std::size_t d = 0; d < Dv; ++d) o[d] *= inverse;
        // A NaN sum is a row with a NaN score, NaN already (row_kind::nan).
        if (!values_finite<T, Dv>(o) && !cxattn::detail::is_nan(sum[r]))
            normalised_row<T, S, Dk, Dv, SB>(q + (i0 + r) * Dk, k, v, scale, o, mask, i0 + r, max[r], sum[r]);
    }
}

// streaming_attention's queries in blocks of stream_query_block; with WithLse, each one's log-sum-exp.
template <bool WithLse, class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask>
inline void streaming_attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key,
                                const matrix<T, S, Dv>& value, T scale, matrix<T, L, Dv>& output, const Mask& mask,
                                T* lse) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::streaming_attention: the element type must be float or double (IEEE 754)");
    constexpr std::size_t LB = L < stream_query_block<T> ? L : stream_query_block<T>;
    constexpr std::size_t full = L / LB * LB;
    for (std::size_t i0 = 0; i0 < full; i0 += LB)
        stream_rows<T, L, S, Dk, Dv, LB, WithLse>(query.values, key.values, value.values, scale, output.values, mask,
                                                  i0, lse);
    if constexpr (full < L)
        stream_rows<T, L, S, Dk, Dv, L - full, WithLse>(query.values, key.values, value.values, scale, output.values,
                                                        mask, full, lse);
}

} // namespace detail

// The output of attention() by the online softmax (Milakov and Gimelshein 2018; the loop of
// FlashAttention, Dao et al. 2022): blocks of 4 nr keys by up to 32 KiB of queries, whose running row
// maxima and sums rescale the output as the keys stream by. No L x S weights exist; the scratch is
// one block of scores.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask = no_mask>
inline void streaming_attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key,
                                const matrix<T, S, Dv>& value, T scale, matrix<T, L, Dv>& output,
                                const Mask& mask = {}) noexcept {
    detail::streaming_attention<false>(query, key, value, scale, output, mask, static_cast<T*>(nullptr));
}

// The same, and each row's log-sum-exp in lse (L x 1; cxattn::partial_attention's).
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask>
inline void streaming_attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key,
                                const matrix<T, S, Dv>& value, T scale, matrix<T, L, Dv>& output, const Mask& mask,
                                matrix<T, L, 1>& lse) noexcept {
    detail::streaming_attention<true>(query, key, value, scale, output, mask, lse.values);
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_STREAMING_HPP
