// SPDX-License-Identifier: MIT
// Rule: a mask is L x S (query rows x key rows).
// expected: cxattn::scaled_dot_product_attention: a mask is not L x S (query rows x key rows)
// expected: masks_match_scores<cxattn::shapes::scores<3, 5>, cxattn::causal_t, cxattn::matrix<bool, 3, 4>
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 3, 4> q{};
    constexpr cxattn::matrix<double, 5, 4> k{};
    constexpr cxattn::matrix<double, 5, 2> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<bool, 3, 4> mask{};
#else
    constexpr cxattn::matrix<bool, 3, 5> mask{};
#endif
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal, mask);
    static_cast<void>(r);
}
