// SPDX-License-Identifier: MIT
// GCC 12 -Ofast once stopped with an internal compiler error in its SLP vectoriser on
// streaming_attention with causal masking, float, and a long key sequence. Compiling this file with
// -Ofast (and the opt-in it needs, CXATTN_ALLOW_FAST_MATH=1) is the test; running it checks that the
// results are finite (the opt-in documents finite inputs; causal masking is exercised for the
// compiler, and its rows are checked only to be finite).
#include <cxattn/cxattn.hpp>

#include <cstdio>

namespace {

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> bool run() {
    static cxattn::matrix<float, L, Dk> q;
    static cxattn::matrix<float, S, Dk> k;
    static cxattn::matrix<float, S, Dv> v;
    for (std::size_t i = 0; i < L * Dk; ++i) q.values[i] = static_cast<float>(i % 7) * 0.125f;
    for (std::size_t i = 0; i < S * Dk; ++i) k.values[i] = static_cast<float>(i % 5) * 0.25f;
    for (std::size_t i = 0; i < S * Dv; ++i) v.values[i] = static_cast<float>(i % 3);
    static cxattn::matrix<float, L, Dv> out, out_lower_right;
    out = cxattn::streaming_attention(q, k, v, cxattn::causal);
    out_lower_right = cxattn::streaming_attention(q, k, v, cxattn::causal_lower_right);
    bool finite = true;
    for (std::size_t i = 0; i < L * Dv; ++i)
        finite = finite && out.values[i] >= -3.0f && out.values[i] <= 3.0f && out_lower_right.values[i] >= -3.0f &&
                 out_lower_right.values[i] <= 3.0f;
    return finite;
}

} // namespace

int main() {
    const bool ok = run<8, 1000, 16, 16>() && run<64, 512, 64, 64>() && run<1, 300, 4, 4>() && run<256, 256, 8, 8>();
    std::puts(ok ? "finite" : "not finite");
    return ok ? 0 : 1;
}
