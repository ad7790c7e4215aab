// SPDX-License-Identifier: MIT
// cxattn/config.hpp: every build-time option of the library, in one place.
// Define a macro before including any cxattn header (or with -D) to override its default.
#ifndef CXATTN_CONFIG_HPP
#define CXATTN_CONFIG_HPP

// The language requirement, first: every public header includes this file before any code of its
// own, so that an older standard gets this message instead of errors from deep inside the library.
// MSVC leaves __cplusplus at 199711L unless /Zc:__cplusplus is given; _MSVC_LANG holds the standard.
#if (defined(_MSVC_LANG) && _MSVC_LANG < 202002L) || (!defined(_MSVC_LANG) && __cplusplus < 202002L)
#error "cxattn needs C++20 or later (GCC and Clang: -std=c++20; MSVC: /std:c++20)"
#endif

#include <type_traits>

// CXATTN_RUNTIME_LIBM: what cxattn::exp and cxattn::sqrt run outside constant evaluation.
//   1 (default): std::exp / std::sqrt from <cmath>, the platform's libm.
//   0: the library's own algorithm (cxattn::portable), for targets without libm, or to make run-time
//      results bit-identical to compile-time ones.
#ifndef CXATTN_RUNTIME_LIBM
#define CXATTN_RUNTIME_LIBM 1
#endif
#if CXATTN_RUNTIME_LIBM != 0 && CXATTN_RUNTIME_LIBM != 1
#error "CXATTN_RUNTIME_LIBM must be 0 or 1"
#endif

// CXATTN_RUNTIME_KERNELS: what scaled_dot_product_attention, streaming_attention,
// multi_head_attention and softmax run outside constant evaluation, for float and double.
//   1 (default, except on M-profile Arm): the vectorised kernels of cxattn/kernels.hpp (results
//      within 64 epsilon of the compile-time ones, tested; docs/benchmarks.md).
//   0 (default on M-profile Arm, the Cortex-M cores): the constexpr algorithms at run time too;
//      with CXATTN_RUNTIME_LIBM=0 and no FMA contraction, the compile-time bits. The kernels are
//      blocked for wide-SIMD hosts: on a Cortex-M4 they double the code and the stack of an
//      attention call (docs/embedded.md).
#ifndef CXATTN_RUNTIME_KERNELS
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define CXATTN_RUNTIME_KERNELS 0
#else
#define CXATTN_RUNTIME_KERNELS 1
#endif
#endif
#if CXATTN_RUNTIME_KERNELS != 0 && CXATTN_RUNTIME_KERNELS != 1
#error "CXATTN_RUNTIME_KERNELS must be 0 or 1"
#endif

namespace cxattn::detail {

// std::is_constant_evaluated(), through the compiler's builtin: in C++23 mode libstdc++ 12
// implements the standard function with `if consteval`, which Clang 14 evaluates as true at run
// time, so every run-time path of the library would silently take the compile-time one.
[[nodiscard]] constexpr bool is_constant_evaluated() noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_is_constant_evaluated();
#else
    return std::is_constant_evaluated();
#endif
}

} // namespace cxattn::detail

#endif // CXATTN_CONFIG_HPP
