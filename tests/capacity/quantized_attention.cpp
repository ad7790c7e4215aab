// SPDX-License-Identifier: MIT
// Capacity: int8 attention of 64 queries over 64 keys, Dk = Dv = 64, in a constexpr variable, under
// the compilers' default constant-evaluation limits (compiled without any -fconstexpr-* flag), with
// and without a causal mask. The inputs are constant expressions of their own, so the limits apply
// to the attention alone.
#include <cstddef>
#include <cstdint>

#include <cxattn/quantized.hpp>

namespace {

constexpr std::size_t n = 64;

// Deterministic int8 values: the top byte of a 32-bit linear congruential generator (Numerical
// Recipes' constants).
template <std::size_t R, std::size_t C> constexpr cxattn::matrix<std::int8_t, R, C> pseudo_random(std::uint32_t state) {
    cxattn::matrix<std::int8_t, R, C> m;
    for (std::int8_t& v : m.values) {
        state = state * 1664525u + 1013904223u;
        v = static_cast<std::int8_t>(static_cast<std::int32_t>(state) >> 24);
    }
    return m;
}

constexpr auto query = pseudo_random<n, n>(1);
constexpr auto key = pseudo_random<n, n>(2);
constexpr auto value = pseudo_random<n, n>(3);
constexpr cxattn::quantized::attention_quantization quantization{
    {0.02, 3}, {0.015, -7}, {0.05, 0}, {0.25, -10}, {0.04, 2}};

constexpr auto plain = cxattn::quantized::scaled_dot_product_attention(query, key, value, quantization);
constexpr auto causal =
    cxattn::quantized::scaled_dot_product_attention(query, key, value, quantization, cxattn::causal);

// The last query row of a causal attention sees every key: its weights are those of the plain one.
static_assert(plain.weights.values[n * n - 1] == causal.weights.values[n * n - 1]);
static_assert(causal.weights.values[1] == -128); // query 0 does not see key 1

} // namespace

int main() { return plain.output.values[0] + causal.output.values[0] > 1000; }
