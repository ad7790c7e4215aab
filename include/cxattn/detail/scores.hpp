// SPDX-License-Identifier: MIT
// cxattn/detail/scores.hpp: a score (q . k) * scale whose products or partial sums would overflow
// although the exact score does not.
//
// Finite q and k can give a product or a partial sum beyond the largest value of T while the dot
// product itself is small (q = [2e19, 2e19], k = [2e19, -2e19] in float: exactly 0). Summed as
// written, that gives inf - inf = NaN, or, where the compiler fuses a multiply and an add (FMA
// contraction: -mfma, -march=native), +-inf: the result would depend on the flags. The rule: with
// 2^top the largest bound 2^eq_d 2^ek_d on a product |q_d k_d| and 2^shift the factor that brings
// Dk 2^top below 2^max_exponent, each product is computed as (q_d / 2^a_d) (k_d / 2^b_d) with
// a_d + b_d = shift, a_d as large as q_d allows while it stays a normal number, the products are
// summed, and the sum is multiplied back by 2^shift around the scale (unscaled_score). Powers of
// two scale exactly, so a shift of 0 (no product or partial sum can overflow) gives the plain sum's
// bits, and otherwise the score summed without overflow: a product that falls below the normal
// range after the shift loses at most 2^shift times T's smallest subnormal, far below the rounding
// of the largest product (the usual error bound of a dot product holds). inf only when the score
// itself overflows.
// Constant evaluation takes it when the operands' magnitudes allow an overflow (plain_score_may_overflow),
// the run-time kernels for a row whose plain scores are not finite (kernels/attention.hpp).
#ifndef CXATTN_DETAIL_SCORES_HPP
#define CXATTN_DETAIL_SCORES_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/detail/chunks.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::detail {

// The types whose scores follow the rule: IEEE binary32 and binary64. (A long double score cannot
// overflow from float or double operands; its own overflow needs values beyond any of them.)
template <class T>
inline constexpr bool has_score_rule = std::numeric_limits<T>::is_iec559 && (sizeof(T) == 4 || sizeof(T) == 8);

// The smallest e with |x| <= 2^e, for finite x (through the bits: no loop, no logarithm); a zero
// or a subnormal gives the exponent of the smallest normal, inf and NaN max_exponent or more.
template <class T> [[nodiscard]] constexpr int exponent_above(T x) noexcept {
    static_assert(has_score_rule<T>, "cxattn: scores are evaluated for IEEE float and double");
    constexpr int mantissa_bits = std::numeric_limits<T>::digits - 1;
    constexpr int bias = std::numeric_limits<T>::max_exponent - 1;
    using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    const bits b = std::bit_cast<bits>(x) & ~(bits{1} << (sizeof(T) * 8 - 1));
    const int biased = static_cast<int>(b >> mantissa_bits);
    const bool power_of_two = (b & ((bits{1} << mantissa_bits) - 1)) == 0;
    if (biased == 0) return 1 - bias; // zero or subnormal: at most the smallest normal
    return biased - bias + (power_of_two ? 0 : 1);
}

// 2^e as a T, for e within the normal exponents (of double, for a long double).
template <class T> [[nodiscard]] constexpr T power_of_two(int e) noexcept {
    if constexpr (!has_score_rule<T>) {
        return static_cast<T>(power_of_two<double>(e));
    } else {
        constexpr int mantissa_bits = std::numeric_limits<T>::digits - 1;
        constexpr int bias = std::numeric_limits<T>::max_exponent - 1;
        using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        return std::bit_cast<T>(static_cast<bits>(static_cast<bits>(e + bias) << mantissa_bits));
    }
}

// x * 2^e in steps of at most 2^64, each exact unless the result leaves the normal range.
template <class T> [[nodiscard]] CXATTN_DETAIL_EXACT_STEPS constexpr T times_power_of_two(T x, int e) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    for (; e > 64; e -= 64) x *= power_of_two<T>(64);
    for (; e < -64; e += 64) x *= power_of_two<T>(-64);
    return x * power_of_two<T>(e);
}

// ceil(log2(dk)): a sum of dk terms of magnitude at most 2^e is at most 2^(e + sum_exponent(dk)).
[[nodiscard]] constexpr int sum_exponent(std::size_t dk) noexcept {
    int terms = 0;
    while ((std::size_t{1} << terms) < dk) ++terms;
    return terms;
}

// Whether a plain score of Dk products of values at most max_abs_query and max_abs_key in
// magnitude (finite) can overflow on the way: dk 2^(eq + ek) reaches 2^max_exponent.
template <class T>
[[nodiscard]] constexpr bool plain_score_may_overflow(T max_abs_query, T max_abs_key, std::size_t dk) noexcept {
    if constexpr (!has_score_rule<T>)
        return false;
    else
        return exponent_above(max_abs_query) + exponent_above(max_abs_key) + sum_exponent(dk) >=
               std::numeric_limits<T>::max_exponent;
}

// The largest |x| among the finite values of chunk x[0..sizeof...(K)): one fold, so one Clang step.
template <class T, std::size_t... K>
[[nodiscard]] constexpr T max_abs_finite_chunk([[maybe_unused]] const T* x, T m, std::index_sequence<K...>) noexcept {
    [[maybe_unused]] constexpr T max = std::numeric_limits<T>::max();
    ((m = x[K] > m && x[K] <= max ? x[K] : -x[K] > m && -x[K] <= max ? -x[K] : m), ...);
    return m;
}

// The largest |x| among the finite values of m; 0 if none. One fold per chunk of fold_chunk values
// (detail/chunks.hpp): a few Clang steps per chunk. At run time a loop of the same steps: the
// folds, unrolled, took 17 KB of Cortex-M4 code for a 16 x 16 operand.
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr T max_abs_finite(const matrix<T, R, C>& m) noexcept {
    T result{};
    if (!is_constant_evaluated()) {
        for (std::size_t i = 0; i < R * C; ++i)
            result = max_abs_finite_chunk(m.values + i, result, std::make_index_sequence<1>{});
        return result;
    }
    for_each_chunk<0, R * C>(
        [&](std::size_t first, auto chunk) { result = max_abs_finite_chunk(m.values + first, result, chunk); });
    return result;
}

// x / 2^n through A, for 0 <= n <= 2 (max_exponent - 2): in two exact steps where one factor would
// not be a normal number.
template <class A, class T> [[nodiscard]] CXATTN_DETAIL_EXACT_STEPS constexpr T scaled_down(T x, int n) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    constexpr int step = std::numeric_limits<T>::max_exponent - 2;
    return n <= step ? A::mul(x, power_of_two<T>(-n))
                     : A::mul(A::mul(x, power_of_two<T>(-step)), power_of_two<T>(step - n));
}

// x as rounded, at run time: the product that made it cannot be fused with a later addition into
// a multiply-add. Clang's -ffp-contract=fast fuses in the back end whatever `#pragma clang fp
// contract(off)` says; an empty asm that takes x through memory stops it on every target (the
// rule's path is rare, so the store and load cost nothing that matters).
template <class T> [[nodiscard]] inline T rounded(T x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+m"(x));
#endif
    return x;
}

// sum * 2^shift * scale, rounded once, as the plain (q . k) * scale would be, where sum * 2^shift
// is the dot product q . k (exactly: sum is the dot product of the operands scaled by powers of
// two). Where that dot product is within T's range, it is formed first, as the plain computation
// forms it; where it is not, the scale is applied at an exponent where the sum, and its product
// with any positive scale, are normal numbers (the sum brought within (2^(max_exponent - 2),
// 2^(max_exponent - 1)] in magnitude), and the rest of the power of two after: a tiny scale neither flushes the score to zero nor
// loses its bits, a large one overflows only where the score does. No step overflows in between,
// so constant evaluation accepts it. A sum of NaN or inf (such operands) is only multiplied by the scale.
template <class A, class T>
[[nodiscard]] CXATTN_DETAIL_EXACT_STEPS constexpr T unscaled_score(T sum, T scale, int shift) noexcept {
    CXATTN_DETAIL_KEEP_ORDER
    constexpr int largest = std::numeric_limits<T>::max_exponent - 1; // 2^largest: T's largest power of two
    if (!is_finite(sum)) return A::mul(sum, scale);
    const int beyond = exponent_above(sum) + shift - largest;
    if (beyond <= 0) return times_power_of_two(sum, shift) * scale;
    return times_power_of_two(times_power_of_two(sum, shift - beyond) * scale, beyond);
}

// (q . k) * scale by the rule: q has Dk values at q[0..Dk), k at k[0], k[k_stride], ...; A is the
// arithmetic policy (detail/arithmetic.hpp: plain, or ieee for operands that hold NaN or inf).
template <class A, class T>
[[nodiscard]] CXATTN_DETAIL_EXACT_STEPS constexpr T scaled_score(const T* q, const T* k, std::size_t k_stride,
                                                                 std::size_t dk, T scale) noexcept {
    // Each product and sum rounded on its own, in this order, whatever the flags: a fused multiply-add
    // or a reassociation would not cancel the large terms exactly (q = [b, b], k = [b, -b]: 0 here,
    // the rounding error of b^2 with an FMA), or would multiply q by k before scaling them.
    CXATTN_DETAIL_KEEP_ORDER
    T sum{};
    if constexpr (!has_score_rule<T>) {
        for (std::size_t d = 0; d < dk; ++d) sum = A::add(sum, A::mul(q[d], k[d * k_stride]));
        return A::mul(sum, scale);
    } else {
        constexpr int largest = std::numeric_limits<T>::max_exponent - 1;
        constexpr int normal_room =
            1 - std::numeric_limits<T>::min_exponent; // 2^(e - 1 - normal_room): T's smallest normal
        int top = std::numeric_limits<T>::min_exponent - 1;
        for (std::size_t d = 0; d < dk; ++d) {
            const int e = exponent_above(q[d]) + exponent_above(k[d * k_stride]);
            top = e > top ? e : top;
        }
        const int bound = top + sum_exponent(dk); // |the plain sum and its partial sums| <= 2^bound
        const int shift = bound > largest ? bound - largest : 0;
        for (std::size_t d = 0; d < dk; ++d) {
            const int room = exponent_above(q[d]) + normal_room - 1; // q[d] / 2^room is still normal
            const int a = shift <= room ? shift : room > 0 ? room : 0;
            const T x = scaled_down<A>(q[d], a), y = scaled_down<A>(k[d * k_stride], shift - a);
            // In constant evaluation through A (ieee_arithmetic decides NaN and inf operands); at run
            // time the operators themselves, so that the pragma and the attribute cover them (an
            // inlined A::add would carry its own flags), and the product rounded on its own.
            sum = is_constant_evaluated() ? A::add(sum, A::mul(x, y)) : sum + rounded(x * y);
        }
        return unscaled_score<A>(sum, scale, shift);
    }
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_SCORES_HPP
