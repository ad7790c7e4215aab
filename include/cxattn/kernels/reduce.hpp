// SPDX-License-Identifier: MIT
// cxattn/kernels/reduce.hpp: row reductions (maximum, sum, finiteness) in the vectorisable order.
#ifndef CXATTN_KERNELS_REDUCE_HPP
#define CXATTN_KERNELS_REDUCE_HPP

#include <cstddef>
#include <type_traits>
#include <cstdint>

#include "cxattn/detail/compare.hpp"
#include "cxattn/kernels/target.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn::kernels {

namespace detail {

// The width of the partial results of a row reduction over N values: nr<T> (more than 16, so that
// GCC vectorises the loop rather than unrolling it), or less for short rows.
template <class T, std::size_t N>
inline constexpr std::size_t reduction_width = N >= nr<T>      ? nr<T>
                                               : N >= lanes<T> ? lanes<T>
                                                               : 1;

// The bits of T and its exponent field, all ones exactly for inf and NaN: the finiteness test of
// values_finite and of the tiny path's vectors.
template <class T> using bits_of = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
template <class T>
inline constexpr bits_of<T> exponent_field = static_cast<bits_of<T>>(sizeof(T) == 4 ? 0x7f80'0000ULL
                                                                                    : 0x7ff0'0000'0000'0000ULL);

// p[0] = p[0] op p[1] op ... op p[n - 1], in a tree: the upper half onto the lower half, again and
// again (log2 n dependent steps instead of n).
template <class T, std::size_t N, class Op> [[nodiscard]] inline T fold(T* p, Op op) noexcept {
    for (std::size_t n = N; n > 1; n = (n + 1) / 2)
        for (std::size_t l = 0; l < n / 2; ++l) p[l] = op(p[l], p[n - n / 2 + l]);
    return p[0];
}

// v[0] op v[1] op ... op v[W - 1] for a vector v of W lanes, op applied to vectors: the upper half
// onto the lower half, down to two lanes (log2 W steps, each one vector operation).
template <class V, class Op> [[nodiscard]] inline auto fold_lanes(V v, Op op) noexcept {
    using E = std::remove_cvref_t<decltype(v[0])>;
    constexpr std::size_t W = sizeof(V) / sizeof(E);
    if constexpr (W == 2) {
        return op(E(v[0]), E(v[1]));
    } else {
        typename vector_of<E, W / 2>::type low, high;
        __builtin_memcpy(&low, &v, sizeof low);
        __builtin_memcpy(&high, reinterpret_cast<const char*>(&v) + sizeof low, sizeof high);
        return fold_lanes(op(low, high), op);
    }
}

// The larger of a and b (b if a is NaN), for scalars and vectors alike.
inline constexpr auto larger = [](auto a, auto b) { return b > a ? b : a; };

// The maximum of N values, and whether any is NaN; both in reduction_width interleaved partial
// results so that the loop vectorises (a single running maximum is a loop-carried dependence the
// compilers do not vectorise without -ffast-math), folded in a tree. Where a value is NaN the
// maximum is unspecified: the row is then a NaN row (cxattn/detail/special_rows.hpp) whatever its
// maximum.
template <class T> struct row_extent {
    T max;
    bool has_nan;
};

template <class T, std::size_t N> [[nodiscard]] inline row_extent<T> row_max(const T* x) noexcept {
    constexpr std::size_t w = reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    T max;
    bool has_nan;
    if constexpr (w % lanes<T> == 0) {
        // The partial results as w / lanes vectors, folded into one, then across its lanes.
        constexpr std::size_t W = lanes<T>, NV = w / W;
        vector<T> m[NV];
        decltype(vector<T>{} <= vector<T>{}) nan{};
        for (std::size_t v = 0; v < NV; ++v) m[v] = load(x + v * W);
        for (std::size_t b = 0; b < full; b += w)
            for (std::size_t v = 0; v < NV; ++v) {
                const vector<T> y = load(x + b + v * W);
                m[v] = larger(m[v], y);
                nan |= CXATTN_DETAIL_IS_NAN(y);
            }
        for (std::size_t v = 1; v < NV; ++v) m[0] = larger(m[0], m[v]);
        max = fold_lanes(m[0], larger);
        has_nan = fold_lanes(nan, [](auto a, auto b) { return a | b; }) != 0;
    } else {
        T m[w], count{};
        for (std::size_t l = 0; l < w; ++l) m[l] = x[l];
        for (std::size_t b = 0; b < N / w; ++b)
            for (std::size_t l = 0; l < w; ++l) {
                const T y = x[b * w + l];
                m[l] = larger(m[l], y);
                count += cxattn::detail::is_nan(y) ? T(1) : T(0);
            }
        max = fold<T, w>(m, larger);
        has_nan = count > T(0);
    }
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) {
            max = larger(max, x[j]);
            has_nan = has_nan || cxattn::detail::is_nan(x[j]);
        }
    return {max, has_nan};
}

// Sum of N values in reduction_width interleaved partial sums (the vectorisable order), folded in
// a tree, then the values past the last whole width in order.
template <class T, std::size_t N> [[nodiscard]] inline T row_sum(const T* x) noexcept {
    constexpr std::size_t w = reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    constexpr auto plus = [](auto a, auto b) { return a + b; };
    T sum;
    if constexpr (w % lanes<T> == 0) {
        constexpr std::size_t W = lanes<T>, NV = w / W;
        vector<T> s[NV] = {};
        for (std::size_t b = 0; b < full; b += w)
            for (std::size_t v = 0; v < NV; ++v) s[v] += load(x + b + v * W);
        for (std::size_t v = 1; v < NV; ++v) s[0] += s[v];
        sum = fold_lanes(s[0], plus);
    } else {
        T s[w] = {};
        for (std::size_t b = 0; b < N / w; ++b)
            for (std::size_t l = 0; l < w; ++l) s[l] += x[b * w + l];
        sum = fold<T, w>(s, plus);
    }
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) sum += x[j];
    return sum;
}

} // namespace detail

// Whether every one of the n values at x is finite: by the bits (an exponent field of all ones is
// inf or NaN), so that no compiler flag can fold the test away (x - x, the arithmetic test, is folded
// to 0 under reassociation). The exponent field plus its lowest bit carries into the sign bit only
// when the field is all ones: one AND, one addition and one OR per value, integer operations only,
// so the loop vectorises and a scalar core runs no compare.
template <class T> [[nodiscard]] inline bool values_finite(const T* x, std::size_t n) noexcept {
    using bits = detail::bits_of<T>;
    constexpr bits exponent = detail::exponent_field<T>;
    constexpr bits carry = exponent & (~exponent + 1); // the field's lowest bit
    constexpr bits sign = ~(~bits{0} >> 1);
    bits any = 0;
    for (std::size_t j = 0; j < n; ++j) any |= (__builtin_bit_cast(bits, x[j]) & exponent) + carry;
    return (any & sign) == 0;
}

// The same for N values, N known at compile time.
template <class T, std::size_t N> [[nodiscard]] inline bool values_finite(const T* x) noexcept {
    return values_finite(x, N);
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] inline bool values_finite(const matrix<T, R, C>& m) noexcept {
    return values_finite<T, R * C>(m.values);
}

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_REDUCE_HPP
