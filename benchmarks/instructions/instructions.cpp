// SPDX-License-Identifier: MIT
// Instructions executed by the public scaled_dot_product_attention at run time, counted by
// callgrind: unlike a timing, the count repeats exactly on a loaded machine, so two versions of the
// headers can be compared. CASE picks the call (element type, N) and how often it runs:
//
//   g++ -std=c++20 -O3 -march=x86-64-v3 -Iinclude '-DCASE=run<float, 4>(20000)' \
//       benchmarks/instructions/instructions.cpp -o /tmp/instructions &&
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/instructions
//
// (x86-64-v3, AVX2 and FMA: valgrind 3.19 does not decode AVX-512.) docs/benchmarks.md has the
// figures.
#include <cstddef>
#include <cstdio>

#include <cxattn/cxattn.hpp>

template <class T, std::size_t N> void run(int repetitions) {
    cxattn::matrix<T, N, N> q, k, v;
    for (std::size_t i = 0; i < N * N; ++i) {
        q.values[i] = T(i % 7) / 7;
        k.values[i] = T(i % 5) / 5;
        v.values[i] = T(i % 3) / 3;
    }
    T sum = 0;
    for (int r = 0; r < repetitions; ++r) {
        q.values[0] = T(r % 11) / 11; // a new input each time, so that no call is hoisted
        const auto result = cxattn::scaled_dot_product_attention(q, k, v);
        sum += result.output.values[0];
    }
    std::printf("%g\n", static_cast<double>(sum));
}

int main() { CASE; }
