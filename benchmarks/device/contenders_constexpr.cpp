// SPDX-License-Identifier: MIT
// The contender cxattn_constexpr of the device benchmark: cxattn::scaled_dot_product_attention with
// CXATTN_RUNTIME_KERNELS=0, the constexpr algorithms at run time (with CXATTN_RUNTIME_LIBM=0 the
// compile-time bits). contenders.cpp lists its entries, device_cxattn_constexpr_<L>x<S>x<Dk>x<Dv>.
// A program should give every translation unit the same settings (README, Configuration): the
// linker keeps one definition of each inline function. This one differs from contenders.cpp on
// purpose, for the comparison, and keeps its calls apart by their template arguments: it names the
// scale, the default 1/sqrt(Dk), as an option, which contenders.cpp's calls do not.
#define CXATTN_RUNTIME_KERNELS 0

#include <cstddef>

#include <cxattn/attention.hpp>

#include "operands.hpp"
#include "shapes.hpp"

namespace {

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> const float* run() noexcept {
    using o = device_benchmark::operands<L, S, Dk, Dv>;
    static cxattn::attention_result<float, L, S, Dv> result;
    cxattn::scaled_dot_product_attention(o::query, o::key, o::value, result,
                                         cxattn::scale(cxattn::detail::default_scale<float, Dk>));
    return result.output.values;
}

} // namespace

#define DEVICE_CONSTEXPR_ENTRY(L, S, Dk, Dv)                                                                           \
    extern "C" [[gnu::used]] const float* device_cxattn_constexpr_##L##x##S##x##Dk##x##Dv() noexcept {                 \
        return run<L, S, Dk, Dv>();                                                                                    \
    }
DEVICE_BENCHMARK_SHAPES(DEVICE_CONSTEXPR_ENTRY)
