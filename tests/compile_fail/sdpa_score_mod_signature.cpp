// SPDX-License-Identifier: MIT
// Rule: a score_mod's callable takes (score, head, query position, key position) and returns the score.
// expected: cxattn::scaled_dot_product_attention: a score_mod is not callable as T(T score, std::size_t head
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::score_mod([](float s, std::size_t) { return s; }));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(
        q, k, v, cxattn::score_mod([](float s, std::size_t, std::ptrdiff_t, std::ptrdiff_t) { return s; }));
#endif
    static_cast<void>(r);
}
