// SPDX-License-Identifier: MIT
// The shapes of the device benchmark (float; L x Dk queries, S x Dk keys, S x Dv values), and the
// contenders' common signature: operands and output as row-major arrays.
#ifndef CXATTN_DEVICE_BENCHMARK_SHAPES_HPP
#define CXATTN_DEVICE_BENCHMARK_SHAPES_HPP

#include <cstddef>
#include <cstdint>

// X(L, S, Dk, Dv) for each shape: L = S = Dk = Dv = N for N = 4, 8, 16, 32, and a short query
// block against a longer context.
#define DEVICE_BENCHMARK_SHAPES(X)                                                                                     \
    X(4, 4, 4, 4)                                                                                                      \
    X(8, 8, 8, 8)                                                                                                      \
    X(16, 16, 16, 16)                                                                                                  \
    X(32, 32, 32, 32)                                                                                                  \
    X(16, 64, 16, 16)

namespace device_benchmark {

// A contender on one shape. prepare() writes the operands (the same values for every contender of
// the shape); run() computes output (L x Dv, row-major) = softmax(query key^T / sqrt(Dk)) value and
// returns where the output is.
struct contender {
    const char* name;
    std::size_t l, s, dk, dv;
    void (*prepare)(unsigned seed) noexcept;
    const float* (*run)() noexcept;
};

// The operands of a shape from seed: values uniform in [-1, 1) from a linear congruential generator
// (Numerical Recipes' constants), the query's, then the key's, then the value's, the same for every
// contender of the shape.
inline void fill_operands(unsigned seed, float* query, std::size_t query_size, float* key, std::size_t key_size,
                          float* value, std::size_t value_size) noexcept {
    std::uint32_t state = seed;
    const auto fill = [&](float* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            state = state * 1664525u + 1013904223u;
            p[i] = static_cast<float>(state >> 8) * 0x1p-23f - 1.0f;
        }
    };
    fill(query, query_size);
    fill(key, key_size);
    fill(value, value_size);
}

// The contenders of this image (contenders.cpp), ended by one whose name is null.
extern const contender contenders[];

// The largest operands of the shapes above, in floats.
inline constexpr std::size_t largest_operand = 64 * 32;

} // namespace device_benchmark

#endif // CXATTN_DEVICE_BENCHMARK_SHAPES_HPP
