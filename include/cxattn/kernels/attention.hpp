// SPDX-License-Identifier: MIT
// cxattn/kernels/attention.hpp: attention and multi-head attention at run time: a tiny path in registers, and the blocked products around the softmax rows.
#ifndef CXATTN_KERNELS_ATTENTION_HPP
#define CXATTN_KERNELS_ATTENTION_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/scores.hpp"
#include "cxattn/detail/special_rows.hpp"
#include "cxattn/kernels/exp.hpp"
#include "cxattn/kernels/gemm.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/reduce.hpp"
#include "cxattn/kernels/softmax.hpp"
#include "cxattn/kernels/target.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::kernels {

namespace detail {

// Attention whose key length and head sizes are all at most 4: every row fits in a few registers,
// and the packed panels of the blocked products would cost more than the arithmetic.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
inline constexpr bool tiny = S <= 4 && Dk <= 4 && Dv <= 4;

// The plain dot product of q and k (Dk values each), summed in order: the tiny kernel's score.
template <class T, std::size_t Dk> [[nodiscard]] inline T plain_dot(const T* q, const T* k) noexcept {
    T dot{};
    for (std::size_t d = 0; d < Dk; ++d) dot += q[d] * k[d];
    return dot;
}

// Of the S plain scaled scores in w (query q against the keys at k, row stride LdK), those that are
// not finite again by the rule of cxattn/detail/scores.hpp: a product or a partial sum of theirs may
// have overflowed. A finite plain score never overflowed, and keeps its bits (so NaN or inf in a
// masked key changes no other score).
template <class T, std::size_t S, std::size_t Dk, std::size_t LdK>
CXATTN_DETAIL_OUT_OF_LINE void rescore_row(const T* q, const T* k, T scale, T* w) noexcept {
    for (std::size_t j = 0; j < S; ++j)
        if (!values_finite<T, 1>(w + j))
            w[j] = cxattn::detail::scaled_score<cxattn::detail::plain_arithmetic>(q, k + j * LdK, 1, Dk, scale);
}

// Row i of a tiny attention again, from the query and the keys: its plain scores, those that are not
// finite by the rule, then its weights (a special row by its rule, an ordinary one by softmax).
template <class T, std::size_t S, std::size_t Dk, std::size_t LdK, class Mask>
CXATTN_DETAIL_OUT_OF_LINE void redo_row(const T* q, const T* k, T scale, const Mask& mask, std::size_t i,
                                        T* w) noexcept {
    for (std::size_t j = 0; j < S; ++j) w[j] = plain_dot<T, Dk>(q, k + j * LdK) * scale;
    rescore_row<T, S, Dk, LdK>(q, k, scale, w);
    mask.apply(i, 0, w, S, S);
    softmax_rows<T, 1, S>(w, T(1));
}

// Output row i of a tiny attention from its weights (S values at w): the sum over j of w_j v_j.
template <class T, std::size_t S, std::size_t Dv, std::size_t LdV>
inline void tiny_output_row(const T* w, const T* v, T* out) noexcept {
    T acc[Dv] = {};
    for (std::size_t j = 0; j < S; ++j)
        for (std::size_t d = 0; d < Dv; ++d) acc[d] += w[j] * v[j * LdV + d];
    for (std::size_t d = 0; d < Dv; ++d) out[d] = acc[d];
}

// The C columns of n <= G rows of a matrix (row stride Ld) in the lanes of vectors of G lanes:
// x[c][r] = p[r * Ld + c], and zeros in x[0..4) where there is no such row or column.
template <class T, std::size_t G, std::size_t C, std::size_t Ld>
inline void rows_to_lanes(const T* p, std::size_t n, vector<T, G>* x) noexcept {
    if constexpr (G == 4) {
        for (std::size_t c = 0; c < 4; ++c) x[c] = vector<T, G>{};
        for (std::size_t r = 0; r < n; ++r) __builtin_memcpy(&x[r], p + r * Ld, C * sizeof(T));
        transpose4(x);
    } else {
        static_assert(G == 2);
        // Whole vectors: GCC 12 takes a lane written into a zeroed vector for a use of an
        // uninitialised one (-Wuninitialized).
        for (std::size_t c = 0; c < 4; ++c)
            x[c] = c < C && n > 0 ? vector<T, G>{p[c], n > 1 ? p[Ld + c] : T(0)} : vector<T, G>{};
    }
}

// The inverse of rows_to_lanes: p[r * Ld + c] = x[c][r] for r < n and c < C.
template <class T, std::size_t G, std::size_t C, std::size_t Ld>
inline void lanes_to_rows(const vector<T, G>* x, std::size_t n, T* p) noexcept {
    if constexpr (G == 4) {
        vector<T, G> t[4] = {x[0], x[1], x[2], x[3]};
        transpose4(t);
        for (std::size_t r = 0; r < n; ++r) __builtin_memcpy(p + r * Ld, &t[r], C * sizeof(T));
    } else {
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < C; ++c) p[r * Ld + c] = x[c][r];
    }
}

// Row strides: LdQ, LdK, LdV of the operands, LdO of the output; the weights are L x S. P groups of
// G rows at a time (tiny_groups, tiny_rows) with the rows in the lanes: the queries moved into the
// lanes, then each key's scores, the softmax down the lanes (per row, in the order of the scalar
// loops: the dot products as plain_dot, the maximum, the exps and their sum over j in order) and
// each output column are vector operations, and the weights and outputs are moved back into rows.
// No score goes through memory (unless a mask applies), and no reduction runs across lanes.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LdQ, std::size_t LdK,
          std::size_t LdV, std::size_t LdO, class Mask>
inline void tiny_attention(const T* CXATTN_DETAIL_RESTRICT q, const T* CXATTN_DETAIL_RESTRICT k,
                           const T* CXATTN_DETAIL_RESTRICT v, T scale, T* CXATTN_DETAIL_RESTRICT out,
                           T* CXATTN_DETAIL_RESTRICT w, const Mask& mask) noexcept {
    constexpr std::size_t G = tiny_rows<T>;
    constexpr std::size_t P = tiny_groups<T>;
    using rows = vector<T, G>;
    // The finiteness test by 32-bit words: in each lane the word that holds the exponent field is
    // compared with inf's, the other word of a double with zero. (SSE2 compares no 64-bit integers:
    // GCC 12 moved each double lane through a general register.)
    using words = vector<std::uint32_t, sizeof(rows) / 4>;
    const words exponent = __builtin_bit_cast(words, rows{} + std::numeric_limits<T>::infinity());
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    // Scores that are not all finite may hold an overflowed product or partial sum: every row is
    // then redone by the rule (detail/scores.hpp). The loops over keys and components are unrolled
    // at -O2 too, so that x, query and o stay in registers (GCC 12 unrolls them at -O3 only).
    words non_finite{};
    for (std::size_t i0 = 0; i0 < L; i0 += P * G) {
        std::size_t first[P], n[P]; // group g: n[g] rows (G at most) from row first[g]
        rows query[P][4];           // query[g][d]: component d of group g's queries
        rows x[P][4] = {};
#pragma GCC unroll 2
        for (std::size_t g = 0; g < P; ++g) {
            const std::size_t start = i0 + g * G;
            n[g] = start >= L ? 0 : L - start < G ? L - start : G;
            first[g] = n[g] > 0 ? start : i0; // an empty group names a row that exists, never read
            rows_to_lanes<T, G, Dk, LdQ>(q + first[g] * LdQ, n[g], query[g]);
        }
#pragma GCC unroll 4
        for (std::size_t j = 0; j < S; ++j) {
#pragma GCC unroll 2
            for (std::size_t g = 0; g < P; ++g) {
#pragma GCC unroll 4
                for (std::size_t d = 0; d < Dk; ++d) x[g][j] += query[g][d] * k[j * LdK + d];
                non_finite |= __builtin_bit_cast(words, (__builtin_bit_cast(words, x[g][j]) & exponent) == exponent);
                x[g][j] *= scale;
            }
        }
        if constexpr (!std::is_same_v<Mask, no_mask>) {
            for (std::size_t g = 0; g < P; ++g) {
                lanes_to_rows<T, G, S, S>(x[g], n[g], w + first[g] * S);
                for (std::size_t r = 0; r < n[g]; ++r) mask.apply(first[g] + r, 0, w + (first[g] + r) * S, S, S);
                rows_to_lanes<T, G, S, S>(w + first[g] * S, n[g], x[g]);
            }
        }
        rows max[P], sum[P] = {}, inverse[P];
#pragma GCC unroll 2
        for (std::size_t g = 0; g < P; ++g) {
            max[g] = x[g][0];
#pragma GCC unroll 4
            for (std::size_t j = 1; j < S; ++j) max[g] = larger(max[g], x[g][j]);
            max[g] = max[g] <= minus_inf ? rows{} : max[g]; // a row of -inf: zeros
        }
#pragma GCC unroll 4
        for (std::size_t j = 0; j < S; ++j) {
#pragma GCC unroll 2
            for (std::size_t g = 0; g < P; ++g) {
                x[g][j] = exp_of<T, rows>(x[g][j] - max[g]);
                sum[g] += x[g][j];
            }
        }
#pragma GCC unroll 2
        for (std::size_t g = 0; g < P; ++g) {
            inverse[g] = T(1) / sum[g];
#pragma GCC unroll 4
            for (std::size_t j = 0; j < S; ++j)
                x[g][j] = sum[g] <= T(0) ? x[g][j] : x[g][j] * inverse[g]; // a sum of 0: zeros
        }
        rows o[P][4] = {};
#pragma GCC unroll 4
        for (std::size_t d = 0; d < Dv; ++d)
#pragma GCC unroll 2
            for (std::size_t g = 0; g < P; ++g)
#pragma GCC unroll 4
                for (std::size_t j = 0; j < S; ++j) o[g][d] += x[g][j] * v[j * LdV + d];
#pragma GCC unroll 2
        for (std::size_t g = 0; g < P; ++g) {
            lanes_to_rows<T, G, S, S>(x[g], n[g], w + first[g] * S);
            lanes_to_rows<T, G, Dv, LdO>(o[g], n[g], out + first[g] * LdO);
        }
    }
    bool scores_finite = true;
    for (std::size_t l = 0; l < sizeof(words) / 4; ++l)
        scores_finite = scores_finite && (exponent[l] == 0 || non_finite[l] == 0);
    for (std::size_t i = 0; i < L; ++i)
        if (!scores_finite || cxattn::detail::is_nan(w[i * S])) {
            redo_row<T, S, Dk, LdK>(q + i * LdQ, k, scale, mask, i, w + i * S);
            tiny_output_row<T, S, Dv, LdV>(w + i * S, v, out + i * LdO);
        }
}

// Attention on operands with row strides LdQ, LdK, LdV (the columns of one head, for
// multi_head_attention) into an output with row stride LdO and L x S weights.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LdQ, std::size_t LdK,
          std::size_t LdV, std::size_t LdO, class Mask>
inline void attention_core(const T* q, const T* k, const T* v, T scale, T* out, T* w, const Mask& mask) noexcept {
    if constexpr (tiny<T, L, S, Dk, Dv> && !has_sink<Mask>) { // a sink: softmax_rows takes it in
        tiny_attention<T, L, S, Dk, Dv, LdQ, LdK, LdV, LdO>(q, k, v, scale, out, w, mask);
    } else {
        product<T, L, Dk, S, true>(q, LdQ, k, LdK, w, S, false);
        softmax_rows<T, L, S>(w, scale, mask,
                              [&](std::size_t i, T* row) { rescore_row<T, S, Dk, LdK>(q + i * LdQ, k, scale, row); });
        product<T, L, S, Dv, false>(w, S, v, LdV, out, LdO, false);
    }
    // A masked position's key and value are never read: its score is -inf whatever the key, and its
    // value, if it holds inf or NaN, is left out of the sum rather than multiplied by 0.
    if constexpr (!std::is_same_v<Mask, no_mask>) {
        bool finite = true;
        for (std::size_t j = 0; j < S; ++j) finite = finite && values_finite<T, Dv>(v + j * LdV);
        if (!finite)
            product_skipping<T, L, S, Dv>(w, S, v, LdV, out, LdO, false,
                                          [&](std::size_t i, std::size_t j) { return mask.masked(i, j, S); });
    }
}

} // namespace detail

// Scaled dot-product attention at run time: weights = softmax(mask(query key^T * scale)) (L x S),
// output = weights value (L x Dv), with the semantics of the constexpr algorithm
// (cxattn/attention.hpp) for every input, NaN and infinities included.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask = no_mask>
inline void attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      T scale, matrix<T, L, Dv>& output, matrix<T, L, S>& weights, const Mask& mask = {}) noexcept {
    static_assert(supported<T>, "cxattn::kernels::attention: the element type must be float or double (IEEE 754)");
    detail::attention_core<T, L, S, Dk, Dv, Dk, Dk, Dv, Dv>(query.values, key.values, value.values, scale,
                                                            output.values, weights.values, mask);
}

namespace detail {

// The query rows of multi_head_attention's blocks at run time: a block's projected queries, one
// head's weights and the heads' outputs before the output projection are 32 rows each.
inline constexpr std::size_t head_query_block = 32;

// Query rows [I0, I0 + LB) of one head h, whose key/value head's projected keys and values are
// keys and values (S x head_dim): its projected queries, its attention into the output's columns
// of head h (the heads side by side, before the output projection), its weights added to weights.
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t HeadDim, std::size_t LB, class Params,
          class Mask>
inline void head_rows(const T* query, const Params& params, std::size_t h, const T* keys, const T* values, T scale,
                      T* output, T* weights, const Mask& mask, std::size_t i0) noexcept {
    T queries[LB * HeadDim];
    T head_weights[LB * S];
    product<T, LB, E, HeadDim, true>(query + i0 * E, E, params.q_proj.values + h * HeadDim * E, E, queries, HeadDim,
                                     false);
    for (std::size_t i = 0; i < LB; ++i)
        for (std::size_t o = 0; o < HeadDim; ++o) queries[i * HeadDim + o] += params.q_bias.values[h * HeadDim + o];
    attention_core<T, LB, S, HeadDim, HeadDim, HeadDim, HeadDim, HeadDim, E>(
        queries, keys, values, scale, output + i0 * E + h * HeadDim, head_weights, rows_from(mask, i0));
    for (std::size_t i = 0; i < LB * S; ++i) weights[i0 * S + i] += head_weights[i];
}

// Output rows [I0, I0 + LB), which hold the heads' outputs, replaced by their output projection.
template <class T, std::size_t E, std::size_t LB, class Params>
inline void out_projection_rows(const Params& params, T* output, std::size_t i0) noexcept {
    T heads[LB * E];
    for (std::size_t i = 0; i < LB * E; ++i) heads[i] = output[i0 * E + i];
    project<T, LB, E, E>(heads, params.out_proj.values, params.out_bias.values, output + i0 * E);
}

} // namespace detail

// multi_head_attention at run time (cxattn/multi_head.hpp; Params is its mha_params): the
// projections, each head's attention over its columns of the projected query and of its key/value
// head (NumKvHeads of them, NumHeads / NumKvHeads query heads each), the heads' weights averaged, the
// output projection. The heads' outputs are kept in output itself until the output projection, so
// the scratch is one key/value head's projected keys and values (2 S x E / NumHeads) and blocks of
// 32 query rows (their projected queries, one head's weights, L x S at most, and the heads' outputs
// of a block), never L x E or L x S.
// Weights is matrix<T, L, S> (the heads' mean) or std::array<matrix<T, L, S>, NumHeads> (each head's,
// cxattn::per_head_weights).
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t KDim, std::size_t VDim,
          std::size_t NumHeads, std::size_t NumKvHeads, class Params, class Weights, class Mask = no_mask>
inline void multi_head_attention(const matrix<T, L, E>& query, const matrix<T, S, KDim>& key,
                                 const matrix<T, S, VDim>& value, const Params& params, T scale,
                                 matrix<T, L, E>& output, Weights& weights, const Mask& mask = {}) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::multi_head_attention: the element type must be float or double (IEEE 754)");
    constexpr std::size_t head_dim = E / NumHeads, group = NumHeads / NumKvHeads;
    constexpr std::size_t LB = L < detail::head_query_block ? L : detail::head_query_block;
    constexpr std::size_t full = L / LB * LB;
    constexpr bool per_head = !std::is_same_v<Weights, matrix<T, L, S>>;
    // Where head h's weights are added: its own matrix, or the one all heads are summed into.
    const auto weights_of = [&weights](std::size_t h) -> T* {
        if constexpr (per_head)
            return weights[h].values;
        else
            return static_cast<void>(h), weights.values;
    };
    for (std::size_t h = 0; h < (per_head ? NumHeads : 1); ++h)
        for (std::size_t i = 0; i < L * S; ++i) weights_of(h)[i] = T(0);
    for (std::size_t g = 0; g < NumKvHeads; ++g) {
        // The heads' sums into weights keep their order, h = 0, 1, ...: g ascends, then its heads.
        T keys[S * head_dim], values[S * head_dim];
        detail::product<T, S, KDim, head_dim, true>(key.values, KDim, params.k_proj.values + g * head_dim * KDim, KDim,
                                                    keys, head_dim, false);
        detail::product<T, S, VDim, head_dim, true>(value.values, VDim, params.v_proj.values + g * head_dim * VDim,
                                                    VDim, values, head_dim, false);
        for (std::size_t j = 0; j < S; ++j)
            for (std::size_t o = 0; o < head_dim; ++o) {
                keys[j * head_dim + o] += params.k_bias.values[g * head_dim + o];
                values[j * head_dim + o] += params.v_bias.values[g * head_dim + o];
            }
        for (std::size_t h = g * group; h < (g + 1) * group; ++h) {
            const auto& head_mask = for_head(mask, h, NumHeads); // the modifiers receive the head
            for (std::size_t i0 = 0; i0 < full; i0 += LB)
                detail::head_rows<T, L, S, E, head_dim, LB>(query.values, params, h, keys, values, scale, output.values,
                                                            weights_of(h), head_mask, i0);
            if constexpr (full < L)
                detail::head_rows<T, L, S, E, head_dim, L - full>(query.values, params, h, keys, values, scale,
                                                                  output.values, weights_of(h), head_mask, full);
        }
    }
    if constexpr (!per_head)
        for (T& x : weights.values) x /= static_cast<T>(NumHeads); // the mean over the heads (average_attn_weights)
    for (std::size_t i0 = 0; i0 < full; i0 += LB) detail::out_projection_rows<T, E, LB>(params, output.values, i0);
    if constexpr (full < L) detail::out_projection_rows<T, E, L - full>(params, output.values, full);
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_ATTENTION_HPP
