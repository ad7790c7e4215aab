// SPDX-License-Identifier: MIT
// Rule: matmul refuses integer elements narrower than int, whose sums would wrap silently (an int8_t
// sum of 300 becomes 44).
// expected: cxattn::matmul: integer elements narrower than int would wrap silently
// expected: accumulates_without_narrowing<
#include <cxattn/ops.hpp>

#include <cstdint>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    using element = std::int8_t;
#else
    using element = std::int32_t;
#endif
    constexpr cxattn::matrix<element, 1, 3> a{{100, 100, 100}};
    constexpr cxattn::matrix<element, 3, 1> b{{1, 1, 1}};
    constexpr auto c = cxattn::matmul(a, b);
#ifndef CXATTN_COMPILE_FAIL
    static_assert(c.values[0] == 300);
#endif
    static_cast<void>(c);
}
