// SPDX-License-Identifier: MIT
// The contenders of the device benchmark, each an extern "C" function per shape that computes
// attention on its shape's operands (static storage, written by prepare):
//   cxattn            cxattn::scaled_dot_product_attention into a static attention_result, the
//                     library's defaults (on a Cortex-M the scalar kernels, CXATTN_RUNTIME_KERNELS=2)
//   cxattn_streaming  cxattn::streaming_attention into a static matrix (cxattn::into)
//   cxattn_constexpr  the first with CXATTN_RUNTIME_KERNELS=0 (contenders_constexpr.cpp)
//   loops             the notebook's functions as C loops, exp by std::exp (newlib's expf)
//   eigen             Eigen 3.4 fixed-size row-major matrices for the two products, the loops'
//                     row softmax between
//   cmsis_nn          CMSIS-NN's float functions: arm_batch_matmul_f32 for Q K^T and for P V,
//                     arm_softmax_f32 between, the scale applied to the scores by a loop
// With DEVICE_BENCHMARK_CXATTN_ONLY (the image built with CXATTN_RUNTIME_LIBM=0 and linked without
// libm) only the cxattn contenders (cxattn_constexpr's exp is then cxattn::portable::exp).
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <cxattn/attention.hpp>
#include <cxattn/streaming.hpp>

#ifndef DEVICE_BENCHMARK_CXATTN_ONLY
#include <Eigen/Core>
#include <arm_nnfunctions.h>
#endif

#include "operands.hpp"
#include "shapes.hpp"

namespace {

using device_benchmark::operands;
using device_benchmark::prepare;

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> const float* cxattn_sdpa() noexcept {
    using o = operands<L, S, Dk, Dv>;
    static cxattn::attention_result<float, L, S, Dv> result;
    cxattn::scaled_dot_product_attention(o::query, o::key, o::value, result);
    return result.output.values;
}

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> const float* cxattn_streaming() noexcept {
    using o = operands<L, S, Dk, Dv>;
    static cxattn::matrix<float, L, Dv> output;
    cxattn::streaming_attention(o::query, o::key, o::value, cxattn::into(output));
    return output.values;
}

#ifndef DEVICE_BENCHMARK_CXATTN_ONLY

// Each row of the L x S scores w: w = exp(w - max) / sum, as the notebook's softmax.
void softmax_rows(float* w, std::size_t rows, std::size_t columns) noexcept {
    for (std::size_t i = 0; i < rows; ++i) {
        float* row = w + i * columns;
        float max = row[0];
        for (std::size_t j = 1; j < columns; ++j) max = row[j] > max ? row[j] : max;
        float sum = 0;
        for (std::size_t j = 0; j < columns; ++j) sum += row[j] = std::exp(row[j] - max);
        for (std::size_t j = 0; j < columns; ++j) row[j] /= sum;
    }
}

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> const float* loops() noexcept {
    using o = operands<L, S, Dk, Dv>;
    static float w[L * S], output[L * Dv];
    const float* q = o::query.values;
    const float* k = o::key.values;
    const float* v = o::value.values;
    const float scale = 1.0f / std::sqrt(static_cast<float>(Dk));
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) {
            float dot = 0;
            for (std::size_t d = 0; d < Dk; ++d) dot += q[i * Dk + d] * k[j * Dk + d];
            w[i * S + j] = dot * scale;
        }
    softmax_rows(w, L, S);
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t d = 0; d < Dv; ++d) {
            float acc = 0;
            for (std::size_t j = 0; j < S; ++j) acc += w[i * S + j] * v[j * Dv + d];
            output[i * Dv + d] = acc;
        }
    return output;
}

template <std::size_t R, std::size_t C> using eigen_matrix = Eigen::Matrix<float, int(R), int(C), Eigen::RowMajor>;

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> const float* eigen() noexcept {
    using o = operands<L, S, Dk, Dv>;
    static eigen_matrix<L, S> w;
    static eigen_matrix<L, Dv> output;
    const Eigen::Map<const eigen_matrix<L, Dk>> q(o::query.values);
    const Eigen::Map<const eigen_matrix<S, Dk>> k(o::key.values);
    const Eigen::Map<const eigen_matrix<S, Dv>> v(o::value.values);
    w.noalias() = q * k.transpose();
    w *= 1.0f / std::sqrt(static_cast<float>(Dk));
    softmax_rows(w.data(), L, S);
    output.noalias() = w * v;
    return output.data();
}

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> const float* cmsis_nn() noexcept {
    using o = operands<L, S, Dk, Dv>;
    static float w[L * S], output[L * Dv];
    const cmsis_nn_context context{nullptr, 0};
    // Q K^T: the right-hand side K as stored (S rows of Dk), CMSIS-NN's default (adj_y false);
    // P V: V as stored is the transposed right-hand side (adj_y true). No clamping.
    const cmsis_nn_bmm_params_f32 scores{false, false, {-FLT_MAX, FLT_MAX}, ARM_NN_WEIGHT_FORMAT_STANDARD};
    const cmsis_nn_bmm_params_f32 mix{false, true, {-FLT_MAX, FLT_MAX}, ARM_NN_WEIGHT_FORMAT_STANDARD};
    const cmsis_nn_dims q_dims{1, 1, int32_t(Dk), int32_t(L)}, k_dims{1, 1, int32_t(Dk), int32_t(S)},
        w_dims{1, 1, int32_t(S), int32_t(L)}, v_dims{1, 1, int32_t(S), int32_t(Dv)},
        out_dims{1, 1, int32_t(Dv), int32_t(L)};
    arm_batch_matmul_f32(&context, &scores, &q_dims, o::query.values, &k_dims, o::key.values, &w_dims, w);
    const float scale = 1.0f / std::sqrt(static_cast<float>(Dk));
    for (std::size_t i = 0; i < L * S; ++i) w[i] *= scale;
    arm_softmax_f32(w, int32_t(L), int32_t(S), w);
    arm_batch_matmul_f32(&context, &mix, &w_dims, w, &v_dims, o::value.values, &out_dims, output);
    return output;
}

#endif

} // namespace

// The entry points, one per contender and shape: device_<contender>_<L>x<S>x<Dk>x<Dv>, which the
// code-size probes link alone.
#define DEVICE_ENTRY(name, function, L, S, Dk, Dv)                                                                     \
    extern "C" [[gnu::used]] const float* device_##name##_##L##x##S##x##Dk##x##Dv() noexcept {                         \
        return function<L, S, Dk, Dv>();                                                                               \
    }
#define DEVICE_CXATTN_ENTRIES(L, S, Dk, Dv)                                                                            \
    DEVICE_ENTRY(cxattn, cxattn_sdpa, L, S, Dk, Dv) DEVICE_ENTRY(cxattn_streaming, cxattn_streaming, L, S, Dk, Dv)
#define DEVICE_PEER_ENTRIES(L, S, Dk, Dv)                                                                              \
    DEVICE_ENTRY(loops, loops, L, S, Dk, Dv)                                                                           \
    DEVICE_ENTRY(eigen, eigen, L, S, Dk, Dv) DEVICE_ENTRY(cmsis_nn, cmsis_nn, L, S, Dk, Dv)
DEVICE_BENCHMARK_SHAPES(DEVICE_CXATTN_ENTRIES)
#ifndef DEVICE_BENCHMARK_CXATTN_ONLY
DEVICE_BENCHMARK_SHAPES(DEVICE_PEER_ENTRIES)
#endif

// contenders_constexpr.cpp's entries.
#define DEVICE_CONSTEXPR_DECLARATION(L, S, Dk, Dv)                                                                     \
    extern "C" const float* device_cxattn_constexpr_##L##x##S##x##Dk##x##Dv() noexcept;
DEVICE_BENCHMARK_SHAPES(DEVICE_CONSTEXPR_DECLARATION)
#define DEVICE_ROW(name, L, S, Dk, Dv)                                                                                 \
    {#name, L, S, Dk, Dv, &prepare<L, S, Dk, Dv>, &device_##name##_##L##x##S##x##Dk##x##Dv},
#define DEVICE_CXATTN_ROWS(L, S, Dk, Dv)                                                                               \
    DEVICE_ROW(cxattn, L, S, Dk, Dv)                                                                                   \
    DEVICE_ROW(cxattn_streaming, L, S, Dk, Dv) DEVICE_ROW(cxattn_constexpr, L, S, Dk, Dv)
#define DEVICE_PEER_ROWS(L, S, Dk, Dv)                                                                                 \
    DEVICE_ROW(loops, L, S, Dk, Dv) DEVICE_ROW(eigen, L, S, Dk, Dv) DEVICE_ROW(cmsis_nn, L, S, Dk, Dv)
#ifdef DEVICE_BENCHMARK_CXATTN_ONLY
#define DEVICE_ROWS(L, S, Dk, Dv) DEVICE_CXATTN_ROWS(L, S, Dk, Dv)
#else
// The loops first: the reference that every other contender of the shape is compared with.
#define DEVICE_ROWS(L, S, Dk, Dv) DEVICE_PEER_ROWS(L, S, Dk, Dv) DEVICE_CXATTN_ROWS(L, S, Dk, Dv)
#endif

const device_benchmark::contender device_benchmark::contenders[] = {DEVICE_BENCHMARK_SHAPES(DEVICE_ROWS){}};
