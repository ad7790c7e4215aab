// SPDX-License-Identifier: MIT
// cxattn/kernels/gemm.hpp: the blocked matrix products of the run-time kernels (the driver over the micro-kernel).
#ifndef CXATTN_KERNELS_GEMM_HPP
#define CXATTN_KERNELS_GEMM_HPP

#include <cstddef>

#include "cxattn/kernels/micro_kernel.hpp"
#include "cxattn/kernels/target.hpp"

namespace cxattn::kernels {

namespace detail {

// panel[k * NR + j] = b[j * ldb + k] for j < width, k < depth: a block of rows of b transposed into
// a packed panel. Blocks of 4 x 4 are transposed in registers (4 loads, 8 shuffles, 4 stores: measured
// 2x faster than element by element); the edges go element by element, four rows of b at once.
template <class T, std::size_t NR>
inline void pack_transposed(const T* b, std::size_t ldb, T* panel, std::size_t width, std::size_t depth) noexcept {
    const std::size_t width4 = quads<T> ? width / 4 * 4 : 0, depth4 = depth / 4 * 4;
    if constexpr (quads<T>) {
        for (std::size_t j = 0; j < width4; j += 4) {
            for (std::size_t k = 0; k < depth4; k += 4) {
                vector<T, 4> r[4];
                for (std::size_t jj = 0; jj < 4; ++jj) __builtin_memcpy(&r[jj], b + (j + jj) * ldb + k, sizeof r[jj]);
                transpose4(r);
                for (std::size_t kk = 0; kk < 4; ++kk)
                    __builtin_memcpy(panel + (k + kk) * NR + j, &r[kk], sizeof r[kk]);
            }
            for (std::size_t k = depth4; k < depth; ++k)
                for (std::size_t jj = 0; jj < 4; ++jj) panel[k * NR + j + jj] = b[(j + jj) * ldb + k];
        }
    }
    // Four rows of b at once: the reads run along four rows (measured 2x faster than one at a time).
    for (std::size_t j = width4; j < width; j += 4) {
        const std::size_t rows = width - j < 4 ? width - j : 4;
        for (std::size_t k = 0; k < depth; ++k)
            for (std::size_t jj = 0; jj < rows; ++jj) panel[k * NR + j + jj] = b[(j + jj) * ldb + k];
    }
}

// c (M x N, row stride ldc) = a (M x K, row stride lda) times b, or += when accumulate; b is K x N
// (row stride ldb) or, when Transposed, b^T with b N x K (row stride ldb). Blocks of NR columns of b
// (panel_shape: nr, or fewer for a narrow b) are packed, in depth blocks of at most KcMax, into a
// zero-padded depth x NR panel that the micro-kernel reads row by row (BLIS's loop order: K. Goto
// and R. van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3), 2008).
// KcMax bounds the depth of a panel, so its stack; a deeper product is summed depth block after
// depth block through c, which holds the partial sums exactly, so the depth blocks do not change
// the result's bits. Out of line: its panel is then on the stack only while it runs, never merged
// into a caller's frame beside another product's (the stack formulas of docs/semantics.md count
// one panel).
template <class T, std::size_t M, std::size_t K, std::size_t N, bool Transposed, std::size_t KcMax = kc_max<T>>
CXATTN_DETAIL_OUT_OF_LINE void product(const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                                       bool accumulate) noexcept {
    using shape = panel_shape<T, N>;
    constexpr std::size_t W = shape::width, NV = shape::vectors, NR = shape::columns, MR = shape::rows;
    constexpr std::size_t kc = K < KcMax ? K : KcMax;
    constexpr std::size_t full_rows = M / MR * MR;
    alignas(64) T panel[kc * NR];
    for (std::size_t j0 = 0; j0 < N; j0 += NR) {
        const std::size_t width = N - j0 < NR ? N - j0 : NR;
        for (std::size_t k0 = 0; k0 < K; k0 += kc) {
            const std::size_t depth = K - k0 < kc ? K - k0 : kc;
            if constexpr (Transposed) {
                pack_transposed<T, NR>(b + j0 * ldb + k0, ldb, panel, width, depth);
            } else {
                for (std::size_t k = 0; k < depth; ++k)
                    for (std::size_t j = 0; j < width; ++j) panel[k * NR + j] = b[(k0 + k) * ldb + j0 + j];
            }
            if (width < NR)
                for (std::size_t k = 0; k < depth; ++k)
                    for (std::size_t j = width; j < NR; ++j) panel[k * NR + j] = T(0);
            const bool add = accumulate || k0 > 0;
            for (std::size_t i = 0; i < full_rows; i += MR)
                row_block<T, MR, W, NV>(a + i * lda + k0, lda, panel, c + i * ldc + j0, ldc, width, depth, add);
            if constexpr (M % MR != 0)
                row_block<T, M % MR, W, NV>(a + full_rows * lda + k0, lda, panel, c + full_rows * ldc + j0, ldc, width,
                                            depth, add);
        }
    }
}

// c (M x N) = a (M x K) times b (K x N), or += when accumulate, skipping the terms (r, k) that
// skip(r, k) names: for masked positions whose value rows hold inf or NaN, which the zero weight
// would turn into NaN. The terms are added in the order of the micro-kernel's and the tiny path's
// (k = 0, 1, ...; a skipped term adds exactly +0 there), so the result has their bits.
template <class T, std::size_t M, std::size_t K, std::size_t N, class Skip>
inline void product_skipping(const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                             bool accumulate, const Skip& skip) noexcept {
    for (std::size_t r = 0; r < M; ++r)
        for (std::size_t j = 0; j < N; ++j) {
            T acc = accumulate ? c[r * ldc + j] : T(0);
            for (std::size_t k = 0; k < K; ++k)
                if (!skip(r, k)) acc += a[r * lda + k] * b[k * ldb + j];
            c[r * ldc + j] = acc;
        }
}

// y (M x Out) = x (M x In) W^T + b, W being Out x In (PyTorch's layout) and b 1 x Out.
template <class T, std::size_t M, std::size_t In, std::size_t Out>
inline void project(const T* x, const T* weight, const T* bias, T* y) noexcept {
    product<T, M, In, Out, true>(x, In, weight, In, y, Out, false);
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t o = 0; o < Out; ++o) y[i * Out + o] += bias[o];
}

} // namespace detail

// c (M x N) = a (M x K) times b (K x N), all row-major.
template <class T, std::size_t M, std::size_t K, std::size_t N>
inline void matmul(const T* a, const T* b, T* c) noexcept {
    static_assert(supported<T>, "cxattn::kernels::matmul: the element type must be float or double (IEEE 754)");
    detail::product<T, M, K, N, false>(a, K, b, N, c, N, false);
}

// c (M x N) = a (M x K) times the transpose of b (N x K), all row-major.
template <class T, std::size_t M, std::size_t K, std::size_t N>
inline void matmul_transposed(const T* a, const T* b, T* c) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::matmul_transposed: the element type must be float or double (IEEE 754)");
    detail::product<T, M, K, N, true>(a, K, b, K, c, N, false);
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_GEMM_HPP
