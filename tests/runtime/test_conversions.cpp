// SPDX-License-Identifier: MIT
// Conversions that must not be quiet, at run time: a scale factor that is not finite and positive in
// the element type (scale(1e300) on float would be inf, scale(1e-60) zero) makes every unmasked weight
// and every output NaN, on every path (CXATTN_RUNTIME_KERNELS decides which one this file takes at run
// time; the static and compile-fail tests refuse the same factors in constant evaluation).
#define BOOST_TEST_MODULE runtime_conversions
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <cmath>

namespace {

template <class Result> bool all_nan(const Result& r) {
    for (const auto x : r.output.values)
        if (!std::isnan(x)) return false;
    for (const auto x : r.weights.values)
        if (!std::isnan(x)) return false;
    return true;
}

template <class Factor> void check_factor(Factor factor) {
    volatile Factor f = factor;
    const cxattn::matrix<float, 2, 2> q{{1, 2, 3, 4}};
    BOOST_TEST(all_nan(cxattn::scaled_dot_product_attention(q, q, q, cxattn::scale(static_cast<Factor>(f)))));
    const auto s = cxattn::streaming_attention(q, q, q, cxattn::scale(static_cast<Factor>(f)));
    for (const float x : s.values) BOOST_TEST(std::isnan(x));
}

} // namespace

BOOST_AUTO_TEST_CASE(scale_overflowing_the_element_type_gives_nan) { check_factor(1e300); }
BOOST_AUTO_TEST_CASE(scale_underflowing_the_element_type_gives_nan) { check_factor(1e-60); }
BOOST_AUTO_TEST_CASE(scale_zero_or_negative_gives_nan) {
    check_factor(0.0f);
    check_factor(-0.5);
}

// A factor that fits keeps its value: 0.5 in double is 0.5f.
BOOST_AUTO_TEST_CASE(scale_in_range_converts) {
    BOOST_TEST(cxattn::detail::scale_in_element_type<float>(0.5) == 0.5f);
    static_assert(cxattn::detail::scale_in_element_type<float>(1e-30) > 0);
}
