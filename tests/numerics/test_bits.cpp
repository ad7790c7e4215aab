// SPDX-License-Identifier: MIT
// Compile-time and run-time results of cxattn/math.hpp, bit for bit. For each type, 1024 arguments
// per function are evaluated in constant evaluation (constexpr arrays) and again at run time; the
// portable algorithms must agree exactly, and cxattn::exp / tanh / log / sqrt must equal portable:: in
// constant evaluation and, at run time, std:: (CXATTN_RUNTIME_LIBM=1) or portable:: (=0).
// portable::exp<float>'s float-only steps (taken at run time on cores whose FPU has single precision
// only) are compared with its double algorithm on every 61st float, unfused and (with GCC) fused, and
// in constant evaluation on the arguments above; every float with CXATTN_EXP_SWEEP_STRIDE=1.
#define BOOST_TEST_MODULE numerics_bits
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <cxattn/math.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "arguments.hpp"
#include "numerics_common.hpp"

namespace {

constexpr std::size_t count = 1024;

// exp: a little beyond the finite, nonzero results at each end; magnitudes from the smallest subnormal.
template <class T> constexpr std::array<T, count> exp_domain(T lo, T hi, int e_hi) {
    return numerics::arguments<T, count>(lo, hi, std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits,
                                         e_hi, true);
}
template <class T> constexpr std::array<T, count> exp_arguments{};
template <> constexpr auto exp_arguments<float> = exp_domain(-110.0f, 95.0f, 7);
template <> constexpr auto exp_arguments<double> = exp_domain(-760.0, 720.0, 10);
template <> constexpr auto exp_arguments<long double> = exp_domain(-11500.0L, 11400.0L, 14);

// tanh: both signs, from the smallest subnormal to beyond where tanh rounds to +-1.
template <class T>
constexpr auto tanh_arguments = numerics::arguments<T, count>(
    T(-25), T(25), std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits, 5, true);

// log: positive, uniform over [0, 64] (log-sum-exp's sums, and 0) and magnitudes over every binade.
template <class T>
constexpr auto log_arguments = numerics::arguments<T, count>(T(0), T(64),
                                                             std::numeric_limits<T>::min_exponent -
                                                                 std::numeric_limits<T>::digits,
                                                             std::numeric_limits<T>::max_exponent - 1, false);

template <class T>
constexpr auto sqrt_arguments = numerics::arguments<T, count>(T(0), std::numeric_limits<T>::max(),
                                                              std::numeric_limits<T>::min_exponent -
                                                                  std::numeric_limits<T>::digits,
                                                              std::numeric_limits<T>::max_exponent - 1, false);

struct portable_exp {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::portable::exp(x); }
};
struct portable_tanh {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::portable::tanh(x); }
};
struct dispatch_tanh {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::tanh(x); }
};
struct portable_log {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::portable::log(x); }
};
struct dispatch_log {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::log(x); }
};
struct portable_sqrt {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::portable::sqrt(x); }
};
struct dispatch_exp {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::exp(x); }
};
struct dispatch_sqrt {
    template <class T> constexpr T operator()(T x) const noexcept { return cxattn::sqrt(x); }
};

// Results computed in constant evaluation.
template <class T> constexpr auto exp_results = numerics::map(exp_arguments<T>, portable_exp{});
template <class T> constexpr auto tanh_results = numerics::map(tanh_arguments<T>, portable_tanh{});
template <class T> constexpr auto log_results = numerics::map(log_arguments<T>, portable_log{});
template <class T> constexpr auto sqrt_results = numerics::map(sqrt_arguments<T>, portable_sqrt{});

// In constant evaluation the dispatching functions are the portable ones (no NaN among the results,
// so == compares bits up to the sign of zero, and sqrt's zero argument is +0).
static_assert(numerics::map(exp_arguments<float>, dispatch_exp{}) == exp_results<float>);
static_assert(numerics::map(exp_arguments<double>, dispatch_exp{}) == exp_results<double>);
static_assert(numerics::map(exp_arguments<long double>, dispatch_exp{}) == exp_results<long double>);
static_assert(numerics::map(tanh_arguments<float>, dispatch_tanh{}) == tanh_results<float>);
static_assert(numerics::map(tanh_arguments<double>, dispatch_tanh{}) == tanh_results<double>);
static_assert(numerics::map(tanh_arguments<long double>, dispatch_tanh{}) == tanh_results<long double>);
static_assert(numerics::map(log_arguments<float>, dispatch_log{}) == log_results<float>);
static_assert(numerics::map(log_arguments<double>, dispatch_log{}) == log_results<double>);
static_assert(numerics::map(log_arguments<long double>, dispatch_log{}) == log_results<long double>);
static_assert(numerics::map(sqrt_arguments<float>, dispatch_sqrt{}) == sqrt_results<float>);
static_assert(numerics::map(sqrt_arguments<double>, dispatch_sqrt{}) == sqrt_results<double>);
static_assert(numerics::map(sqrt_arguments<long double>, dispatch_sqrt{}) == sqrt_results<long double>);

template <class T> std::string show(T x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%La", static_cast<long double>(x));
    return buffer;
}

// Runs f on each argument at run time (the volatile read keeps the compiler from folding the call)
// and compares with the expected results.
template <class T, class F, class Expected>
void check_run_time(const std::array<T, count>& xs, F f, Expected expected, const char* what) {
    std::size_t differ = 0;
    for (std::size_t i = 0; i < count; ++i) {
        volatile T opaque = xs[i];
        const T x = opaque;
        const T want = expected(i, x);
        const T got = f(x);
        if (!numerics::same(got, want)) {
            if (differ++ < 5) BOOST_TEST_MESSAGE(what << "(" << show(x) << "): " << show(got) << " != " << show(want));
        }
    }
    BOOST_TEST(differ == 0u, what << ": " << differ << " of " << count << " differ");
}

template <class T> void check_type() {
    const auto compile_time_exp = [](std::size_t i, T) { return exp_results<T>[i]; };
    const auto compile_time_tanh = [](std::size_t i, T) { return tanh_results<T>[i]; };
    const auto compile_time_log = [](std::size_t i, T) { return log_results<T>[i]; };
    const auto compile_time_sqrt = [](std::size_t i, T) { return sqrt_results<T>[i]; };
    check_run_time(exp_arguments<T>, portable_exp{}, compile_time_exp, "portable::exp");
    check_run_time(tanh_arguments<T>, portable_tanh{}, compile_time_tanh, "portable::tanh");
    check_run_time(log_arguments<T>, portable_log{}, compile_time_log, "portable::log");
    check_run_time(sqrt_arguments<T>, portable_sqrt{}, compile_time_sqrt, "portable::sqrt");
#if CXATTN_RUNTIME_LIBM
    check_run_time(
        exp_arguments<T>, dispatch_exp{}, [](std::size_t, T x) { return std::exp(x); }, "exp (libm)");
    check_run_time(
        tanh_arguments<T>, dispatch_tanh{}, [](std::size_t, T x) { return std::tanh(x); }, "tanh (libm)");
    check_run_time(
        log_arguments<T>, dispatch_log{}, [](std::size_t, T x) { return std::log(x); }, "log (libm)");
    check_run_time(
        sqrt_arguments<T>, dispatch_sqrt{}, [](std::size_t, T x) { return std::sqrt(x); }, "sqrt (libm)");
#else
    check_run_time(exp_arguments<T>, dispatch_exp{}, compile_time_exp, "exp (portable)");
    check_run_time(tanh_arguments<T>, dispatch_tanh{}, compile_time_tanh, "tanh (portable)");
    check_run_time(log_arguments<T>, dispatch_log{}, compile_time_log, "log (portable)");
    check_run_time(sqrt_arguments<T>, dispatch_sqrt{}, compile_time_sqrt, "sqrt (portable)");
#endif
}

// Special values in constant evaluation, for one type; the run-time side is test_bounds.cpp.
template <class T> constexpr bool special_values_hold() {
    using lim = std::numeric_limits<T>;
    namespace p = cxattn::portable;
    const T inf = lim::infinity(), nan = lim::quiet_NaN();
    // The sign of a zero, in constant evaluation: converting to double keeps it; double bit_casts.
    const auto positive_zero = [](T v) { return std::bit_cast<std::uint64_t>(static_cast<double>(v)) == 0; };
    const auto negative_zero = [](T v) {
        return std::bit_cast<std::uint64_t>(static_cast<double>(v)) == 0x8000'0000'0000'0000U;
    };
    return p::exp(nan) != p::exp(nan) && p::exp(inf) == inf && positive_zero(p::exp(-inf)) && p::exp(T(0)) == 1 &&
           p::exp(-T(0)) == 1 && p::exp(lim::max()) == inf && positive_zero(p::exp(-lim::max())) &&
           p::exp(lim::denorm_min()) == 1 && p::sqrt(nan) != p::sqrt(nan) && p::sqrt(-T(1)) != p::sqrt(-T(1)) &&
           p::sqrt(-inf) != p::sqrt(-inf) && p::sqrt(inf) == inf && positive_zero(p::sqrt(T(0))) &&
           negative_zero(p::sqrt(-T(0))) && p::sqrt(T(4)) == 2 && p::sqrt(lim::denorm_min()) > 0 &&
           p::sqrt(lim::max()) < inf && p::tanh(nan) != p::tanh(nan) && p::tanh(inf) == 1 && p::tanh(-inf) == -1 &&
           positive_zero(p::tanh(T(0))) && negative_zero(p::tanh(-T(0))) && p::tanh(lim::max()) == 1 &&
           p::tanh(-lim::max()) == -1 && p::tanh(lim::denorm_min()) == lim::denorm_min() &&
           p::log(nan) != p::log(nan) && p::log(-T(1)) != p::log(-T(1)) && p::log(-inf) != p::log(-inf) &&
           p::log(-lim::denorm_min()) != p::log(-lim::denorm_min()) && p::log(T(0)) == -inf && p::log(-T(0)) == -inf &&
           p::log(inf) == inf && positive_zero(p::log(T(1))) && p::log(lim::denorm_min()) < 0 &&
           p::log(lim::max()) < inf && p::log(T(2)) > 0;
}
static_assert(special_values_hold<float>());
static_assert(special_values_hold<double>());
static_assert(special_values_hold<long double>());

// Arguments where one run-time build once differed from constant evaluation (Clang with
// -freciprocal-math merged tanh's two divisions): their compile-time bits, against run time below.
constexpr double tanh_hard_double = 0x8.bc82da935afap+0;
constexpr long double tanh_hard_long_double = 0x9.58edd1549de12dap+1L;
constexpr double tanh_hard_double_baked = cxattn::portable::tanh(tanh_hard_double);
constexpr long double tanh_hard_long_double_baked = cxattn::portable::tanh(tanh_hard_long_double);

// The float-only steps give the double algorithm's bits wherever they answer (-1: they cannot tell).
struct float_steps {
    constexpr float operator()(float x) const noexcept { return cxattn::detail::math::exp_binary32_in_float<false>(x); }
};
constexpr bool float_steps_agree() {
    const auto steps = numerics::map(exp_arguments<float>, float_steps{});
    int answered = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (steps[i] >= 0) {
            if (steps[i] != exp_results<float>[i]) return false;
            ++answered;
        }
    }
    return answered > 600; // the arguments within |x| <= 86.6
}
static_assert(float_steps_agree());

// Every stride-th float from the underflow to the overflow threshold: where exp_binary32_in_float
// answers, the bits of the double algorithm (exp_tang); it answers for all but about one in 2,000
// of |x| <= 86.6 (the test allows one in 100).
template <bool Fma> void sweep_float_steps(std::int64_t stride) {
    namespace math = cxattn::detail::math;
    const auto position = [](float x) {
        const auto bits = std::bit_cast<std::uint32_t>(x);
        const std::int64_t magnitude = bits & 0x7fff'ffffU;
        return bits >> 31 ? -magnitude : magnitude;
    };
    std::int64_t count_in_range = 0, declined = 0, differ = 0;
    for (std::int64_t p = position(math::exp_underflow_v<float>); p <= position(math::exp_overflow_v<float>);
         p += stride) {
        const auto magnitude = static_cast<std::uint32_t>(p < 0 ? -p : p);
        volatile float opaque = std::bit_cast<float>(p < 0 ? magnitude | 0x8000'0000U : magnitude);
        const float x = opaque;
        const float got = math::exp_binary32_in_float<Fma>(x);
        const bool in_range = std::fabs(x) <= 86.6f;
        count_in_range += in_range;
        if (got < 0) {
            declined += in_range;
            continue;
        }
        const auto want = static_cast<float>(math::exp_tang(static_cast<double>(x)));
        if (std::bit_cast<std::uint32_t>(got) != std::bit_cast<std::uint32_t>(want) && differ++ < 5) {
            BOOST_TEST_MESSAGE("exp_binary32_in_float(" << show(x) << "): " << show(got) << " != " << show(want));
        }
    }
    BOOST_TEST_MESSAGE("exp_binary32_in_float<" << Fma << ">: " << declined << " of " << count_in_range
                                                << " floats with |x| <= 86.6 left to the double algorithm (stride "
                                                << stride << ")");
    BOOST_TEST(differ == 0);
    BOOST_TEST(declined * 100 < count_in_range); // the float steps decide nearly everything
}

std::int64_t sweep_stride() {
    const char* setting = std::getenv("CXATTN_EXP_SWEEP_STRIDE");
    return setting != nullptr && std::atoll(setting) > 0 ? std::atoll(setting) : 61;
}

} // namespace

BOOST_AUTO_TEST_CASE(tanh_hard_arguments) {
    volatile double x = tanh_hard_double;
    volatile long double xl = tanh_hard_long_double;
    BOOST_TEST(numerics::same(cxattn::portable::tanh(static_cast<double>(x)), tanh_hard_double_baked));
    BOOST_TEST(numerics::same(cxattn::portable::tanh(static_cast<long double>(xl)), tanh_hard_long_double_baked));
}

BOOST_AUTO_TEST_CASE(float_exp_in_float_steps) {
    sweep_float_steps<false>(sweep_stride());
#if !defined(__clang__) // the fused form is GCC's only (cxattn::detail::math::fast_fmaf)
    sweep_float_steps<true>(sweep_stride());
#endif
}

BOOST_AUTO_TEST_CASE(float_compile_time_equals_run_time) { check_type<float>(); }
BOOST_AUTO_TEST_CASE(double_compile_time_equals_run_time) { check_type<double>(); }
BOOST_AUTO_TEST_CASE(long_double_compile_time_equals_run_time) { check_type<long double>(); }
