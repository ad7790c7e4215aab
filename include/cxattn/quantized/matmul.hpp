// SPDX-License-Identifier: MIT
// cxattn/quantized/matmul.hpp: int8 matrix products with int32 accumulation and TFLite's
// requantization, bit for bit with CMSIS-NN's arm_batch_matmul_s8 and TFLite's BATCH_MATMUL.
#ifndef CXATTN_QUANTIZED_MATMUL_HPP
#define CXATTN_QUANTIZED_MATMUL_HPP

#include <cstddef>
#include <cstdint>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/detail/chunks.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/quantized/fixed_point.hpp"
#include "cxattn/quantized/multiplier.hpp"
#include "cxattn/quantized/rules.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn::quantized {

// The quantization of one product (CMSIS-NN's input_offset, filter_offset and output_offset are
// -lhs_zero_point, -rhs_zero_point and output_zero_point): output = clamp(output_zero_point +
// multiply_by_quantized_multiplier(sum_k (lhs - lhs_zero_point) (rhs - rhs_zero_point),
// output_multiplier), activation_min, activation_max), clamped as CMSIS-NN does (max, then min).
struct matmul_params {
    std::int32_t lhs_zero_point;
    std::int32_t rhs_zero_point;
    std::int32_t output_zero_point;
    multiplier output_multiplier;
    std::int32_t activation_min = -128;
    std::int32_t activation_max = 127;
};

namespace detail {

// sum_k (a[k] - za) (b[k] - zb) in int32, modulo 2^32 (as the reference's int32 accumulator wraps
// on the processors it runs on; no overflow with int8 zero points for K <= 33025). In constant
// evaluation one fold expression per 128 terms, so one step of Clang's budget each; at run time a
// loop, which the compiler vectorises or unrolls as it sees fit. The same arithmetic either way.
// Clang nests a fold expression at most 256 deep (its -fbracket-depth): longer ones go in chunks,
// a loop over them (detail/chunks.hpp). 128, not the float algorithms' 64: it nests well within
// 256, and one step per 128 terms is what docs/quantized.md's capacity figures measure.
inline constexpr std::size_t fold_chunk = 128;

template <std::size_t... K>
[[nodiscard]] constexpr std::uint32_t folded_dot(const std::int8_t* a, std::uint32_t za, const std::int8_t* b,
                                                 std::uint32_t zb, std::index_sequence<K...>) noexcept {
    return (((static_cast<std::uint32_t>(a[K]) - za) * (static_cast<std::uint32_t>(b[K]) - zb)) + ... + 0u);
}

template <std::size_t K>
[[nodiscard]] constexpr std::uint32_t chunked_dot(const std::int8_t* a, std::uint32_t za, const std::int8_t* b,
                                                  std::uint32_t zb) noexcept {
    if constexpr (K <= fold_chunk) {
        return folded_dot(a, za, b, zb, std::make_index_sequence<K>{});
    } else {
        std::uint32_t sum = 0;
        cxattn::detail::for_each_chunk<0, K, fold_chunk>(
            [&](std::size_t first, auto chunk) { sum += folded_dot(a + first, za, b + first, zb, chunk); });
        return sum;
    }
}

template <std::size_t K>
[[nodiscard]] constexpr std::int32_t dot(const std::int8_t* a, std::int32_t a_zero_point, const std::int8_t* b,
                                         std::int32_t b_zero_point) noexcept {
    const auto za = static_cast<std::uint32_t>(a_zero_point);
    const auto zb = static_cast<std::uint32_t>(b_zero_point);
    if (cxattn::detail::is_constant_evaluated()) return static_cast<std::int32_t>(chunked_dot<K>(a, za, b, zb));
    std::uint32_t sum = 0;
    for (std::size_t k = 0; k < K; ++k)
        sum += (static_cast<std::uint32_t>(a[k]) - za) * (static_cast<std::uint32_t>(b[k]) - zb);
    return static_cast<std::int32_t>(sum);
}

// acc[n] += weight x (b[n] - zb) for every n, modulo 2^32: one row of the right-hand side added to
// the accumulators of one output row.
template <std::size_t... N>
constexpr void folded_add_scaled(std::uint32_t* acc, std::uint32_t weight, const std::int8_t* b, std::uint32_t zb,
                                 std::index_sequence<N...>) noexcept {
    ((acc[N] += weight * (static_cast<std::uint32_t>(b[N]) - zb)), ...);
}

template <std::size_t N>
constexpr void chunked_add_scaled(std::uint32_t* acc, std::uint32_t weight, const std::int8_t* b,
                                  std::uint32_t zb) noexcept {
    if constexpr (N <= fold_chunk)
        folded_add_scaled(acc, weight, b, zb, std::make_index_sequence<N>{});
    else
        cxattn::detail::for_each_chunk<0, N, fold_chunk>(
            [&](std::size_t first, auto chunk) { folded_add_scaled(acc + first, weight, b + first, zb, chunk); });
}

template <std::size_t N>
constexpr void add_scaled(std::uint32_t* acc, std::int32_t weight, const std::int8_t* b,
                          std::int32_t b_zero_point) noexcept {
    const auto w = static_cast<std::uint32_t>(weight);
    const auto zb = static_cast<std::uint32_t>(b_zero_point);
    if (cxattn::detail::is_constant_evaluated())
        chunked_add_scaled<N>(acc, w, b, zb);
    else
        for (std::size_t n = 0; n < N; ++n) acc[n] += w * (static_cast<std::uint32_t>(b[n]) - zb);
}

// An int32 accumulator to the int8 output: requantized, offset, clamped (CMSIS-NN's order).
[[nodiscard]] constexpr std::int8_t requantize(std::int32_t accumulator, const matmul_params& p) noexcept {
    const std::int32_t shifted =
        wrapping_add(multiply_by_quantized_multiplier(accumulator, p.output_multiplier), p.output_zero_point);
    const std::int32_t low_clamped = shifted > p.activation_min ? shifted : p.activation_min;
    return static_cast<std::int8_t>(low_clamped < p.activation_max ? low_clamped : p.activation_max);
}

// output row i of lhs x rhs for an M x K lhs and a K x N rhs, given as pointers to lhs row i and
// rhs: the accumulators sum lhs(i, k) - lhs_zero_point times rhs row k; a zero weight adds nothing
// and is skipped.
template <std::size_t K, std::size_t N>
constexpr void matmul_row(const std::int8_t* lhs_row, const std::int8_t* rhs, const matmul_params& p,
                          std::int8_t* output_row) noexcept {
    std::uint32_t acc[N]{};
    for (std::size_t k = 0; k < K; ++k) {
        const std::int32_t weight = wrapping_sub(lhs_row[k], p.lhs_zero_point);
        if (weight != 0) add_scaled<N>(acc, weight, &rhs[k * N], p.rhs_zero_point);
    }
    for (std::size_t n = 0; n < N; ++n) output_row[n] = requantize(static_cast<std::int32_t>(acc[n]), p);
}

} // namespace detail

// lhs (M x K) times the transpose of rhs (N x K), requantized to int8 (matmul_params):
// bit-exact with CMSIS-NN's arm_batch_matmul_s8, whose right-hand side is given transposed as here,
// and TFLite's BATCH_MATMUL with adj_y. A shift above 30 in output_multiplier fails to compile in
// constant evaluation (see multiply_by_quantized_multiplier for what run time does).
template <class T, class U, std::size_t M, std::size_t K, std::size_t N, std::size_t K2>
[[nodiscard]] constexpr matrix<T, M, N> matmul_transposed(const matrix<T, M, K>& lhs, const matrix<U, N, K2>& rhs,
                                                          const matmul_params& params) noexcept {
    static_assert(rule::int8_element_type<T>,
                  "cxattn::quantized::matmul_transposed: the lhs element type must be std::int8_t");
    static_assert(rule::int8_element_type<U>,
                  "cxattn::quantized::matmul_transposed: the rhs element type must be std::int8_t");
    static_assert(rule::inner_dimensions_agree_transposed<shapes::lhs<M, K>, shapes::rhs_transposed<N, K2>>,
                  "cxattn::quantized::matmul_transposed: inner dimensions differ (lhs cols != rhs cols; the rhs "
                  "is given transposed, N x K)");
    matrix<T, M, N> output;
    if constexpr (rule::int8_element_type<T> && rule::int8_element_type<U> && K == K2) {
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j)
                output.values[i * N + j] = detail::requantize(detail::dot<K>(&lhs.values[i * K], params.lhs_zero_point,
                                                                             &rhs.values[j * K], params.rhs_zero_point),
                                                              params);
    }
    return output;
}

// lhs (M x K) times rhs (K x N), requantized to int8: the same arithmetic as matmul_transposed
// with the rhs in TFLite's BATCH_MATMUL layout (adj_y false); the same bits as matmul_transposed
// of the transpose of rhs.
template <class T, class U, std::size_t M, std::size_t K, std::size_t K2, std::size_t N>
[[nodiscard]] constexpr matrix<T, M, N> matmul(const matrix<T, M, K>& lhs, const matrix<U, K2, N>& rhs,
                                               const matmul_params& params) noexcept {
    static_assert(rule::int8_element_type<T>, "cxattn::quantized::matmul: the lhs element type must be std::int8_t");
    static_assert(rule::int8_element_type<U>, "cxattn::quantized::matmul: the rhs element type must be std::int8_t");
    static_assert(rule::inner_dimensions_agree<shapes::lhs<M, K>, shapes::rhs<K2, N>>,
                  "cxattn::quantized::matmul: inner dimensions differ (lhs cols != rhs rows)");
    matrix<T, M, N> output;
    if constexpr (rule::int8_element_type<T> && rule::int8_element_type<U> && K == K2) {
        for (std::size_t i = 0; i < M; ++i)
            detail::matmul_row<K, N>(&lhs.values[i * K], rhs.values, params, &output.values[i * N]);
    }
    return output;
}

} // namespace cxattn::quantized

#endif // CXATTN_QUANTIZED_MATMUL_HPP
