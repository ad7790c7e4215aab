// SPDX-License-Identifier: MIT
// Rule: matmul's inner dimensions agree (lhs cols == rhs rows).
// expected: cxattn::matmul: inner dimensions differ
// expected: inner_dimensions_agree<cxattn::shapes::lhs<3, 4>, cxattn::shapes::rhs<5, 6>
#include <cxattn/ops.hpp>

int main() {
    constexpr cxattn::matrix<float, 3, 4> a{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 5, 6> b{};
#else
    constexpr cxattn::matrix<float, 4, 6> b{};
#endif
    constexpr auto c = cxattn::matmul(a, b);
    static_cast<void>(c);
}
