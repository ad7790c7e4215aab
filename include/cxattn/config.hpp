// SPDX-License-Identifier: MIT
// cxattn/config.hpp: every build-time option of the library, in one place.
// Define a macro before including any cxattn header (or with -D) to override its default, with the
// same value in every translation unit of a program: the library's functions are inline templates,
// and the linker keeps one definition of each whatever the settings it was compiled with.
#ifndef CXATTN_CONFIG_HPP
#define CXATTN_CONFIG_HPP

// The language requirement, first: every public header includes this file before any code of its
// own, so that an older standard gets this message instead of errors from deep inside the library.
// MSVC leaves __cplusplus at 199711L unless /Zc:__cplusplus is given; _MSVC_LANG holds the standard.
#if (defined(_MSVC_LANG) && _MSVC_LANG < 202002L) || (!defined(_MSVC_LANG) && __cplusplus < 202002L)
#error "cxattn needs C++20 or later (GCC and Clang: -std=c++20; MSVC: /std:c++20)"
#endif

#include <bit>
#include <cstdint>
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
//   2 (default on M-profile Arm, the Cortex-M cores): the scalar kernels of
//      cxattn/kernels/scalar.hpp for scaled_dot_product_attention and streaming_attention, written
//      for in-order cores with a scalar FPU, their sizes run-time arguments (one copy of the loops
//      whatever the shapes; the same tolerance); multi_head_attention and softmax run the
//      constexpr algorithms (docs/embedded.md).
//   0: the constexpr algorithms at run time too; with CXATTN_RUNTIME_LIBM=0 and no FMA
//      contraction, the compile-time bits.
#ifndef CXATTN_RUNTIME_KERNELS
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define CXATTN_RUNTIME_KERNELS 2
#else
#define CXATTN_RUNTIME_KERNELS 1
#endif
#endif
#if CXATTN_RUNTIME_KERNELS != 0 && CXATTN_RUNTIME_KERNELS != 1 && CXATTN_RUNTIME_KERNELS != 2
#error "CXATTN_RUNTIME_KERNELS must be 0, 1 or 2"
#endif

// CXATTN_ALLOW_FAST_MATH: whether cxattn compiles under -ffinite-math-only, which -ffast-math and
// -Ofast include (the compiler then defines __FINITE_MATH_ONLY__ to 1).
//   0 (default): refused with #error. The compiler may then assume that no value is NaN or infinite,
//      but cxattn's documented results rest on them: masked positions, -inf biases, NaN propagation,
//      the overflow of exp.
//   1: compiles (GCC, Clang 14; refused on later Clang). Documented results only for finite inputs and finite scores, without causal or
//      bool masks or -inf biases, and with subnormal results possibly flushed to zero
//      (docs/semantics.md, "Compiler flags").
// The other parts of -ffast-math (-fassociative-math, -freciprocal-math, -fno-signed-zeros,
// -fno-math-errno, -fno-trapping-math, FMA contraction) need no opt-in: cxattn gives its documented
// results under them (-ffast-math -fno-finite-math-only is tested).
#ifndef CXATTN_ALLOW_FAST_MATH
#define CXATTN_ALLOW_FAST_MATH 0
#endif
#if CXATTN_ALLOW_FAST_MATH != 0 && CXATTN_ALLOW_FAST_MATH != 1
#error "CXATTN_ALLOW_FAST_MATH must be 0 or 1"
#endif
#if defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__ && !CXATTN_ALLOW_FAST_MATH
#error                                                                                                                 \
    "cxattn: -ffinite-math-only (part of -ffast-math and -Ofast) lets the compiler assume no NaN or infinity, on which masks and edge cases rest: add -fno-finite-math-only, or define CXATTN_ALLOW_FAST_MATH=1 to accept finite-only results (docs/semantics.md, Compiler flags)"
#endif

// Clang 15 and later make every infinity undefined under -ffinite-math-only, even a constant the
// library returns or compares with: Clang 19 gives softmax {0.5, 0.5} (kernels) or {0, 0} for the finite
// row {0, 1}. Clang 14 and GCC keep the opt-in's promise (tests/flags).
#if defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__ && CXATTN_ALLOW_FAST_MATH && defined(__clang__) &&           \
    __clang_major__ > 14
#error                                                                                                                 \
    "cxattn: CXATTN_ALLOW_FAST_MATH is refused on Clang 15 and later, which miscompile finite softmax under -ffinite-math-only (part of -ffast-math and -Ofast): add -fno-finite-math-only"
#endif

// Clang's -fno-honor-infinities without -fno-honor-nans defines no macro (__FINITE_MATH_ONLY__ stays
// 0), but makes every infinity undefined: Clang 19 then miscompiles masks (the causal row 0 of a 3 x 3
// case weighed {0.15, 0.33, 0.52}). Clang 18 and later warn at each use of infinity under it
// (-Wnan-infinity-disabled); here that warning is an error, at the use below, whose message names the
// cause: "use of infinity is undefined behavior due to the currently enabled floating-point options".
// Remove -fno-honor-infinities.
#if defined(__clang__) && __clang_major__ >= 18 && !(defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__)
#pragma clang diagnostic push
#pragma clang diagnostic error "-Wnan-infinity-disabled"
static_assert(__builtin_isinf(__builtin_huge_valf()), "cxattn: -fno-honor-infinities is refused: remove it");
#pragma clang diagnostic pop
#endif

// x87 evaluation (FLT_EVAL_METHOD 2) keeps float and double intermediates in 80-bit registers and
// rounds them twice: exp's exact steps and the kernels' rounding break, and run time no longer gives
// the compile-time bits. GCC has no -fexcess-precision=standard for C++ to restore them.
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 2
#error                                                                                                                 \
    "cxattn: x87 floating-point evaluation (FLT_EVAL_METHOD 2: -m32 without SSE, or -mfpmath=387) double-rounds every step: compile with -msse2 -mfpmath=sse"
#endif

namespace cxattn::detail {

// GCC's -fsingle-precision-constant makes every unsuffixed constant a float, so double constants
// (exp's ln2 parts, tables, thresholds) silently lose 29 bits. Compared by bits (no float ==).
static_assert(std::bit_cast<std::uint64_t>(static_cast<double>(0.1)) !=
                  std::bit_cast<std::uint64_t>(static_cast<double>(0.1f)),
              "cxattn: double constants are rounded to float (-fsingle-precision-constant): remove that flag");

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

// At the top of a function body: Clang keeps the order of its floating-point operations and rounds
// each product on its own (no reassociation, no FMA contraction), whatever the command line says.
// CXATTN_DETAIL_KEEP(x): the value x, rounded as it is: GCC may not reassociate floating-point
// operations across it (-fassociative-math, part of -ffast-math and -Ofast), so that a step that
// must be exact (Cody and Waite's reduction, Dekker's product, Fast2Sum) stays as written. A macro, not
// a function: it costs nothing in constant evaluation.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#define CXATTN_DETAIL_KEEP(x) __builtin_assoc_barrier(x)
#else
#define CXATTN_DETAIL_KEEP(x) (x)
#endif
// CXATTN_DETAIL_EXACT_FP: on a function whose steps must stay as written (the kernels' exp and the
// loops that call it): GCC compiles it without -fassociative-math (part of -ffast-math and -Ofast;
// GCC then defines __ASSOCIATIVE_MATH__). GCC 12's vectoriser drops __builtin_assoc_barrier, so
// a barrier cannot protect a loop that vectorises; a function of its own, called once per row, can.
#if defined(__ASSOCIATIVE_MATH__) && defined(__GNUC__) && !defined(__clang__)
#define CXATTN_DETAIL_EXACT_FP __attribute__((optimize("no-associative-math")))
#else
#define CXATTN_DETAIL_EXACT_FP
#endif
// CXATTN_DETAIL_EXACT_STEPS: on a function whose products and sums must each round on their own
// at run time (the score rule of detail/scores.hpp, which cancels large terms exactly): GCC compiles
// it without reassociation and without FMA contraction; Clang takes CXATTN_DETAIL_KEEP_ORDER.
#if defined(__GNUC__) && !defined(__clang__)
#define CXATTN_DETAIL_EXACT_STEPS __attribute__((optimize("no-associative-math", "fp-contract=off")))
#else
#define CXATTN_DETAIL_EXACT_STEPS
#endif
#if defined(__clang__)
#define CXATTN_DETAIL_KEEP_ORDER _Pragma("clang fp reassociate(off)") _Pragma("clang fp contract(off)")
#define CXATTN_DETAIL_NO_REASSOCIATION _Pragma("clang fp reassociate(off)")
#else
#define CXATTN_DETAIL_KEEP_ORDER
#define CXATTN_DETAIL_NO_REASSOCIATION
#endif

#endif // CXATTN_CONFIG_HPP
