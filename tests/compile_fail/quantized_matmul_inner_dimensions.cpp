// SPDX-License-Identifier: MIT
// Rule: matmul's lhs columns equal its rhs rows.
// expected: cxattn::quantized::matmul: inner dimensions differ (lhs cols != rhs rows)
// expected: rhs<3, 5>
#include <cstdint>

#include <cxattn/quantized/matmul.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 2, 4> lhs{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<std::int8_t, 3, 5> rhs{};
#else
    constexpr cxattn::matrix<std::int8_t, 4, 5> rhs{};
#endif
    constexpr auto m = cxattn::quantized::matmul(lhs, rhs, {0, 0, 0, {1 << 30, 0}});
    static_cast<void>(m);
}
