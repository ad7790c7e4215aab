// SPDX-License-Identifier: MIT
// The seed notebook at compile time: compiling this file is passing.
#include <cxattn/cxattn.hpp>

#include "notebook_seed.hpp"

namespace {

using namespace notebook;

constexpr auto Q = cxattn::matmul(X, W_Q);
constexpr auto K = cxattn::matmul(X, W_K);
constexpr auto V = cxattn::matmul(X, W_V);
constexpr auto result = cxattn::scaled_dot_product_attention(Q, K, V);

// The notebook prints 8 decimals (each within 5e-9 of the true value); 1e-8 leaves room for that.
template <std::size_t R, std::size_t C>
constexpr bool matches_printed(const cxattn::matrix<double, R, C>& got, const cxattn::matrix<double, R, C>& printed) {
    for (std::size_t i = 0; i < R * C; ++i) {
        const double d = got.values[i] - printed.values[i];
        if (!(d <= 1e-8 && d >= -1e-8)) return false;
    }
    return true;
}

static_assert(matches_printed(result.weights, printed_weights));
static_assert(matches_printed(result.output, printed_output));

// Structured bindings work on the result, in constant evaluation too.
constexpr double first_weight() {
    auto [output, weights] = cxattn::scaled_dot_product_attention(Q, K, V);
    return weights(0, 0) + 0 * output(0, 0);
}
static_assert(first_weight() == result.weights(0, 0));

} // namespace

int main() {}
