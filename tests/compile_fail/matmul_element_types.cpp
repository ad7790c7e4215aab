// SPDX-License-Identifier: MIT
// Rule: matmul's operands hold the same element type (no silent float/double mixing).
// expected: cxattn::matmul: element types differ
// expected: same_element_type<float, double>
#include <cxattn/ops.hpp>

int main() {
    constexpr cxattn::matrix<float, 2, 2> a{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 2, 2> b{};
#else
    constexpr cxattn::matrix<float, 2, 2> b{};
#endif
    constexpr auto c = cxattn::matmul(a, b);
    static_cast<void>(c);
}
