// SPDX-License-Identifier: MIT
// The seed notebook on a Cortex-M4F: its attention computed twice, once by the compiler (the result
// is data in flash) and once by the device at run time, both printed in numpy's layout through
// semihosting, then compared. The exit status is 0 only if every check passes (docs/embedded.md).
//
// The notebook is computed in double, as numpy does, so that the printed digits are the notebook's:
// the M4F's FPU is single precision, so double runs in software (libgcc). The larger case, 16x16 in
// float, runs on the FPU.
#include <cstddef>
#include <cstdint>
#include <limits>

#include <cxattn/cxattn.hpp>

#include "board.hpp"
#include "format.hpp"
#include "notebook_seed.hpp"
#include "semihosting.hpp"

namespace {

using cxattn::matrix;

// The tolerance between two computations of the same attention: 8 n u times the magnitude of what
// is compared (1 for weights, which are at most 1; the largest |V| for outputs), n the longest sum
// (Dk or S terms) and u the unit roundoff. n u is the classic bound on a sum's rounding error
// relative to the sum of magnitudes (N. J. Higham, "Accuracy and Stability of Numerical
// Algorithms", 2nd ed., 2002, section 3.1); the factor 8 allows for the two paths, their exps
// (each within 1 ULP) and the normalisation. A rounding-level threshold rather than a worst-case
// bound: anything but rounding (a wrong exp, float where double is meant) is far larger.
// docs/embedded.md has the reasoning and the measured differences.
template <class T> constexpr T tolerance(std::size_t n, T magnitude) noexcept {
    return static_cast<T>(8 * n) * (std::numeric_limits<T>::epsilon() / 2) * magnitude;
}

template <class T, std::size_t R, std::size_t C> constexpr T largest_magnitude(const matrix<T, R, C>& m) noexcept {
    T largest{};
    for (T v : m.values) {
        const T magnitude = v < 0 ? -v : v;
        if (magnitude > largest) largest = magnitude;
    }
    return largest;
}

// The largest |a - b| over all elements; NaN anywhere makes it infinite, so that the check fails.
template <class T, std::size_t R, std::size_t C>
constexpr T largest_difference(const matrix<T, R, C>& a, const matrix<T, R, C>& b) noexcept {
    T largest{};
    for (std::size_t i = 0; i < R * C; ++i) {
        const T d = a.values[i] > b.values[i] ? a.values[i] - b.values[i] : b.values[i] - a.values[i];
        if (!(d <= largest)) largest = d == d ? d : std::numeric_limits<T>::infinity();
    }
    return largest;
}

void print(const char* s) noexcept { semihosting::write(s); }
void print(const format::text& t) noexcept { semihosting::write(t.c_str()); }

// numpy's layout for a 2-D array, as the notebook prints it: each element with numpy's default
// precision, padded on the right to the widest, rows in brackets.
template <std::size_t R, std::size_t C>
void print_like_numpy(const char* title, const matrix<double, R, C>& m) noexcept {
    std::size_t width = 0;
    for (double v : m.values) {
        const std::size_t n = format::numpy(v).size;
        if (n > width) width = n;
    }
    print(title);
    print("\n");
    for (std::size_t i = 0; i < R; ++i) {
        print(i == 0 ? " [[" : " [");
        for (std::size_t j = 0; j < C; ++j) {
            format::text cell = format::numpy(m(i, j));
            while (cell.size < width) cell += ' ';
            if (j + 1 < C) cell += ' ';
            print(cell);
        }
        print(i + 1 < R ? "]\n" : "]]\n");
    }
}

// Whether every element prints as the notebook printed it (to its 8 decimals).
template <std::size_t R, std::size_t C>
bool prints_as(const matrix<double, R, C>& computed, const matrix<double, R, C>& printed) noexcept {
    for (std::size_t i = 0; i < R * C; ++i)
        if (!(format::numpy(computed.values[i]) == format::numpy(printed.values[i]))) return false;
    return true;
}

int failures = 0;

void check(bool passed, const char* what) noexcept {
    print(passed ? "ok: " : "FAILED: ");
    print(what);
    print("\n");
    if (!passed) ++failures;
}

template <class T> void check_difference(const char* what, T difference, T limit) noexcept {
    const bool passed = difference <= limit;
    print(passed ? "ok: " : "FAILED: ");
    print(what);
    print(": largest difference ");
    print(format::scientific(static_cast<double>(difference)));
    print(", tolerance ");
    print(format::scientific(static_cast<double>(limit)));
    print("\n");
    if (!passed) ++failures;
}

// The notebook: Q, K, V are the embeddings X times the weight matrices W_Q, W_K, W_V.
namespace nb = notebook;
constexpr auto notebook_value = cxattn::matmul(nb::X, nb::W_V);

// Dk = 4 and S = 3: the longest sums have 4 terms.
constexpr double notebook_weights_tolerance = tolerance<double>(4, 1.0);
constexpr double notebook_output_tolerance = tolerance<double>(4, largest_magnitude(notebook_value));

// Compile time: one constant expression, so the program holds only its result, in flash.
constexpr auto notebook_baked = cxattn::scaled_dot_product_attention(cxattn::matmul(nb::X, nb::W_Q),
                                                                     cxattn::matmul(nb::X, nb::W_K), notebook_value);

// Run time: noipa stops the compiler from propagating the constant arguments into the body, which
// it could otherwise fold (GCC folds exp of a constant), so this is computed by the device.
[[gnu::noipa]] cxattn::attention_result<double, 3, 3, 4>
notebook_at_run_time(const matrix<double, 3, 4>& x, const matrix<double, 4, 4>& w_q, const matrix<double, 4, 4>& w_k,
                     const matrix<double, 4, 4>& w_v) noexcept {
    return cxattn::scaled_dot_product_attention(cxattn::matmul(x, w_q), cxattn::matmul(x, w_k), cxattn::matmul(x, w_v));
}

// What computes the run-time attention (cxattn/config.hpp): the scalar kernels, with their own
// exp, by default on a Cortex-M; the constexpr algorithms with CXATTN_RUNTIME_KERNELS=0.
constexpr const char* runtime_exp =
    CXATTN_RUNTIME_KERNELS == 2
        ? (CXATTN_RUNTIME_LIBM ? "the scalar kernels (their own exp), sqrt from newlib's libm"
                               : "the scalar kernels (their own exp), sqrt by cxattn::portable (no libm)")
    : CXATTN_RUNTIME_LIBM ? "exp and sqrt from newlib's libm"
                          : "exp and sqrt by cxattn::portable (no libm)";

void notebook_demo() noexcept {
    print_like_numpy("Input embeddings (X):", nb::X);
    print("\nComputed at compile time; the result is data in flash at ");
    print(format::address(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(&notebook_baked))));
    print(":\n\n");
    print_like_numpy("Attention Weights:", notebook_baked.weights);
    print("\n");
    print_like_numpy("Attention Output:", notebook_baked.output);

    auto computed = notebook_at_run_time(nb::X, nb::W_Q, nb::W_K, nb::W_V);
#ifdef FIRMWARE_INJECT_FAULT
    // A deliberate error just beyond the tolerance (and far below the printed digits), to prove
    // that a failed check reaches QEMU's exit status: the test of this build must fail.
    computed.output(0, 0) += 4 * notebook_output_tolerance;
    print("\n(FIRMWARE_INJECT_FAULT: one output value is off by four times the tolerance)\n");
#endif
    print("\nComputed at run time on the device, ");
    print(runtime_exp);
    print(":\n\n");
    print_like_numpy("Attention Weights:", computed.weights);
    print("\n");
    print_like_numpy("Attention Output:", computed.output);
    print("\n");

    check(prints_as(notebook_baked.weights, nb::printed_weights) &&
              prints_as(notebook_baked.output, nb::printed_output),
          "compile time prints the notebook's values");
    check(prints_as(computed.weights, nb::printed_weights) && prints_as(computed.output, nb::printed_output),
          "run time prints the notebook's values");
    check_difference("weights, compile time vs run time", largest_difference(computed.weights, notebook_baked.weights),
                     notebook_weights_tolerance);
    check_difference("output, compile time vs run time", largest_difference(computed.output, notebook_baked.output),
                     notebook_output_tolerance);
}

// A larger case in float, the FPU's type: L = S = Dk = Dv = 16, deterministic inputs in [-1, 1)
// (the top 24 bits of a 32-bit linear congruential generator, Numerical Recipes' constants, which
// float holds exactly).
template <std::size_t R, std::size_t C> constexpr matrix<float, R, C> pseudo_random(std::uint32_t state) noexcept {
    matrix<float, R, C> m;
    for (float& v : m.values) {
        state = state * 1664525u + 1013904223u;
        v = static_cast<float>(static_cast<std::int32_t>(state) >> 8) * 0x1p-23f;
    }
    return m;
}

constexpr std::size_t n16 = 16;
constexpr auto q16 = pseudo_random<n16, n16>(1);
constexpr auto k16 = pseudo_random<n16, n16>(2);
constexpr auto v16 = pseudo_random<n16, n16>(3);

// The reference, by the materialising path at compile time: 1 KiB of flash.
constexpr auto output16_baked = cxattn::scaled_dot_product_attention(q16, k16, v16).output;

[[gnu::noipa]] matrix<float, n16, n16> streaming_at_run_time(const matrix<float, n16, n16>& q,
                                                             const matrix<float, n16, n16>& k,
                                                             const matrix<float, n16, n16>& v) noexcept {
    return cxattn::streaming_attention(q, k, v);
}

void print_first_values(const char* label, const matrix<float, n16, n16>& m) noexcept {
    print(label);
    for (std::size_t d = 0; d < 4; ++d) {
        print(" ");
        print(format::fixed(static_cast<double>(m(0, d)), 8));
    }
    print("\n");
}

void streaming_demo() noexcept {
    print("\nstreaming_attention in float, L = S = Dk = Dv = 16, at run time on the device, against\n"
          "scaled_dot_product_attention at compile time:\n");
    const auto output = streaming_at_run_time(q16, k16, v16);
    print_first_values(" run time:     output[0][0..3] =", output);
    print_first_values(" compile time: output[0][0..3] =", output16_baked);
    check_difference("streaming at run time vs materialising at compile time",
                     largest_difference(output, output16_baked), tolerance<float>(n16, largest_magnitude(v16)));
}

// Int8 attention with TensorFlow Lite's quantization (cxattn::quantized, docs/quantized.md), L = S =
// Dk = Dv = 16 with a causal mask: integers, so run time must give the compile-time bits exactly.
template <std::size_t R, std::size_t C>
constexpr matrix<std::int8_t, R, C> int8_pseudo_random(std::uint32_t state) noexcept {
    matrix<std::int8_t, R, C> m;
    for (std::int8_t& v : m.values) {
        state = state * 1664525u + 1013904223u;
        v = static_cast<std::int8_t>(static_cast<std::int32_t>(state) >> 24);
    }
    return m;
}

constexpr auto q8 = int8_pseudo_random<n16, n16>(4);
constexpr auto k8 = int8_pseudo_random<n16, n16>(5);
constexpr auto v8 = int8_pseudo_random<n16, n16>(6);
constexpr cxattn::quantized::attention_quantization quantization8{
    {0.02, 3}, {0.015, -7}, {0.05, 0}, {0.2, -10}, {0.04, 2}};
constexpr auto int8_baked = cxattn::quantized::scaled_dot_product_attention(q8, k8, v8, quantization8, cxattn::causal);

[[gnu::noipa]] cxattn::attention_result<std::int8_t, n16, n16, n16>
int8_at_run_time(const matrix<std::int8_t, n16, n16>& q, const matrix<std::int8_t, n16, n16>& k,
                 const matrix<std::int8_t, n16, n16>& v,
                 const cxattn::quantized::attention_quantization& quantization) noexcept {
    return cxattn::quantized::scaled_dot_product_attention(q, k, v, quantization, cxattn::causal);
}

void quantized_demo() noexcept {
    print("\nint8 attention (TFLite's quantization), L = S = Dk = Dv = 16, causal, at run time on the device\n"
          "against compile time:\n");
    const auto computed = int8_at_run_time(q8, k8, v8, quantization8);
    print(" run time:     output[15][0..3] =");
    for (std::size_t d = 0; d < 4; ++d) {
        print(" ");
        print(format::integer(static_cast<std::size_t>(computed.output(15, d) + 128)));
    }
    print(" (+128)\n compile time: output[15][0..3] =");
    for (std::size_t d = 0; d < 4; ++d) {
        print(" ");
        print(format::integer(static_cast<std::size_t>(int8_baked.output(15, d) + 128)));
    }
    print(" (+128)\n");
    check(computed.weights == int8_baked.weights && computed.output == int8_baked.output,
          "int8 attention: run time gives the compile-time bits");
}

// The core that runs the program, from the part number in CPUID (Armv7-M and Armv8-M architecture
// reference manuals, "CPUID Base Register"), against the one the build is for
// (FIRMWARE_CORE_PART, set by meson.build from the cross file's cpu).
void check_core() noexcept {
    const std::uint32_t cpuid = *reinterpret_cast<const volatile std::uint32_t*>(0xE000ED00);
    const std::uint32_t part = (cpuid >> 4) & 0xFFF;
    print("core: CPUID ");
    print(format::address(cpuid));
    print("\n");
#ifdef FIRMWARE_CORE_PART
    check(part == FIRMWARE_CORE_PART, "the core is the one the build is for");
#endif
}

} // namespace

int board::application() noexcept {
    print("cxattn on a Cortex-M: the seed notebook, in double\n");
    check_core();
    print("\n");
    notebook_demo();
    streaming_demo();
    quantized_demo();

    const std::size_t stack_used = board::stack_high_water();
    print("\nstack: ");
    print(format::integer(stack_used));
    print(" of ");
    print(format::integer(board::stack_size()));
    print(" bytes used at most\n");
    check(stack_used < board::stack_size(), "the stack did not overflow");

    print(failures == 0 ? "PASS\n" : "FAIL\n");
    return failures == 0 ? 0 : 1;
}
