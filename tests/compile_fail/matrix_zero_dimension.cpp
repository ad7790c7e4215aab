// SPDX-License-Identifier: MIT
// Rule: a matrix has at least one row and one column.
// expected: cxattn::matrix: a dimension is zero
#include <cxattn/matrix.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<float, 0, 3> m{};
#else
    constexpr cxattn::matrix<float, 1, 3> m{};
#endif
    static_cast<void>(m);
}
