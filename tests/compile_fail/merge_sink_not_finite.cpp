// SPDX-License-Identifier: MIT
// Rule: merge's sink is finite or -inf in the element type, as the attention calls' is; constant
// evaluation refuses NaN and +inf (1e300 becomes +inf in float).
// expected: sink_is_nan_or_plus_infinity_in_the_element_type
#include <cxattn/partial.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 4> q{};
    constexpr cxattn::matrix<float, 3, 4> k{};
    constexpr cxattn::matrix<float, 3, 1> v{};
    constexpr auto a = cxattn::partial_attention(q, k, v);
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::merge(a, a, cxattn::sink(1e300));
#else
    constexpr auto r = cxattn::merge(a, a, cxattn::sink(1e30));
#endif
    static_cast<void>(r);
}
