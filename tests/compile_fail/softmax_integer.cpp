// SPDX-License-Identifier: MIT
// Rule: softmax needs a floating-point element type.
// expected: cxattn::softmax: the element type must be floating point
#include <cxattn/softmax.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<int, 2, 2> m{};
#else
    constexpr cxattn::matrix<float, 2, 2> m{};
#endif
    constexpr auto s = cxattn::softmax(m);
    static_cast<void>(s);
}
