// SPDX-License-Identifier: MIT
// The run-time streaming kernel (cxattn/kernels/streaming.hpp) on rows whose running sum, not yet
// divided by the final sum, overflows, and on a +inf score after such a sum: its second, normalised
// pass must give what scaled_dot_product_attention and the constexpr algorithm give. S = 100, 150,
// 200 and 300 span one to four key blocks whatever the flags (a block is 4 nr keys: 80 to 128
// floats); the file is built with the project's flags, with -march=native, and with
// CXATTN_RUNTIME_KERNELS=0, where the constexpr algorithm runs (meson.build).
#define BOOST_TEST_MODULE kernels_streaming
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <cstddef>
#include <limits>

using cxattn::matrix;

namespace {

// Equal scores (zero queries) and values alternating a and b; with a +inf additive bias on key 150
// and the value 5 there when PlusInfAt150.
template <class T, std::size_t S> struct operands {
    matrix<T, 1, 2> query{};
    matrix<T, S, 2> key{};
    matrix<T, S, 1> value{};
    matrix<T, 1, S> bias{};
};

template <class T, std::size_t S, bool PlusInfAt150> constexpr operands<T, S> make(T a, T b) {
    operands<T, S> o;
    for (std::size_t j = 0; j < S; ++j) o.value.values[j] = j % 2 == 0 ? a : b;
    if constexpr (PlusInfAt150) {
        o.bias.values[150] = std::numeric_limits<T>::infinity();
        o.value.values[150] = T(5);
    }
    return o;
}

// The streaming output at run time, against the materialising path at run time and the
// expected value. The weights are equal (1/S, or 1 on the +inf key), so every path gives it to
// within S epsilon: the sum of S normalised terms rounds S times, each by at most half an ULP.
template <class T, std::size_t S, bool PlusInf> void check(T a, T b, T expected) {
    const operands<T, S> o = make<T, S, PlusInf>(a, b);
    T streamed{}, materialised{};
    if constexpr (PlusInf) {
        streamed = cxattn::streaming_attention(o.query, o.key, o.value, o.bias).values[0];
        materialised = cxattn::scaled_dot_product_attention(o.query, o.key, o.value, o.bias).output.values[0];
    } else {
        streamed = cxattn::streaming_attention(o.query, o.key, o.value).values[0];
        materialised = cxattn::scaled_dot_product_attention(o.query, o.key, o.value).output.values[0];
    }
    BOOST_TEST_INFO("S = " << S << (PlusInf ? ", +inf bias on key 150" : ""));
    const T tolerance = T(S) * std::numeric_limits<T>::epsilon();
    BOOST_TEST(streamed == expected, boost::test_tools::tolerance(tolerance));
    BOOST_TEST(streamed == materialised, boost::test_tools::tolerance(tolerance));
}

// The compile-time result: Clang evaluates it; GCC 12 rejects a constant evaluation whose sum
// overflows, as the running sum of the constexpr algorithm does before its second pass. The
// CXATTN_RUNTIME_KERNELS=0 build of this file runs that algorithm at run time.
template <class T, std::size_t S, bool PlusInf> constexpr T compile_time(T a, T b) {
    const operands<T, S> o = make<T, S, PlusInf>(a, b);
    if constexpr (PlusInf)
        return cxattn::streaming_attention(o.query, o.key, o.value, o.bias).values[0];
    else
        return cxattn::streaming_attention(o.query, o.key, o.value).values[0];
}

} // namespace

BOOST_AUTO_TEST_CASE(running_sum_overflowing_float) {
    check<float, 100, false>(1e38f, 3e38f, 2e38f);
    check<float, 150, false>(1e38f, 3e38f, 2e38f);
    check<float, 200, false>(1e38f, 3e38f, 2e38f);
    check<float, 300, false>(1e38f, 3e38f, 2e38f);
#if defined(__clang__)
    constexpr float at_compile_time = compile_time<float, 300, false>(1e38f, 3e38f);
    check<float, 300, false>(1e38f, 3e38f, at_compile_time);
#endif
}

BOOST_AUTO_TEST_CASE(plus_inf_score_after_an_overflowed_sum) {
    // Only key 150 weighs: the output is its value, 5, exactly.
    // (S = 250, not 300: Clang 14 compiles the check of an additive mask's rows, a fold over S
    // terms, only up to its nesting limit of 256.)
#if defined(__clang__)
    static_assert(compile_time<float, 250, true>(1e38f, 3e38f) == 5.0f);
#endif
    check<float, 200, true>(1e38f, 3e38f, 5.0f);
    check<float, 250, true>(1e38f, 3e38f, 5.0f);
}

BOOST_AUTO_TEST_CASE(running_sum_overflowing_double) {
    check<double, 100, false>(1e307, 1e307, 1e307);
    check<double, 150, false>(1e307, 1e307, 1e307);
    check<double, 200, false>(1e307, 1e307, 1e307);
    check<double, 300, false>(1e307, 1e307, 1e307);
}
