// SPDX-License-Identifier: MIT
// Rule: element-wise + takes two matrices of the same shape.
// expected: cxattn::operator+: shapes differ
// expected: same_shape<cxattn::shapes::lhs<2, 3>, cxattn::shapes::rhs<3, 2>
#include <cxattn/ops.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 3> a{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<double, 3, 2> b{};
#else
    constexpr cxattn::matrix<double, 2, 3> b{};
#endif
    constexpr auto c = a + b;
    static_cast<void>(c);
}
