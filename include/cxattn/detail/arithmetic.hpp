// SPDX-License-Identifier: MIT
// cxattn/detail/arithmetic.hpp: the two arithmetic policies of the constexpr algorithms.
//
// The algorithms (ops.hpp, detail/rows.hpp) are written once over a policy A and call A::dot,
// A::affine_dot (dot * factor + addend), A::mul, A::add, A::divide, A::add_scaled and A::scale_row:
//   plain_arithmetic: the element type's operators. Every operand must be finite in constant
//     evaluation (a NaN result, or on Clang a NaN operand, is not a constant expression); at run
//     time it gives IEEE results for any operand.
//   ieee_arithmetic: the IEEE results decided by comparisons (cxattn/ieee.hpp), for constant
//     evaluation of operands that hold NaN or infinity. It costs more evaluation steps.
// detail::path_for (detail/dispatch.hpp) chooses between them, and the run-time kernels, once per call.
#ifndef CXATTN_DETAIL_ARITHMETIC_HPP
#define CXATTN_DETAIL_ARITHMETIC_HPP

#include <cstddef>
#include <utility>

#include "cxattn/detail/chunks.hpp"
#include "cxattn/ieee.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::detail {

struct plain_arithmetic {
    // a.values[a_offset + k] * b.values[b_offset + k * BStride], summed left to right over
    // k < sizeof...(K): the inner loop of every constexpr algorithm, so its cost per multiply-add
    // bounds how large a problem a compiler can evaluate. One fold expression, no loop: Clang
    // charges one step per statement, so this is one step per dot product. The indexing is chosen
    // per compiler because their evaluators price it differently (docs/benchmarks.md): GCC
    // evaluates an array subscript far more cheaply than a pointer dereference, Clang the reverse.
    // Each function of this policy has a second overload for more than fold_chunk terms, one fold
    // per chunk (detail/chunks.hpp). Overloads, not an if constexpr: the evaluators charge for the
    // if statement on every call.
    template <std::size_t BStride = 1, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    requires(sizeof...(K) <= fold_chunk) [[nodiscard]] static constexpr T
        dot(const matrix<T, RA, CA>& a, std::size_t a_offset, const matrix<T, RB, CB>& b, std::size_t b_offset,
            std::index_sequence<K...>) noexcept {
#if defined(__clang__)
        const T* const a_row = &a.values[a_offset];
        const T* const b_col = &b.values[b_offset];
        return (... + (a_row[K] * b_col[K * BStride]));
#else
        return (... + (a.values[a_offset + K] * b.values[b_offset + K * BStride]));
#endif
    }

    // The first chunk as above, then each next chunk's terms added to the same accumulator one at a
    // time: left to right, the bits of a single fold.
    template <std::size_t BStride = 1, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    requires(sizeof...(K) > fold_chunk) [[nodiscard]] static constexpr T
        dot(const matrix<T, RA, CA>& a, std::size_t a_offset, const matrix<T, RB, CB>& b, std::size_t b_offset,
            std::index_sequence<K...>) noexcept {
        T sum = dot<BStride>(a, a_offset, b, b_offset, std::make_index_sequence<fold_chunk>{});
        for_each_chunk<fold_chunk, sizeof...(K)>([&](std::size_t first, auto chunk) {
            sum = dot_onto<BStride>(sum, a, a_offset + first, b, b_offset + first * BStride, chunk);
        });
        return sum;
    }

    // sum + the terms of dot(...), added to it one at a time, left to right: a chunk of a long dot.
    template <std::size_t BStride, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    [[nodiscard]] static constexpr T dot_onto(T sum, const matrix<T, RA, CA>& a, std::size_t a_offset,
                                              const matrix<T, RB, CB>& b, std::size_t b_offset,
                                              std::index_sequence<K...>) noexcept {
#if defined(__clang__)
        const T* const a_row = &a.values[a_offset];
        const T* const b_col = &b.values[b_offset];
        return (sum + ... + (a_row[K] * b_col[K * BStride]));
#else
        return (sum + ... + (a.values[a_offset + K] * b.values[b_offset + K * BStride]));
#endif
    }

    // dot(...) * factor + addend in one statement: the scores (factor = the scale, addend = the
    // bias, or -0, which adds nothing to any value, -0 included) and the projections (factor 1).
    // One call where dot(...) and a mul or add would be two (each costs Clang steps per element).
    template <std::size_t BStride = 1, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    requires(sizeof...(K) <= fold_chunk) [[nodiscard]] static constexpr T
        affine_dot(const matrix<T, RA, CA>& a, std::size_t a_offset, const matrix<T, RB, CB>& b, std::size_t b_offset,
                   T factor, T addend, std::index_sequence<K...>) noexcept {
#if defined(__clang__)
        const T* const a_row = &a.values[a_offset];
        const T* const b_col = &b.values[b_offset];
        return (... + (a_row[K] * b_col[K * BStride])) * factor + addend;
#else
        return (... + (a.values[a_offset + K] * b.values[b_offset + K * BStride])) * factor + addend;
#endif
    }

    template <std::size_t BStride = 1, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    requires(sizeof...(K) > fold_chunk) [[nodiscard]] static constexpr T
        affine_dot(const matrix<T, RA, CA>& a, std::size_t a_offset, const matrix<T, RB, CB>& b, std::size_t b_offset,
                   T factor, T addend, std::index_sequence<K...> terms) noexcept {
        return dot<BStride>(a, a_offset, b, b_offset, terms) * factor + addend;
    }

    template <class T> [[nodiscard]] static constexpr T mul(T a, T b) noexcept { return static_cast<T>(a * b); }
    template <class T> [[nodiscard]] static constexpr T add(T a, T b) noexcept { return static_cast<T>(a + b); }
    template <class T> [[nodiscard]] static constexpr T divide(T a, T b) noexcept { return static_cast<T>(a / b); }

    // acc.values[acc_offset + d] += weight * x.values[x_offset + d] for every d: one fold
    // expression, so one Clang step per row of values, indexed per compiler as dot is.
    template <class T, std::size_t RA, std::size_t CA, std::size_t RX, std::size_t CX, std::size_t... D>
    requires(sizeof...(D) <=
             fold_chunk) static constexpr void add_scaled(matrix<T, RA, CA>& acc, std::size_t acc_offset, T weight,
                                                          const matrix<T, RX, CX>& x, std::size_t x_offset,
                                                          std::index_sequence<D...>) noexcept {
#if defined(__clang__)
        T* const a = &acc.values[acc_offset];
        const T* const b = &x.values[x_offset];
        ((a[D] += weight * b[D]), ...);
#else
        ((acc.values[acc_offset + D] += weight * x.values[x_offset + D]), ...);
#endif
    }

    template <class T, std::size_t RA, std::size_t CA, std::size_t RX, std::size_t CX, std::size_t... D>
    requires(sizeof...(D) > fold_chunk) static constexpr void add_scaled(matrix<T, RA, CA>& acc, std::size_t acc_offset,
                                                                         T weight, const matrix<T, RX, CX>& x,
                                                                         std::size_t x_offset,
                                                                         std::index_sequence<D...>) noexcept {
        for_each_chunk<0, sizeof...(D)>([&](std::size_t first, auto chunk) {
            add_scaled(acc, acc_offset + first, weight, x, x_offset + first, chunk);
        });
    }

    // acc.values[offset + d] *= factor for every d: one fold expression.
    template <class T, std::size_t R, std::size_t C, std::size_t... D>
    requires(sizeof...(D) <= fold_chunk) static constexpr void scale_row(matrix<T, R, C>& acc, std::size_t offset,
                                                                         T factor, std::index_sequence<D...>) noexcept {
#if defined(__clang__)
        T* const a = &acc.values[offset];
        ((a[D] *= factor), ...);
#else
        ((acc.values[offset + D] *= factor), ...);
#endif
    }

    template <class T, std::size_t R, std::size_t C, std::size_t... D>
    requires(sizeof...(D) > fold_chunk) static constexpr void scale_row(matrix<T, R, C>& acc, std::size_t offset,
                                                                        T factor, std::index_sequence<D...>) noexcept {
        for_each_chunk<0, sizeof...(D)>(
            [&](std::size_t first, auto chunk) { scale_row(acc, offset + first, factor, chunk); });
    }
};

struct ieee_arithmetic {
    template <std::size_t BStride = 1, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    [[nodiscard]] static constexpr T dot(const matrix<T, RA, CA>& a, std::size_t a_offset, const matrix<T, RB, CB>& b,
                                         std::size_t b_offset, std::index_sequence<K...>) noexcept {
        T sum{};
        for (std::size_t k = 0; k < sizeof...(K); ++k)
            sum = ieee::add(sum, ieee::mul(a.values[a_offset + k], b.values[b_offset + k * BStride]));
        return sum;
    }

    template <std::size_t BStride = 1, class T, std::size_t RA, std::size_t CA, std::size_t RB, std::size_t CB,
              std::size_t... K>
    [[nodiscard]] static constexpr T affine_dot(const matrix<T, RA, CA>& a, std::size_t a_offset,
                                                const matrix<T, RB, CB>& b, std::size_t b_offset, T factor, T addend,
                                                std::index_sequence<K...> terms) noexcept {
        return ieee::add(ieee::mul(dot<BStride>(a, a_offset, b, b_offset, terms), factor), addend);
    }

    template <class T> [[nodiscard]] static constexpr T mul(T a, T b) noexcept { return ieee::mul(a, b); }
    template <class T> [[nodiscard]] static constexpr T add(T a, T b) noexcept { return ieee::add(a, b); }
    template <class T> [[nodiscard]] static constexpr T divide(T a, T b) noexcept { return ieee::divide(a, b); }

    template <class T, std::size_t RA, std::size_t CA, std::size_t RX, std::size_t CX, std::size_t... D>
    static constexpr void add_scaled(matrix<T, RA, CA>& acc, std::size_t acc_offset, T weight,
                                     const matrix<T, RX, CX>& x, std::size_t x_offset,
                                     std::index_sequence<D...>) noexcept {
        for (std::size_t d = 0; d < sizeof...(D); ++d)
            acc.values[acc_offset + d] =
                ieee::add(acc.values[acc_offset + d], ieee::mul(weight, x.values[x_offset + d]));
    }

    template <class T, std::size_t R, std::size_t C, std::size_t... D>
    static constexpr void scale_row(matrix<T, R, C>& acc, std::size_t offset, T factor,
                                    std::index_sequence<D...>) noexcept {
        for (std::size_t d = 0; d < sizeof...(D); ++d)
            acc.values[offset + d] = ieee::mul(acc.values[offset + d], factor);
    }
};

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_ARITHMETIC_HPP
