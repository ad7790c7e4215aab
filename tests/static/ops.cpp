// SPDX-License-Identifier: MIT
// Static tests of matmul, transpose and element-wise arithmetic: compiling this file is passing.
#include <cxattn/ops.hpp>

using cxattn::matrix;

constexpr matrix<double, 2, 3> a{1, 2, 3, 4, 5, 6};
constexpr matrix<double, 3, 2> b{7, 8, 9, 10, 11, 12};

static_assert(cxattn::matmul(a, b) == matrix<double, 2, 2>{58, 64, 139, 154});
static_assert(cxattn::matmul(b, a) == matrix<double, 3, 3>{39, 54, 69, 49, 68, 87, 59, 82, 105});
static_assert(cxattn::matmul(matrix<float, 1, 1>{3}, matrix<float, 1, 4>{1, 2, 3, 4}) ==
              matrix<float, 1, 4>{3, 6, 9, 12});
static_assert(cxattn::transpose(a) == matrix<double, 3, 2>{1, 4, 2, 5, 3, 6});
static_assert(cxattn::transpose(cxattn::transpose(b)) == b);
static_assert(a + a == matrix<double, 2, 3>{2, 4, 6, 8, 10, 12});
static_assert(a - a == matrix<double, 2, 3>{});
static_assert(-a == matrix<double, 2, 3>{-1, -2, -3, -4, -5, -6});
static_assert(a * 2 == 2.0 * a && a * 2 == a + a);
static_assert(a / 2 == matrix<double, 2, 3>{0.5, 1, 1.5, 2, 2.5, 3});

int main() {}
