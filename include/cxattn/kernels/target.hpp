// SPDX-License-Identifier: MIT
// cxattn/kernels/target.hpp: what the run-time kernels take from the target: the element types they
// handle, the vector registers of the flags (-march=...), and the register blocking that follows.
#ifndef CXATTN_KERNELS_TARGET_HPP
#define CXATTN_KERNELS_TARGET_HPP

#include <bit>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/config.hpp"

// The micro-kernel is compiled once per shape, out of line and with run-time strides: so compiled,
// GCC 12 and Clang 14 both keep its accumulators in registers. Given constant strides (inlined, or
// in a clone specialised for them), GCC interchanges its loops and keeps the accumulators in memory
// and Clang vectorises the wrong loop: measured 5x to 20x slower. GCC's noipa forbids both the
// inlining and the cloning; Clang does not clone.
#if defined(__clang__)
#define CXATTN_DETAIL_OUT_OF_LINE [[gnu::noinline]]
#elif defined(__GNUC__)
#define CXATTN_DETAIL_OUT_OF_LINE [[gnu::noipa]]
#elif defined(_MSC_VER)
#define CXATTN_DETAIL_OUT_OF_LINE __declspec(noinline)
#else
#define CXATTN_DETAIL_OUT_OF_LINE
#endif

// Pointers through which nothing else is written. GCC may compile the tiny path apart from its
// caller; it then vectorises it only if it knows the outputs do not alias the inputs (measured
// 1.3x at 4 x 4).
#if defined(__GNUC__)
#define CXATTN_DETAIL_RESTRICT __restrict__
#elif defined(_MSC_VER)
#define CXATTN_DETAIL_RESTRICT __restrict
#else
#define CXATTN_DETAIL_RESTRICT
#endif

namespace cxattn::kernels {

// The element types the kernels handle; others (long double) keep the constexpr algorithms.
template <class T>
inline constexpr bool supported = std::numeric_limits<T>::is_iec559 &&
                                  (std::is_same_v<T, float> || std::is_same_v<T, double>);

namespace detail {

// The target's vector registers, from the predefined macros of the flags (-march=...): they set
// the blocking, never the results' correctness.
#if defined(__AVX512F__)
inline constexpr std::size_t vector_bytes = 64;
inline constexpr std::size_t vector_registers = 32;
#elif defined(__AVX__)
inline constexpr std::size_t vector_bytes = 32;
inline constexpr std::size_t vector_registers = 16;
#else
inline constexpr std::size_t vector_bytes = 16; // SSE2, NEON
inline constexpr std::size_t vector_registers = 16;
#endif

// Elements per vector register.
template <class T> inline constexpr std::size_t lanes = vector_bytes / sizeof(T);

// The register block of the matrix-product micro-kernel: mr rows by nr columns, nr two vectors (a
// power of two that divides the usual head sizes), mr as many rows as leave room in the register
// file for the two vectors of the right operand and a broadcast, 8 at most.
template <class T> inline constexpr std::size_t nr_vectors = 2;
template <class T> inline constexpr std::size_t nr = nr_vectors<T>* lanes<T>;
template <class T> inline constexpr std::size_t mr_fit = (vector_registers - nr_vectors<T> - 1) / nr_vectors<T>;
template <class T> inline constexpr std::size_t mr = mr_fit<T> > 8 ? 8 : mr_fit<T> < 1 ? 1 : mr_fit<T>;

// Vectors of T written with the GCC/Clang vector extensions: the kernels say which values share a
// register, so their speed does not hang on a vectoriser's heuristics (which differ by compiler and
// version). Unaligned loads and stores go through memcpy, which both compilers turn into one vector
// move. GCC and Clang (and the compilers built on them) have the extensions; others are refused.
#if !defined(__GNUC__)
#error                                                                                                                 \
    "cxattn/kernels: the run-time kernels are written with the GCC/Clang vector extensions, which this compiler lacks (cxattn is built and tested with GCC and Clang)"
#endif
template <class T, std::size_t Lanes> struct vector_of {
    typedef T type __attribute__((vector_size(Lanes * sizeof(T))));
};
// Lanes elements of T (lanes<T>, a full register, by default).
template <class T, std::size_t Lanes = lanes<T>> using vector = typename vector_of<T, Lanes>::type;

template <class T, std::size_t Lanes = lanes<T>> [[nodiscard]] inline vector<T, Lanes> load(const T* p) noexcept {
    vector<T, Lanes> v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
template <class T, class V> inline void store(T* p, V v) noexcept { __builtin_memcpy(p, &v, sizeof v); }

// Four vectors of 4 lanes transposed in registers (8 shuffles): afterwards r[i][j] is the former
// r[j][i].
template <class V> inline void transpose4(V* r) noexcept {
    const V t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 1, 5), t1 = __builtin_shufflevector(r[0], r[1], 2, 6, 3, 7);
    const V t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 1, 5), t3 = __builtin_shufflevector(r[2], r[3], 2, 6, 3, 7);
    r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    r[1] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    r[2] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

// Whether vectors of 4 lanes of T fit a vector register (not so for double with SSE2 only).
template <class T> inline constexpr bool quads = 4 * sizeof(T) <= vector_bytes;

// The rows of a tiny attention computed at once, one per lane: 4, or 2 where vectors of 4 lanes of
// T do not fit a register. Then two such vectors side by side (tiny_groups), so that four rows are
// computed at once everywhere: interleaved, the two halves hide each other's latencies (double on
// SSE2: 0.8x the time of one vector at a time, measured).
template <class T> inline constexpr std::size_t tiny_rows = quads<T> ? 4 : 2;
template <class T> inline constexpr std::size_t tiny_groups = 4 / tiny_rows<T>;

// The blocking of a product whose right operand has N columns: panels of nr columns, or for N below
// that, of as few vectors as hold N, each as narrow as holds N (16 bytes at least), so that a small
// product computes no columns of padding. rows: as many as leave room in the register file for one
// row of the panel and a broadcast, 8 at most.
template <class T, std::size_t N> struct panel_shape {
    static constexpr std::size_t min_lanes = 16 / sizeof(T);
    static constexpr std::size_t narrow = std::bit_ceil(N) < min_lanes ? min_lanes : std::bit_ceil(N);
    static constexpr std::size_t width = N >= nr<T> || narrow > lanes<T> ? lanes<T> : narrow;
    static constexpr std::size_t vectors = N >= nr<T> ? nr_vectors<T> : (N + width - 1) / width;
    static constexpr std::size_t columns = width * vectors;
    static constexpr std::size_t rows_fit = (vector_registers - vectors - 1) / vectors;
    static constexpr std::size_t rows = rows_fit > 8 ? 8 : rows_fit < 1 ? 1 : rows_fit;
};

// The depth of a packed panel: kc_max x nr elements, 32 KiB at most.
template <class T> inline constexpr std::size_t kc_max = 32768 / (nr<T> * sizeof(T));

} // namespace detail

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_TARGET_HPP
