// SPDX-License-Identifier: MIT
// cxattn/kernels/micro_kernel.hpp: the register-blocked micro-kernel of the matrix products and its packed panel.
#ifndef CXATTN_KERNELS_MICRO_KERNEL_HPP
#define CXATTN_KERNELS_MICRO_KERNEL_HPP

#include <cstddef>

#include "cxattn/kernels/target.hpp"

namespace cxattn::kernels {

namespace detail {

// c[MR x nr] (row stride ldc) = a[MR x depth] (row stride lda) times panel[depth x nr] (row-major),
// or += when accumulate. The accumulators are a local array with constant indices: both compilers
// keep it in vector registers and emit, per k, nr / lanes loads of the panel, MR broadcasts of a and
// MR * nr / lanes fused multiply-adds.
template <class T, std::size_t MR>
CXATTN_DETAIL_OUT_OF_LINE void micro_kernel(const T* a, std::size_t lda, const T* panel, T* c, std::size_t ldc,
                                            std::size_t depth, bool accumulate) noexcept {
    constexpr std::size_t NR = nr<T>;
    T acc[MR][NR];
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < NR; ++j) acc[r][j] = accumulate ? c[r * ldc + j] : T(0);
    for (std::size_t k = 0; k < depth; ++k) {
        const T* bk = panel + k * NR;
        for (std::size_t r = 0; r < MR; ++r) {
            const T ar = a[r * lda + k];
            for (std::size_t j = 0; j < NR; ++j) acc[r][j] += ar * bk[j];
        }
    }
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < NR; ++j) c[r * ldc + j] = acc[r][j];
}

// MR rows of c, columns [0, width) (width <= nr): straight into c when the block is full, else
// through a tile of nr columns whose first width are copied.
template <class T, std::size_t MR>
inline void row_block(const T* a, std::size_t lda, const T* panel, T* c, std::size_t ldc, std::size_t width,
                      std::size_t depth, bool accumulate) noexcept {
    constexpr std::size_t NR = nr<T>;
    if (width == NR) {
        micro_kernel<T, MR>(a, lda, panel, c, ldc, depth, accumulate);
        return;
    }
    T tile[MR * NR];
    if (accumulate)
        for (std::size_t r = 0; r < MR; ++r)
            for (std::size_t j = 0; j < width; ++j) tile[r * NR + j] = c[r * ldc + j];
    micro_kernel<T, MR>(a, lda, panel, tile, NR, depth, accumulate);
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < width; ++j) c[r * ldc + j] = tile[r * NR + j];
}

} // namespace detail

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_MICRO_KERNEL_HPP
