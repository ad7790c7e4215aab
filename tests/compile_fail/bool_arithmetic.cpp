// SPDX-License-Identifier: MIT
// Rule: bool matrices are masks; they have no arithmetic.
// expected: cxattn::operator+: bool matrices are masks, not numbers
#include <cxattn/ops.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    using T = bool;
#else
    using T = int;
#endif
    constexpr cxattn::matrix<T, 2, 2> a{};
    constexpr auto c = a + a;
    static_cast<void>(c);
}
