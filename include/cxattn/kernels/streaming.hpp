// SPDX-License-Identifier: MIT
// cxattn/kernels/streaming.hpp: attention by the online softmax at run time, one block of scores at a time.
#ifndef CXATTN_KERNELS_STREAMING_HPP
#define CXATTN_KERNELS_STREAMING_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/detail/compare.hpp"
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

// Blocks of the streaming kernel: at most 128 queries by 4 nr keys (128 floats, 96 doubles with
// AVX-512) of scores at a time, 64 KiB at most.
inline constexpr std::size_t stream_query_block = 128;
template <class T> inline constexpr std::size_t stream_key_block = 4 * nr<T>;

// Queries [I0, I0 + LB) against keys [J0, J0 + SB): the online softmax update of the rows' running
// maxima and sums, and output += exp(scores - max) value.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LB, std::size_t SB,
          class Mask>
inline void stream_block(const T* q, const T* k, const T* v, T scale, T* out, const Mask& mask, std::size_t i0,
                         std::size_t j0, T* max, T* sum) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    alignas(64) T scores[LB * SB];
    product<T, LB, Dk, SB, true>(q + i0 * Dk, Dk, k + j0 * Dk, Dk, scores, SB, false);
    for (std::size_t r = 0; r < LB; ++r) {
        T* row = scores + r * SB;
        for (std::size_t j = 0; j < SB; ++j) row[j] *= scale;
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
        for (std::size_t j = 0; j < SB; ++j) row[j] = kernels::exp(row[j] - shift);
        const T block_sum = row_sum<T, SB>(row);
        if (j0 == 0) {
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
                scores, SB, v + j0 * Dv, Dv, out + i0 * Dv, Dv, j0 > 0,
                [&](std::size_t r, std::size_t j) { return mask.masked(i0 + r, j0 + j, S); });
            return;
        }
    }
    product<T, LB, SB, Dv, false>(scores, SB, v + j0 * Dv, Dv, out + i0 * Dv, Dv, j0 > 0);
}

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LB, class Mask>
inline void stream_rows(const T* q, const T* k, const T* v, T scale, T* out, const Mask& mask,
                        std::size_t i0) noexcept {
    if constexpr (S <= stream_key_block<T>) {
        // One block of keys: the scores of these queries fit the scratch, so the softmax needs no
        // running maximum, and this is attention() without the weights.
        alignas(64) T scores[LB * S];
        if constexpr (tiny<T, LB, S, Dk, Dv>) {
            tiny_attention<T, LB, S, Dk, Dv, Dk, Dk, Dv, Dv>(q + i0 * Dk, k, v, scale, out + i0 * Dv, scores,
                                                             rows_from(mask, i0));
        } else {
            product<T, LB, Dk, S, true>(q + i0 * Dk, Dk, k, Dk, scores, S, false);
            softmax_rows<T, LB, S>(scores, scale, rows_from(mask, i0));
            product<T, LB, S, Dv, false>(scores, S, v, Dv, out + i0 * Dv, Dv, false);
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
    for (std::size_t j0 = 0; j0 < full; j0 += SB)
        stream_block<T, L, S, Dk, Dv, LB, SB>(q, k, v, scale, out, mask, i0, j0, max, sum);
    if constexpr (full < S) stream_block<T, L, S, Dk, Dv, LB, S - full>(q, k, v, scale, out, mask, i0, full, max, sum);
    for (std::size_t r = 0; r < LB; ++r) {
        if (cxattn::detail::equal(sum[r], T(0))) continue; // every key masked: the output row stays zero
        const T inverse = T(1) / sum[r];
        T* o = out + (i0 + r) * Dv;
        for (std::size_t d = 0; d < Dv; ++d) o[d] *= inverse;
    }
}

} // namespace detail

// The output of attention() by the online softmax (Milakov and Gimelshein 2018; the loop of
// FlashAttention, Dao et al. 2022): blocks of at most 128 queries by 4 nr keys, whose running row
// maxima and sums rescale the output as the keys stream by. No L x S weights exist; the scratch is
// one block of scores.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask = no_mask>
inline void streaming_attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key,
                                const matrix<T, S, Dv>& value, T scale, matrix<T, L, Dv>& output,
                                const Mask& mask = {}) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::streaming_attention: the element type must be float or double (IEEE 754)");
    constexpr std::size_t LB = L < detail::stream_query_block ? L : detail::stream_query_block;
    constexpr std::size_t full = L / LB * LB;
    for (std::size_t i0 = 0; i0 < full; i0 += LB)
        detail::stream_rows<T, L, S, Dk, Dv, LB>(query.values, key.values, value.values, scale, output.values, mask,
                                                 i0);
    if constexpr (full < L)
        detail::stream_rows<T, L, S, Dk, Dv, L - full>(query.values, key.values, value.values, scale, output.values,
                                                       mask, full);
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_STREAMING_HPP
