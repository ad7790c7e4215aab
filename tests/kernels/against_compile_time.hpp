// SPDX-License-Identifier: MIT
// The comparison of the kernels' tests of public calls: a run-time result against the compile-time
// one. With the run-time kernels (CXATTN_RUNTIME_KERNELS=1 or 2) every value lies within the
// documented tolerance (docs/benchmarks.md, "Run time": 64 epsilon relative to max(|value|,
// floor)); with CXATTN_RUNTIME_KERNELS=0 and CXATTN_RUNTIME_LIBM=0 the run time computes the
// constexpr algorithm with the portable exp, and the results are the compile-time bits.
#ifndef CXATTN_TESTS_KERNELS_AGAINST_COMPILE_TIME_HPP
#define CXATTN_TESTS_KERNELS_AGAINST_COMPILE_TIME_HPP

#include <boost/test/unit_test.hpp>

#include <cxattn/matrix.hpp>

#include <cmath>
#include <cstddef>
#include <limits>

namespace against_compile_time {

inline constexpr bool bit_exact = CXATTN_RUNTIME_KERNELS == 0 && CXATTN_RUNTIME_LIBM == 0;

template <class T> constexpr long double tolerance = 64.0L * std::numeric_limits<T>::epsilon();

// Run time against compile time, element by element: the same bits (NaN meeting NaN), or within the
// tolerance relative to max(|compile time|, floor).
template <class T, std::size_t R, std::size_t C>
void check(const cxattn::matrix<T, R, C>& run, const cxattn::matrix<T, R, C>& fixed, long double floor,
           const char* what) {
    for (std::size_t i = 0; i < R * C; ++i) {
        const T a = run.values[i], b = fixed.values[i];
        if (std::isnan(b) || std::isnan(a)) {
            BOOST_TEST((std::isnan(a) && std::isnan(b)), what << "[" << i << "]: " << a << " against " << b);
            continue;
        }
        if (bit_exact) {
            BOOST_TEST(a == b, what << "[" << i << "]: " << a << " against " << b);
        } else {
            // (The same infinity is equal; its difference would be NaN.)
            const long double error = a == b ? 0.0L
                                             : std::fabs(static_cast<long double>(a) - b) /
                                                   std::fmax(std::fabs(static_cast<long double>(b)), floor);
            BOOST_TEST(error <= tolerance<T>, what << "[" << i << "]: " << a << " against " << b);
        }
    }
}

// A run-time copy, so that the call it feeds is not constant-folded.
template <class M> M at_run_time(const M& m) {
    M copy = m;
    return copy;
}

} // namespace against_compile_time

#endif // CXATTN_TESTS_KERNELS_AGAINST_COMPILE_TIME_HPP
