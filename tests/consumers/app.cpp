// SPDX-License-Identifier: MIT
// The program of every consumer project in tests/consumers/ (run.sh copies it beside each build
// file): attention on a small case at compile time and at run time through an installed or
// vendored cxattn, and a check of the language standard the consumer's build chose.
#include <cxattn/cxattn.hpp>

#include <cmath>
#include <cstdio>

// The Makefile consumer builds with -std=c++2b: cxattn's flags must not lower it to C++20.
#ifdef CONSUMER_EXPECTS_CXX23
static_assert(__cplusplus > 202002L, "the build compiles as C++20 although the consumer asked for C++23");
#endif
static_assert(CXATTN_VERSION >= 200, "cxattn/cxattn.hpp brings cxattn/version.hpp");

constexpr cxattn::matrix<float, 2, 3> query{1, 0, 1, 0, 1, 0};
constexpr cxattn::matrix<float, 3, 3> key{1, 0, 1, 0, 1, 0, 1, 1, 1};
constexpr cxattn::matrix<float, 3, 2> value{1, 2, 3, 4, 5, 6};
constexpr auto at_compile_time = cxattn::scaled_dot_product_attention(query, key, value);
static_assert(at_compile_time.weights(0, 0) > at_compile_time.weights(0, 1));

int main() {
    cxattn::matrix<float, 2, 3> q = query; // not a constant: computed at run time
    const auto at_run_time = cxattn::scaled_dot_product_attention(q, key, value);
    float largest = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::size_t j = 0; j < 2; ++j) {
            largest = std::fmax(largest, std::fabs(at_run_time.output(i, j) - at_compile_time.output(i, j)));
        }
    }
    std::printf("cxattn %d.%d.%d, __cplusplus %ld, output(0, 0) %.6f, run time vs compile time %.1e\n",
                CXATTN_VERSION_MAJOR, CXATTN_VERSION_MINOR, CXATTN_VERSION_PATCH, static_cast<long>(__cplusplus),
                static_cast<double>(at_run_time.output(0, 0)), static_cast<double>(largest));
    // The run-time kernels agree with compile time within 64 epsilon of the output's magnitude (6).
    return largest <= 64 * 6 * 1.2e-7f ? 0 : 1;
}
