// SPDX-License-Identifier: MIT
// Rule: additive_attention takes the masks and positions only; softcap, ALiBi and score_mod are
// defined on scaled dot products, per_head_weights on heads.
// expected: cxattn::additive_attention: an option is not defined for additive attention
// expected: additive_options_defined<cxattn::key_length, cxattn::softcap<double>
#include <cxattn/additive.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 3> q{};
    constexpr cxattn::matrix<double, 4, 2> k{};
    constexpr cxattn::matrix<double, 4, 1> v{};
    constexpr cxattn::additive_params<double, 3, 2, 5> params{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::additive_attention(q, k, v, params, cxattn::key_length(3), cxattn::softcap(30.0));
#else
    constexpr auto r = cxattn::additive_attention(q, k, v, params, cxattn::key_length(3));
#endif
    static_cast<void>(r);
}
