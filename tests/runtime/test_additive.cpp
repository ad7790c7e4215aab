// SPDX-License-Identifier: MIT
// additive_attention at run time: every fixture of fixtures/additive.hpp (scripts/gen_additive_fixtures.py),
// in float and double, against the numpy reference by semantics.hpp's rule, and against the same call's
// compile-time result; NaN and inf in masked keys and values leave the same bits; fully masked rows
// are exactly zero. The run time computes the same constexpr code as constant evaluation, with libm's
// tanh and exp when CXATTN_RUNTIME_LIBM is 1 (the default); so run time and compile time are the
// same bits with CXATTN_RUNTIME_LIBM=0 on a target without FMA (nothing to contract), and otherwise
// each lies within the fixture's tolerance of the reference, hence within twice it of the other.
#define BOOST_TEST_MODULE additive_attention
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "additive_semantics.hpp"
#include "fixtures/additive.hpp"
#include "test_data.hpp"

namespace {

#if defined(__FMA__) || defined(__FP_FAST_FMA) || defined(__FP_FAST_FMAF) || defined(__ARM_FEATURE_FMA)
constexpr bool may_contract = true;
#else
constexpr bool may_contract = false;
#endif
constexpr bool same_bits_expected = CXATTN_RUNTIME_LIBM == 0 && !may_contract;

template <class T> constexpr const char* type_name = sizeof(T) == sizeof(float) ? "float" : "double";

// A run-time copy, so that the call it feeds is not a constant expression.
template <class M> M at_run_time(const M& m) {
    M copy = m;
    return copy;
}

// Identical values: the same bits, or both NaN.
template <class T> bool identical(T a, T b) {
    return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

struct worst_seen {
    double reference = 0;    // largest |run time - reference| / the fixture's tolerance
    double compile_time = 0; // largest |run time - compile time| / the fixture's tolerance
};

// Run time against compile time, element by element: the same bits where same_bits_expected, else
// within twice the fixture's tolerance (each is within it of the reference), the tolerance being
// semantics::compare's: 2 eps bound + eps |want| + 2 min_normal.
template <class T, std::size_t R, std::size_t C, std::size_t N>
void against_compile_time(const cxattn::matrix<T, R, C>& run, const cxattn::matrix<T, R, C>& fixed,
                          const double (&want)[N], const double (&bound)[N], const char* fixture, const char* what,
                          double& worst) {
    constexpr double eps = std::numeric_limits<T>::epsilon();
    for (std::size_t i = 0; i < N; ++i) {
        const T a = run.values[i], b = fixed.values[i];
        if (same_bits_expected || std::isnan(b) || std::isinf(b) || b == T(0)) {
            BOOST_TEST(identical(a, b), fixture << " (" << type_name<T> << ") " << what << "[" << i << "]: run time "
                                                << a << ", compile time " << b);
            continue;
        }
        const double tolerance = 2 * eps * bound[i] + eps * std::fabs(want[i]) + 2 * std::numeric_limits<T>::min();
        const double ratio = std::fabs(static_cast<double>(a) - static_cast<double>(b)) / tolerance;
        worst = std::max(worst, ratio);
        BOOST_TEST(ratio <= 2, fixture << " (" << type_name<T> << ") " << what << "[" << i << "]: run time " << a
                                       << ", compile time " << b);
    }
}

template <class T, class F> void check_fixture(worst_seen& worst) {
    static constexpr auto fixed = additive_semantics::run<T, F>();
    const auto in = at_run_time(additive_semantics::inputs_of<T, F>());
    const auto run = F::call(additive_semantics::additive{}, in);
    const semantics::agreement a = additive_semantics::agreement_of<T, F>(run);
    BOOST_TEST(a.ok, F::name << " (" << type_name<T> << "): " << a.where << "[" << a.index << "] is " << a.got
                             << ", the reference " << a.want);
    worst.reference = std::max(worst.reference, a.worst);
    against_compile_time(run.weights, fixed.weights, F::weights, F::weights_bound, F::name, "weights",
                         worst.compile_time);
    against_compile_time(run.output, fixed.output, F::output, F::output_bound, F::name, "output", worst.compile_time);
}

template <class T, template <class...> class List, class... F> void check_all(List<F...>) {
    worst_seen worst;
    (check_fixture<T, F>(worst), ...);
    if (same_bits_expected)
        BOOST_TEST_MESSAGE("additive fixtures, " << type_name<T> << ": worst error against the reference "
                                                 << worst.reference
                                                 << " of the tolerance; run time and compile time the same bits");
    else
        BOOST_TEST_MESSAGE("additive fixtures, " << type_name<T> << ": worst error against the reference "
                                                 << worst.reference << " of the tolerance; run time against compile "
                                                 << "time " << worst.compile_time << " of the tolerance");
}

template <class T> struct operands {
    static constexpr std::size_t L = 4, S = 6, Dq = 3, Dk = 5, A = 7, Dv = 4;
    static constexpr auto q = test_data::uniform<T, L, Dq>(701, T(-2), T(2));
    static constexpr auto k = test_data::uniform<T, S, Dk>(702, T(-2), T(2));
    static constexpr auto v = test_data::uniform<T, S, Dv>(703);
    static constexpr cxattn::additive_params<T, Dq, Dk, A> params{
        test_data::uniform<T, A, Dq>(704), test_data::uniform<T, A, Dk>(705), test_data::uniform<T, 1, A>(706)};
    // Key 2 masked for every query, row 1 fully masked.
    static constexpr cxattn::matrix<bool, L, S> keep{true,  true,  false, true,  true,  true,  false, false,
                                                     false, false, false, false, true,  false, false, true,
                                                     false, true,  true,  true,  false, false, true,  true};
};

template <class T, std::size_t L, std::size_t S, std::size_t Dv>
bool same_result(const cxattn::attention_result<T, L, S, Dv>& a, const cxattn::attention_result<T, L, S, Dv>& b) {
    for (std::size_t i = 0; i < L * S; ++i)
        if (!identical(a.weights.values[i], b.weights.values[i])) return false;
    for (std::size_t i = 0; i < L * Dv; ++i)
        if (!identical(a.output.values[i], b.output.values[i])) return false;
    return true;
}

// NaN and inf in keys and values that no query attends: the same bits as finite numbers there, at
// run time; at compile time too (the poisoned call takes ieee_arithmetic there).
template <class T> void masked_poison_has_no_effect() {
    using o = operands<T>;
    constexpr T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
    auto k = at_run_time(o::k);
    auto v = at_run_time(o::v);
    const auto clean = cxattn::additive_attention(at_run_time(o::q), k, v, o::params, o::keep);
    k.values[2 * o::Dk + 1] = nan; // key 2: masked everywhere by keep
    v.values[2 * o::Dv + 3] = inf;
    const auto poisoned = cxattn::additive_attention(at_run_time(o::q), k, v, o::params, o::keep);
    BOOST_TEST(same_result(clean, poisoned), type_name<T> << ": NaN and inf in a masked key and value");

    // key_length(4): keys 4 and 5 are masked and never read.
    auto k2 = at_run_time(o::k);
    auto v2 = at_run_time(o::v);
    const auto clean_tail = cxattn::additive_attention(at_run_time(o::q), k2, v2, o::params, cxattn::key_length(4));
    k2.values[4 * o::Dk] = nan;
    v2.values[5 * o::Dv + 1] = nan;
    const auto poisoned_tail = cxattn::additive_attention(at_run_time(o::q), k2, v2, o::params, cxattn::key_length(4));
    BOOST_TEST(same_result(clean_tail, poisoned_tail), type_name<T> << ": NaN beyond key_length");

    static constexpr auto fixed_clean = cxattn::additive_attention(o::q, o::k, o::v, o::params, o::keep);
    static constexpr auto fixed_poisoned = [] {
        auto kp = o::k;
        auto vp = o::v;
        kp.values[2 * o::Dk + 1] = std::numeric_limits<T>::quiet_NaN();
        vp.values[2 * o::Dv + 3] = std::numeric_limits<T>::infinity();
        return cxattn::additive_attention(o::q, kp, vp, o::params, o::keep);
    }();
    BOOST_TEST(same_result(fixed_clean, fixed_poisoned), type_name<T> << ": the same at compile time");
}

// A fully masked row: weights 0 and output 0, at run time and at compile time.
template <class T, std::size_t L, std::size_t S, std::size_t Dv>
constexpr bool row_is_zero(const cxattn::attention_result<T, L, S, Dv>& r, std::size_t row) {
    for (std::size_t j = 0; j < S; ++j)
        if (!(r.weights.values[row * S + j] == T(0))) return false;
    for (std::size_t d = 0; d < Dv; ++d)
        if (!(r.output.values[row * Dv + d] == T(0))) return false;
    return true;
}

template <class T> void fully_masked_rows_are_zero() {
    using o = operands<T>;
    const auto by_mask = cxattn::additive_attention(at_run_time(o::q), o::k, o::v, o::params, o::keep);
    BOOST_TEST(row_is_zero(by_mask, 1), type_name<T> << ": row 1 of the bool mask");
    const auto none = cxattn::additive_attention(at_run_time(o::q), o::k, o::v, o::params, cxattn::key_length(0));
    for (std::size_t i = 0; i < o::L; ++i)
        BOOST_TEST(row_is_zero(none, i), type_name<T> << ": key_length(0), row " << i);
    static constexpr auto fixed = cxattn::additive_attention(o::q, o::k, o::v, o::params, o::keep);
    static constexpr auto fixed_none = cxattn::additive_attention(o::q, o::k, o::v, o::params, cxattn::key_length(0));
    static_assert(row_is_zero(fixed, 1));
    static_assert(row_is_zero(fixed_none, 0) && row_is_zero(fixed_none, 1) && row_is_zero(fixed_none, 2) &&
                  row_is_zero(fixed_none, 3));
}

} // namespace

BOOST_AUTO_TEST_CASE(fixtures_float) { check_all<float>(fixtures::additive::all{}); }
BOOST_AUTO_TEST_CASE(fixtures_double) { check_all<double>(fixtures::additive::all{}); }

BOOST_AUTO_TEST_CASE(masked_poison) {
    masked_poison_has_no_effect<float>();
    masked_poison_has_no_effect<double>();
}

BOOST_AUTO_TEST_CASE(fully_masked_rows) {
    fully_masked_rows_are_zero<float>();
    fully_masked_rows_are_zero<double>();
}
