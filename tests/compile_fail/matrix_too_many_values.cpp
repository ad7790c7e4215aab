// SPDX-License-Identifier: MIT
// Rule: a matrix<T, R, C> takes at most R*C initial values. The language enforces this for the
// aggregate, so the text is the compiler's: GCC says "too many initializers for
// 'const cxattn::matrix<float, 2, 2>'", Clang says "excess elements in struct initializer".
// expected-gcc: too many initializers for 'const cxattn::matrix<float, 2, 2>'
// expected-clang: excess elements in struct initializer
#include <cxattn/matrix.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 2, 2> m{1, 2, 3, 4, 5};
#else
    constexpr cxattn::matrix<float, 2, 2> m{1, 2, 3, 4};
#endif
    static_cast<void>(m);
}
