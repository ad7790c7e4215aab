// SPDX-License-Identifier: MIT
// Rule: E % NumHeads == 0 (each head takes E / NumHeads columns of the projected query).
// expected: cxattn::mha_params: the embedding size E is not a multiple of NumHeads
// expected: num_heads_divide_embed_dim<cxattn::shapes::embed_dim<10>, cxattn::shapes::num_heads<4>
#include <cxattn/multi_head.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr std::size_t embed_dim = 10;
#else
    constexpr std::size_t embed_dim = 12;
#endif
    constexpr cxattn::matrix<float, 2, embed_dim> x{};
    constexpr cxattn::mha_params<float, embed_dim, 4> params{};
    constexpr auto r = cxattn::multi_head_attention(x, x, x, params);
    static_cast<void>(r);
}
