// SPDX-License-Identifier: MIT
// Rule: additive_attention's scores are not scaled (Bahdanau et al. 2015): cxattn::scale is refused.
// expected: cxattn::additive_attention: cxattn::scale is not defined for additive attention
// expected: additive_scores_unscaled<cxattn::causal_t, cxattn::scale<float>
#include <cxattn/additive.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 3> q{};
    constexpr cxattn::matrix<float, 4, 2> k{};
    constexpr cxattn::matrix<float, 4, 1> v{};
    constexpr cxattn::additive_params<float, 3, 2, 5> params{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::additive_attention(q, k, v, params, cxattn::causal, cxattn::scale(0.5f));
#else
    constexpr auto r = cxattn::additive_attention(q, k, v, params, cxattn::causal);
#endif
    static_cast<void>(r);
}
