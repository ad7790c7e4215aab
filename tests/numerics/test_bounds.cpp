// SPDX-License-Identifier: MIT
// Accuracy bounds of cxattn::portable::exp, tanh, log and sqrt on a fast subset:
// 10^5 random arguments per type and function plus every special and threshold value.
// References: exp, tanh and log of float and double are long double expl, tanhl and logl rounded to the type
// (within 0.5 + 2^-10 ULP, so a result within 0.5 + e ULP is within 1 ULP of it); of long double,
// MPFR, correctly rounded with subnormals; sqrt is std::sqrt, correctly rounded by IEEE 754.
// The full sweep (every float, 10^7 double and long double) is the accuracy program, accuracy/.
#define BOOST_TEST_MODULE numerics_bounds
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <cxattn/math.hpp>

#include <mpfr.h>

#include <cstdio>
#include <string>

#include "numerics_common.hpp"

namespace {

using numerics::int128;

// Correctly rounded f(x) in long double's format, subnormals included (MPFR's recipe: work in the
// target's exponent range at the target's precision, then subnormalize).
using mpfr_function = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
long double mpfr_ld(mpfr_function f, long double x) {
    static_assert(std::numeric_limits<long double>::digits == 64, "x87 long double expected");
    const mpfr_exp_t old_emin = mpfr_get_emin(), old_emax = mpfr_get_emax();
    mpfr_set_emin(std::numeric_limits<long double>::min_exponent - std::numeric_limits<long double>::digits + 1);
    mpfr_set_emax(std::numeric_limits<long double>::max_exponent);
    mpfr_t m;
    mpfr_init2(m, 64);
    mpfr_set_ld(m, x, MPFR_RNDN);
    const int inexact = f(m, m, MPFR_RNDN);
    mpfr_subnormalize(m, inexact, MPFR_RNDN);
    const long double y = mpfr_get_ld(m, MPFR_RNDN);
    mpfr_clear(m);
    mpfr_set_emin(old_emin);
    mpfr_set_emax(old_emax);
    return y;
}

template <class T> T reference_exp(T x) {
    if constexpr (std::is_same_v<T, long double>) {
        return mpfr_ld(&mpfr_exp, x);
    } else {
        return static_cast<T>(std::exp(static_cast<long double>(x)));
    }
}

template <class T> T reference_tanh(T x) {
    if constexpr (std::is_same_v<T, long double>) {
        return mpfr_ld(&mpfr_tanh, x);
    } else {
        return static_cast<T>(std::tanh(static_cast<long double>(x)));
    }
}

template <class T> T reference_log(T x) {
    if constexpr (std::is_same_v<T, long double>) {
        return mpfr_ld(&mpfr_log, x);
    } else {
        return static_cast<T>(std::log(static_cast<long double>(x)));
    }
}

template <class T> std::string show(T x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%La", static_cast<long double>(x));
    return buffer;
}

template <class T> const char* type_name() {
    return std::is_same_v<T, float> ? "float" : std::is_same_v<T, double> ? "double" : "long double";
}

struct worst {
    int128 ulps = 0;
    std::string argument = "none";
};

template <class T, class F, class R> worst max_distance(const std::vector<T>& xs, F f, R reference) {
    worst w;
    for (T x : xs) {
        const int128 d = numerics::ulp_distance(f(x), reference(x));
        if (d > w.ulps) {
            w.ulps = d;
            w.argument = show(x);
        }
    }
    return w;
}

template <class T> std::vector<T> exp_arguments() {
    const T over = numerics::exp_overflow_threshold<T>();
    const T under = numerics::exp_underflow_threshold<T>();
    std::vector<T> xs = numerics::random_arguments<T>(50'000, under - 1, over + 1, over, true, 3);
    for (T x : numerics::exp_special_arguments<T>(over, under)) xs.push_back(x);
    return xs;
}

template <class T> std::vector<T> sqrt_arguments() {
    using lim = std::numeric_limits<T>;
    std::vector<T> xs = numerics::random_arguments<T>(50'000, 0, lim::max(), lim::max(), false, 5);
    for (T x : numerics::sqrt_special_arguments<T>()) xs.push_back(x);
    return xs;
}

template <class T> void check_exp(int128 bound) {
    const std::vector<T> xs = exp_arguments<T>();
    BOOST_TEST(xs.size() >= 100'000u);
    const worst w = max_distance(
        xs, [](T x) { return cxattn::portable::exp(x); }, [](T x) { return reference_exp(x); });
    BOOST_TEST_MESSAGE("exp<" << type_name<T>() << ">: max " << static_cast<long long>(w.ulps) << " ULP at "
                              << w.argument << " over " << xs.size() << " arguments");
    BOOST_TEST(static_cast<long long>(w.ulps) <= static_cast<long long>(bound), "at " << w.argument);
}

// tanh: uniform over [-25, 25] (beyond the arguments whose tanh rounds to +-1) and log-uniform
// magnitudes from the smallest subnormal, plus the special values, the ends of each method (1/16 and
// the threshold of 1) and the worst double argument known (0.548 ULP).
template <class T> void check_tanh(int128 bound) {
    using lim = std::numeric_limits<T>;
    std::vector<T> xs = numerics::random_arguments<T>(50'000, T(-25), T(25), T(25), true, 7);
    for (T x : {T(0), -T(0), lim::infinity(), -lim::infinity(), lim::quiet_NaN(), lim::max(), -lim::max(), lim::min(),
                lim::denorm_min(), -lim::denorm_min(), lim::epsilon(), T(1), T(-1)})
        xs.push_back(x);
    const T one_from = T(lim::digits + 2) * std::log(T(2)) / 2;
    for (T t : {T(0.0625), -T(0.0625), one_from, -one_from, T(0x1.3c04307f2dc47p-4)}) { // the last: 0.548 ULP
        T below = t, above = t;
        xs.push_back(t);
        for (int i = 0; i < 4; ++i) {
            xs.push_back(below = std::nextafter(below, -lim::infinity()));
            xs.push_back(above = std::nextafter(above, lim::infinity()));
        }
    }
    const worst w = max_distance(
        xs, [](T x) { return cxattn::portable::tanh(x); }, [](T x) { return reference_tanh(x); });
    BOOST_TEST_MESSAGE("tanh<" << type_name<T>() << ">: max " << static_cast<long long>(w.ulps) << " ULP at "
                               << w.argument << " over " << xs.size() << " arguments");
    BOOST_TEST(static_cast<long long>(w.ulps) <= static_cast<long long>(bound), "at " << w.argument);
}

// log: uniform over [0, 4] (both sides of 1, where log-sum-exp takes it) and log-uniform magnitudes
// over every binade from the smallest subnormal, plus the special values, 1 and its neighbours, and the
// ends of the reduction (sqrt(1/2), sqrt 2) in three binades.
template <class T> void check_log(int128 bound) {
    using lim = std::numeric_limits<T>;
    std::vector<T> xs = numerics::random_arguments<T>(50'000, T(0), T(4), lim::max(), false, 11);
    for (T x : {T(0), -T(0), lim::infinity(), -lim::infinity(), lim::quiet_NaN(), -T(1), -lim::denorm_min(), lim::max(),
                lim::min(), lim::denorm_min(), lim::epsilon(), T(2), T(0.5)})
        xs.push_back(x);
    const T root2 = std::sqrt(T(2));
    for (T t : {T(1), root2, root2 / 2, root2 * 2, lim::min() * root2}) {
        T below = t, above = t;
        xs.push_back(t);
        for (int i = 0; i < 4; ++i) {
            xs.push_back(below = std::nextafter(below, T(0)));
            xs.push_back(above = std::nextafter(above, lim::infinity()));
        }
    }
    const worst w = max_distance(
        xs, [](T x) { return cxattn::portable::log(x); }, [](T x) { return reference_log(x); });
    BOOST_TEST_MESSAGE("log<" << type_name<T>() << ">: max " << static_cast<long long>(w.ulps) << " ULP at "
                              << w.argument << " over " << xs.size() << " arguments");
    BOOST_TEST(static_cast<long long>(w.ulps) <= static_cast<long long>(bound), "at " << w.argument);
}

template <class T> void check_sqrt() {
    const std::vector<T> xs = sqrt_arguments<T>();
    BOOST_TEST(xs.size() >= 100'000u);
    std::size_t differ = 0;
    std::string first = "none";
    for (T x : xs) {
        if (!numerics::same(cxattn::portable::sqrt(x), std::sqrt(x))) {
            if (differ++ == 0) first = show(x);
        }
    }
    BOOST_TEST_MESSAGE("sqrt<" << type_name<T>() << ">: " << differ << " of " << xs.size() << " differ from std::sqrt");
    BOOST_TEST(differ == 0u, "first at " << first);
}

} // namespace

BOOST_AUTO_TEST_CASE(ulp_distance_counts_representations) {
    BOOST_TEST(static_cast<long long>(numerics::ulp_distance(1.0f, std::nextafter(1.0f, 2.0f))) == 1);
    BOOST_TEST(static_cast<long long>(numerics::ulp_distance(0.0, -0.0)) == 0);
    BOOST_TEST(static_cast<long long>(numerics::ulp_distance(std::numeric_limits<double>::denorm_min(),
                                                             -std::numeric_limits<double>::denorm_min())) == 2);
    // Across the subnormal boundary and into infinity, for the x87 layout.
    const long double min = std::numeric_limits<long double>::min();
    BOOST_TEST(static_cast<long long>(numerics::ulp_distance(min, std::nextafter(min, 0.0L))) == 1);
    const long double max = std::numeric_limits<long double>::max();
    BOOST_TEST(static_cast<long long>(numerics::ulp_distance(max, std::numeric_limits<long double>::infinity())) == 1);
    BOOST_TEST(static_cast<long long>(numerics::ulp_distance(1.0L, 2.0L)) == (1LL << 63));
}

BOOST_AUTO_TEST_CASE(exp_float_within_1_ulp) { check_exp<float>(1); }
BOOST_AUTO_TEST_CASE(exp_double_within_1_ulp) { check_exp<double>(1); }
BOOST_AUTO_TEST_CASE(exp_long_double_within_2_ulp) { check_exp<long double>(2); }

BOOST_AUTO_TEST_CASE(tanh_float_within_1_ulp) { check_tanh<float>(1); }
BOOST_AUTO_TEST_CASE(tanh_double_within_1_ulp) { check_tanh<double>(1); }
BOOST_AUTO_TEST_CASE(tanh_long_double_within_1_ulp) { check_tanh<long double>(1); }

BOOST_AUTO_TEST_CASE(tanh_special_values) {
    using lim = std::numeric_limits<double>;
    namespace p = cxattn::portable;
    BOOST_TEST(std::isnan(p::tanh(lim::quiet_NaN())));
    BOOST_TEST(p::tanh(lim::infinity()) == 1.0);
    BOOST_TEST(p::tanh(-lim::infinity()) == -1.0);
    BOOST_TEST((p::tanh(-0.0) == 0.0 && std::signbit(p::tanh(-0.0))));
    BOOST_TEST((p::tanh(0.0) == 0.0 && !std::signbit(p::tanh(0.0))));
    BOOST_TEST(p::tanh(lim::denorm_min()) == lim::denorm_min());
    BOOST_TEST(p::tanh(-lim::max()) == -1.0);
}

BOOST_AUTO_TEST_CASE(log_float_within_1_ulp) { check_log<float>(1); }
BOOST_AUTO_TEST_CASE(log_double_within_1_ulp) { check_log<double>(1); }
BOOST_AUTO_TEST_CASE(log_long_double_within_1_ulp) { check_log<long double>(1); }

BOOST_AUTO_TEST_CASE(log_special_values) {
    using lim = std::numeric_limits<double>;
    namespace p = cxattn::portable;
    BOOST_TEST(std::isnan(p::log(lim::quiet_NaN())));
    BOOST_TEST(std::isnan(p::log(-1.0)));
    BOOST_TEST(std::isnan(p::log(-lim::denorm_min())));
    BOOST_TEST(std::isnan(p::log(-lim::infinity())));
    BOOST_TEST(p::log(lim::infinity()) == lim::infinity());
    BOOST_TEST(p::log(0.0) == -lim::infinity());
    BOOST_TEST(p::log(-0.0) == -lim::infinity());
    BOOST_TEST((p::log(1.0) == 0.0 && !std::signbit(p::log(1.0))));
    BOOST_TEST(p::log(lim::denorm_min()) == -0x1.74385446d71c3p+9); // -1074 ln2, correctly rounded
    BOOST_TEST(p::log(lim::max()) == 0x1.62e42fefa39efp+9);
}

BOOST_AUTO_TEST_CASE(sqrt_float_correctly_rounded) { check_sqrt<float>(); }
BOOST_AUTO_TEST_CASE(sqrt_double_correctly_rounded) { check_sqrt<double>(); }
BOOST_AUTO_TEST_CASE(sqrt_long_double_correctly_rounded) { check_sqrt<long double>(); }

BOOST_AUTO_TEST_CASE(exp_special_values) {
    using lim = std::numeric_limits<double>;
    namespace p = cxattn::portable;
    BOOST_TEST(std::isnan(p::exp(lim::quiet_NaN())));
    BOOST_TEST(p::exp(lim::infinity()) == lim::infinity());
    BOOST_TEST((p::exp(-lim::infinity()) == 0.0 && !std::signbit(p::exp(-lim::infinity()))));
    BOOST_TEST(p::exp(-0.0) == 1.0);
    BOOST_TEST(p::exp(lim::max()) == lim::infinity());
    BOOST_TEST((p::exp(-lim::max()) == 0.0 && !std::signbit(p::exp(-lim::max()))));
    BOOST_TEST(p::exp(-745.1) == lim::denorm_min());
    // The overflow threshold and its successor (scripts/gen_exp_table.py).
    BOOST_TEST(std::isfinite(p::exp(0x1.62e42fefa39efp+9)));
    BOOST_TEST(p::exp(std::nextafter(0x1.62e42fefa39efp+9, 1e3)) == lim::infinity());
}

BOOST_AUTO_TEST_CASE(sqrt_special_values) {
    using lim = std::numeric_limits<long double>;
    namespace p = cxattn::portable;
    BOOST_TEST(std::isnan(p::sqrt(lim::quiet_NaN())));
    BOOST_TEST(std::isnan(p::sqrt(-1.0L)));
    BOOST_TEST(std::isnan(p::sqrt(-lim::infinity())));
    BOOST_TEST(std::isnan(p::sqrt(-lim::denorm_min())));
    BOOST_TEST(p::sqrt(lim::infinity()) == lim::infinity());
    BOOST_TEST((p::sqrt(-0.0L) == 0 && std::signbit(p::sqrt(-0.0L))));
    BOOST_TEST((p::sqrt(0.0L) == 0 && !std::signbit(p::sqrt(0.0L))));
}
