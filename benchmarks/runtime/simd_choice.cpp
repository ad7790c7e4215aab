// SPDX-License-Identifier: MIT
// The two inner loops that decide the kernels' speed, written four ways, to choose how the kernels
// say "vector": the GCC/Clang vector extensions (what cxattn/kernels uses: the library's own
// functions are called), std::experimental::simd (libstdc++, C++26's std::simd to be), xsimd 8 and
// Highway 1.0 (static dispatch: the target of the flags). Every contender runs the same algorithm
// with the same vector width:
//   - micro-kernel: C (MR x 2 vectors, in registers) += A (MR x depth) times a packed panel
//     (depth x 2 vectors), depth 256, as kernels::detail::micro_kernel;
//   - exp: row[j] = e^(row[j] - 1) over a row of 1024 floats, in place, the steps of
//     kernels::detail::exp_of (Cody-Waite reduction, Estrin's polynomial, 2^k in two factors,
//     selects for overflow and underflow).
// Interleaved repetitions; prints the median CPU time per call of each, its ratio to the vector
// extensions, and the largest distance of its results from theirs in ULP (0: the same bits).
#include <algorithm>
#include <bit>
#include <climits>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <experimental/simd>
#include <random>
#include <string>
#include <time.h>
#include <vector>

// Static dispatch only: the target of the flags, as the other contenders (and what the kernels do).
#define HWY_COMPILE_ONLY_STATIC 1
#include <hwy/highway.h>
#include <xsimd/xsimd.hpp>

#include "cxattn/kernels.hpp"

namespace {

namespace kd = cxattn::kernels::detail;
namespace stdx = std::experimental;
namespace hn = hwy::HWY_NAMESPACE;

constexpr std::size_t W = kd::lanes<float>, MR = kd::mr<float>, NR = 2 * W, depth = 256, row_length = 1024;
using C = kd::exp_constants<float>;

// ---- the micro-kernel ------------------------------------------------------------------------------

void micro_vector_extensions(const float* a, const float* panel, float* c) {
    kd::micro_kernel<float, MR, W, 2>(a, depth, panel, c, NR, depth, true);
}

[[gnu::noinline]] void micro_stdx(const float* a, const float* panel, float* c) {
    using V = stdx::native_simd<float>;
    static_assert(V::size() == W);
    V acc[MR][2];
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < 2; ++v) acc[r][v].copy_from(c + r * NR + v * W, stdx::element_aligned);
    for (std::size_t k = 0; k < depth; ++k) {
        const V b0(panel + k * NR, stdx::element_aligned), b1(panel + k * NR + W, stdx::element_aligned);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const V ar = a[r * depth + k];
            acc[r][0] += ar * b0;
            acc[r][1] += ar * b1;
        }
    }
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < 2; ++v) acc[r][v].copy_to(c + r * NR + v * W, stdx::element_aligned);
}

[[gnu::noinline]] void micro_xsimd(const float* a, const float* panel, float* c) {
    using V = xsimd::batch<float>;
    static_assert(V::size == W);
    V acc[MR][2];
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < 2; ++v) acc[r][v] = V::load_unaligned(c + r * NR + v * W);
    for (std::size_t k = 0; k < depth; ++k) {
        const V b0 = V::load_unaligned(panel + k * NR), b1 = V::load_unaligned(panel + k * NR + W);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const V ar(a[r * depth + k]);
            acc[r][0] += ar * b0;
            acc[r][1] += ar * b1;
        }
    }
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < 2; ++v) acc[r][v].store_unaligned(c + r * NR + v * W);
}

[[gnu::noinline]] void micro_highway(const float* a, const float* panel, float* c) {
    const hn::ScalableTag<float> d;
    using V = hn::Vec<decltype(d)>;
    V acc[MR][2];
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < 2; ++v) acc[r][v] = hn::LoadU(d, c + r * NR + v * W);
    for (std::size_t k = 0; k < depth; ++k) {
        const V b0 = hn::LoadU(d, panel + k * NR), b1 = hn::LoadU(d, panel + k * NR + W);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const V ar = hn::Set(d, a[r * depth + k]);
            acc[r][0] = hn::Add(acc[r][0], hn::Mul(ar, b0));
            acc[r][1] = hn::Add(acc[r][1], hn::Mul(ar, b1));
        }
    }
    for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t v = 0; v < 2; ++v) hn::StoreU(acc[r][v], d, c + r * NR + v * W);
}

// ---- exp ---------------------------------------------------------------------------------------------

void exp_vector_extensions(float* row) { cxattn::kernels::exp_of_differences(row, row_length, 1.0f); }

// The polynomial of exp_of: 1 + (r + r^2 tail(r)), the tail by Estrin's scheme.
template <class V> V exp_polynomial(V r) {
    const auto& c = C::taylor;
    const V r2 = r * r, r4 = r2 * r2;
    const V tail = ((V(c[2]) + V(c[3]) * r) + (V(c[4]) + V(c[5]) * r) * r2) + (V(c[6]) + V(c[7]) * r) * r4;
    return V(c[0]) + (r + r2 * tail);
}

[[gnu::noinline]] void exp_stdx(float* row) {
    using V = stdx::native_simd<float>;
    using I = stdx::rebind_simd_t<std::int32_t, V>;
    for (std::size_t j = 0; j < row_length; j += W) {
        const V x = V(row + j, stdx::element_aligned) - 1.0f;
        const V z = x * C::inv_ln2 + C::shifter;
        const V k_real = z - C::shifter;
        const I k = std::bit_cast<I>(z) - std::bit_cast<std::int32_t>(C::shifter);
        const V r = (x - k_real * C::ln2_hi) - k_real * C::ln2_lo;
        const I k_half = k >> 1, k_rest = k - k_half;
        V y = exp_polynomial(r) * std::bit_cast<V>((k_half + C::bias) << C::mantissa_bits) *
              std::bit_cast<V>((k_rest + C::bias) << C::mantissa_bits);
        stdx::where(x > C::overflow, y) = C::infinity;
        stdx::where(x < C::underflow, y) = 0.0f;
        y.copy_to(row + j, stdx::element_aligned);
    }
}

[[gnu::noinline]] void exp_xsimd(float* row) {
    using V = xsimd::batch<float>;
    using I = xsimd::batch<std::int32_t>;
    for (std::size_t j = 0; j < row_length; j += W) {
        const V x = V::load_unaligned(row + j) - 1.0f;
        const V z = x * C::inv_ln2 + C::shifter;
        const V k_real = z - C::shifter;
        const I k = xsimd::bitwise_cast<I>(z) - I(std::bit_cast<std::int32_t>(C::shifter));
        const V r = (x - k_real * C::ln2_hi) - k_real * C::ln2_lo;
        const I k_half = k >> 1, k_rest = k - k_half;
        const V y = exp_polynomial(r) * xsimd::bitwise_cast<V>((k_half + C::bias) << C::mantissa_bits) *
                    xsimd::bitwise_cast<V>((k_rest + C::bias) << C::mantissa_bits);
        xsimd::select(x > V(C::overflow), V(C::infinity), xsimd::select(x < V(C::underflow), V(0.0f), y))
            .store_unaligned(row + j);
    }
}

[[gnu::noinline]] void exp_highway(float* row) {
    const hn::ScalableTag<float> d;
    const hn::RebindToSigned<decltype(d)> di;
    using V = hn::Vec<decltype(d)>;
    const auto& c = C::taylor;
    for (std::size_t j = 0; j < row_length; j += W) {
        const V x = hn::Sub(hn::LoadU(d, row + j), hn::Set(d, 1.0f));
        const V z = hn::Add(hn::Mul(x, hn::Set(d, C::inv_ln2)), hn::Set(d, C::shifter));
        const V k_real = hn::Sub(z, hn::Set(d, C::shifter));
        const auto k = hn::Sub(hn::BitCast(di, z), hn::Set(di, std::bit_cast<std::int32_t>(C::shifter)));
        const V r = hn::Sub(hn::Sub(x, hn::Mul(k_real, hn::Set(d, C::ln2_hi))), hn::Mul(k_real, hn::Set(d, C::ln2_lo)));
        const auto k_half = hn::ShiftRight<1>(k);
        const auto k_rest = hn::Sub(k, k_half);
        const V r2 = hn::Mul(r, r), r4 = hn::Mul(r2, r2);
        const auto pair = [&](float c0, float c1) { return hn::Add(hn::Set(d, c0), hn::Mul(hn::Set(d, c1), r)); };
        const V tail = hn::Add(hn::Add(pair(c[2], c[3]), hn::Mul(pair(c[4], c[5]), r2)), hn::Mul(pair(c[6], c[7]), r4));
        const V p = hn::Add(hn::Set(d, c[0]), hn::Add(r, hn::Mul(r2, tail)));
        const V two_half = hn::BitCast(d, hn::ShiftLeft<C::mantissa_bits>(hn::Add(k_half, hn::Set(di, C::bias))));
        const V two_rest = hn::BitCast(d, hn::ShiftLeft<C::mantissa_bits>(hn::Add(k_rest, hn::Set(di, C::bias))));
        V y = hn::Mul(hn::Mul(p, two_half), two_rest);
        y = hn::IfThenElse(hn::Lt(x, hn::Set(d, C::underflow)), hn::Zero(d), y);
        y = hn::IfThenElse(hn::Gt(x, hn::Set(d, C::overflow)), hn::Set(d, C::infinity), y);
        hn::StoreU(y, d, row + j);
    }
}

// ---- timing ------------------------------------------------------------------------------------------

// CPU time of this thread per call (not wall time: a descheduled thread is not charged).
double cpu_ns() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

template <class F> double time_calls(F f, int calls) {
    const double start = cpu_ns();
    for (int i = 0; i < calls; ++i) {
        f();
        asm volatile("" ::: "memory");
    }
    return (cpu_ns() - start) / calls;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::vector<float> a_values(MR*depth), panel(depth*NR), c_values(MR*NR), row(row_length);

} // namespace

int main(int argc, char** argv) {
    int repetitions = 15;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]).rfind("--repetitions=", 0) == 0) repetitions = std::stoi(argv[i] + 14);
    std::mt19937 random(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (auto* v : {&a_values, &panel}) std::generate(v->begin(), v->end(), [&] { return uniform(random); });
    for (float& x : row) x = uniform(random) * 0.5f - 0.5f; // e^(x - 1) for x in [-1, 0] stays in [-1, 0] after -1

    // The largest distance, in ULP, of a contender's results from the vector extensions' (from the
    // same inputs): 0 where they have the same bits.
    auto ulp_distance = [&](auto reference, auto candidate, std::vector<float>& data) {
        const std::vector<float> start = data;
        reference();
        const std::vector<float> want = data;
        data = start;
        candidate();
        std::int64_t worst = 0;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const auto ordered = [](float x) {
                const auto b = static_cast<std::int64_t>(std::bit_cast<std::int32_t>(x));
                return b < 0 ? std::int64_t{INT32_MIN} - b : b; // ordered like the floats
            };
            worst = std::max(worst, std::abs(ordered(want[i]) - ordered(data[i])));
        }
        data = start;
        return worst;
    };
    auto micro = [](void (*f)(const float*, const float*, float*)) {
        return [f] { f(a_values.data(), panel.data(), c_values.data()); };
    };
    auto exp_row = [](void (*f)(float*)) { return [f] { f(row.data()); }; };
    std::printf("simd_choice: %zu floats per vector, micro-kernel %zu x %zu, depth %zu; exp over %zu floats\n", W, MR,
                NR, depth, row_length);
    std::printf("compiler: %s; Highway target %s; xsimd architecture %s\n",
#if defined(__clang__)
                ("Clang " + std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__)).c_str(),
#else
                ("GCC " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__)).c_str(),
#endif
                hwy::TargetName(HWY_STATIC_TARGET), xsimd::default_arch::name());

    const struct {
        const char* name;
        void (*micro)(const float*, const float*, float*);
        void (*exp)(float*);
    } contenders[] = {{"vector extensions", micro_vector_extensions, exp_vector_extensions},
                      {"std::experimental::simd", micro_stdx, exp_stdx},
                      {"xsimd 8", micro_xsimd, exp_xsimd},
                      {"Highway 1.0", micro_highway, exp_highway}};
    // Highway's static target may have vectors of another width than the flags' (HWY_SCALAR, one
    // lane, for x86-64 without SSSE3 under GCC): then it does not run the same algorithm.
    const std::size_t highway_lanes = hn::Lanes(hn::ScalableTag<float>());
    const std::size_t n = highway_lanes == W ? std::size(contenders) : std::size(contenders) - 1;
    std::vector<double> micro_ns[std::size(contenders)], exp_ns[std::size(contenders)];
    std::int64_t micro_ulp[std::size(contenders)], exp_ulp[std::size(contenders)];
    for (std::size_t i = 0; i < n; ++i) {
        micro_ulp[i] = ulp_distance(micro(contenders[0].micro), micro(contenders[i].micro), c_values);
        exp_ulp[i] = ulp_distance(exp_row(contenders[0].exp), exp_row(contenders[i].exp), row);
    }
    for (int rep = 0; rep < repetitions; ++rep)
        for (std::size_t i = 0; i < n; ++i) {
            std::fill(c_values.begin(), c_values.end(), 0.0f);
            micro_ns[i].push_back(time_calls(micro(contenders[i].micro), 2000));
            exp_ns[i].push_back(time_calls(exp_row(contenders[i].exp), 2000));
        }
    const double micro_base = median(micro_ns[0]), exp_base = median(exp_ns[0]);
    std::printf("%-26s %14s %8s %8s %14s %8s %8s\n", "contender", "micro-kernel", "ratio", "ULP", "exp", "ratio",
                "ULP");
    for (std::size_t i = 0; i < n; ++i)
        std::printf("%-26s %11.0f ns %8.3f %8lld %11.0f ns %8.3f %8lld\n", contenders[i].name, median(micro_ns[i]),
                    median(micro_ns[i]) / micro_base, static_cast<long long>(micro_ulp[i]), median(exp_ns[i]),
                    median(exp_ns[i]) / exp_base, static_cast<long long>(exp_ulp[i]));
    if (n < std::size(contenders))
        std::printf("%-26s not run: its static target (%s) has %zu lanes, not %zu\n", contenders[n].name,
                    hwy::TargetName(HWY_STATIC_TARGET), highway_lanes, W);
}
