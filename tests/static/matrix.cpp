// SPDX-License-Identifier: MIT
// Static tests of cxattn::matrix: compiling this file is passing.
#include <cxattn/matrix.hpp>

#include <type_traits>

using cxattn::matrix;

static_assert(matrix<float, 2, 3>::rows == 2 && matrix<float, 2, 3>::cols == 3);
static_assert(matrix<float, 2, 3>::size() == 6);
static_assert(std::is_aggregate_v<matrix<double, 2, 2>>);
static_assert(std::is_trivially_copyable_v<matrix<double, 2, 2>>);
static_assert(sizeof(matrix<float, 4, 4>) == 16 * sizeof(float), "storage is inside the object, nothing else");

// {} is all zeros; values are row-major; fewer values leave the rest zero.
static_assert(matrix<double, 2, 2>{} == matrix<double, 2, 2>{0, 0, 0, 0});
constexpr matrix<int, 2, 3> m{1, 2, 3, 4, 5, 6};
static_assert(m(0, 0) == 1 && m(0, 2) == 3 && m(1, 0) == 4 && m(1, 2) == 6);
static_assert(matrix<int, 2, 2>{7} == matrix<int, 2, 2>{7, 0, 0, 0});
static_assert(!(m == matrix<int, 2, 3>{1, 2, 3, 4, 5, 7}));

// m(i, j) writes in constant evaluation.
constexpr matrix<long double, 2, 2> written = [] {
    matrix<long double, 2, 2> w{};
    w(1, 0) = 2.5L;
    w(0, 1) += 1.0L;
    return w;
}();
static_assert(written == matrix<long double, 2, 2>{0, 1, 2.5L, 0});

// bool matrices (the mask type) work the same way.
constexpr matrix<bool, 2, 2> mask{true, false, false, true};
static_assert(mask(0, 0) && !mask(0, 1) && mask(1, 1));
static_assert(matrix<bool, 3, 1>{} == matrix<bool, 3, 1>{false, false, false});

// A matrix is a structural type, so it can be a template argument.
template <matrix<int, 1, 2> M> constexpr int first = M(0, 0);
static_assert(first<matrix<int, 1, 2>{9, 8}> == 9);

int main() {}
