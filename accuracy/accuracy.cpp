// SPDX-License-Identifier: MIT
// Accuracy of cxattn::portable::exp, tanh, log and sqrt against MPFR, with glibc's exp, expf, expl,
// tanh, tanhf, tanhl, log, logf, logl and sqrt, sqrtf, sqrtl in the same table for context.
//
//   accuracy [--quick] [--points N] [--float-stride S] [--threads T] [--function exp|tanh|log|sqrt]
//
// float: every one of the 2^32 inputs (or every S-th with --float-stride) against the correctly rounded
// result. double and long double: N random arguments each (default 10^7, --quick 10^5), half uniform in
// value over the domain, half with log-uniform magnitudes and random sign, plus the special and
// threshold arguments. Errors are |y - f(x)| / ulp(f(x)), f(x) from MPFR at 128 bits (float: from
// double libm, every candidate for the maximum recomputed with MPFR), ulp(v) the spacing of the type's
// values in the binade of v (the smallest subnormal below the normal range). An overflow to infinity is
// exact when the correctly rounded result is infinity, and otherwise counts as 2^(emax+1).
#include <cxattn/kernels.hpp>
#include <cxattn/math.hpp>

#include <mpfr.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

enum class function { exp, tanh, log, sqrt };

const char* name_of(function f) {
    return f == function::exp ? "exp" : f == function::tanh ? "tanh" : f == function::log ? "log" : "sqrt";
}

// The error of one implementation over a sweep.
struct result {
    double max_ulp = 0;
    long double argument = 0; // where max_ulp occurs (first such argument in sweep order)
    std::uint64_t not_correctly_rounded = 0;
    std::uint64_t points = 0;

    void add(double ulp, long double x, bool correctly_rounded) {
        ++points;
        if (!correctly_rounded) ++not_correctly_rounded;
        if (ulp > max_ulp) {
            max_ulp = ulp;
            argument = x;
        }
    }
    void merge(const result& later) {
        points += later.points;
        not_correctly_rounded += later.not_correctly_rounded;
        if (later.max_ulp > max_ulp) {
            max_ulp = later.max_ulp;
            argument = later.argument;
        }
    }
};

// One MPFR variable at a fixed precision.
struct mpfr_var {
    mpfr_t v;
    explicit mpfr_var(mpfr_prec_t precision) { mpfr_init2(v, precision); }
    ~mpfr_var() { mpfr_clear(v); }
    mpfr_var(const mpfr_var&) = delete;
    mpfr_var& operator=(const mpfr_var&) = delete;
};

constexpr mpfr_prec_t exact_precision = 128;

void mpfr_eval(function f, mpfr_t out, long double x) {
    mpfr_set_ld(out, x, MPFR_RNDN);
    if (f == function::exp) {
        mpfr_exp(out, out, MPFR_RNDN);
    } else if (f == function::tanh) {
        mpfr_tanh(out, out, MPFR_RNDN);
    } else if (f == function::log) {
        mpfr_log(out, out, MPFR_RNDN);
    } else {
        mpfr_sqrt(out, out, MPFR_RNDN);
    }
}

// |y - exact| / ulp_T(exact), as described at the top; exact is f(x) at 128 bits.
template <class T> double ulp_error(T y, const mpfr_t exact) {
    using lim = std::numeric_limits<T>;
    if (mpfr_nan_p(exact)) return std::isnan(y) ? 0.0 : HUGE_VAL;
    if (std::isnan(y)) return HUGE_VAL;
    if (mpfr_inf_p(exact)) return std::isinf(y) && (y > 0) == (mpfr_sgn(exact) > 0) ? 0.0 : HUGE_VAL;
    // The correctly rounded result is infinite from (2 - 2^-p) 2^emax on.
    mpfr_var overflow_midpoint(exact_precision), yy(exact_precision), diff(exact_precision);
    mpfr_set_ui_2exp(overflow_midpoint.v, 1, lim::max_exponent, MPFR_RNDN);
    mpfr_set_ui_2exp(diff.v, 1, lim::max_exponent - 1 - lim::digits, MPFR_RNDN);
    mpfr_sub(overflow_midpoint.v, overflow_midpoint.v, diff.v, MPFR_RNDN);
    if (mpfr_cmpabs(exact, overflow_midpoint.v) >= 0 && std::isinf(y) && (y > 0) == (mpfr_sgn(exact) > 0)) {
        return 0.0;
    }
    if (std::isinf(y)) {
        mpfr_set_si_2exp(yy.v, y > 0 ? 1 : -1, lim::max_exponent, MPFR_RNDN);
    } else {
        mpfr_set_ld(yy.v, static_cast<long double>(y), MPFR_RNDN);
    }
    mpfr_sub(diff.v, yy.v, exact, MPFR_RNDN);
    mpfr_abs(diff.v, diff.v, MPFR_RNDN);
    // Binade of exact: |exact| in [2^(E-1), 2^E); the ULP is 2^(E-1 - (p-1)), at least the smallest subnormal.
    long binade = mpfr_zero_p(exact) ? lim::min_exponent - 1 : static_cast<long>(mpfr_get_exp(exact)) - 1;
    binade = std::clamp(binade, static_cast<long>(lim::min_exponent - 1), static_cast<long>(lim::max_exponent - 1));
    mpfr_mul_2si(diff.v, diff.v, -(binade - (lim::digits - 1)), MPFR_RNDN);
    return mpfr_get_d(diff.v, MPFR_RNDU);
}

template <class T> double ulp_error(function f, T y, long double x) {
    mpfr_var exact(exact_precision);
    mpfr_eval(f, exact.v, x);
    return ulp_error(y, exact.v);
}

// The correctly rounded float of f(x), subnormals included (MPFR in float's exponent range).
float mpfr_correctly_rounded_float(function f, float x) {
    const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_set_emin(std::numeric_limits<float>::min_exponent - std::numeric_limits<float>::digits + 1);
    mpfr_set_emax(std::numeric_limits<float>::max_exponent);
    mpfr_var m(std::numeric_limits<float>::digits);
    mpfr_set_flt(m.v, x, MPFR_RNDN);
    const int inexact = f == function::exp    ? mpfr_exp(m.v, m.v, MPFR_RNDN)
                        : f == function::tanh ? mpfr_tanh(m.v, m.v, MPFR_RNDN)
                        : f == function::log  ? mpfr_log(m.v, m.v, MPFR_RNDN)
                                              : mpfr_sqrt(m.v, m.v, MPFR_RNDN);
    mpfr_subnormalize(m.v, inexact, MPFR_RNDN);
    const float y = mpfr_get_flt(m.v, MPFR_RNDN);
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    return y;
}

bool same(float a, float b) {
    return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b) || (std::isnan(a) && std::isnan(b));
}

// float ULP of a value (any magnitude), clamped to float's binades.
double float_ulp(double v) {
    int e = 0;
    std::frexp(v, &e); // |v| in [2^(e-1), 2^e)
    const int binade = std::clamp(v == 0 ? -126 : e - 1, -126, 127);
    return std::ldexp(1.0, binade - 23);
}

// Error of y against an approximation r of f(x) accurate to about 2^-50 relative.
double float_ulp_error_approx(float y, double r) {
    if (std::isnan(r) || std::isnan(y)) return std::isnan(r) && std::isnan(y) ? 0.0 : HUGE_VAL;
    const double overflow_midpoint = 0x1.ffffffp+127;
    if (std::fabs(r) >= overflow_midpoint && std::isinf(y) && std::signbit(y) == std::signbit(r)) return 0.0;
    if (std::isinf(r)) return HUGE_VAL;
    const double yy = std::isinf(y) ? std::copysign(0x1p128, static_cast<double>(y)) : static_cast<double>(y);
    return std::fabs(yy - r) / float_ulp(r);
}

template <class T> T libm(function f, T x) {
    return f == function::exp    ? std::exp(x)
           : f == function::tanh ? std::tanh(x)
           : f == function::log  ? std::log(x)
                                 : std::sqrt(x);
}

template <class T> T portable(function f, T x) {
    return f == function::exp    ? cxattn::portable::exp(x)
           : f == function::tanh ? cxattn::portable::tanh(x)
           : f == function::log  ? cxattn::portable::log(x)
                                 : cxattn::portable::sqrt(x);
}

struct float_sweep {
    result portable, libm, kernels, scalar; // scalar: cxattn::kernels::scalar::exp (exp only)
    std::uint64_t mpfr_roundings = 0;       // arguments near a rounding boundary, settled by MPFR
};

// Every stride-th float from first, in steps of step (the threads interleave).
float_sweep sweep_float(function f, std::uint64_t first, std::uint64_t step) {
    float_sweep s;
    for (std::uint64_t i = first; i < (std::uint64_t(1) << 32); i += step) {
        const float x = std::bit_cast<float>(static_cast<std::uint32_t>(i));
        const float ours = portable(f, x);
        const float libm = ::libm(f, x);
        const float kernel = f == function::exp ? cxattn::kernels::exp(x) : libm;
        const float scalar = f == function::exp ? cxattn::kernels::scalar::exp(x) : libm;
        // double libm: exp and tanh within a few double ULP, sqrt correctly rounded.
        const double approx = ::libm(f, static_cast<double>(x));
        float correct = static_cast<float>(approx);
        if (f != function::sqrt && std::isfinite(approx)) {
            // Rounding approx is correct unless approx lies within 2^-20 ULP of a midpoint between floats.
            const double offset = std::fabs((approx - static_cast<double>(correct)) / float_ulp(approx));
            if (std::fabs(offset - 0.5) < 0x1p-20) {
                correct = mpfr_correctly_rounded_float(f, x);
                ++s.mpfr_roundings;
            }
        }
        // sqrt: RN_float(RN_double(sqrt x)) is correctly rounded, as 53 >= 2 * 24 + 2 (Figueroa 1995).
        for (auto [y, r] : {std::pair{ours, &s.portable}, std::pair{libm, &s.libm}, std::pair{kernel, &s.kernels},
                            std::pair{scalar, &s.scalar}}) {
            double ulp = float_ulp_error_approx(y, approx);
            // Candidates for the maximum: measure against MPFR.
            if (ulp >= r->max_ulp - 1e-6) ulp = ulp_error(f, y, x);
            r->add(ulp, x, same(y, correct));
        }
    }
    return s;
}

template <class T> constexpr const char* type_name() {
    return std::is_same_v<T, float> ? "float" : std::is_same_v<T, double> ? "double" : "long double";
}

// Special and threshold arguments, with neighbours.
template <class T> std::vector<T> special_arguments(function f) {
    using lim = std::numeric_limits<T>;
    const T inf = lim::infinity();
    std::vector<T> xs = {T(0),
                         -T(0),
                         inf,
                         -inf,
                         lim::quiet_NaN(),
                         lim::max(),
                         -lim::max(),
                         lim::min(),
                         -lim::min(),
                         lim::denorm_min(),
                         -lim::denorm_min(),
                         T(1),
                         T(-1),
                         T(2),
                         T(4)};
    std::vector<T> centres = {lim::max(), lim::min(), lim::denorm_min(), T(1), T(4)};
    if (f == function::exp) {
        // The largest x with a finite result, the smallest with a nonzero one, the subnormal boundary.
        T over = std::log(lim::max()), under = std::log(lim::denorm_min()) - std::log(T(2));
        while (std::isinf(std::exp(std::nextafter(over, inf)))) over = std::nextafter(over, T(0));
        while (!std::isinf(std::exp(std::nextafter(over, inf)))) over = std::nextafter(over, inf);
        while (std::exp(under) == 0) under = std::nextafter(under, T(0));
        while (std::exp(std::nextafter(under, -inf)) != 0) under = std::nextafter(under, -inf);
        centres = {over, under, std::log(lim::min()), T(0), std::log(T(2)) / 2, -std::log(T(2)) / 2};
    } else if (f == function::tanh) {
        // The ends of tanh's methods: 1/16, and (p + 2) ln2 / 2 from where the result is 1.
        const T one_from = T(lim::digits + 2) * std::log(T(2)) / 2;
        // and the worst double argument found by a denser sweep of [1/16, 1/10] (0.548 ULP).
        centres = {T(0.0625), T(-0.0625), one_from, -one_from, T(0), T(1), T(0x1.3c04307f2dc47p-4)};
    } else if (f == function::log) {
        // 1 (result +0, and the largest relative errors nearby), the ends of the reduction sqrt(1/2) and
        // sqrt 2 in three binades, the extremes, and 1 + epsilon times a few.
        const T root2 = std::sqrt(T(2));
        centres = {T(1),   root2,      root2 / 2,  root2 * 2,         T(2),
                   T(0.5), lim::max(), lim::min(), lim::denorm_min(), lim::min() / 2 * root2};
    }
    for (T c : centres) {
        T below = c, above = c;
        xs.push_back(c);
        for (int i = 0; i < 8; ++i) {
            xs.push_back(below = std::nextafter(below, -inf));
            xs.push_back(above = std::nextafter(above, inf));
        }
    }
    return xs;
}

struct pair_result {
    result portable, libm, kernels; // kernels: cxattn::kernels::exp (float and double exp only)
    void merge(const pair_result& later) {
        portable.merge(later.portable);
        libm.merge(later.libm);
        kernels.merge(later.kernels);
    }
};

constexpr std::uint64_t chunk_size = 1 << 16;

// count random arguments of T in chunks of chunk_size, chunk c drawn from seed c, so that the sweep
// is the same for any number of threads.
template <class T> pair_result sweep_random(function f, std::uint64_t count, unsigned threads) {
    using lim = std::numeric_limits<T>;
    T lo = 0, hi = lim::max(), log_hi = std::log2(lim::max());
    bool signed_ = false;
    if (f == function::exp) {
        // A little beyond the finite, nonzero results at each end.
        lo = std::log(lim::denorm_min()) - 2;
        hi = std::log(lim::max()) + 2;
        log_hi = std::log2(-lo);
        signed_ = true;
    } else if (f == function::tanh) {
        // Beyond the arguments whose tanh rounds to +-1 (about 23 for long double).
        lo = -25;
        hi = 25;
        log_hi = std::log2(T(25));
        signed_ = true;
    } else if (f == function::log) {
        // Where log-sum-exp takes it (a sum of exps in [1, S]): uniform over [1/4, 4] (both sides of 1 and
        // of the reduction's ends); the magnitudes cover every binade, subnormals included.
        lo = T(0.25);
        hi = 4;
    }
    const T log_lo = T(lim::min_exponent - lim::digits);
    const std::uint64_t chunks = (count + chunk_size - 1) / chunk_size;
    std::vector<pair_result> per_chunk(chunks);
    std::atomic<std::uint64_t> next{0};
    const auto worker = [&] {
        for (std::uint64_t c; (c = next++) < chunks;) {
            std::mt19937_64 rng(c);
            std::uniform_real_distribution<T> uniform(lo, hi), magnitude(log_lo, log_hi);
            pair_result& r = per_chunk[c];
            const std::uint64_t end = std::min(count, (c + 1) * chunk_size);
            mpfr_var exact(exact_precision);
            for (std::uint64_t i = c * chunk_size; i < end; ++i) {
                T x;
                if (i % 2 == 0) {
                    x = uniform(rng);
                } else {
                    x = std::exp2(magnitude(rng));
                    if (signed_ && (rng() & 1)) x = -x;
                }
                mpfr_eval(f, exact.v, x);
                constexpr bool has_kernel = cxattn::kernels::supported<T>;
                T kernel = T{};
                if constexpr (has_kernel)
                    if (f == function::exp) kernel = cxattn::kernels::exp(x);
                const T ys[3] = {portable(f, x), libm(f, x), kernel};
                result* rs[3] = {&r.portable, &r.libm, &r.kernels};
                for (int k = 0; k < (has_kernel && f == function::exp ? 3 : 2); ++k) {
                    const double ulp = ulp_error(ys[k], exact.v);
                    rs[k]->add(ulp, x, ulp <= 0.5); // above 0.5 ULP: wrongly rounded (exact has 128 bits)
                }
            }
        }
        mpfr_free_cache(); // MPFR's constant caches are per thread
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    pair_result total;
    for (const auto& r : per_chunk) total.merge(r);
    // The special and threshold arguments, after the random ones.
    mpfr_var exact(exact_precision);
    for (T x : special_arguments<T>(f)) {
        mpfr_eval(f, exact.v, x);
        const T ys[2] = {portable(f, x), libm(f, x)};
        result* rs[2] = {&total.portable, &total.libm};
        for (int k = 0; k < 2; ++k) {
            const double ulp = ulp_error(ys[k], exact.v);
            rs[k]->add(ulp, x, ulp <= 0.5);
        }
    }
    return total;
}

std::string hex(long double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%La", x);
    return buffer;
}

std::string decimal(long double x, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*Lg", digits, x);
    return buffer;
}

void print_row(const char* name, const char* type, const char* implementation, const result& r, const char* reference) {
    // Truncated, not rounded, to 6 decimals: 0.49999997 must not print as 0.500000.
    std::printf("| %s | %s | %s | %.6f | %s (%s) | %llu | %llu | %s |\n", name, type, implementation,
                std::floor(r.max_ulp * 1e6) / 1e6, decimal(r.argument, 10).c_str(), hex(r.argument).c_str(),
                static_cast<unsigned long long>(r.not_correctly_rounded), static_cast<unsigned long long>(r.points),
                reference);
    std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

[[noreturn]] void usage() {
    std::fprintf(
        stderr,
        "usage: accuracy [--quick] [--points N] [--float-stride S] [--threads T] [--function exp|tanh|log|sqrt]\n");
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t points = 10'000'000, float_stride = 1;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<function> functions = {function::exp, function::tanh, function::log, function::sqrt};
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&] {
            if (i + 1 >= argc) usage();
            return std::strtoull(argv[++i], nullptr, 10);
        };
        if (arg == "--quick") {
            points = 100'000;
            float_stride = 4093; // about a million floats, every binade
        } else if (arg == "--points") {
            points = value();
        } else if (arg == "--float-stride") {
            float_stride = std::max<std::uint64_t>(1, value());
        } else if (arg == "--function") {
            if (i + 1 >= argc) usage();
            const std::string wanted = argv[++i];
            std::erase_if(functions, [&](function f) { return wanted != name_of(f); });
            if (functions.empty()) usage();
        } else if (arg == "--threads") {
            threads = static_cast<unsigned>(std::max<std::uint64_t>(1, value()));
        } else {
            usage();
        }
    }
    std::printf("cxattn accuracy: float every %llu-th of 2^32 inputs, double and long double %llu random "
                "arguments plus special ones, %u threads\n\n",
                static_cast<unsigned long long>(float_stride), static_cast<unsigned long long>(points), threads);
    std::printf("| function | type | implementation | max error (ULP, truncated) | at argument | not correctly rounded "
                "| points | reference |\n|---|---|---|---|---|---|---|---|\n");
    const auto start = std::chrono::steady_clock::now();
    for (function f : functions) {
        const char* name = name_of(f);
        {
            std::vector<float_sweep> parts(threads);
            std::vector<std::thread> pool;
            for (unsigned t = 0; t < threads; ++t) {
                pool.emplace_back([&, t] {
                    parts[t] = sweep_float(f, t * float_stride, threads * float_stride);
                    mpfr_free_cache(); // MPFR's constant caches are per thread
                });
            }
            for (auto& t : pool) t.join();
            float_sweep total;
            for (const auto& p : parts) {
                total.portable.merge(p.portable);
                total.libm.merge(p.libm);
                total.kernels.merge(p.kernels);
                total.scalar.merge(p.scalar);
                total.mpfr_roundings += p.mpfr_roundings;
            }
            const std::string reference =
                f != function::sqrt ? "correctly rounded (double libm, MPFR for the " +
                                          std::to_string(total.mpfr_roundings) + " near a midpoint); error: MPFR"
                                    : std::string("correctly rounded (double sqrt rounded to float); error: MPFR");
            print_row(name, "float", "cxattn::portable", total.portable, reference.c_str());
            print_row(name, "float", (std::string("glibc ") + name + "f").c_str(), total.libm, reference.c_str());
            if (f == function::exp) {
                print_row(name, "float", "cxattn::kernels (run time)", total.kernels, reference.c_str());
                print_row(name, "float", "cxattn::kernels::scalar (run time)", total.scalar, reference.c_str());
            }
        }
        {
            const pair_result r = sweep_random<double>(f, points, threads);
            print_row(name, "double", "cxattn::portable", r.portable, "MPFR, 128 bits");
            print_row(name, "double", (std::string("glibc ") + name).c_str(), r.libm, "MPFR, 128 bits");
            if (f == function::exp)
                print_row(name, "double", "cxattn::kernels (run time)", r.kernels, "MPFR, 128 bits");
        }
        {
            const pair_result r = sweep_random<long double>(f, points, threads);
            print_row(name, "long double", "cxattn::portable", r.portable, "MPFR, 128 bits");
            print_row(name, "long double", (std::string("glibc ") + name + "l").c_str(), r.libm, "MPFR, 128 bits");
        }
    }
    std::printf("\n%.0f s\n", seconds_since(start));
    mpfr_free_cache();
    return 0;
}
