// SPDX-License-Identifier: MIT
// Rule: matmul_transposed's operands have the same number of columns (the rhs is given transposed).
// expected: cxattn::quantized::matmul_transposed: inner dimensions differ (lhs cols != rhs cols
// expected: rhs_transposed<5, 3>
#include <cstdint>

#include <cxattn/quantized/matmul.hpp>

int main() {
    constexpr cxattn::matrix<std::int8_t, 2, 4> lhs{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<std::int8_t, 5, 3> rhs{};
#else
    constexpr cxattn::matrix<std::int8_t, 5, 4> rhs{};
#endif
    constexpr auto m = cxattn::quantized::matmul_transposed(lhs, rhs, {0, 0, 0, {1 << 30, 0}});
    static_cast<void>(m);
}
