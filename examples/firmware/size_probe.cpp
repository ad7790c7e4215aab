// SPDX-License-Identifier: MIT
// The functions whose code size and stack scripts/embedded_sizes.py measures (docs/embedded.md):
// attention of float matrices with L = S = Dk = Dv = 8 and 16, by the materialising path
// (scaled_dot_product_attention, which holds the L x S weights) and the streaming path
// (streaming_attention, which holds Dv + 3 values per row), and, for comparison, the same
// computation as a direct loop in the style of C. Each is extern "C", takes its operands by pointer
// and is compiled at -Os; the script links each one alone (-e, --gc-sections) to see what it pulls in.
#include <cmath>
#include <cstddef>
#include <limits>

#include <cxattn/attention.hpp>
#include <cxattn/streaming.hpp>

template <std::size_t N> using square = cxattn::matrix<float, N, N>;

extern "C" {

void materialising_attention_8x8(const square<8>* q, const square<8>* k, const square<8>* v, square<8>* out) noexcept {
    *out = cxattn::scaled_dot_product_attention(*q, *k, *v).output;
}

void materialising_attention_16x16(const square<16>* q, const square<16>* k, const square<16>* v,
                                   square<16>* out) noexcept {
    *out = cxattn::scaled_dot_product_attention(*q, *k, *v).output;
}

void streaming_attention_8x8(const square<8>* q, const square<8>* k, const square<8>* v, square<8>* out) noexcept {
    *out = cxattn::streaming_attention(*q, *k, *v);
}

void streaming_attention_16x16(const square<16>* q, const square<16>* k, const square<16>* v,
                               square<16>* out) noexcept {
    *out = cxattn::streaming_attention(*q, *k, *v);
}

// The baseline: the notebook's formula as plain loops over row-major arrays, exp from libm.
void c_loop_attention_16x16(const float* q, const float* k, const float* v, float* out) noexcept {
    constexpr int n = 16;
    const float scale = 0.25f; // 1 / sqrt(16)
    for (int i = 0; i < n; ++i) {
        float w[n];
        float max = -std::numeric_limits<float>::infinity();
        for (int j = 0; j < n; ++j) {
            float s = 0;
            for (int d = 0; d < n; ++d) s += q[i * n + d] * k[j * n + d];
            w[j] = s * scale;
            if (w[j] > max) max = w[j];
        }
        float sum = 0;
        for (int j = 0; j < n; ++j) sum += w[j] = std::exp(w[j] - max);
        for (int d = 0; d < n; ++d) {
            float acc = 0;
            for (int j = 0; j < n; ++j) acc += w[j] * v[j * n + d];
            out[i * n + d] = acc / sum;
        }
    }
}

} // extern "C"
