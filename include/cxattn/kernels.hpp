// cxattn/kernels.hpp: the run-time kernels of attention: register-blocked matrix products, a
// vectorisable exp and row-wise softmax, for float and double.
//
// The constexpr algorithms (ops.hpp, softmax.hpp) are written for the compilers' constant
// evaluators; these are written for the processor, and the public operations call them outside
// constant evaluation (cxattn::detail::is_constant_evaluated()). They are plain loops with compile-time trip
// counts, shaped so that GCC and Clang vectorise them at -O2/-O3 (no intrinsics, no vector
// extensions): the widest vectors the target flags allow (-march=native: AVX-512) are used
// without a line of target-specific code. No heap: the only scratch memory is a packed panel of
// at most kc_max x nr elements on the stack.
//
// Accuracy: kernels::exp is within 2 ULP of e^x for float and double (tests/performance/
// test_kernel_exp.cpp measures it); the matrix products sum in a different order than the
// constexpr kernels, so run-time results differ from compile-time ones by a few ULP (the tolerance
// is stated in docs/benchmarks.md and tested in tests/performance/test_kernels.cpp). Define
// CXATTN_RUNTIME_KERNELS=0 to run the constexpr algorithms at run time too (with
// CXATTN_RUNTIME_LIBM=0 the results are then bit-identical to compile-time ones).
#ifndef CXATTN_KERNELS_HPP
#define CXATTN_KERNELS_HPP

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/matrix.hpp"

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

// The register block of the matrix-product micro-kernel: mr rows by nr columns, nr a whole number
// of vectors and more than 16 elements (GCC 12 unrolls a loop of at most 16 iterations before
// vectorising, and then vectorises across the rows instead: 3x to 10x slower), mr as many rows as
// leave room in the register file for one row of the right operand and a broadcast.
template <class T> inline constexpr std::size_t nr_vectors = lanes<T> > 8 ? 2 : 16 / lanes<T> + 1;
template <class T> inline constexpr std::size_t nr = nr_vectors<T>* lanes<T>;
template <class T> inline constexpr std::size_t mr_fit = (vector_registers - nr_vectors<T> - 1) / nr_vectors<T>;
template <class T> inline constexpr std::size_t mr = mr_fit<T> > 8 ? 8 : mr_fit<T> < 1 ? 1 : mr_fit<T>;

// The depth of a packed panel: kc_max x nr elements, 32 KiB at most.
template <class T> inline constexpr std::size_t kc_max = 32768 / (nr<T> * sizeof(T));

template <class T> struct exp_constants;

// exp(x) = 2^k exp(r), k = round(x / ln2), r = x - k ln2 (Cody and Waite's two-part ln2, whose
// high part has few bits so that k ln2_hi is exact). exp(r) on |r| <= ln2/2 is its Taylor
// polynomial: degree 7 for float (truncation below 0.05 ULP) and 13 for double (below 0.04 ULP).
// The thresholds are those of cxattn/math.hpp: beyond them the result rounds to inf or to zero.
template <> struct exp_constants<float> {
    using bits = std::uint32_t;
    static constexpr float overflow = 0x1.62e42ep+6f;
    static constexpr float underflow = -0x1.9fe368p+6f;
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
    static constexpr double overflow = 0x1.62e42fefa39efp+9;
    static constexpr double underflow = -0x1.74910d52d3051p+9;
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

// 2^e for e in [1 - bias, bias]: the biased exponent in the exponent field.
template <class T> [[nodiscard]] inline T pow2(typename exp_constants<T>::bits e_plus_bias) noexcept {
    return std::bit_cast<T>(
        static_cast<typename exp_constants<T>::bits>(e_plus_bias << exp_constants<T>::mantissa_bits));
}

} // namespace detail

// e^x at run time, within 2 ULP for float and double, with NaN, +-inf, overflow, underflow
// (subnormal results included) and -0 handled as std::exp does. Branch-free: every step is
// arithmetic or a select, so a loop of calls vectorises.
template <class T> [[nodiscard]] inline T exp(T x) noexcept {
    static_assert(supported<T>, "cxattn::kernels::exp: the element type must be float or double (IEEE 754)");
    using C = detail::exp_constants<T>;
    using bits = typename C::bits;
    // z = x / ln2 + shifter: the bits of z hold k = round(x / ln2) in their low part. For |x| beyond
    // the thresholds k is meaningless, and the selects at the end replace the result.
    const T z = x * C::inv_ln2 + C::shifter;
    const T k_real = z - C::shifter;
    const bits k = std::bit_cast<bits>(z) - std::bit_cast<bits>(C::shifter); // k modulo 2^bits
    const T r = (x - k_real * C::ln2_hi) - k_real * C::ln2_lo;
    T p = C::taylor[C::degree];
    for (std::size_t i = C::degree; i-- > 0;) p = p * r + C::taylor[i];
    // 2^k in two factors, 2^(k/2) and 2^(k - k/2), each a normal number for every k of the finite
    // nonzero range; the second product rounds once, into a subnormal where the result is one.
    using sbits = std::make_signed_t<bits>;
    const sbits k_signed = static_cast<sbits>(k);
    const sbits k_half = static_cast<sbits>(k_signed >> 1); // arithmetic shift (C++20): floor(k / 2)
    const sbits k_rest = static_cast<sbits>(k_signed - k_half);
    const T y =
        p * detail::pow2<T>(static_cast<bits>(k_half + C::bias)) * detail::pow2<T>(static_cast<bits>(k_rest + C::bias));
    // Overflow and +inf give inf; underflow and -inf give +0; NaN fails both tests and propagates
    // through the polynomial.
    return x > C::overflow ? std::numeric_limits<T>::infinity() : x < C::underflow ? T(0) : y;
}

namespace detail {

// The width of the partial results of a row reduction over N values: nr<T> (more than 16, so that
// GCC vectorises the loop rather than unrolling it), or less for short rows.
template <class T, std::size_t N>
inline constexpr std::size_t reduction_width = N >= nr<T>      ? nr<T>
                                               : N >= lanes<T> ? lanes<T>
                                                               : 1;

// The maximum of N values, skipping NaN unless it comes first, and whether any is NaN; both in
// reduction_width interleaved partial results so that the loop vectorises (a single running
// maximum is a loop-carried dependence the compilers do not vectorise without -ffast-math).
template <class T> struct row_extent {
    T max;
    bool has_nan;
};

template <class T, std::size_t N> [[nodiscard]] inline row_extent<T> row_max(const T* x) noexcept {
    constexpr std::size_t w = reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    T m[w], nan[w] = {};
    for (std::size_t l = 0; l < w; ++l) m[l] = x[l];
    for (std::size_t b = 0; b < N / w; ++b)
        for (std::size_t l = 0; l < w; ++l) {
            const T y = x[b * w + l];
            m[l] = y > m[l] ? y : m[l];
            nan[l] += y != y ? T(1) : T(0);
        }
    T max = m[0], count{};
    for (std::size_t l = 1; l < w; ++l) max = m[l] > max ? m[l] : max;
    for (std::size_t l = 0; l < w; ++l) count += nan[l];
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) {
            max = x[j] > max ? x[j] : max;
            count += x[j] != x[j] ? T(1) : T(0);
        }
    return {max, count != T(0)};
}

// Sum of N values in reduction_width interleaved partial sums (the vectorisable order).
template <class T, std::size_t N> [[nodiscard]] inline T row_sum(const T* x) noexcept {
    constexpr std::size_t w = reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    T s[w] = {};
    for (std::size_t b = 0; b < N / w; ++b)
        for (std::size_t l = 0; l < w; ++l) s[l] += x[b * w + l];
    T sum{};
    for (std::size_t l = 0; l < w; ++l) sum += s[l];
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) sum += x[j];
    return sum;
}

} // namespace detail

// Whether every one of the N values at x is finite: x - x is 0 for finite x and NaN for inf and
// NaN, so the sum of the differences is 0 exactly when all are finite (a vectorisable test).
template <class T, std::size_t N> [[nodiscard]] inline bool all_finite(const T* x) noexcept {
    constexpr std::size_t w = detail::reduction_width<T, N>;
    constexpr std::size_t full = N / w * w;
    T s[w] = {};
    for (std::size_t b = 0; b < N / w; ++b) // blocks counted, not stepped: GCC 12 then sees the bound
        for (std::size_t l = 0; l < w; ++l) s[l] += x[b * w + l] - x[b * w + l];
    T sum{};
    for (std::size_t l = 0; l < w; ++l) sum += s[l];
    if constexpr (full < N)
        for (std::size_t j = full; j < N; ++j) sum += x[j] - x[j];
    return sum == T(0);
}

template <class T, std::size_t R, std::size_t C>
[[nodiscard]] inline bool all_finite(const matrix<T, R, C>& m) noexcept {
    return all_finite<T, R * C>(m.values);
}

// Masks, applied to scaled scores before softmax: a masked score becomes -inf, whatever it was
// (NaN from a key holding NaN included), so its weight is zero, and a row whose scores are all
// masked has zero weights. apply(row, first, x, count, length) masks x[0, count), the scores of
// keys [first, first + count) of query `row` in an attention over `length` keys; masked(row, j,
// length) tells whether key j is masked for query `row`.
struct no_mask {
    template <class T> void apply(std::size_t, std::size_t, T*, std::size_t, std::size_t) const noexcept {}
    [[nodiscard]] bool masked(std::size_t, std::size_t, std::size_t) const noexcept { return false; }
};

// Query i sees key j only if j <= i + Offset: Offset 0 is PyTorch's is_causal (aligned to the
// upper-left corner), Offset S - L aligns the diagonal with the lower-right corner.
template <std::ptrdiff_t Offset> struct causal_mask {
    template <class T>
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t) const noexcept {
        const std::ptrdiff_t last = static_cast<std::ptrdiff_t>(row) + Offset; // the last visible key
        const std::ptrdiff_t first_masked = last + 1 - static_cast<std::ptrdiff_t>(first);
        const std::size_t begin = first_masked <= 0 ? 0
                                  : static_cast<std::size_t>(first_masked) < count
                                      ? static_cast<std::size_t>(first_masked)
                                      : count;
        for (std::size_t j = begin; j < count; ++j) x[j] = -std::numeric_limits<T>::infinity();
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t) const noexcept {
        return static_cast<std::ptrdiff_t>(j) > static_cast<std::ptrdiff_t>(row) + Offset;
    }
};

// keep[row * length + j] false masks key j of the row (PyTorch's boolean attn_mask: true attends).
struct bool_mask {
    const bool* keep;
    template <class T>
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        const bool* k = keep + row * length + first;
        for (std::size_t j = 0; j < count; ++j) x[j] = k[j] ? x[j] : -std::numeric_limits<T>::infinity();
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return !keep[row * length + j];
    }
};

// bias[row * length + j] is added to the score of key j (PyTorch's float attn_mask); -inf masks.
template <class T> struct additive_mask {
    const T* bias;
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        constexpr T minus_inf = -std::numeric_limits<T>::infinity();
        const T* b = bias + row * length + first;
        for (std::size_t j = 0; j < count; ++j) x[j] = b[j] == minus_inf ? minus_inf : x[j] + b[j];
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return bias[row * length + j] == -std::numeric_limits<T>::infinity();
    }
};

namespace detail {

// A row whose maximum is +inf takes the limit of softmax: its +inf entries share the weight, the
// others get 0. Rewriting +inf as 0 and the rest as -inf (then subtracting a maximum of 0) makes
// exp and the normalisation compute exactly that; a NaN is kept, and makes the row NaN.
template <class T, std::size_t C> inline void limit_of_infinite_row(T* row) noexcept {
    constexpr T inf = std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < C; ++j) row[j] = row[j] == inf ? T(0) : row[j] != row[j] ? row[j] : -inf;
}

// A row holding a NaN: its -inf entries (masked positions among them) get the weight 0 and all the
// others NaN. Rewriting those others as NaN makes exp and the normalisation, which a NaN sum skips,
// compute exactly that.
template <class T, std::size_t C> inline void nan_row(T* row) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    for (std::size_t j = 0; j < C; ++j) row[j] = row[j] == minus_inf ? minus_inf : std::numeric_limits<T>::quiet_NaN();
}

// The shift of a row's entries before exp, given the row's maximum and NaN, after the special
// rows are rewritten: a NaN row as nan_row, a +inf maximum as limit_of_infinite_row; those and a
// row of -inf take 0.
// The rare rows, out of line so that the loops of the common ones stay as the compilers like them.
template <class T, std::size_t C> CXATTN_DETAIL_OUT_OF_LINE void special_row(T* row, bool has_nan) noexcept {
    if (has_nan)
        nan_row<T, C>(row);
    else
        limit_of_infinite_row<T, C>(row);
}

template <class T, std::size_t C> [[nodiscard]] inline T shift_of_row(T* row, row_extent<T> extent) noexcept {
    if (extent.has_nan || extent.max == std::numeric_limits<T>::infinity()) {
        special_row<T, C>(row, extent.has_nan);
        return T(0);
    }
    return extent.max == -std::numeric_limits<T>::infinity() ? T(0) : extent.max; // exp(-inf - 0) = 0
}

} // namespace detail

// The masks of one call together. The bias is added first and the bool and causal masks then set
// -inf, so that a position they mask takes no value from the bias (a +inf there would make NaN).
template <class T, class Causal, bool HasKeep, bool HasBias> struct mask_set {
    Causal causal;
    const bool* keep;
    const T* bias;
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        if constexpr (HasBias) additive_mask<T>{bias}.apply(row, first, x, count, length);
        if constexpr (HasKeep) bool_mask{keep}.apply(row, first, x, count, length);
        causal.apply(row, first, x, count, length);
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        if constexpr (HasBias)
            if (additive_mask<T>{bias}.masked(row, j, length)) return true;
        if constexpr (HasKeep)
            if (!keep[row * length + j]) return true;
        return causal.masked(row, j, length);
    }
};

// The kernels' mask for the options of a public call, resolved by cxattn/options.hpp
// (detail::resolved_options): no_mask when there is none, so the kernels take their unmasked loops.
template <class T, std::size_t L, std::size_t S, class Resolved>
[[nodiscard]] inline auto mask_of(const Resolved& options) noexcept {
    using causal = std::conditional_t<
        Resolved::is_causal_upper_left, causal_mask<0>,
        std::conditional_t<Resolved::is_causal_lower_right,
                           causal_mask<static_cast<std::ptrdiff_t>(S) - static_cast<std::ptrdiff_t>(L)>, no_mask>>;
    constexpr bool has_keep = Resolved::has_bool_mask, has_bias = Resolved::has_additive_mask;
    if constexpr (!has_keep && !has_bias && std::is_same_v<causal, no_mask>) {
        return no_mask{};
    } else {
        const bool* keep = nullptr;
        const T* bias = nullptr;
        if constexpr (has_keep) keep = options.keep->values;
        if constexpr (has_bias) bias = options.bias->values;
        return mask_set<T, causal, has_keep, has_bias>{causal{}, keep, bias};
    }
}

// softmax of each of the R rows of C values at x, in place, after multiplying each value by scale
// and applying the mask: exp(x_j - max) / sum_k exp(x_k - max). The semantics of the constexpr
// softmax (cxattn/softmax.hpp): a row holding a NaN has NaN weights except 0 at its -inf entries; a
// row whose maximum is +inf gives its +inf entries equal weights and the others 0; a row of -inf
// becomes zeros.
template <class T, std::size_t R, std::size_t C, class Mask = no_mask>
inline void softmax_rows(T* x, T scale, const Mask& mask = {}) noexcept {
    static_assert(supported<T>, "cxattn::kernels::softmax_rows: the element type must be float or double (IEEE 754)");
    if constexpr (C < detail::lanes<T>) {
        // Short rows: row by row, each pass fused (measured 2x faster at 4 x 4 than separate passes).
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            detail::row_extent<T> extent{row[0] * scale, false};
            if constexpr (std::is_same_v<Mask, no_mask>) {
                for (std::size_t j = 0; j < C; ++j) {
                    row[j] *= scale;
                    extent.max = row[j] > extent.max ? row[j] : extent.max;
                    extent.has_nan |= row[j] != row[j];
                }
            } else {
                for (std::size_t j = 0; j < C; ++j) row[j] *= scale;
                mask.apply(i, 0, row, C, C);
                extent = detail::row_max<T, C>(row);
            }
            const T max = detail::shift_of_row<T, C>(row, extent);
            T sum{};
            for (std::size_t j = 0; j < C; ++j) {
                row[j] = kernels::exp(row[j] - max);
                sum += row[j];
            }
            if (sum == T(0) || sum != sum) continue; // zeros; a NaN row as nan_row left it
            const T inverse = T(1) / sum;
            for (std::size_t j = 0; j < C; ++j) row[j] *= inverse;
        }
    } else {
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            for (std::size_t j = 0; j < C; ++j) row[j] *= scale;
            mask.apply(i, 0, row, C, C);
            const T max = detail::shift_of_row<T, C>(row, detail::row_max<T, C>(row));
            for (std::size_t j = 0; j < C; ++j) row[j] -= max;
        }
        // One exp pass over the whole block, the loop the compilers vectorise best.
        for (std::size_t i = 0; i < R * C; ++i) x[i] = kernels::exp(x[i]);
        for (std::size_t i = 0; i < R; ++i) {
            T* row = x + i * C;
            const T sum = detail::row_sum<T, C>(row);
            if (sum == T(0) || sum != sum) continue; // zeros; a NaN row as nan_row left it
            const T inverse = T(1) / sum;
            for (std::size_t j = 0; j < C; ++j) row[j] *= inverse;
        }
    }
}

namespace detail {

// c[MR x nr] (row stride ldc) = a[MR x depth] (row stride lda) times panel[depth x nr] (row-major),
// or += when accumulate. The accumulators are a local array with constant indices: both compilers
// keep it in vector registers and emit, per k, nr / lanes loads of the panel, MR broadcasts of a and
// MR * nr / lanes fused multiply-adds.
template <class T, std::size_t MR>
CXATTN_DETAIL_OUT_OF_LINE void micro_kernel(const T* a, std::size_t lda, const T* panel, T* c, std::size_t ldc,
                                            std::size_t depth, bool accumulate) noexcept {
    constexpr std::size_t NR = nr<T>;
    T acc[MR][NR];
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < NR; ++j) acc[r][j] = accumulate ? c[r * ldc + j] : T(0);
    for (std::size_t k = 0; k < depth; ++k) {
        const T* bk = panel + k * NR;
        for (std::size_t r = 0; r < MR; ++r) {
            const T ar = a[r * lda + k];
            for (std::size_t j = 0; j < NR; ++j) acc[r][j] += ar * bk[j];
        }
    }
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < NR; ++j) c[r * ldc + j] = acc[r][j];
}

// MR rows of c, columns [0, width) (width <= nr): straight into c when the block is full, else
// through a tile of nr columns whose first width are copied.
template <class T, std::size_t MR>
inline void row_block(const T* a, std::size_t lda, const T* panel, T* c, std::size_t ldc, std::size_t width,
                      std::size_t depth, bool accumulate) noexcept {
    constexpr std::size_t NR = nr<T>;
    if (width == NR) {
        micro_kernel<T, MR>(a, lda, panel, c, ldc, depth, accumulate);
        return;
    }
    T tile[MR * NR];
    if (accumulate)
        for (std::size_t r = 0; r < MR; ++r)
            for (std::size_t j = 0; j < width; ++j) tile[r * NR + j] = c[r * ldc + j];
    micro_kernel<T, MR>(a, lda, panel, tile, NR, depth, accumulate);
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t j = 0; j < width; ++j) c[r * ldc + j] = tile[r * NR + j];
}

// c (M x N, row stride ldc) = a (M x K, row stride lda) times b, or += when accumulate; b is K x N
// (row stride ldb) or, when Transposed, b^T with b N x K (row stride ldb). Blocks of nr columns of b
// are packed, in depth blocks of at most kc_max, into a zero-padded depth x nr panel that the
// micro-kernel reads row by row (BLIS's loop order: K. Goto and R. van de Geijn, "Anatomy of
// high-performance matrix multiplication", ACM TOMS 34(3), 2008).
template <class T, std::size_t M, std::size_t K, std::size_t N, bool Transposed>
inline void product(const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                    bool accumulate) noexcept {
    constexpr std::size_t NR = nr<T>;
    constexpr std::size_t MR = mr<T>;
    constexpr std::size_t kc = K < kc_max<T> ? K : kc_max<T>;
    constexpr std::size_t full_rows = M / MR * MR;
    alignas(64) T panel[kc * NR];
    for (std::size_t j0 = 0; j0 < N; j0 += NR) {
        const std::size_t width = N - j0 < NR ? N - j0 : NR;
        for (std::size_t k0 = 0; k0 < K; k0 += kc) {
            const std::size_t depth = K - k0 < kc ? K - k0 : kc;
            if constexpr (Transposed) {
                // Four keys at a time: the reads run along four rows of b at once (measured 2x faster
                // than one key at a time).
                for (std::size_t j = 0; j < width; j += 4) {
                    const std::size_t keys = width - j < 4 ? width - j : 4;
                    for (std::size_t k = 0; k < depth; ++k)
                        for (std::size_t jj = 0; jj < keys; ++jj)
                            panel[k * NR + j + jj] = b[(j0 + j + jj) * ldb + k0 + k];
                }
            } else {
                for (std::size_t k = 0; k < depth; ++k)
                    for (std::size_t j = 0; j < width; ++j) panel[k * NR + j] = b[(k0 + k) * ldb + j0 + j];
            }
            if (width < NR)
                for (std::size_t k = 0; k < depth; ++k)
                    for (std::size_t j = width; j < NR; ++j) panel[k * NR + j] = T(0);
            const bool add = accumulate || k0 > 0;
            for (std::size_t i = 0; i < full_rows; i += MR)
                row_block<T, MR>(a + i * lda + k0, lda, panel, c + i * ldc + j0, ldc, width, depth, add);
            if constexpr (M % MR != 0)
                row_block<T, M % MR>(a + full_rows * lda + k0, lda, panel, c + full_rows * ldc + j0, ldc, width, depth,
                                     add);
        }
    }
}

// Attention whose key length and head sizes are all at most 4: every row fits in a few registers,
// and the packed panels of the blocked products would cost more than the arithmetic.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
inline constexpr bool tiny = S <= 4 && Dk <= 4 && Dv <= 4;

// The weights of one row from its scores (scaled and masked), when they hold a NaN or a +inf: 0 at
// -inf and NaN elsewhere if a NaN is there, else the +inf entries share the weight.
template <class T, std::size_t S> CXATTN_DETAIL_OUT_OF_LINE void weights_of_special_row(T* w) noexcept {
    constexpr T inf = std::numeric_limits<T>::infinity();
    bool nan = false;
    T count{};
    for (std::size_t j = 0; j < S; ++j) {
        nan = nan || w[j] != w[j];
        count += w[j] == inf ? T(1) : T(0);
    }
    for (std::size_t j = 0; j < S; ++j)
        w[j] = nan ? (w[j] == -inf ? T(0) : std::numeric_limits<T>::quiet_NaN()) : w[j] == inf ? T(1) / count : T(0);
}

// Row i of a tiny attention again, from the query and the keys: its scores, then its weights.
template <class T, std::size_t S, std::size_t Dk, std::size_t LdK, class Mask>
CXATTN_DETAIL_OUT_OF_LINE void redo_special_row(const T* q, const T* k, T scale, const Mask& mask, std::size_t i,
                                                T* w) noexcept {
    for (std::size_t j = 0; j < S; ++j) {
        T dot{};
        for (std::size_t d = 0; d < Dk; ++d) dot += q[d] * k[j * LdK + d];
        w[j] = dot * scale;
    }
    mask.apply(i, 0, w, S, S);
    weights_of_special_row<T, S>(w);
}

// Row strides: LdQ, LdK, LdV of the operands, LdO of the output; the weights are L x S.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LdQ, std::size_t LdK,
          std::size_t LdV, std::size_t LdO, class Mask>
inline void tiny_attention(const T* CXATTN_DETAIL_RESTRICT q, const T* CXATTN_DETAIL_RESTRICT k,
                           const T* CXATTN_DETAIL_RESTRICT v, T scale, T* CXATTN_DETAIL_RESTRICT out,
                           T* CXATTN_DETAIL_RESTRICT w, const Mask& mask) noexcept {
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) {
            T dot{};
            for (std::size_t d = 0; d < Dk; ++d) dot += q[i * LdQ + d] * k[j * LdK + d];
            w[i * S + j] = dot;
        }
    // The softmax of the common rows only, in one straight run the compilers vectorise across rows
    // (GCC stops doing so, and takes twice the time at 4 x 4, as soon as the loop holds a test for
    // NaN or +inf). Those rows come out all NaN, and are redone after.
    for (std::size_t i = 0; i < L; ++i) {
        T* row = w + i * S;
        for (std::size_t j = 0; j < S; ++j) row[j] *= scale;
        mask.apply(i, 0, row, S, S);
        T max = row[0];
        for (std::size_t j = 1; j < S; ++j) max = row[j] > max ? row[j] : max;
        if (max == -std::numeric_limits<T>::infinity()) max = T(0); // a row of -inf: zeros
        T sum{};
        for (std::size_t j = 0; j < S; ++j) {
            row[j] = kernels::exp(row[j] - max);
            sum += row[j];
        }
        if (sum == T(0)) continue;
        const T inverse = T(1) / sum;
        for (std::size_t j = 0; j < S; ++j) row[j] *= inverse;
    }
    for (std::size_t i = 0; i < L; ++i)
        if (w[i * S] != w[i * S]) redo_special_row<T, S, Dk, LdK>(q + i * LdQ, k, scale, mask, i, w + i * S);
    for (std::size_t i = 0; i < L; ++i) {
        T acc[Dv] = {};
        for (std::size_t j = 0; j < S; ++j) {
            const T wij = w[i * S + j];
            for (std::size_t d = 0; d < Dv; ++d) acc[d] += wij * v[j * LdV + d];
        }
        for (std::size_t d = 0; d < Dv; ++d) out[i * LdO + d] = acc[d];
    }
}

// c (M x N) = a (M x K) times b (K x N), or += when accumulate, skipping the terms (r, k) that
// skip(r, k) names: for masked positions whose value rows hold inf or NaN, which the zero weight
// would turn into NaN. The terms are added in the order of the micro-kernel's and the tiny path's
// (k = 0, 1, ...; a skipped term adds exactly +0 there), so the result has their bits.
template <class T, std::size_t M, std::size_t K, std::size_t N, class Skip>
inline void product_skipping(const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                             bool accumulate, const Skip& skip) noexcept {
    for (std::size_t r = 0; r < M; ++r)
        for (std::size_t j = 0; j < N; ++j) {
            T acc = accumulate ? c[r * ldc + j] : T(0);
            for (std::size_t k = 0; k < K; ++k)
                if (!skip(r, k)) acc += a[r * lda + k] * b[k * ldb + j];
            c[r * ldc + j] = acc;
        }
}

// Attention on operands with row strides LdQ, LdK, LdV (the columns of one head, for
// multi_head_attention) into an output with row stride LdO and L x S weights.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LdQ, std::size_t LdK,
          std::size_t LdV, std::size_t LdO, class Mask>
inline void attention_core(const T* q, const T* k, const T* v, T scale, T* out, T* w, const Mask& mask) noexcept {
    if constexpr (tiny<T, L, S, Dk, Dv>) {
        tiny_attention<T, L, S, Dk, Dv, LdQ, LdK, LdV, LdO>(q, k, v, scale, out, w, mask);
    } else {
        product<T, L, Dk, S, true>(q, LdQ, k, LdK, w, S, false);
        softmax_rows<T, L, S>(w, scale, mask);
        product<T, L, S, Dv, false>(w, S, v, LdV, out, LdO, false);
    }
    // A masked position's key and value are never read: its score is -inf whatever the key, and its
    // value, if it holds inf or NaN, is left out of the sum rather than multiplied by 0.
    if constexpr (!std::is_same_v<Mask, no_mask>) {
        bool finite = true;
        for (std::size_t j = 0; j < S; ++j) finite = finite && all_finite<T, Dv>(v + j * LdV);
        if (!finite)
            product_skipping<T, L, S, Dv>(w, S, v, LdV, out, LdO, false,
                                          [&](std::size_t i, std::size_t j) { return mask.masked(i, j, S); });
    }
}

} // namespace detail

// c (M x N) = a (M x K) times b (K x N), all row-major.
template <class T, std::size_t M, std::size_t K, std::size_t N>
inline void matmul(const T* a, const T* b, T* c) noexcept {
    static_assert(supported<T>, "cxattn::kernels::matmul: the element type must be float or double (IEEE 754)");
    detail::product<T, M, K, N, false>(a, K, b, N, c, N, false);
}

// c (M x N) = a (M x K) times the transpose of b (N x K), all row-major.
template <class T, std::size_t M, std::size_t K, std::size_t N>
inline void matmul_transposed(const T* a, const T* b, T* c) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::matmul_transposed: the element type must be float or double (IEEE 754)");
    detail::product<T, M, K, N, true>(a, K, b, K, c, N, false);
}

// Scaled dot-product attention at run time: weights = softmax(mask(query key^T * scale)) (L x S),
// output = weights value (L x Dv), with the semantics of the constexpr algorithm
// (cxattn/attention.hpp) for every input, NaN and infinities included.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask = no_mask>
inline void attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key, const matrix<T, S, Dv>& value,
                      T scale, matrix<T, L, Dv>& output, matrix<T, L, S>& weights, const Mask& mask = {}) noexcept {
    static_assert(supported<T>, "cxattn::kernels::attention: the element type must be float or double (IEEE 754)");
    detail::attention_core<T, L, S, Dk, Dv, Dk, Dk, Dv, Dv>(query.values, key.values, value.values, scale,
                                                            output.values, weights.values, mask);
}

namespace detail {

// y (M x Out) = x (M x In) W^T + b, W being Out x In (PyTorch's layout) and b 1 x Out.
template <class T, std::size_t M, std::size_t In, std::size_t Out>
inline void project(const T* x, const T* weight, const T* bias, T* y) noexcept {
    product<T, M, In, Out, true>(x, In, weight, In, y, Out, false);
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t o = 0; o < Out; ++o) y[i * Out + o] += bias[o];
}

} // namespace detail

// multi_head_attention at run time (cxattn/multi_head.hpp; Params is its mha_params): the
// projections, each head's attention over its columns of the projected query and of its key/value
// head (G of them, H / G query heads each), the heads' weights averaged, the output projection.
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t KDim, std::size_t VDim, std::size_t H,
          std::size_t G, class Params, class Mask = no_mask>
inline void multi_head_attention(const matrix<T, L, E>& query, const matrix<T, S, KDim>& key,
                                 const matrix<T, S, VDim>& value, const Params& params, T scale,
                                 matrix<T, L, E>& output, matrix<T, L, S>& weights, const Mask& mask = {}) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::multi_head_attention: the element type must be float or double (IEEE 754)");
    constexpr std::size_t head_dim = E / H, kv_dim = G * head_dim, group = H / G;
    matrix<T, L, E> queries, heads;
    matrix<T, S, kv_dim> keys, values;
    matrix<T, L, S> head_weights;
    detail::project<T, L, E, E>(query.values, params.q_proj.values, params.q_bias.values, queries.values);
    detail::project<T, S, KDim, kv_dim>(key.values, params.k_proj.values, params.k_bias.values, keys.values);
    detail::project<T, S, VDim, kv_dim>(value.values, params.v_proj.values, params.v_bias.values, values.values);
    for (T& x : weights.values) x = T(0);
    for (std::size_t h = 0; h < H; ++h) {
        const std::size_t kv_offset = h / group * head_dim;
        detail::attention_core<T, L, S, head_dim, head_dim, E, kv_dim, kv_dim, E>(
            queries.values + h * head_dim, keys.values + kv_offset, values.values + kv_offset, scale,
            heads.values + h * head_dim, head_weights.values, mask);
        for (std::size_t i = 0; i < L * S; ++i) weights.values[i] += head_weights.values[i];
    }
    for (T& x : weights.values) x /= static_cast<T>(H); // the mean over the heads (average_attn_weights)
    detail::project<T, L, E, E>(heads.values, params.out_proj.values, params.out_bias.values, output.values);
}

namespace detail {

// Blocks of the streaming kernel: at most 128 queries by 4 nr keys (128 floats, 96 doubles with
// AVX-512) of scores at a time, 64 KiB at most.
inline constexpr std::size_t stream_query_block = 128;
template <class T> inline constexpr std::size_t stream_key_block = 4 * nr<T>;

// A mask seen from query row `first`: row r of a block is row first + r of the attention.
template <class Mask> struct offset_mask {
    const Mask& mask;
    std::size_t first;
    template <class T>
    void apply(std::size_t row, std::size_t first_key, T* x, std::size_t count, std::size_t length) const noexcept {
        mask.apply(first + row, first_key, x, count, length);
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return mask.masked(first + row, j, length);
    }
};

template <class Mask> [[nodiscard]] inline auto rows_from(const Mask& mask, std::size_t first) noexcept {
    if constexpr (std::is_same_v<Mask, no_mask>)
        return no_mask{};
    else
        return offset_mask<Mask>{mask, first};
}

// Queries [I0, I0 + LB) against keys [J0, J0 + SB): the online softmax update of the rows' running
// maxima and sums, and output += exp(scores - max) value.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LB, std::size_t SB,
          class Mask>
inline void stream_block(const T* q, const T* k, const T* v, T scale, T* out, const Mask& mask, std::size_t i0,
                         std::size_t j0, T* max, T* sum) noexcept {
    constexpr T minus_inf = -std::numeric_limits<T>::infinity();
    alignas(64) T scores[LB * SB];
    product<T, LB, Dk, SB, true>(q + i0 * Dk, Dk, k + j0 * Dk, Dk, scores, SB, false);
    for (std::size_t r = 0; r < LB; ++r) {
        T* row = scores + r * SB;
        for (std::size_t j = 0; j < SB; ++j) row[j] *= scale;
        mask.apply(i0 + r, j0, row, SB, S);
        const T block_max = row_max<T, SB>(row).max; // a NaN reaches the sum through exp
        const T new_max = block_max > max[r] ? block_max : max[r];
        // Every score so far -inf: the weights stay zero (exp(-inf - 0)), nothing to rescale. A
        // maximum of +inf: only the +inf scores weigh (see limit_of_infinite_row).
        T shift = new_max == minus_inf ? T(0) : new_max;
        if (new_max == -minus_inf) {
            limit_of_infinite_row<T, SB>(row);
            shift = T(0);
        }
        for (std::size_t j = 0; j < SB; ++j) row[j] = kernels::exp(row[j] - shift);
        const T block_sum = row_sum<T, SB>(row);
        if (j0 == 0) {
            sum[r] = block_sum;
        } else {
            // exp(m_old - m_new) rescales what was accumulated against the old maximum: 0 if that
            // was -inf or the new one is +inf (the finite scores before weigh nothing then), 1 if
            // the maximum is unchanged (also +inf, or -inf).
            const T factor = new_max == max[r] ? T(1) : kernels::exp(max[r] - new_max);
            sum[r] = sum[r] * factor + block_sum;
            if (factor != T(1)) {
                T* o = out + (i0 + r) * Dv;
                for (std::size_t d = 0; d < Dv; ++d) o[d] *= factor;
            }
        }
        max[r] = new_max;
    }
    if constexpr (!std::is_same_v<Mask, no_mask>) {
        if (!all_finite<T, SB * Dv>(v + j0 * Dv)) {
            product_skipping<T, LB, SB, Dv>(
                scores, SB, v + j0 * Dv, Dv, out + i0 * Dv, Dv, j0 > 0,
                [&](std::size_t r, std::size_t j) { return mask.masked(i0 + r, j0 + j, S); });
            return;
        }
    }
    product<T, LB, SB, Dv, false>(scores, SB, v + j0 * Dv, Dv, out + i0 * Dv, Dv, j0 > 0);
}

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::size_t LB, class Mask>
inline void stream_rows(const T* q, const T* k, const T* v, T scale, T* out, const Mask& mask,
                        std::size_t i0) noexcept {
    if constexpr (S <= stream_key_block<T>) {
        // One block of keys: the scores of these queries fit the scratch, so the softmax needs no
        // running maximum, and this is attention() without the weights.
        alignas(64) T scores[LB * S];
        if constexpr (tiny<T, LB, S, Dk, Dv>) {
            tiny_attention<T, LB, S, Dk, Dv, Dk, Dk, Dv, Dv>(q + i0 * Dk, k, v, scale, out + i0 * Dv, scores,
                                                             rows_from(mask, i0));
        } else {
            product<T, LB, Dk, S, true>(q + i0 * Dk, Dk, k, Dk, scores, S, false);
            softmax_rows<T, LB, S>(scores, scale, rows_from(mask, i0));
            product<T, LB, S, Dv, false>(scores, S, v, Dv, out + i0 * Dv, Dv, false);
        }
        if constexpr (!std::is_same_v<Mask, no_mask>) {
            if (!all_finite<T, S * Dv>(v))
                product_skipping<T, LB, S, Dv>(scores, S, v, Dv, out + i0 * Dv, Dv, false,
                                               [&](std::size_t r, std::size_t j) { return mask.masked(i0 + r, j, S); });
        }
        return;
    }
    constexpr std::size_t SB = S < stream_key_block<T> ? S : stream_key_block<T>;
    T max[LB], sum[LB];
    for (std::size_t r = 0; r < LB; ++r) max[r] = -std::numeric_limits<T>::infinity();
    constexpr std::size_t full = S / SB * SB;
    for (std::size_t j0 = 0; j0 < full; j0 += SB)
        stream_block<T, L, S, Dk, Dv, LB, SB>(q, k, v, scale, out, mask, i0, j0, max, sum);
    if constexpr (full < S) stream_block<T, L, S, Dk, Dv, LB, S - full>(q, k, v, scale, out, mask, i0, full, max, sum);
    for (std::size_t r = 0; r < LB; ++r) {
        if (sum[r] == T(0)) continue; // every key masked: the output row stays zero
        const T inverse = T(1) / sum[r];
        T* o = out + (i0 + r) * Dv;
        for (std::size_t d = 0; d < Dv; ++d) o[d] *= inverse;
    }
}

} // namespace detail

// The output of attention() by the online softmax (Milakov and Gimelshein 2018; the loop of
// FlashAttention, Dao et al. 2022): blocks of at most 128 queries by 2 nr keys, whose running row
// maxima and sums rescale the output as the keys stream by. No L x S weights exist; the scratch is
// one block of scores.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Mask = no_mask>
inline void streaming_attention(const matrix<T, L, Dk>& query, const matrix<T, S, Dk>& key,
                                const matrix<T, S, Dv>& value, T scale, matrix<T, L, Dv>& output,
                                const Mask& mask = {}) noexcept {
    static_assert(supported<T>,
                  "cxattn::kernels::streaming_attention: the element type must be float or double (IEEE 754)");
    constexpr std::size_t LB = L < detail::stream_query_block ? L : detail::stream_query_block;
    constexpr std::size_t full = L / LB * LB;
    for (std::size_t i0 = 0; i0 < full; i0 += LB)
        detail::stream_rows<T, L, S, Dk, Dv, LB>(query.values, key.values, value.values, scale, output.values, mask,
                                                 i0);
    if constexpr (full < L)
        detail::stream_rows<T, L, S, Dk, Dv, L - full>(query.values, key.values, value.values, scale, output.values,
                                                       mask, full);
}

} // namespace cxattn::kernels

#undef CXATTN_DETAIL_OUT_OF_LINE
#undef CXATTN_DETAIL_RESTRICT

#endif // CXATTN_KERNELS_HPP
