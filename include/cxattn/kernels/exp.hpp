// SPDX-License-Identifier: MIT
// cxattn/kernels/exp.hpp: the vectorisable exp of the run-time kernels, within 2 ULP for float and double.
#ifndef CXATTN_KERNELS_EXP_HPP
#define CXATTN_KERNELS_EXP_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cxattn/config.hpp"
#include "cxattn/detail/compare.hpp"
#include "cxattn/detail/exp_tables.hpp"
#include "cxattn/kernels/target.hpp"

namespace cxattn::kernels {

namespace detail {

template <class T> struct exp_constants;

// exp(x) = 2^k exp(r), k = round(x / ln2), r = x - k ln2 (Cody and Waite's two-part ln2, whose
// high part has few bits so that k ln2_hi is exact). exp(r) on |r| <= ln2/2 is its Taylor
// polynomial: degree 7 for float (truncation below 0.05 ULP) and 13 for double (below 0.04 ULP),
// evaluated by Estrin's scheme.
// The thresholds are cxattn::portable::exp's (detail/exp_tables.hpp): beyond them the result rounds
// to inf or to zero.
template <> struct exp_constants<float> {
    using bits = std::uint32_t;
    static constexpr float infinity = __builtin_huge_valf();
    static constexpr float overflow = cxattn::detail::math::exp_overflow_binary32;
    static constexpr float underflow = cxattn::detail::math::exp_underflow_binary32;
    static constexpr float inv_ln2 = 0x1.715476p+0f;
    static constexpr float ln2_hi = 0x1.62e400p-1f;
    static constexpr float ln2_lo = 0x1.7f7d1cp-20f;
    static constexpr float shifter = 0x1.8p23f; // adding it rounds |z| < 2^22 to an integer
    static constexpr int mantissa_bits = 23;
    static constexpr int bias = 127;
    static constexpr std::size_t degree = 7;
    static constexpr float taylor[degree + 1] = {1.0f,           1.0f,           0x1p-1f,         0x1.555556p-3f,
                                                 0x1.555556p-5f, 0x1.111112p-7f, 0x1.6c16c2p-10f, 0x1.a01a02p-13f};
};

template <> struct exp_constants<double> {
    using bits = std::uint64_t;
    static constexpr double infinity = __builtin_huge_val();
    static constexpr double overflow = cxattn::detail::math::exp_overflow_binary64;
    static constexpr double underflow = cxattn::detail::math::exp_underflow_binary64;
    static constexpr double inv_ln2 = 0x1.71547652b82fep+0;
    static constexpr double ln2_hi = 0x1.62e42fee00000p-1;
    static constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
    static constexpr double shifter = 0x1.8p52;
    static constexpr int mantissa_bits = 52;
    static constexpr int bias = 1023;
    static constexpr std::size_t degree = 13;
    static constexpr double taylor[degree + 1] = {1.0,
                                                  1.0,
                                                  0x1p-1,
                                                  0x1.5555555555555p-3,
                                                  0x1.5555555555555p-5,
                                                  0x1.1111111111111p-7,
                                                  0x1.6c16c16c16c17p-10,
                                                  0x1.a01a01a01a01ap-13,
                                                  0x1.a01a01a01a01ap-16,
                                                  0x1.71de3a556c734p-19,
                                                  0x1.27e4fb7789f5cp-22,
                                                  0x1.ae64567f544e4p-26,
                                                  0x1.1eed8eff8d898p-29,
                                                  0x1.6124613a86d09p-33};
};

// The integers of exp's bit manipulations for V, a T or a vector of T: bits (unsigned) and sbits
// (signed), lane for lane.
template <class T, class V> struct exp_integers {
    using bits = typename exp_constants<T>::bits;
    using sbits = std::make_signed_t<bits>;
};
template <class T, class V>
requires(!std::is_same_v<T, V>) struct exp_integers<T, V> {
    static constexpr std::size_t W = sizeof(V) / sizeof(T);
    using bits = typename vector_of<typename exp_constants<T>::bits, W>::type;
    using sbits = typename vector_of<std::make_signed_t<typename exp_constants<T>::bits>, W>::type;
};

// e^x for x a T or a vector of T (lane by lane, the same steps): the body of kernels::exp.
template <class T, class V> [[nodiscard]] CXATTN_DETAIL_EXACT_FP inline V exp_of(V x) noexcept {
    CXATTN_DETAIL_NO_REASSOCIATION
    using C = exp_constants<T>;
    using bits = typename exp_integers<T, V>::bits;
    using sbits = typename exp_integers<T, V>::sbits;
    // z = x / ln2 + shifter: the bits of z hold k = round(x / ln2) in their low part. For |x| beyond
    // the thresholds k is meaningless, and the selects at the end replace the result. Reassociation
    // (-fassociative-math, part of -ffast-math and -Ofast) would fold z - shifter to x / ln2 and merge
    // the two parts of ln2: Clang's pragma above and GCC's attribute (CXATTN_DETAIL_EXACT_FP) keep
    // every step as written. Builtins only, no calls: GCC inlines no function into this one whose
    // options differ.
    const V z = x * C::inv_ln2 + C::shifter;
    const V k_real = z - C::shifter;
    const bits k = __builtin_bit_cast(bits, z) - __builtin_bit_cast(typename C::bits, C::shifter); // k mod 2^bits
    const V r = (x - k_real * C::ln2_hi) - k_real * C::ln2_lo;
    // exp(r) = 1 + (r + r^2 tail(r)), tail the polynomial of the terms from r^2 on by Estrin's
    // scheme (pairs c_i + c_(i+1) r, joined by r^2, r^4, r^8): a few dependent steps where Horner's
    // rule takes one multiplication and one addition per degree. The first two terms, which hold
    // the value, are added last.
    const V r2 = r * r;
    const V r4 = r2 * r2;
    constexpr const auto& c = C::taylor;
    V tail;
    if constexpr (C::degree == 7) {
        tail = ((c[2] + c[3] * r) + (c[4] + c[5] * r) * r2) + (c[6] + c[7] * r) * r4;
    } else {
        static_assert(C::degree == 13);
        const V r8 = r4 * r4;
        tail = (((c[2] + c[3] * r) + (c[4] + c[5] * r) * r2) + ((c[6] + c[7] * r) + (c[8] + c[9] * r) * r2) * r4) +
               ((c[10] + c[11] * r) + (c[12] + c[13] * r) * r2) * r8;
    }
    const V p = c[0] + (r + r2 * tail);
    // 2^k in two factors, 2^(k/2) and 2^(k - k/2), each a normal number for every k of the finite
    // nonzero range (the biased exponent moved into the exponent field); the second product rounds
    // once, into a subnormal where the result is one.
    const sbits k_signed = __builtin_bit_cast(sbits, k);
    const sbits k_half = k_signed >> 1; // arithmetic shift (C++20): floor(k / 2)
    const sbits k_rest = k_signed - k_half;
    const V y = p * __builtin_bit_cast(V, __builtin_bit_cast(bits, k_half + C::bias) << C::mantissa_bits) *
                __builtin_bit_cast(V, __builtin_bit_cast(bits, k_rest + C::bias) << C::mantissa_bits);
    // Overflow and +inf give inf; underflow and -inf give +0; NaN fails both tests and propagates
    // through the polynomial.
    return x > C::overflow ? V{} + C::infinity : x < C::underflow ? V{} : y;
}

} // namespace detail

// e^x at run time, within 2 ULP for float and double, with NaN, +-inf, overflow, underflow
// (subnormal results included) and -0 handled as std::exp does. Branch-free: every step is
// arithmetic or a select, so a loop of calls vectorises.
template <class T> [[nodiscard]] CXATTN_DETAIL_EXACT_FP inline T exp(T x) noexcept {
    static_assert(supported<T>, "cxattn::kernels::exp: the element type must be float or double (IEEE 754)");
    return detail::exp_of<T, T>(x);
}

// row[j] = e^(row[j] - shift) for j < n: the loop of every softmax of the kernels, whole vectors
// at a time (with the GCC/Clang vector extensions), the rest one by one, every value with the
// bits of kernels::exp. In a function of its own so that GCC keeps exp's steps
// (CXATTN_DETAIL_EXACT_FP) when the caller is compiled with -ffast-math or -Ofast.
template <class T> CXATTN_DETAIL_EXACT_FP inline void exp_of_differences(T* row, std::size_t n, T shift) noexcept {
    CXATTN_DETAIL_NO_REASSOCIATION
    constexpr std::size_t W = detail::lanes<T>;
    const std::size_t full = n / W * W;
    for (std::size_t j = 0; j < full; j += W) {
        const detail::vector<T> e = detail::exp_of<T, detail::vector<T>>(detail::load(row + j) - shift);
        __builtin_memcpy(row + j, &e, sizeof e);
    }
    for (std::size_t j = full; j < n; ++j) row[j] = detail::exp_of<T, T>(row[j] - shift);
}

namespace scalar {

namespace detail {

// e^x for float by a table, one value at a time: x = (32 e + j) ln2/32 + r, with k = 32 e + j =
// round(x 32/ln2), |r| <= ln2/64 (Cody and Waite's two-part ln2/32), and e^x = 2^e y, y = t + t q,
// t = 2^(j/32) a rounded table entry (detail/exp_tables.hpp) and q = e^r - 1 = r + r^2 (1/2 + r/6)
// (truncation below 0.01 ULP). y, in [0.98, 2), rounds once (twice without FMA contraction, first
// the small t q, below 0.01 ULP), and 2^e goes into its exponent field: within 1.1 ULP, and no step
// is subnormal (a flush to zero changes nothing). About half the instructions of the table-free
// polynomial of degree 7 on a core without vectors. For |k| <= 4016 (|x| < 87) the result is
// normal (y >= 1 where e is -126), and the test of k, an integer already in a core register, is
// the only branch; beyond (NaN and +-inf give a k far outside, as every z
// outside [2^23, 2^24) does), the thresholds decide, or 2^e is applied in two factors so that a
// subnormal result rounds once more.
[[nodiscard, gnu::always_inline]] CXATTN_DETAIL_EXACT_FP inline float exp_by_table(float x) noexcept {
    CXATTN_DETAIL_NO_REASSOCIATION
    namespace math = cxattn::detail::math;
    using C = kernels::detail::exp_constants<float>;
    constexpr float inv_ln2_32 = math::exp_inv_ln2_32_binary32;
    constexpr float ln2_32_hi = math::exp_ln2_32_hi_binary32, ln2_32_lo = math::exp_ln2_32_lo_binary32;
    // As kernels::exp: the low bits of z hold k (the steps kept as written, see exp_of).
    const float z = x * inv_ln2_32 + C::shifter;
    const float k_real = z - C::shifter;
    const std::uint32_t k = __builtin_bit_cast(std::uint32_t, z) - __builtin_bit_cast(std::uint32_t, C::shifter);
    const float r = (x - k_real * ln2_32_hi) - k_real * ln2_32_lo;
    const float q = r + r * r * (0.5f + r * 0x1.555556p-3f);
    const float t = math::exp2_table_binary32[k & 31U]; // k mod 32: an entry whatever x is (NaN and inf too)
    const std::uint32_t y = __builtin_bit_cast(std::uint32_t, t + t * q);
    const std::int32_t e = __builtin_bit_cast(std::int32_t, k) >> 5; // floor(k / 32), arithmetic shift (C++20)
    if (k + 4016U <= 2 * 4016U) return __builtin_bit_cast(float, y + (__builtin_bit_cast(std::uint32_t, e) << 23));
    if (x > C::overflow) return C::infinity;
    if (!(x >= C::underflow)) return cxattn::detail::is_nan(x) ? x + x : 0.0f; // NaN propagates; -inf, underflow: +0
    const std::int32_t e_half = e >> 1;
    return __builtin_bit_cast(float, y + (__builtin_bit_cast(std::uint32_t, e_half) << 23)) *
           __builtin_bit_cast(float, static_cast<std::uint32_t>(e - e_half + C::bias) << 23);
}

// The body of scalar::exp, always inlined: for the loops of the scalar kernels, whose functions keep
// its steps as written (CXATTN_DETAIL_EXACT_FP; GCC compiles an inlined body with the options of the
// function it lands in). Anywhere else, call scalar::exp.
template <class T> [[nodiscard, gnu::always_inline]] CXATTN_DETAIL_EXACT_FP inline T exp_inline(T x) noexcept {
    if constexpr (std::is_same_v<T, float>)
        return exp_by_table(x);
    else
        return kernels::exp(x);
}

} // namespace detail

// e^x for the scalar kernels (cxattn/kernels/scalar.hpp), one value at a time: for float by a table
// of 2^(j/32) (128 bytes; within 2 ULP, NaN, +-inf, overflow and subnormal results as std::exp);
// for double, kernels::exp.
template <class T> [[nodiscard]] CXATTN_DETAIL_EXACT_FP inline T exp(T x) noexcept {
    static_assert(supported<T>, "cxattn::kernels::scalar::exp: the element type must be float or double (IEEE 754)");
    return detail::exp_inline(x);
}

} // namespace scalar

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_EXP_HPP
