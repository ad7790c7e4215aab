// SPDX-License-Identifier: MIT
// cxattn/detail/scores.hpp: a score (q . k) * scale whose products or partial sums would overflow
// although the exact score does not.
//
// Finite q and k can give a product or a partial sum beyond the largest value of T while the dot
// product itself is small (q = [2e19, 2e19], k = [2e19, -2e19] in float: exactly 0). Summed as
// written, that gives inf - inf = NaN, or, where the compiler fuses a multiply and an add (FMA
// contraction: -mfma, -march=native), +-inf: the result would depend on the flags. The rule: the
// score is computed on q / 2^eq and k / 2^ek, powers of two that bring every |q| and |k| to at
// most 1 (4 for the largest values), and multiplied back after the scale. Powers of two scale exactly, so wherever the plain
// sum does not overflow (and no operand becomes subnormal) this gives its bits; where it would
// overflow, the score is the one summed without overflow (inf only when the scaled score itself overflows).
// Constant evaluation takes it when the operands' magnitudes allow an overflow (score_scaling_for),
// the run-time kernels for a row whose plain scores are not finite (kernels/attention.hpp).
#ifndef CXATTN_DETAIL_SCORES_HPP
#define CXATTN_DETAIL_SCORES_HPP

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/detail/chunks.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::detail {

// The exponents of the rule: q is divided by 2^query_exponent and k by 2^key_exponent; active
// tells whether the rule applies at all.
struct score_scaling {
    int query_exponent = 0;
    int key_exponent = 0;
    bool active = false;
};

// The smallest e with |x| <= 2^e, for finite x (through the bits: no loop, no logarithm); a zero
// gives the exponent of the smallest normal.
template <class T> [[nodiscard]] constexpr int exponent_above(T x) noexcept {
    static_assert(std::numeric_limits<T>::is_iec559 && (sizeof(T) == 4 || sizeof(T) == 8),
                  "cxattn: scores are evaluated for IEEE float and double");
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
    if constexpr (!std::numeric_limits<T>::is_iec559 || (sizeof(T) != 4 && sizeof(T) != 8)) {
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

// Whether a score of Dk products of values at most max_abs_query and max_abs_key in magnitude
// (finite) can overflow as a plain sum, and if so the exponents of the rule.
template <class T>
[[nodiscard]] constexpr score_scaling score_scaling_for(T max_abs_query, T max_abs_key, std::size_t dk) noexcept {
    if constexpr (!std::numeric_limits<T>::is_iec559 || (sizeof(T) != 4 && sizeof(T) != 8)) {
        return {}; // long double: overflow needs values beyond any float or double
    } else {
        const int eq = exponent_above(max_abs_query), ek = exponent_above(max_abs_key);
        int terms = 0; // ceil(log2(dk))
        while ((std::size_t{1} << terms) < dk) ++terms;
        // |sum| <= dk 2^(eq + ek): below 2^max_exponent, no partial result overflows.
        if (eq + ek + terms < std::numeric_limits<T>::max_exponent) return {};
        // The scaling exponents at most max_exponent - 2 (126 for float), so that 2^-e is a normal
        // number: |q| / 2^e <= 4, each product at most 16.
        constexpr int e_max = std::numeric_limits<T>::max_exponent - 2;
        return {std::min(eq, e_max), std::min(ek, e_max), true};
    }
}

// The largest |x| among the finite values x[0], x[stride], ... (n of them); 0 if none.
template <class T>
[[nodiscard]] constexpr T max_abs_finite(const T* x, std::size_t n, std::size_t stride = 1) noexcept {
    T m{};
    for (std::size_t i = 0; i < n; ++i) {
        const T a = x[i * stride] < T(0) ? -x[i * stride] : x[i * stride];
        m = a > m && a <= std::numeric_limits<T>::max() ? a : m;
    }
    return m;
}

// The largest |x| among the finite values of chunk x[0..sizeof...(K)): one fold, so one Clang step.
template <class T, std::size_t... K>
[[nodiscard]] constexpr T max_abs_finite_chunk([[maybe_unused]] const T* x, T m, std::index_sequence<K...>) noexcept {
    [[maybe_unused]] constexpr T max = std::numeric_limits<T>::max();
    ((m = x[K] > m && x[K] <= max ? x[K] : -x[K] > m && -x[K] <= max ? -x[K] : m), ...);
    return m;
}

// The largest |x| among the finite values of m; 0 if none. One fold per chunk of fold_chunk values
// (detail/chunks.hpp): a few Clang steps per chunk.
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr T max_abs_finite(const matrix<T, R, C>& m) noexcept {
    T result{};
    for_each_chunk<0, R * C>(
        [&](std::size_t first, auto chunk) { result = max_abs_finite_chunk(m.values + first, result, chunk); });
    return result;
}

// (q . k) * scale by the rule: q has Dk values at q[0..Dk), k at k[0], k[k_stride], ...; A is the
// arithmetic policy (detail/arithmetic.hpp: plain, or ieee for operands that hold NaN or inf).
template <class A, class T>
[[nodiscard]] CXATTN_DETAIL_EXACT_STEPS constexpr T scaled_score(const T* q, const T* k, std::size_t k_stride,
                                                                 std::size_t dk, T scale, score_scaling s) noexcept {
    // Each product and sum rounded on its own, in this order, whatever the flags: a fused multiply-add
    // or a reassociation would not cancel the large terms exactly (q = [b, b], k = [b, -b]: 0 here,
    // the rounding error of b^2 with an FMA), or would multiply q by k before scaling them.
    CXATTN_DETAIL_KEEP_ORDER
    const T q_factor = power_of_two<T>(-s.query_exponent), k_factor = power_of_two<T>(-s.key_exponent);
    T sum{};
    if (is_constant_evaluated()) { // through A: ieee_arithmetic decides NaN and inf operands
        for (std::size_t d = 0; d < dk; ++d)
            sum = A::add(sum, A::mul(A::mul(q[d], q_factor), A::mul(k[d * k_stride], k_factor)));
        return times_power_of_two(A::mul(sum, scale), s.query_exponent + s.key_exponent);
    }
    // At run time the operators themselves, so that the pragma and the attribute cover them (an
    // inlined A::add would carry its own flags).
    for (std::size_t d = 0; d < dk; ++d) sum = sum + (q[d] * q_factor) * (k[d * k_stride] * k_factor);
    return times_power_of_two(sum * scale, s.query_exponent + s.key_exponent);
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_SCORES_HPP
