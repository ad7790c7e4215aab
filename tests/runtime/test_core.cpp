// SPDX-License-Identifier: MIT
// Run-time behaviour of matrix, ops, softmax and attention, each compared with its compile-time
// result and with the independent long double reference of tests/reference.hpp.
#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include <cxattn/cxattn.hpp>

#include "reference.hpp"
#include "test_data.hpp"

using cxattn::matrix;

namespace {

// |got - want| / |want|, with an absolute floor for results that are near zero by cancellation:
// the scale of the output is that of the values, 1 here.
long double relative_error(long double got, long double want) {
    return std::fabs(got - want) / std::fmax(std::fabs(want), 1.0L);
}

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void check_against_reference(std::uint64_t seed, long double tolerance) {
    const auto q = test_data::uniform<T, L, Dk>(seed);
    const auto k = test_data::uniform<T, S, Dk>(seed + 1);
    const auto v = test_data::uniform<T, S, Dv>(seed + 2);
    const auto [out, w] = cxattn::scaled_dot_product_attention(q, k, v);
    static reference::attention_result<L, S, Dv> ref;
    reference::attention(q, k, v, ref);
    long double worst = 0;
    for (std::size_t i = 0; i < L; ++i) {
        for (std::size_t j = 0; j < S; ++j) worst = std::fmax(worst, relative_error(w(i, j), ref.weights[i][j]));
        for (std::size_t d = 0; d < Dv; ++d) worst = std::fmax(worst, relative_error(out(i, d), ref.output[i][d]));
    }
    BOOST_TEST(worst <= tolerance, "worst relative error " << worst);
}

} // namespace

// The library's run-time paths hinge on this being false at run time: Clang 14 with libstdc++ 12
// in C++23 mode gets std::is_constant_evaluated() wrong (true), so cxattn uses the builtin.
template <class T> constexpr bool evaluated_at_compile_time(T) noexcept {
    return cxattn::detail::is_constant_evaluated();
}
static_assert(evaluated_at_compile_time(1.0));

BOOST_AUTO_TEST_CASE(run_time_is_not_constant_evaluation) {
    volatile double opaque = 1.0;
    BOOST_TEST(!evaluated_at_compile_time(static_cast<double>(opaque)));
}

BOOST_AUTO_TEST_CASE(matrix_access_at_run_time) {
    matrix<float, 2, 3> m{};
    m(1, 2) = 5;
    m(0, 1) += 2;
    BOOST_TEST((m == matrix<float, 2, 3>{0, 2, 0, 0, 0, 5}));
    BOOST_TEST(m.data()[5] == 5.0f);
    matrix<bool, 2, 2> mask{};
    mask(0, 1) = true;
    BOOST_TEST((mask == matrix<bool, 2, 2>{false, true, false, false}));
}

BOOST_AUTO_TEST_CASE(ops_agree_with_compile_time) {
    constexpr auto a = test_data::uniform<double, 5, 7>(1);
    constexpr auto b = test_data::uniform<double, 7, 3>(2);
    constexpr auto fixed = cxattn::matmul(a, b);
    auto ra = a; // run-time copies
    const auto run = cxattn::matmul(ra, b);
    BOOST_TEST((run == fixed)); // same kernel, same order of additions: the same bits
    BOOST_TEST((cxattn::transpose(ra) == cxattn::transpose(a)));
    BOOST_TEST((ra * 3.0 - ra == ra + ra));
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            long double sum = 0;
            for (std::size_t k = 0; k < 7; ++k) sum += static_cast<long double>(a(i, k)) * b(k, j);
            BOOST_TEST(static_cast<double>(run(i, j)) == static_cast<double>(sum), boost::test_tools::tolerance(1e-14));
        }
}

BOOST_AUTO_TEST_CASE(softmax_rows_are_distributions) {
    constexpr auto m = test_data::uniform<double, 4, 9>(3, -20.0, 20.0);
    constexpr auto fixed = cxattn::softmax(m);
    auto rm = m;
    const auto run = cxattn::softmax(rm);
    for (std::size_t i = 0; i < 4; ++i) {
        double sum = 0;
        for (std::size_t j = 0; j < 9; ++j) {
            sum += run(i, j);
            BOOST_TEST(run(i, j) == fixed(i, j), boost::test_tools::tolerance(1e-15));
            const double want = std::exp(m(i, j)) / [&] {
                double s = 0;
                for (std::size_t k = 0; k < 9; ++k) s += std::exp(m(i, k));
                return s;
            }();
            BOOST_TEST(run(i, j) == want, boost::test_tools::tolerance(1e-13));
        }
        BOOST_TEST(sum == 1.0, boost::test_tools::tolerance(1e-15));
    }
}

BOOST_AUTO_TEST_CASE(softmax_is_stable_for_large_logits) {
    // exp(1000) overflows; subtracting the row maximum keeps every exp in (0, 1].
    matrix<float, 1, 3> m{1000.0f, 1000.0f, -1000.0f};
    const auto s = cxattn::softmax(m);
    BOOST_TEST(s(0, 0) == 0.5f);
    BOOST_TEST(s(0, 1) == 0.5f);
    BOOST_TEST(s(0, 2) == 0.0f);
}

BOOST_AUTO_TEST_CASE(softmax_of_all_minus_infinity_is_zero) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    matrix<float, 2, 2> m{-inf, -inf, 0.0f, -inf};
    const auto s = cxattn::softmax(m);
    BOOST_TEST((s == matrix<float, 2, 2>{0.0f, 0.0f, 1.0f, 0.0f}));
}

// Tolerances: float attention of these sizes lands within a few float ULPs (2^-23 ~ 1.2e-7) of
// the long double reference; double within a few double ULPs (2^-52 ~ 2.2e-16), times the
// growth of a length-S sum.
BOOST_AUTO_TEST_CASE(attention_matches_reference_float) {
    check_against_reference<float, 3, 5, 4, 2>(10, 1e-6L);
    check_against_reference<float, 1, 1, 1, 1>(11, 1e-6L);
    check_against_reference<float, 16, 8, 32, 4>(12, 2e-6L);
}

BOOST_AUTO_TEST_CASE(attention_matches_reference_double) {
    check_against_reference<double, 3, 5, 4, 2>(20, 2e-15L);
    check_against_reference<double, 7, 2, 3, 9>(21, 2e-15L);
    check_against_reference<double, 16, 8, 32, 4>(22, 4e-15L);
}

BOOST_AUTO_TEST_CASE(attention_matches_reference_long_double) {
    check_against_reference<long double, 3, 5, 4, 2>(30, 1e-17L);
    check_against_reference<long double, 8, 8, 8, 8>(31, 2e-17L);
}

BOOST_AUTO_TEST_CASE(attention_run_time_agrees_with_compile_time) {
    constexpr auto q = test_data::uniform<float, 6, 8>(40);
    constexpr auto k = test_data::uniform<float, 10, 8>(41);
    constexpr auto v = test_data::uniform<float, 10, 3>(42);
    constexpr auto fixed = cxattn::scaled_dot_product_attention(q, k, v);
    auto rq = q;
    const auto run = cxattn::scaled_dot_product_attention(rq, k, v);
    // Only exp differs between the two (portable at compile time, std::exp at run time), by at
    // most an ULP or two, so the results agree to a few float ULPs.
    for (std::size_t i = 0; i < fixed.weights.size(); ++i)
        BOOST_TEST(run.weights.values[i] == fixed.weights.values[i], boost::test_tools::tolerance(1e-6f));
    for (std::size_t i = 0; i < fixed.output.size(); ++i)
        BOOST_TEST(run.output.values[i] == fixed.output.values[i], boost::test_tools::tolerance(1e-6f));
}
