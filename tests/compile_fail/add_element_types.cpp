// SPDX-License-Identifier: MIT
// Rule: element-wise arithmetic takes two matrices of the same element type.
// expected: cxattn::operator+: element types differ
// expected: same_element_type<double, float>
#include <cxattn/ops.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 2> a{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 2, 2> b{};
#else
    constexpr cxattn::matrix<double, 2, 2> b{};
#endif
    constexpr auto c = a + b;
    static_cast<void>(c);
}
