// SPDX-License-Identifier: MIT
// Accuracy of cxattn::kernels::exp, the vectorisable exp of the run-time kernels, and of
// cxattn::kernels::scalar::exp, the scalar kernels' exp (for float by a table): at most 2 ULP from
// e^x for float and double, measured against long double expl (64-bit significand: its own error,
// below 1 ULP of long double, is 2^-40 float ULP and 2^-11 double ULP, negligible here) on 10^5
// random arguments per type over the whole finite range, 10^5 more in the softmax range [-30, 0],
// and the special and threshold arguments. The ULP distance is the distance between the ordered bit
// patterns, so subnormal results are measured in subnormal ULPs. The arguments are evaluated in
// a loop the compiler vectorises, as in the kernels (this file is built with and without
// -march=native). The scalar kernels' float exp is also swept over every 61st float of its finite
// nonzero range (every float with the environment variable CXATTN_EXP_SWEEP_STRIDE=1).
#define BOOST_TEST_MODULE kernels_exp
#include <boost/test/unit_test.hpp>

#include <cxattn/kernels.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <vector>

namespace {

// Position of x among the values of T: neighbours differ by 1, -0 and +0 share 0.
template <class T> std::int64_t position(T x) {
    if constexpr (sizeof(T) == 4) {
        const auto bits = std::bit_cast<std::uint32_t>(x);
        const std::int64_t magnitude = bits & 0x7fff'ffffU;
        return bits >> 31 ? -magnitude : magnitude;
    } else {
        const auto bits = std::bit_cast<std::uint64_t>(x);
        const std::int64_t magnitude = static_cast<std::int64_t>(bits & 0x7fff'ffff'ffff'ffffU);
        return bits >> 63 ? -magnitude : magnitude;
    }
}

// Whether the floating-point unit flushes subnormal results to zero: -ffast-math and -Ofast link
// code that sets it at start-up (x86's FTZ and DAZ), a documented exception (docs/semantics.md).
template <class T> bool flushes_subnormals() {
    volatile T smallest_normal = std::numeric_limits<T>::min();
    return smallest_normal / T(2) == T(0);
}

// The ULP distance of got from the exact e^x (given in long double): the exact value lies between
// two neighbours of T, and the distance counts from the nearer, plus the fraction of the gap.
template <class T> double ulp_error(T got, long double exact) {
    // Flushed to zero, or rounded up to the smallest normal (a constant-folded call is not flushed).
    if (flushes_subnormals<T>() && exact < static_cast<long double>(std::numeric_limits<T>::min()) &&
        (got == T(0) || got == std::numeric_limits<T>::min()))
        return 0.0;
    if (std::isinf(exact) || exact > static_cast<long double>(std::numeric_limits<T>::max()))
        return std::isinf(got) ? 0.0 : 1e30;
    const T below =
        static_cast<T>(exact) <= exact ? static_cast<T>(exact) : std::nextafter(static_cast<T>(exact), T(0));
    const T above = std::nextafter(below, std::numeric_limits<T>::infinity());
    const long double gap = static_cast<long double>(above) - static_cast<long double>(below);
    const long double fraction = gap > 0 ? (exact - static_cast<long double>(below)) / gap : 0;
    const std::int64_t steps = position(got) - position(below);
    return static_cast<double>(static_cast<long double>(steps) - fraction);
}

template <class T> void apply_kernel_exp(std::vector<T>& xs) {
    // The loop of the kernels (a vectorised loop over contiguous values), and the single call.
    std::vector<T> one_by_one = xs;
    cxattn::kernels::exp_of_differences(xs.data(), xs.size(), T(0));
    for (T& x : one_by_one) x = cxattn::kernels::exp(x);
    // Bit for bit, but any NaN equals any NaN: sign and payload of a NaN are unspecified (at -O0
    // Clang 14 gives the loop's and the single call's NaN different signs).
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (!(std::isnan(xs[i]) && std::isnan(one_by_one[i])) &&
            std::bit_cast<std::uint64_t>(static_cast<double>(xs[i])) !=
                std::bit_cast<std::uint64_t>(static_cast<double>(one_by_one[i])))
            BOOST_ERROR("exp_of_differences and exp differ at x = " << std::hexfloat << one_by_one[i]);
}

// The scalar kernels' exp, one value at a time.
template <class T> void apply_scalar_exp(std::vector<T>& xs) {
    for (T& x : xs) x = cxattn::kernels::scalar::exp(x);
}

template <class T> using apply_exp = void (*)(std::vector<T>&);

template <class T> double worst_ulp(const std::vector<T>& args, apply_exp<T> apply) {
    std::vector<T> results = args;
    apply(results);
    double worst = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const double e = std::fabs(ulp_error(results[i], std::exp(static_cast<long double>(args[i]))));
        if (e > worst) {
            worst = e;
            if (e > 2)
                BOOST_TEST_MESSAGE("x = " << std::hexfloat << args[i] << ": " << std::defaultfloat << e << " ULP");
        }
    }
    return worst;
}

template <class T> std::vector<T> random_arguments(std::size_t count, T lo, T hi, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<T> u(lo, hi);
    std::vector<T> xs(count);
    for (T& x : xs) x = u(rng);
    return xs;
}

template <class T> void check_type(T underflow, T overflow, std::uint64_t seed, apply_exp<T> apply) {
    // The whole range where the result is finite and nonzero, subnormal results included.
    const double whole = worst_ulp(random_arguments<T>(100000, underflow, overflow, seed), apply);
    // The softmax range: exp(x - max) with x - max in [-30, 0].
    const double softmax = worst_ulp(random_arguments<T>(100000, T(-30), T(0), seed + 1), apply);
    // Near zero, where r is tiny and the result near 1.
    const double small = worst_ulp(random_arguments<T>(100000, T(-1e-3), T(1e-3), seed + 2), apply);
    BOOST_TEST_MESSAGE((apply == &apply_scalar_exp<T> ? "scalar::exp, " : "exp, ")
                       << (sizeof(T) == 4 ? "float" : "double") << ": worst " << whole << " ULP (whole range), "
                       << softmax << " (softmax range), " << small << " (near 0)");
    BOOST_TEST(whole <= 2.0);
    BOOST_TEST(softmax <= 2.0);
    BOOST_TEST(small <= 2.0);

    // Thresholds and their neighbours: the last finite result, the first infinite, the last nonzero,
    // the first zero, and the subnormal boundary.
    std::vector<T> edges;
    for (T t : {overflow, underflow, std::log(std::numeric_limits<T>::min()), T(0.5) * std::log(T(2)),
                -T(0.5) * std::log(T(2))}) {
        T below = t, above = t;
        edges.push_back(t);
        for (int i = 0; i < 8; ++i) {
            below = std::nextafter(below, -std::numeric_limits<T>::infinity());
            above = std::nextafter(above, std::numeric_limits<T>::infinity());
            edges.push_back(below);
            edges.push_back(above);
        }
    }
    BOOST_TEST(worst_ulp(edges, apply) <= 2.0);
}

} // namespace

constexpr float float_underflow = -0x1.9fe368p+6f, float_overflow = 0x1.62e42ep+6f;
constexpr double double_underflow = -0x1.74910d52d3051p+9, double_overflow = 0x1.62e42fefa39efp+9;

BOOST_AUTO_TEST_CASE(float_within_2_ulp) { check_type<float>(float_underflow, float_overflow, 1, &apply_kernel_exp); }

BOOST_AUTO_TEST_CASE(double_within_2_ulp) {
    check_type<double>(double_underflow, double_overflow, 2, &apply_kernel_exp);
}

BOOST_AUTO_TEST_CASE(scalar_within_2_ulp) {
    check_type<float>(float_underflow, float_overflow, 3, &apply_scalar_exp);
    check_type<double>(double_underflow, double_overflow, 4, &apply_scalar_exp);
}

// The scalar kernels' float exp on every stride-th float from the underflow threshold to the
// overflow threshold (a prime stride meets every table entry and every exponent): within 2 ULP.
BOOST_AUTO_TEST_CASE(scalar_float_sweep) {
    const char* setting = std::getenv("CXATTN_EXP_SWEEP_STRIDE");
    const std::int64_t stride = setting != nullptr && std::atoll(setting) > 0 ? std::atoll(setting) : 61;
    double worst = 0;
    float worst_x = 0;
    std::int64_t count = 0;
    for (std::int64_t p = position(float_underflow); p <= position(float_overflow); p += stride, ++count) {
        const auto magnitude = static_cast<std::uint32_t>(p < 0 ? -p : p);
        const float x = std::bit_cast<float>(p < 0 ? magnitude | 0x8000'0000U : magnitude);
        const double e = std::fabs(ulp_error(cxattn::kernels::scalar::exp(x), std::exp(static_cast<long double>(x))));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    BOOST_TEST_MESSAGE("scalar::exp, float: worst " << worst << " ULP at x = " << std::hexfloat << worst_x
                                                    << std::defaultfloat << " (" << count << " floats, stride "
                                                    << stride << ")");
    BOOST_TEST(worst <= 2.0);
}

template <class T> void check_specials(apply_exp<T> apply) {
    using lim = std::numeric_limits<T>;
    std::vector<T> xs = {
        T(0),       -T(0),       lim::infinity(),   -lim::infinity(),   lim::quiet_NaN(), -lim::quiet_NaN(),
        lim::max(), -lim::max(), lim::denorm_min(), -lim::denorm_min(), T(1000),          T(-1000)};
    std::vector<T> r = xs;
    apply(r);
    BOOST_TEST(r[0] == T(1));                          // exp(+0) = 1
    BOOST_TEST(r[1] == T(1));                          // exp(-0) = 1
    BOOST_TEST(r[2] == lim::infinity());               // exp(+inf) = +inf
    BOOST_TEST((r[3] == T(0) && !std::signbit(r[3]))); // exp(-inf) = +0
    BOOST_TEST(std::isnan(r[4]));                      // NaN propagates
    BOOST_TEST(std::isnan(r[5]));
    BOOST_TEST(r[6] == lim::infinity());               // overflow
    BOOST_TEST((r[7] == T(0) && !std::signbit(r[7]))); // underflow to +0
    BOOST_TEST(r[8] == T(1));                          // exp of the tiniest is 1 rounded
    BOOST_TEST(r[9] == T(1));
    BOOST_TEST(r[10] == lim::infinity());
    BOOST_TEST(r[11] == T(0));
    // Every subnormal result is exact to 1 subnormal ULP at least: the smallest nonzero result.
    T x = std::log(lim::denorm_min());
    std::vector<T> smallest = {x};
    apply(smallest);
    BOOST_TEST(std::fabs(ulp_error(smallest[0], std::exp(static_cast<long double>(x)))) <= 2.0);
}

BOOST_AUTO_TEST_CASE(special_values) {
    check_specials<float>(&apply_kernel_exp);
    check_specials<double>(&apply_kernel_exp);
    check_specials<float>(&apply_scalar_exp);
    check_specials<double>(&apply_scalar_exp);
}
