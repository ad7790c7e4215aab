// SPDX-License-Identifier: MIT
// cxattn/math.hpp: exp, tanh, log and sqrt usable in constant evaluation and at run time.
//
// cxattn::portable::exp, tanh, log and sqrt are the library's own algorithms: the same code runs
// in constant evaluation and at run time, so both give identical bits. cxattn::exp, tanh, log and sqrt use
// them in constant evaluation and, at run time, std::exp / std::tanh / std::log / std::sqrt when
// CXATTN_RUNTIME_LIBM is 1.
// Accuracy (measured against MPFR by accuracy/, reported in docs/accuracy.md): exp correctly rounded for
// every float and within 0.51 ULP for double and long double; tanh and log within 0.55 ULP; sqrt
// correctly rounded.
//
// Formats: IEEE binary32 and binary64, and the x87 80-bit extended format for long double. Where long
// double is binary64 (MSVC, ARM EABI) it takes the double algorithm. On targets with FMA, a * b + c
// must not be contracted in these functions: GCC (whose C++ default is -ffp-contract=fast) and Clang
// are told so in the header, below.
#ifndef CXATTN_MATH_HPP
#define CXATTN_MATH_HPP

#include "cxattn/detail/compare.hpp"
#include "cxattn/config.hpp"
#include "cxattn/detail/exp_tables.hpp"

#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

#if CXATTN_RUNTIME_LIBM
#include <cmath>
#endif

// Exact steps (Sterbenz subtractions, Dekker products, Fast2Sum) and bit-identity with constant
// evaluation both need every product rounded on its own: no contraction of a * b + c into an FMA.
// Clang contracts within an expression by default, and reassociates under -fassociative-math:
// CXATTN_DETAIL_KEEP_ORDER (config.hpp) in each function turns both off; for GCC, CXATTN_DETAIL_KEEP
// marks each exact step. GCC
// contracts by default (-ffp-contract=fast) wherever double has a fast FMA (__FP_FAST_FMA: x86-64 with
// -mfma, AArch64): there the functions of this header are compiled with fp-contract=off, which also
// keeps GCC from inlining them into callers compiled otherwise. Where only float has one (a
// single-precision FPU: Cortex-M4F, M33) only the float-only steps below are.
#if defined(__GNUC__) && !defined(__clang__) && (defined(__FP_FAST_FMA) || defined(__FP_FAST_FMAL))
#define CXATTN_DETAIL_GCC_NO_FP_CONTRACT 1
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

namespace cxattn {

namespace detail::math {

// CXATTN_DETAIL_UNFUSED(x): the product x as rounded. Clang's -ffp-contract=fast fuses a product
// with a later sum in the back end whatever `#pragma clang fp contract(off)` says, which would make
// run time differ from constant evaluation; where the target has an FMA, an empty asm that takes x
// through memory stops it at run time. Elsewhere it is x itself (no constant-evaluation step).
// A conditional rather than a constexpr function: constant evaluation then takes x without a call,
// which Clang would count as steps.
#if defined(__clang__) && (defined(__FMA__) || defined(__ARM_FEATURE_FMA))
template <class T> inline T unfused(T x) noexcept {
    __asm__("" : "+m"(x));
    return x;
}
#define CXATTN_DETAIL_UNFUSED(x) (__builtin_is_constant_evaluated() ? (x) : ::cxattn::detail::math::unfused(x))
#else
#define CXATTN_DETAIL_UNFUSED(x) (x)
#endif

enum class format { binary32, binary64, x87, unsupported };

// The format of T, from the traits the algorithms rely on: radix 2, precision, exponent range.
template <class T>
inline constexpr format format_of =
    std::numeric_limits<T>::radix != 2 || !std::numeric_limits<T>::has_infinity ||
            !std::numeric_limits<T>::has_quiet_NaN
        ? format::unsupported
    : std::numeric_limits<T>::digits == 24 && std::numeric_limits<T>::max_exponent == 128   ? format::binary32
    : std::numeric_limits<T>::digits == 53 && std::numeric_limits<T>::max_exponent == 1024  ? format::binary64
    : std::numeric_limits<T>::digits == 64 && std::numeric_limits<T>::max_exponent == 16384 ? format::x87
                                                                                            : format::unsupported;

// float is computed in double, so double must be binary64 wherever cxattn is used.
static_assert(format_of<double> == format::binary64,
              "cxattn/math.hpp: double must be IEEE 754 binary64 (53-bit significand)");

// The type whose algorithm computes T: long double that is binary64 uses double's.
template <class T> using compute_type = std::conditional_t<format_of<T> == format::x87, long double, double>;

// 2^e for any e in the normal range of T.
template <class T> struct pow2_table {
    T fine[64];    // 2^i
    T coarse[512]; // 2^(64 (i - 256))
};

template <class T> constexpr pow2_table<T> make_pow2_table() noexcept {
    pow2_table<T> t{};
    t.fine[0] = 1;
    for (int i = 1; i < 64; ++i) {
        t.fine[i] = t.fine[i - 1] * 2;
    }
    const T step = t.fine[63] * 2;
    t.coarse[256] = 1;
    for (int i = 257; i < 512; ++i) {
        t.coarse[i] = t.coarse[i - 1] * step;
    }
    for (int i = 255; i >= 0; --i) {
        t.coarse[i] = t.coarse[i + 1] / step;
    }
    return t;
}

// Built once per program, in constant evaluation; only for x87, whose exponent range it assumes.
template <class T> inline constexpr pow2_table<T> x87_pow2 = make_pow2_table<T>();

// x = fraction 2^exponent, fraction in [1, 2).
template <class T> struct normalized {
    T fraction;
    int exponent;
};

// What the algorithms need to know about each format.
template <class T, format = format_of<T>> struct params;

template <class T> struct params<T, format::binary64> {
    static constexpr int e_min = std::numeric_limits<T>::min_exponent - 1; // 2^e_min: the smallest normal
    static constexpr int e_max = std::numeric_limits<T>::max_exponent - 1; // 2^e_max: the largest power of 2
    static constexpr T inv_ln2_n = exp_inv_ln2_n_binary64;
    static constexpr T ln2_n_hi = exp_ln2_n_hi_binary64;
    static constexpr T ln2_n_lo = exp_ln2_n_lo_binary64;
    static constexpr const T (&exp2_table)[128][2] = exp2_table_binary64;
    // Veltkamp's splitting constant 2^27 + 1: each half has at most 26 bits, so their products are exact.
    static constexpr T split = 0x1p27 + 1;
    // ln2 = ln2_hi + ln2_lo to about 2^-90: exp's ln2/128 times 128; ln2_hi has 35 bits, so k ln2_hi is
    // exact for |k| < 2^18.
    static constexpr T ln2_hi = exp_ln2_n_hi_binary64 * 128;
    static constexpr T ln2_lo = exp_ln2_n_lo_binary64 * 128;

    // (2 atanh(s) - 2s) / s^3 = sum of 2 s2^(n-1) / (2n + 1) for s2 = s^2 <= 0.0295: Taylor to n = 10,
    // truncation error below 2^-60 relative to 2 atanh(s).
    static constexpr T atanh_tail(T s2) noexcept {
        CXATTN_DETAIL_KEEP_ORDER
        constexpr T c3 = T(2) / 3, c5 = T(2) / 5, c7 = T(2) / 7, c9 = T(2) / 9, c11 = T(2) / 11, c13 = T(2) / 13,
                    c15 = T(2) / 15, c17 = T(2) / 17, c19 = T(2) / 19, c21 = T(2) / 21;
        // Horner's steps, one a line; each product kept from fusing (CXATTN_DETAIL_UNFUSED).
        // clang-format off
        return c3 + CXATTN_DETAIL_UNFUSED(s2 * (
               c5 + CXATTN_DETAIL_UNFUSED(s2 * (
               c7 + CXATTN_DETAIL_UNFUSED(s2 * (
               c9 + CXATTN_DETAIL_UNFUSED(s2 * (
               c11 + CXATTN_DETAIL_UNFUSED(s2 * (
               c13 + CXATTN_DETAIL_UNFUSED(s2 * (
               c15 + CXATTN_DETAIL_UNFUSED(s2 * (
               c17 + CXATTN_DETAIL_UNFUSED(s2 * (
               c19 + CXATTN_DETAIL_UNFUSED(s2 * c21)))))))))))))))));
        // clang-format on
    }

    // exp(r) - 1 for |r| <= ln2/256: Taylor to degree 5, truncation error below 2^-60 relative.
    static constexpr T expm1(T r) noexcept {
        CXATTN_DETAIL_KEEP_ORDER
        constexpr T c2 = T(1) / 2, c3 = T(1) / 6, c4 = T(1) / 24, c5 = T(1) / 120;
        return r + CXATTN_DETAIL_UNFUSED(
                       r * r *
                       (c2 + CXATTN_DETAIL_UNFUSED(
                                 r * (c3 + CXATTN_DETAIL_UNFUSED(r * (c4 + CXATTN_DETAIL_UNFUSED(r * c5)))))));
    }

    static constexpr T pow2(int e) noexcept { return std::bit_cast<T>(static_cast<std::uint64_t>(e + 1023) << 52); }

    static constexpr normalized<T> normalize(T x) noexcept {
        int bias = 0;
        // Subnormal: scale exactly into the normal range first.
        if (x < std::numeric_limits<T>::min()) {
            x *= 0x1p54;
            bias = 54;
        }
        const auto bits = std::bit_cast<std::uint64_t>(x);
        const int exponent = static_cast<int>(bits >> 52) - 1023 - bias;
        const T fraction = std::bit_cast<T>((bits & 0x000f'ffff'ffff'ffffU) | 0x3ff0'0000'0000'0000U);
        return {fraction, exponent};
    }
};

template <class T> struct params<T, format::x87> {
    static constexpr int e_min = std::numeric_limits<T>::min_exponent - 1; // 2^e_min: the smallest normal
    static constexpr int e_max = std::numeric_limits<T>::max_exponent - 1; // 2^e_max: the largest power of 2
    static constexpr T inv_ln2_n = exp_inv_ln2_n_x87;
    static constexpr T ln2_n_hi = exp_ln2_n_hi_x87;
    static constexpr T ln2_n_lo = exp_ln2_n_lo_x87;
    static constexpr const T (&exp2_table)[128][2] = exp2_table_x87;
    // 2^32 + 1: halves of at most 32 bits of the 64-bit significand.
    static constexpr T split = T(4294967297.0);
    // ln2 = ln2_hi + ln2_lo to about 2^-115: exp's ln2/128 times 128; ln2_hi has 38 bits, so k ln2_hi is
    // exact for |k| < 2^26.
    static constexpr T ln2_hi = exp_ln2_n_hi_x87 * 128;
    static constexpr T ln2_lo = exp_ln2_n_lo_x87 * 128;

    // (2 atanh(s) - 2s) / s^3 as for binary64: Taylor to n = 12, truncation error below 2^-70 relative.
    static constexpr T atanh_tail(T s2) noexcept {
        CXATTN_DETAIL_KEEP_ORDER
        constexpr T c3 = T(2) / 3, c5 = T(2) / 5, c7 = T(2) / 7, c9 = T(2) / 9, c11 = T(2) / 11, c13 = T(2) / 13,
                    c15 = T(2) / 15, c17 = T(2) / 17, c19 = T(2) / 19, c21 = T(2) / 21, c23 = T(2) / 23,
                    c25 = T(2) / 25;
        // Horner's steps, one a line; each product kept from fusing (CXATTN_DETAIL_UNFUSED).
        // clang-format off
        return c3 + CXATTN_DETAIL_UNFUSED(s2 * (
               c5 + CXATTN_DETAIL_UNFUSED(s2 * (
               c7 + CXATTN_DETAIL_UNFUSED(s2 * (
               c9 + CXATTN_DETAIL_UNFUSED(s2 * (
               c11 + CXATTN_DETAIL_UNFUSED(s2 * (
               c13 + CXATTN_DETAIL_UNFUSED(s2 * (
               c15 + CXATTN_DETAIL_UNFUSED(s2 * (
               c17 + CXATTN_DETAIL_UNFUSED(s2 * (
               c19 + CXATTN_DETAIL_UNFUSED(s2 * (
               c21 + CXATTN_DETAIL_UNFUSED(s2 * (
               c23 + CXATTN_DETAIL_UNFUSED(s2 * c25)))))))))))))))))))));
        // clang-format on
    }

    // exp(r) - 1 for |r| <= ln2/256: Taylor to degree 6, truncation error below 2^-72 relative.
    static constexpr T expm1(T r) noexcept {
        CXATTN_DETAIL_KEEP_ORDER
        constexpr T c2 = T(1) / 2, c3 = T(1) / 6, c4 = T(1) / 24, c5 = T(1) / 120, c6 = T(1) / 720;
        return r +
               CXATTN_DETAIL_UNFUSED(
                   r * r *
                   (c2 +
                    CXATTN_DETAIL_UNFUSED(
                        r * (c3 + CXATTN_DETAIL_UNFUSED(
                                      r * (c4 + CXATTN_DETAIL_UNFUSED(r * (c5 + CXATTN_DETAIL_UNFUSED(r * c6)))))))));
    }

    // Two exact table entries; Clang cannot bit_cast long double in constant evaluation.
    static constexpr T pow2(int e) noexcept { return x87_pow2<T>.fine[e & 63] * x87_pow2<T>.coarse[(e >> 6) + 256]; }

    // Binary search of the exponent by exact scalings, 14 steps for the 15-bit exponent.
    static constexpr normalized<T> normalize(T x) noexcept {
        int exponent = 0;
        if (x < std::numeric_limits<T>::min()) {
            x *= pow2(64);
            exponent = -64;
        }
        if (x >= 1) {
            for (int b = 8192; b >= 1; b /= 2) {
                if (x >= pow2(b)) {
                    x *= pow2(-b);
                    exponent += b;
                }
            }
        } else {
            for (int b = 8192; b >= 1; b /= 2) {
                if (x < pow2(1 - b)) {
                    x *= pow2(b);
                    exponent -= b;
                }
            }
        }
        return {x, exponent};
    }
};

// exp(x) = 2^e (hi + lo), |lo| < 2^-7 hi, by the reduction of Tang's table-driven method (below):
// x = k ln2/N + r, e = k div N, hi + lo = 2^((k mod N)/N) exp(r). Used by tanh; exp_tang repeats it.
template <class T> struct exp_parts {
    T hi, lo;
    int e;
};
template <class T, class P = params<T>> constexpr exp_parts<T> reduce_exp(T x) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    const T z = x * P::inv_ln2_n;
    // Rounding half away from zero is enough: any k next to z keeps |r| <= ln2/256 (1 + 2^-40).
    const int k = static_cast<int>(z < 0 ? z - T(0.5) : z + T(0.5));
    // k ln2_n_hi is exact (ln2_n_hi has few bits) and near x, so x - k ln2_n_hi is exact (Sterbenz).
    const T r = CXATTN_DETAIL_KEEP(x - static_cast<T>(k) * P::ln2_n_hi) -
                CXATTN_DETAIL_UNFUSED(static_cast<T>(k) * P::ln2_n_lo);
    // 2^(j/N) exp(r) = hi + lo with |lo| < 2^-7 hi, lo accurate to about 2^-9 ULP of hi + lo:
    // the error is essentially the one rounding of hi + lo. N = 128: j = k mod N, e = k div N
    // (>> is an arithmetic shift in C++20).
    // One statement for the table's two entries: Clang counts statements as constant-evaluation steps.
    return {P::exp2_table[k & 127][0],
            P::exp2_table[k & 127][1] +
                CXATTN_DETAIL_KEEP(CXATTN_DETAIL_UNFUSED(P::exp2_table[k & 127][0] * P::expm1(r))),
            k >> 7};
}

// exp(x) for x in [exp_underflow, exp_overflow], by Tang's table-driven method:
// P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE floating-point
// arithmetic", ACM TOMS 15(2), 1989. x = k ln2/N + r, exp(x) = 2^(k div N) 2^((k mod N)/N) exp(r).
// Few statements on purpose: compilers bound constant evaluation by statements and expressions evaluated.
template <class T, class P = params<T>> constexpr T exp_tang(T x) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    // reduce_exp's steps, written out: as a call they cost GCC about 25 more operations per exp in
    // constant evaluation (benchmarks/capacity/capacity.py), and Clang one more step.
    const T z = x * P::inv_ln2_n;
    const int k = static_cast<int>(z < 0 ? z - T(0.5) : z + T(0.5));
    const T r = CXATTN_DETAIL_KEEP(x - static_cast<T>(k) * P::ln2_n_hi) -
                CXATTN_DETAIL_UNFUSED(static_cast<T>(k) * P::ln2_n_lo);
    const T hi = P::exp2_table[k & 127][0];
    const T lo = P::exp2_table[k & 127][1] + CXATTN_DETAIL_KEEP(CXATTN_DETAIL_UNFUSED(hi * P::expm1(r)));
    const int e = k >> 7;
    // hi + lo > 0.99, so for e above e_min the result is normal and the scaling exact.
    if (e > P::e_min && e <= P::e_max) {
        return (hi + lo) * P::pow2(e);
    }
    // Within the overflow threshold, e = e_max + 1 only with hi + lo < 1: scale in two exact steps,
    // checking the last one, since an overflow is not a constant expression.
    if (e > P::e_max) {
        const T y = (hi + lo) * P::pow2(P::e_max);
        return y > std::numeric_limits<T>::max() / 2 ? std::numeric_limits<T>::infinity() : y * 2;
    }
    // The result may be subnormal. Scaling the sum's two parts by 2^(e - e_min) is exact; the one
    // rounding then happens in 1 + y, whose ULP becomes the smallest subnormal after the final exact
    // scaling by 2^e_min. Rounding hi + lo first and scaling after would round twice.
    const T s = P::pow2(e - P::e_min);
    const T a = s * hi;
    const T b = s * lo;
    const T y = a + b;
    if (y >= 1) {
        return y * P::pow2(P::e_min);
    }
    const T h = CXATTN_DETAIL_KEEP(1 + a);
    const T c = CXATTN_DETAIL_KEEP(1 - h) + a; // 1 + a = h + c exactly (Fast2Sum, |a| <= 1)
    return (CXATTN_DETAIL_KEEP(h + CXATTN_DETAIL_KEEP(c + b)) - 1) * P::pow2(P::e_min);
}

// a b = value + error exactly: Dekker's product with Veltkamp's splitting (T. J. Dekker, "A
// floating-point technique for extending the available precision", Numer. Math. 18, 1971).
template <class T> struct exact_product {
    T value;
    T error;
};

template <class T, class P = params<T>> constexpr exact_product<T> two_product(T a, T b) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    // Every step is kept as written: reassociation would fold the splitting away.
    a = CXATTN_DETAIL_KEEP(a);
    b = CXATTN_DETAIL_KEEP(b);
#if defined(__clang__) && (defined(__FMA__) || defined(__ARM_FEATURE_FMA))
    // Clang's -ffp-contract=fast fuses in the back end whatever the pragma says, which would break
    // Veltkamp's splitting (sa - a fused): at run time the FMA gives the exact error itself.
    if constexpr (std::is_same_v<T, double>) {
        if (!cxattn::detail::is_constant_evaluated()) {
            const T product = a * b;
            return {product, __builtin_fma(a, b, -product)};
        }
    }
#endif
    const T p = a * b;
    const T sa = P::split * a;
    const T a_hi = CXATTN_DETAIL_KEEP(sa - CXATTN_DETAIL_KEEP(sa - a));
    const T a_lo = a - a_hi;
    const T sb = P::split * b;
    const T b_hi = CXATTN_DETAIL_KEEP(sb - CXATTN_DETAIL_KEEP(sb - b));
    const T b_lo = b - b_hi;
    // Each partial sum is exact, in this order only.
    const T e1 = CXATTN_DETAIL_KEEP(a_hi * b_hi - p);
    const T e2 = CXATTN_DETAIL_KEEP(e1 + a_hi * b_lo);
    return {p, CXATTN_DETAIL_KEEP(e2 + a_lo * b_hi) + a_lo * b_lo};
}

// m > a b, exactly, for a b within a factor 2 of m (so m - value is exact, by Sterbenz).
template <class T> constexpr bool exceeds_product(T m, T a, T b) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    const exact_product<T> ab = two_product(a, b);
    return CXATTN_DETAIL_KEEP(m - ab.value) > ab.error;
}

// tanh(x) for x > 0 (+inf included); the caller handles the sign, zeros and NaN.
// - From (p + 2) ln2 / 2 on (p the precision): 1, since 1 - tanh(x) < 2 e^(-2x) < 2^-(p+1).
// - Below 1/16: the Taylor series to degree 17, whose next term is below 2^-80 relative.
// - Between: N / D with N = expm1(2x) = a + b from exp's reduction (exp(2x) = 2^e (hi + lo), a =
//   2^e hi - 1 rounded, b its exact error plus 2^e lo) and D = N + 2 as a sum of two; the quotient
//   q0 = N / D, rounded, is corrected by its residual N - q0 D (exact products), which leaves one
//   rounding and errors far below it (docs/accuracy.md). 2x >= 1/8 keeps a > 0.13 and a - q0 d exact.
template <class T, class P = params<T>> CXATTN_DETAIL_EXACT_FP constexpr T tanh_positive(T x) noexcept {
#if defined(__clang__)
    // Precise semantics (no reciprocal for the two divisions by d_rounded under -freciprocal-math),
    // then no reassociation and no contraction.
    _Pragma("float_control(precise, on)")
#endif
        CXATTN_DETAIL_KEEP_ORDER constexpr T one_from =
            T(std::numeric_limits<T>::digits + 2) * T(0.34657359027997265471L); // (p + 2) ln2 / 2
    if (x >= one_from) {
        return 1;
    }
    if (x < T(0.0625)) {
        const T x2 = x * x;
        // Horner's steps, from degree 17 down; each product kept from fusing (CXATTN_DETAIL_UNFUSED).
        constexpr T coefficients[] = {T(6404582) / 10854718875,
                                      T(-929569) / 638512875,
                                      T(21844) / 6081075,
                                      T(-1382) / 155925,
                                      T(62) / 2835,
                                      T(-17) / 315,
                                      T(2) / 15,
                                      T(-1) / 3};
        T c = coefficients[0];
        for (int i = 1; i < 8; ++i) {
            c = coefficients[i] + CXATTN_DETAIL_UNFUSED(x2 * c);
        }
        return x + CXATTN_DETAIL_UNFUSED(CXATTN_DETAIL_KEEP(x * x2) * c);
    }
    const auto [hi, lo, e] = reduce_exp<T, P>(2 * x); // 2x < 46: no overflow
    const T s = P::pow2(e) * hi;                      // exact, at least 1
    // Each sum whose error is taken is kept (CXATTN_DETAIL_KEEP): reassociation would fold s - (s - 1) to 1.
    const T a = CXATTN_DETAIL_KEEP(s - 1);
    const T b = CXATTN_DETAIL_KEEP(CXATTN_DETAIL_KEEP(s - a) - 1) + P::pow2(e) * lo; // Fast2Sum's error: s >= 1
    // D = a + 2 + b: d + d_error = a + 2 exactly (TwoSum).
    const T d = CXATTN_DETAIL_KEEP(a + 2);
    const T d_b = CXATTN_DETAIL_KEEP(d - a);
    const T d_error = CXATTN_DETAIL_KEEP(a - CXATTN_DETAIL_KEEP(d - d_b)) + CXATTN_DETAIL_KEEP(2 - d_b);
    const T d_lo = d_error + b;
    const T d_rounded = d + d_lo;
    const T q0 = (a + b) / d_rounded;
    const exact_product<T> qd = two_product<T, P>(q0, d);
    const T residual =
        CXATTN_DETAIL_KEEP(CXATTN_DETAIL_KEEP(a - qd.value) - qd.error + b) - CXATTN_DETAIL_UNFUSED(q0 * d_lo);
    // q0 kept: -funsafe-math-optimizations would merge the two quotients into one.
    return CXATTN_DETAIL_KEEP(q0) + residual / d_rounded;
}

// log(x) for positive finite x other than 1; the caller handles the rest.
// x = 2^k m with m in [sqrt(1/2), sqrt 2), and log(m) = 2 atanh(s) = 2s + s^3 atanh_tail(s^2) with
// f = m - 1 (exact, by Sterbenz) and s = f / (2 + f), |s| <= 3 - 2 sqrt 2 (the classical reduction, as
// in fdlibm's e_log.c). 2s is the bulk of log(m): s = s_hi + s_lo by one correction with the exact
// residual f - s_hi (2 + f) (Dekker's product, as tanh's quotient). The tail, below 0.01 of 2s, needs no
// such care. k ln2_hi + 2 s_hi = h + e exactly (Fast2Sum: |k ln2_hi| >= 0.69 > |2 s_hi|, or k = 0); the
// result is h + (e + k ln2_lo + 2 s_lo + tail), one rounding and errors far below it (docs/accuracy.md).
template <class T, class P = params<T>> CXATTN_DETAIL_EXACT_FP constexpr T log_positive(T x) noexcept {
#if defined(__clang__)
    // Precise semantics (no reciprocal for the two divisions by d under -freciprocal-math), then no
    // reassociation and no contraction.
    _Pragma("float_control(precise, on)")
#endif
        CXATTN_DETAIL_KEEP_ORDER const normalized<T>
            n = P::normalize(x);
    const bool above = n.fraction > T(1.41421356237309504880L); // sqrt 2
    const T m = above ? n.fraction / 2 : n.fraction;
    const T k = static_cast<T>(above ? n.exponent + 1 : n.exponent);
    const T f = m - 1;
    const T d = 2 + f;
    const T d_lo = CXATTN_DETAIL_KEEP(2 - d) + f; // 2 + f = d + d_lo exactly (Fast2Sum: 2 > |f|)
    const T s_hi = f / d;
    const exact_product<T> sd = two_product<T, P>(s_hi, d);
    // f - s_hi d is exact (Sterbenz); s_hi d_lo is below 2^-p of s_hi.
    const T s_lo =
        (CXATTN_DETAIL_KEEP(CXATTN_DETAIL_KEEP(f - sd.value) - sd.error) - CXATTN_DETAIL_UNFUSED(s_hi * d_lo)) / d;
    const T s2 = s_hi * s_hi;
    const T tail = CXATTN_DETAIL_UNFUSED(CXATTN_DETAIL_KEEP(s_hi * s2) * P::atanh_tail(s2));
    const T a = k * P::ln2_hi; // exact
    const T h = a + 2 * s_hi;
    const T e = CXATTN_DETAIL_KEEP(CXATTN_DETAIL_KEEP(a - h) + 2 * s_hi);
    // s_lo kept: -funsafe-math-optimizations would merge the two quotients into one.
    return h + (e + (CXATTN_DETAIL_UNFUSED(k * P::ln2_lo) + (2 * CXATTN_DETAIL_KEEP(s_lo) + tail)));
}

// sqrt(x) for positive finite x, correctly rounded. Heron's iteration from a minimax quadratic gives y
// within 0.75 ULP of sqrt(m); Tuckerman's test with exact products then picks the correctly rounded
// neighbour: RN(sqrt(m)) = y iff y (y - u) < m <= y (y + u), u the ULP of y (Markstein, "IA-64 and
// elementary functions", 2000, section 8.4). It holds since m is a multiple of u and y (y +- u) of u^2.
template <class T, class P = params<T>> constexpr T sqrt_heron(T x) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    const normalized<T> n = P::normalize(x);
    const int odd = n.exponent & 1;
    const T m = odd != 0 ? n.fraction * 2 : n.fraction; // x = m 2^(2 q), m in [1, 4)
    const int q = (n.exponent - odd) / 2;
    // Relative error below 0.0051 on [1, 4]; each Heron step about squares it: 3 steps reach 2^-67.
    T y = T(0.5185546283489478) + m * (T(0.5260096907302435) + m * T(-0.03954011274601688));
    for (int i = 0; i < 3; ++i) {
        y = (y + m / y) / 2;
    }
    constexpr T u = std::numeric_limits<T>::epsilon();
    if (exceeds_product(m, y, y + u)) {
        y += u;
    } else if (!exceeds_product(m, y, y - u)) {
        y -= u;
    }
    // sqrt of a finite positive value is normal: the scaling is exact.
    return y * P::pow2(q);
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__FP_FAST_FMAF) && !defined(CXATTN_DETAIL_GCC_NO_FP_CONTRACT)
#define CXATTN_DETAIL_GCC_NO_FP_CONTRACT_FLOAT 1
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

// Veltkamp's splitting constant for binary32, 2^12 + 1: halves of at most 12 bits, exact products.
struct binary32_split {
    static constexpr float split = 0x1p12f + 1;
};

// a b - p exactly, p = RN(a b): one fused multiply-add where the target has one (Fma), else Dekker's
// product (two_product).
template <bool Fma> CXATTN_DETAIL_EXACT_FP constexpr float product_error(float a, float b, float p) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    if constexpr (Fma) {
        return __builtin_fmaf(a, b, -p);
    } else {
        static_cast<void>(p); // two_product forms the same RN(a b) itself
        return two_product<float, binary32_split>(a, b).error;
    }
}

// a b + c, fused where the target has an FMA; the error bound below holds either way.
template <bool Fma> CXATTN_DETAIL_EXACT_FP constexpr float multiply_add(float a, float b, float c) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    if constexpr (Fma) {
        return __builtin_fmaf(a, b, c);
    } else {
        return CXATTN_DETAIL_KEEP(a * b) + c;
    }
}

// exp(x) for float in float arithmetic only, for cores whose FPU has single precision only (double is
// emulated there). Returns RN(exp(x)) for |x| <= 86.6 where it can prove the rounding, else -1 (the
// caller then takes exp_tang in double): Ziv's strategy (A. Ziv, "Fast evaluation of elementary
// mathematical functions with correctly rounded last bit", ACM TOMS 17(3), 1991).
// x = k ln2/32 + r: r1 = x - k RN(ln2/32) is exact (k has 12 bits, r1 is a multiple of
// min(ulp(x), 2^-29) below 2^-6.5), and p2 = k (ln2/32 - RN(ln2/32)) < 2^-22. Then
// exp(x) = 2^(k div 32) T (1 + r1 + q), T = 2^((k mod 32)/32) = Th + Tl, q = expm1(r1) - r1 - p2 (1 +
// expm1(r1)) to about 2^-37; Th + Th r1 is summed exactly (product_error, Fast2Sum), and y = RN(sum)
// with its exact residual d. The error terms add up to less than 2^-34.5, fused or not, so y is
// RN(exp(x)) when y + d (1 + 2^-9) rounds to y: d then keeps at least 2^-34 from a rounding boundary.
// One float in 2,100 of |x| <= 86.6 fails that test. No step is subnormal except terms far below
// the bound, so flush-to-zero cannot change the result. Checked against exp_tang on every float
// (tests/numerics/test_bits.cpp with CXATTN_EXP_SWEEP_STRIDE=1).
template <bool Fma> CXATTN_DETAIL_EXACT_FP constexpr float exp_binary32_in_float(float x) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    constexpr float shifter = 0x1.8p23f; // adding it rounds |z| < 2^22 to an integer
    const float z = CXATTN_DETAIL_KEEP(x * exp_inv_ln2_32_binary32) + shifter;
    const float k_real = CXATTN_DETAIL_KEEP(z - shifter);
    const std::uint32_t k = std::bit_cast<std::uint32_t>(z) - std::bit_cast<std::uint32_t>(shifter);
    if (k + 4000U > 8000U) { // |k| > 4000, and NaN and +-inf: leave it to the double algorithm
        return -1;
    }
    float r1; // exact
    if constexpr (Fma) {
        r1 = __builtin_fmaf(-k_real, exp_ln2_32_rn_binary32, x);
    } else {
        const float p = CXATTN_DETAIL_KEEP(k_real * exp_ln2_32_rn_binary32);
        r1 = CXATTN_DETAIL_KEEP(x - p) - product_error<false>(k_real, exp_ln2_32_rn_binary32, p);
    }
    const float p2 = k_real * exp_ln2_32_rest_binary32;
    const float r2 = r1 * r1;
    const float w = multiply_add<Fma>(p2, multiply_add<Fma>(r2, 0.5f, r1), p2); // p2 (1 + expm1(r1))
    // Taylor to degree 5: truncation below 2^-48 for |r1| <= 0.0109.
    const float poly =
        multiply_add<Fma>(r1, multiply_add<Fma>(r1, multiply_add<Fma>(r1, 1.0f / 120, 1.0f / 24), 1.0f / 6), 0.5f);
    const float q = multiply_add<Fma>(r2, poly, -w);
    const float th = exp2_table_binary32[k & 31U];
    const float tl = exp2_table_lo_binary32[k & 31U];
    const float m = th * r1;
    const float m_error = product_error<Fma>(th, r1, m);
    // Th (1 + r1 + q') + Tl (1 + r1) = Th + m + tail; Tl q' is below 2^-37.
    const float tail = multiply_add<Fma>(th, q, multiply_add<Fma>(tl, r1, tl + m_error));
    const float s = th + m;
    const float lo = CXATTN_DETAIL_KEEP(m - CXATTN_DETAIL_KEEP(s - th)) + tail; // Fast2Sum: th >= |m|
    const float y = s + lo;
    const float d = lo - CXATTN_DETAIL_KEEP(y - s); // s + lo = y + d exactly (Fast2Sum: s >= |lo|)
    if (multiply_add<Fma>(d, 1 + 0x1p-9f, y) != y) {
        return -1;
    }
    // y in [0.98, 2.1) and |k div 32| <= 125: 2^e y is normal, and adding e to the exponent field exact.
    const std::int32_t e = std::bit_cast<std::int32_t>(k) >> 5; // floor(k / 32), arithmetic shift (C++20)
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(y) + (std::bit_cast<std::uint32_t>(e) << 23));
}

#if defined(CXATTN_DETAIL_GCC_NO_FP_CONTRACT_FLOAT)
#undef CXATTN_DETAIL_GCC_NO_FP_CONTRACT_FLOAT
#pragma GCC pop_options
#endif

// Where the FPU has single precision only (Arm's __ARM_FP without its double bit), portable::exp<float>
// takes exp_binary32_in_float first at run time; fused where the core has an FMA (every such M-profile
// FPU does) and the compiler is GCC. Clang 14 gives __builtin_fmaf the fast-math flags of the command
// line whatever the pragma, and under -fassociative-math split fma(a, b, -a b) into a product and a
// difference (0) on x86-64 without FMA: with Clang the steps take Dekker's products.
#if defined(__ARM_FP) && (__ARM_FP & 4) != 0 && (__ARM_FP & 8) == 0
#define CXATTN_DETAIL_SINGLE_PRECISION_FPU 1
inline constexpr bool single_precision_fpu = true;
#else
#define CXATTN_DETAIL_SINGLE_PRECISION_FPU 0
inline constexpr bool single_precision_fpu = false;
#endif
#if (defined(__ARM_FEATURE_FMA) || defined(__FP_FAST_FMAF)) && !defined(__clang__)
inline constexpr bool fast_fmaf = true;
#else
inline constexpr bool fast_fmaf = false;
#endif

// exp(x) is +inf above exp_overflow_v and +0 below exp_underflow_v (correctly rounded).
template <class T>
inline constexpr T exp_overflow_v = format_of<T> == format::binary32   ? static_cast<T>(exp_overflow_binary32)
                                    : format_of<T> == format::binary64 ? static_cast<T>(exp_overflow_binary64)
                                                                       : static_cast<T>(exp_overflow_x87);
template <class T>
inline constexpr T exp_underflow_v = format_of<T> == format::binary32   ? static_cast<T>(exp_underflow_binary32)
                                     : format_of<T> == format::binary64 ? static_cast<T>(exp_underflow_binary64)
                                                                        : static_cast<T>(exp_underflow_x87);

template <class T> inline constexpr bool supported = format_of<T> != format::unsupported;

} // namespace detail::math

namespace portable {

// e^x. Error within 0.51 ULP for float and double, 2 ULP for long double (docs/accuracy.md).
template <std::floating_point T> constexpr T exp(T x) noexcept {
    static_assert(detail::math::supported<T>,
                  "cxattn::portable::exp: unsupported floating-point format (supported: IEEE binary32, "
                  "binary64, x87 80-bit extended)");
    // NaN propagates.
    if (CXATTN_DETAIL_IS_NAN(x)) {
        return x;
    }
    // Overflow, and +inf.
    if (x > detail::math::exp_overflow_v<T>) {
        return std::numeric_limits<T>::infinity();
    }
    // Underflow to +0, and -inf.
    if (x < detail::math::exp_underflow_v<T>) {
        return T(0);
    }
#if CXATTN_DETAIL_SINGLE_PRECISION_FPU // (a preprocessor test: no constant-evaluation step elsewhere)
    if constexpr (detail::math::format_of<T> == detail::math::format::binary32) {
        if (!cxattn::detail::is_constant_evaluated()) {
            const T y = detail::math::exp_binary32_in_float<detail::math::fast_fmaf>(x);
            if (y >= 0) { // the same bits as below, in float steps; -1 when it cannot tell
                return y;
            }
        }
    }
#endif
    // float is computed in double: one more rounding of a result within 2^-29 ULP.
    using compute = detail::math::compute_type<T>;
    return static_cast<T>(detail::math::exp_tang(static_cast<compute>(x)));
}

// Hyperbolic tangent: within 0.55 ULP for float, double and long double (measured against MPFR,
// docs/accuracy.md); tanh(+-0) = +-0, tanh(+-inf) = +-1, NaN propagates; never overflows, also in
// constant evaluation.
template <std::floating_point T> constexpr T tanh(T x) noexcept {
    static_assert(detail::math::supported<T>,
                  "cxattn::portable::tanh: unsupported floating-point format (supported: IEEE binary32, "
                  "binary64, x87 80-bit extended)");
    // NaN propagates; +-0 are their own tanh.
    if (CXATTN_DETAIL_IS_NAN(x) || detail::equal(x, T(0))) {
        return x;
    }
    // float is computed in double: the double result's error, 2^-28 float ULP, adds to one rounding.
    using compute = detail::math::compute_type<T>;
    const auto y = static_cast<T>(detail::math::tanh_positive(static_cast<compute>(x < 0 ? -x : x)));
    return x < 0 ? -y : y;
}

// Natural logarithm: within 0.55 ULP for float, double and long double (measured against MPFR,
// docs/accuracy.md). log(1) = +0, log(+inf) = +inf, log(+-0) = -inf, log of a negative value (-inf
// included) is NaN, NaN propagates: in constant evaluation too, as constants (no division by zero),
// like portable::sqrt of a negative value.
template <std::floating_point T> constexpr T log(T x) noexcept {
    static_assert(detail::math::supported<T>,
                  "cxattn::portable::log: unsupported floating-point format (supported: IEEE binary32, "
                  "binary64, x87 80-bit extended)");
    // NaN propagates.
    if (CXATTN_DETAIL_IS_NAN(x)) {
        return x;
    }
    // +0 and -0: the pole.
    if (CXATTN_DETAIL_EQUAL(x, T(0))) {
        return -std::numeric_limits<T>::infinity();
    }
    // Negative, -inf included: no real logarithm.
    if (x < 0) {
        return std::numeric_limits<T>::quiet_NaN();
    }
    // +inf.
    if (x > std::numeric_limits<T>::max()) {
        return x;
    }
    // 1: +0 as a constant (a computed zero could be -0 under -fno-signed-zeros).
    if (CXATTN_DETAIL_EQUAL(x, T(1))) {
        return T(0);
    }
    // float is computed in double: the double result's error, 2^-28 float ULP, adds to one rounding.
    using compute = detail::math::compute_type<T>;
    return static_cast<T>(detail::math::log_positive(static_cast<compute>(x)));
}

// Square root, correctly rounded.
template <std::floating_point T> constexpr T sqrt(T x) noexcept {
    static_assert(detail::math::supported<T>,
                  "cxattn::portable::sqrt: unsupported floating-point format (supported: IEEE binary32, "
                  "binary64, x87 80-bit extended)");
    // NaN propagates.
    if (detail::is_nan(x)) {
        return x;
    }
    // +0 and -0 are their own roots.
    if (detail::equal(x, T(0))) {
        return x;
    }
    // Negative: no real root.
    if (x < 0) {
        return std::numeric_limits<T>::quiet_NaN();
    }
    // +inf.
    if (x > std::numeric_limits<T>::max()) {
        return x;
    }
    // float is computed in double: rounding a correctly rounded binary64 square root to binary32 gives the
    // correctly rounded result, since 53 >= 2 * 24 + 2 (S. A. Figueroa, "When is double rounding
    // innocuous?", SIGNUM Newsletter 30(3), 1995).
    using compute = detail::math::compute_type<T>;
    return static_cast<T>(detail::math::sqrt_heron(static_cast<compute>(x)));
}

} // namespace portable

// e^x: portable::exp in constant evaluation; at run time std::exp if CXATTN_RUNTIME_LIBM is 1.
template <std::floating_point T> constexpr T exp(T x) noexcept {
#if CXATTN_RUNTIME_LIBM
    if (!cxattn::detail::is_constant_evaluated()) {
        return std::exp(x);
    }
#endif
    return portable::exp(x);
}

// Hyperbolic tangent: portable::tanh in constant evaluation; at run time std::tanh if
// CXATTN_RUNTIME_LIBM is 1.
template <std::floating_point T> constexpr T tanh(T x) noexcept {
#if CXATTN_RUNTIME_LIBM
    if (!cxattn::detail::is_constant_evaluated()) {
        return std::tanh(x);
    }
#endif
    return portable::tanh(x);
}

// Natural logarithm: portable::log in constant evaluation; at run time std::log if CXATTN_RUNTIME_LIBM
// is 1.
template <std::floating_point T> constexpr T log(T x) noexcept {
#if CXATTN_RUNTIME_LIBM
    if (!cxattn::detail::is_constant_evaluated()) {
        return std::log(x);
    }
#endif
    return portable::log(x);
}

// Square root: portable::sqrt in constant evaluation; at run time std::sqrt if CXATTN_RUNTIME_LIBM is 1.
template <std::floating_point T> constexpr T sqrt(T x) noexcept {
#if CXATTN_RUNTIME_LIBM
    if (!cxattn::detail::is_constant_evaluated()) {
        return std::sqrt(x);
    }
#endif
    return portable::sqrt(x);
}

} // namespace cxattn

#if defined(CXATTN_DETAIL_GCC_NO_FP_CONTRACT)
#undef CXATTN_DETAIL_GCC_NO_FP_CONTRACT
#pragma GCC pop_options
#endif

#endif // CXATTN_MATH_HPP
