// SPDX-License-Identifier: MIT
// The core's compile-time budget: L = S = Dk = Dv = 32 attention, float and double, in constexpr
// variables under the compilers' default limits (this file is compiled with no -fconstexpr-*
// flag). Compiling this file is passing.
#include <cxattn/attention.hpp>

#include "test_data.hpp"

namespace {

template <class T> constexpr bool attention_32_is_sane() {
    constexpr auto q = test_data::uniform<T, 32, 32>(1);
    constexpr auto k = test_data::uniform<T, 32, 32>(2);
    constexpr auto v = test_data::uniform<T, 32, 32>(3);
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v);
    // Each output is a convex combination of values in [-1, 1); each weight row sums to one.
    for (std::size_t i = 0; i < 32; ++i) {
        T sum{};
        for (std::size_t j = 0; j < 32; ++j) sum += r.weights(i, j);
        if (!(sum - 1 < T(1e-5) && 1 - sum < T(1e-5))) return false;
        for (std::size_t d = 0; d < 32; ++d)
            if (!(r.output(i, d) >= -1 && r.output(i, d) < 1)) return false;
    }
    return true;
}

static_assert(attention_32_is_sane<float>());
static_assert(attention_32_is_sane<double>());

} // namespace

int main() {}
