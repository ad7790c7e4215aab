// SPDX-License-Identifier: MIT
// Argument sets built in constant evaluation, shared by the bit-identity tests.
#ifndef CXATTN_TESTS_NUMERICS_ARGUMENTS_HPP
#define CXATTN_TESTS_NUMERICS_ARGUMENTS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace numerics {

// N arguments: the first half evenly spaced over [lo, hi]; the second half with magnitudes
// 2^e (1 + f), e stepping evenly from e_lo to e_hi and f a pseudo-random 24-bit fraction, with a
// pseudo-random sign when signed_.
template <class T, std::size_t N> constexpr std::array<T, N> arguments(T lo, T hi, int e_lo, int e_hi, bool signed_) {
    static_assert(N >= 4);
    std::array<T, N> xs{};
    constexpr std::size_t half = N / 2;
    for (std::size_t i = 0; i < half; ++i) {
        xs[i] = lo + (hi - lo) * (static_cast<T>(i) / static_cast<T>(half - 1)); // no overflow at hi
    }
    std::uint64_t state = 0x9e37'79b9'7f4a'7c15U;
    T power = 1; // 2^e, stepped by exact doublings and halvings
    int e = 0;
    for (std::size_t i = 0; i < N - half; ++i) {
        const int target = e_lo + static_cast<int>(static_cast<long long>(e_hi - e_lo) * static_cast<long long>(i) /
                                                   static_cast<long long>(N - half - 1));
        for (; e < target; ++e) power *= 2;
        for (; e > target; --e) power /= 2;
        state = state * 6364136223846793005U + 1442695040888963407U; // Knuth's MMIX LCG
        const T fraction = static_cast<T>(state >> 40) / static_cast<T>(1 << 24);
        const T x = power * (1 + fraction);
        xs[half + i] = signed_ && ((state >> 33) & 1) != 0 ? -x : x;
    }
    return xs;
}

template <class T, std::size_t N, class F> constexpr std::array<T, N> map(const std::array<T, N>& xs, F f) {
    std::array<T, N> ys{};
    for (std::size_t i = 0; i < N; ++i) ys[i] = f(xs[i]);
    return ys;
}

} // namespace numerics

#endif // CXATTN_TESTS_NUMERICS_ARGUMENTS_HPP
