// SPDX-License-Identifier: MIT
// portable::exp on the device gives the compile-time bits: 5,120 float and 1,024 double arguments,
// their results computed by the compiler (data in flash) and again by the core at run time, compared
// bit for bit. On a core whose FPU has single precision only (Cortex-M4F, M33) float takes its
// float-only steps at run time (cxattn/math.hpp, exp_binary32_in_float); elsewhere, and for double,
// the same algorithm as at compile time. Exit status 1 on any difference.
#include <cxattn/math.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "format.hpp"
#include "semihosting.hpp"

namespace {

constexpr std::size_t wide = 4096, softmax = 1024;

// Arguments evenly spread over [lo, hi), each moved within its cell by a linear congruential
// generator (Numerical Recipes' constants), so that they are not all on one regular grid.
template <class T, std::size_t N> constexpr std::array<T, N> spread(T lo, T hi) noexcept {
    std::array<T, N> xs{};
    std::uint32_t state = 12345;
    for (std::size_t i = 0; i < N; ++i) {
        state = state * 1664525u + 1013904223u;
        const T jitter = static_cast<T>(state >> 8) / static_cast<T>(1u << 24);
        xs[i] = lo + (hi - lo) * (static_cast<T>(i) + jitter) / static_cast<T>(N);
    }
    return xs;
}

template <class T, std::size_t N> constexpr std::array<T, N> exps(const std::array<T, N>& xs) noexcept {
    std::array<T, N> ys{};
    for (std::size_t i = 0; i < N; ++i) ys[i] = cxattn::portable::exp(xs[i]);
    return ys;
}

// Beyond both thresholds (+inf and +0), the subnormal results, and the softmax range.
constexpr auto float_wide = spread<float, wide>(-105.0f, 90.0f);
constexpr auto float_softmax = spread<float, softmax>(-20.0f, 0.0f);
constexpr auto double_wide = spread<double, softmax>(-750.0, 712.0);
constexpr auto float_wide_baked = exps(float_wide);
constexpr auto float_softmax_baked = exps(float_softmax);
constexpr auto double_wide_baked = exps(double_wide);

template <class T> auto bits(T x) noexcept {
    if constexpr (sizeof(T) == 4)
        return std::bit_cast<std::uint32_t>(x);
    else
        return std::bit_cast<std::uint64_t>(x);
}

// The run-time results that differ from the baked ones; noinline keeps the compiler from folding
// the run-time calls into the constants.
template <class T, std::size_t N>
[[gnu::noinline]] std::size_t differences(const std::array<T, N>& xs, const std::array<T, N>& baked) noexcept {
    std::size_t differ = 0;
    for (std::size_t i = 0; i < N; ++i) {
        const volatile T opaque = xs[i];
        differ += bits(cxattn::portable::exp(static_cast<T>(opaque))) != bits(baked[i]) ? 1 : 0;
    }
    return differ;
}

int report(const char* what, std::size_t count, std::size_t differ) noexcept {
    semihosting::write(what);
    semihosting::write(format::integer(count - differ).c_str());
    semihosting::write(" of ");
    semihosting::write(format::integer(count).c_str());
    semihosting::write(" equal to the compile-time bits\n");
    return differ == 0 ? 0 : 1;
}

} // namespace

int board::application() noexcept {
    semihosting::write(cxattn::detail::math::single_precision_fpu
                           ? "portable::exp at run time (float: the float-only steps)\n"
                           : "portable::exp at run time (float: in double, as at compile time)\n");
    int failed = 0;
    failed |= report(" float, x in [-105, 90): ", wide, differences(float_wide, float_wide_baked));
    failed |= report(" float, x in [-20, 0):    ", softmax, differences(float_softmax, float_softmax_baked));
    failed |= report(" double, x in [-750, 712): ", softmax, differences(double_wide, double_wide_baked));
    semihosting::write(failed == 0 ? "PASS\n" : "FAIL\n");
    return failed;
}
