// SPDX-License-Identifier: MIT
// cxattn/kernels/micro_kernel.hpp: the register-blocked micro-kernel of the matrix products and its packed panel.
#ifndef CXATTN_KERNELS_MICRO_KERNEL_HPP
#define CXATTN_KERNELS_MICRO_KERNEL_HPP

#include <cstddef>

#include "cxattn/kernels/target.hpp"

namespace cxattn::kernels {

namespace detail {

// c[MR x NV W] (row stride ldc) = a[MR x depth] (row stride lda) times panel[depth x NV W]
// (row-major), or += when accumulate. MR x NV accumulator vectors of W lanes stay in registers; per
// k, NV loads of the panel, MR scalars of a (broadcast by the multiplication) and MR x NV
// multiply-adds. Each element of c is summed in the order k = 0, 1, ... as in the scalar loop, so
// the vectors change no bit. The loops over rows and vectors are unrolled at -O2 too: GCC 12 leaves
// them rolled there, and the accumulators in memory.
template <class T, std::size_t MR, std::size_t W, std::size_t NV>
CXATTN_DETAIL_OUT_OF_LINE void micro_kernel(const T* a, std::size_t lda, const T* panel, T* c, std::size_t ldc,
                                            std::size_t depth, bool accumulate) noexcept {
    constexpr std::size_t NR = W * NV;
    vector<T, W> acc[MR][NV];
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = accumulate ? load<T, W>(c + r * ldc + v * W) : vector<T, W>{};
    for (std::size_t k = 0; k < depth; ++k) {
        vector<T, W> b[NV];
        for (std::size_t v = 0; v < NV; ++v) b[v] = load<T, W>(panel + k * NR + v * W);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const T ar = a[r * lda + k];
#pragma GCC unroll 16
            for (std::size_t v = 0; v < NV; ++v) acc[r][v] += ar * b[v];
        }
    }
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < NV; ++v) store(c + r * ldc + v * W, acc[r][v]);
}

// MR rows of c, columns [0, width) (width <= NV W): straight into c when the block is full, else
// through a tile of NV W columns whose first width are copied.
template <class T, std::size_t MR, std::size_t W, std::size_t NV>
inline void row_block(const T* a, std::size_t lda, const T* panel, T* c, std::size_t ldc, std::size_t width,
                      std::size_t depth, bool accumulate) noexcept {
    constexpr std::size_t NR = W * NV;
    if (width == NR) {
        micro_kernel<T, MR, W, NV>(a, lda, panel, c, ldc, depth, accumulate);
        return;
    }
    T tile[MR * NR];
    if (accumulate)
        for (std::size_t r = 0; r < MR; ++r)
            for (std::size_t j = 0; j < width; ++j) tile[r * NR + j] = c[r * ldc + j];
    micro_kernel<T, MR, W, NV>(a, lda, panel, tile, NR, depth, accumulate);
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < width; ++j) c[r * ldc + j] = tile[r * NR + j];
}

} // namespace detail

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_MICRO_KERNEL_HPP
