// SPDX-License-Identifier: MIT
// Helpers of the numerics tests: ULP distances and argument sets for cxattn/math.hpp.
#ifndef CXATTN_TESTS_NUMERICS_COMMON_HPP
#define CXATTN_TESTS_NUMERICS_COMMON_HPP

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace numerics {

__extension__ typedef __int128 int128; // x87 positions need 79 bits

// Position of x among T's values: neighbours differ by 1, -0 and +0 share 0, +inf follows the largest
// finite value. The ULP distance of a and b is |position(a) - position(b)|.
template <class T> int128 position(T x) {
    static_assert(std::numeric_limits<T>::radix == 2);
    if constexpr (std::numeric_limits<T>::digits == 24) {
        const auto bits = std::bit_cast<std::uint32_t>(x);
        const int128 magnitude = bits & 0x7fff'ffffU;
        return bits >> 31 ? -magnitude : magnitude;
    } else if constexpr (std::numeric_limits<T>::digits == 53) {
        const auto bits = std::bit_cast<std::uint64_t>(static_cast<double>(x));
        const int128 magnitude = bits & 0x7fff'ffff'ffff'ffffU;
        return bits >> 63 ? -magnitude : magnitude;
    } else {
        static_assert(std::numeric_limits<T>::digits == 64, "x87 extended long double expected");
        // 64-bit significand with explicit integer bit, then sign and 15-bit biased exponent.
        std::uint64_t significand = 0;
        std::uint16_t sign_exponent = 0;
        std::memcpy(&significand, &x, 8);
        std::memcpy(&sign_exponent, reinterpret_cast<const char*>(&x) + 8, 2);
        const int exponent = sign_exponent & 0x7fff;
        // Subnormals: significand < 2^63 at exponent 0; normals: significand >= 2^63 at exponent >= 1,
        // so (exponent - 1) 2^63 + significand continues the subnormals without a gap.
        const int128 magnitude =
            exponent == 0 ? int128(significand) : (int128(exponent - 1) << 63) + int128(significand);
        return sign_exponent >> 15 ? -magnitude : magnitude;
    }
}

// ULP distance; NaN is at distance 0 from NaN and "infinitely" far (2^100) from any number.
template <class T> int128 ulp_distance(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b) ? 0 : int128(1) << 100;
    }
    const int128 d = position(a) - position(b);
    return d < 0 ? -d : d;
}

// Same value, same sign (for zeros), or both NaN.
template <class T> bool same(T a, T b) {
    return (std::isnan(a) && std::isnan(b)) || (position(a) == position(b) && std::signbit(a) == std::signbit(b));
}

// The thresholds of exp for T (the same values as the generated block of math.hpp, recomputed here
// with the platform's libm so that the test does not trust the header).
template <class T> T exp_overflow_threshold() {
    // The largest x whose exp rounds to a finite value: step down from log(max) until exp is finite.
    T x = std::log(std::numeric_limits<T>::max());
    while (std::isinf(std::exp(x))) x = std::nextafter(x, T(0));
    while (!std::isinf(std::exp(std::nextafter(x, std::numeric_limits<T>::infinity()))))
        x = std::nextafter(x, std::numeric_limits<T>::infinity());
    return x;
}

// The smallest x whose exp rounds to a nonzero value.
template <class T> T exp_underflow_threshold() {
    using lim = std::numeric_limits<T>;
    // exp(x) rounds to zero below log(denorm_min / 2): start there, a few ULP away.
    T x = std::log(lim::denorm_min()) - std::log(T(2));
    while (std::exp(x) == 0) x = std::nextafter(x, T(0));
    while (std::exp(std::nextafter(x, -lim::infinity())) != 0) x = std::nextafter(x, -lim::infinity());
    return x;
}

// Special and threshold arguments of exp: zeros, infinities, NaN, extremes, the overflow and underflow
// thresholds and the subnormal boundary with their neighbours.
template <class T> std::vector<T> exp_special_arguments(T overflow, T underflow) {
    using lim = std::numeric_limits<T>;
    const T inf = lim::infinity();
    std::vector<T> xs = {
        T(0),           -T(0),           inf,        -inf,        lim::quiet_NaN(),  -lim::quiet_NaN(),
        lim::max(),     -lim::max(),     lim::min(), -lim::min(), lim::denorm_min(), -lim::denorm_min(),
        lim::epsilon(), -lim::epsilon(), T(1),       T(-1)};
    // log of the smallest normal: where results turn subnormal.
    const T subnormal_boundary = std::log(lim::min());
    for (T t : {overflow, underflow, subnormal_boundary, T(0.5) * std::log(T(2)), -T(0.5) * std::log(T(2))}) {
        T below = t, above = t;
        xs.push_back(t);
        for (int i = 0; i < 4; ++i) {
            below = std::nextafter(below, -inf);
            above = std::nextafter(above, inf);
            xs.push_back(below);
            xs.push_back(above);
        }
    }
    return xs;
}

template <class T> std::vector<T> sqrt_special_arguments() {
    using lim = std::numeric_limits<T>;
    const T inf = lim::infinity();
    std::vector<T> xs = {T(0),        -T(0), inf,  -inf, lim::quiet_NaN(), -lim::quiet_NaN(), -T(1), -lim::denorm_min(),
                         -lim::max(), T(1),  T(2), T(4)};
    for (T t : {lim::max(), lim::min(), lim::denorm_min(), T(1), T(4), lim::min() * 4}) {
        T below = t, above = t;
        xs.push_back(t);
        for (int i = 0; i < 4; ++i) {
            below = std::nextafter(below, -inf);
            above = std::nextafter(above, inf);
            xs.push_back(below);
            xs.push_back(above);
        }
    }
    // Every power of two, normal and subnormal: exponent parity and the normalisation steps.
    for (int e = lim::min_exponent - lim::digits; e < lim::max_exponent; ++e) {
        xs.push_back(std::ldexp(T(1), e));
        xs.push_back(std::ldexp(T(3), e - 1));
    }
    return xs;
}

// count arguments uniform in value over [lo, hi], then count with magnitudes 2^u, u uniform in
// [log2 of the smallest subnormal, log2 hi_magnitude], random sign (when signed) and random significand.
template <class T>
std::vector<T> random_arguments(std::size_t count, T lo, T hi, T hi_magnitude, bool signed_, std::uint64_t seed) {
    using lim = std::numeric_limits<T>;
    std::mt19937_64 rng(seed);
    std::vector<T> xs;
    std::uniform_real_distribution<T> uniform(lo, hi);
    for (std::size_t i = 0; i < count; ++i) xs.push_back(uniform(rng));
    std::uniform_real_distribution<T> log_magnitude(T(lim::min_exponent - lim::digits), std::log2(hi_magnitude));
    for (std::size_t i = 0; i < count; ++i) {
        T x = std::exp2(log_magnitude(rng));
        if (signed_ && (rng() & 1)) x = -x;
        xs.push_back(x);
    }
    return xs;
}

} // namespace numerics

#endif // CXATTN_TESTS_NUMERICS_COMMON_HPP
