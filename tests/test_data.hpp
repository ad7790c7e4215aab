// SPDX-License-Identifier: MIT
// Deterministic test inputs that are constant expressions: a 64-bit LCG (Knuth's MMIX constants)
// whose top 24 bits give values in [lo, hi), exactly representable in float, double and long double.
#ifndef CXATTN_TESTS_TEST_DATA_HPP
#define CXATTN_TESTS_TEST_DATA_HPP

#include <cstddef>
#include <cstdint>

#include <cxattn/matrix.hpp>

namespace test_data {

template <class T, std::size_t R, std::size_t C>
constexpr cxattn::matrix<T, R, C> uniform(std::uint64_t seed, T lo = T(-1), T hi = T(1)) {
    cxattn::matrix<T, R, C> m;
    std::uint64_t s = seed;
    for (T& v : m.values) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        v = lo + (hi - lo) * static_cast<T>(s >> 40) / static_cast<T>(1 << 24);
    }
    return m;
}

} // namespace test_data

#endif // CXATTN_TESTS_TEST_DATA_HPP
