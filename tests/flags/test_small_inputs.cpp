// SPDX-License-Identifier: MIT
// The small inputs that wrong compiler flags once broke silently, at run time, under whatever flags
// this file is built with (tests/flags/meson.build builds it with each flag set that cxattn accepts).
// Under CXATTN_ALLOW_FAST_MATH=1 only what that opt-in documents is checked: finite inputs, no masks.
#define BOOST_TEST_MODULE flags_small_inputs
#ifndef BOOST_TEST_DYN_LINK
#define BOOST_TEST_DYN_LINK
#endif
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>

namespace {

// The argument through memory, so that the call happens at run time with this file's flags.
template <class T> T at_run_time(T x) {
    volatile T v = x;
    return v;
}

// Distance in ULPs between two positive finite floats (their bit patterns are ordered).
[[maybe_unused]] std::int64_t ulps(float a, float b) {
    return std::llabs(static_cast<std::int64_t>(std::bit_cast<std::uint32_t>(a)) -
                      static_cast<std::int64_t>(std::bit_cast<std::uint32_t>(b)));
}

} // namespace

#if CXATTN_RUNTIME_KERNELS
// The kernels' exp rounded k with a shifter constant that reassociation folded: exp(1) gave 2.
BOOST_AUTO_TEST_CASE(kernel_exp_of_one_is_e) {
    BOOST_TEST(ulps(cxattn::kernels::exp(at_run_time(1.0f)), 0x1.5bf0a8p+1f) <= 2); // e rounded to float
    BOOST_TEST(ulps(static_cast<float>(cxattn::kernels::exp(at_run_time(1.0))), 0x1.5bf0a8p+1f) <= 1);
}
#endif

// softmax of {0, 1} gave {1/3, 2/3}; right: {1/(1+e), e/(1+e)}. Tolerance 8 float epsilon: the
// kernels' documented bound is 64 epsilon of the compile-time result, the result is far better.
BOOST_AUTO_TEST_CASE(softmax_of_zero_one) {
    cxattn::matrix<float, 1, 2> row{{at_run_time(0.0f), at_run_time(1.0f)}};
    const auto w = cxattn::softmax(row);
    BOOST_TEST(w.values[0] == 0.268941421f, boost::test_tools::tolerance(8 * std::numeric_limits<float>::epsilon()));
    BOOST_TEST(w.values[1] == 0.731058579f, boost::test_tools::tolerance(8 * std::numeric_limits<float>::epsilon()));
}

// portable::exp and portable::sqrt give the compile-time bits at run time (Dekker's product and
// Fast2Sum must not be reassociated): exp(-674.1) was 340 ULP off, sqrt(2) 1 ULP.
BOOST_AUTO_TEST_CASE(portable_bits_equal_compile_time) {
    constexpr double exp_ct = cxattn::portable::exp(-674.1);
    constexpr double sqrt2_ct = cxattn::portable::sqrt(2.0);
    constexpr double sqrt_big_ct = cxattn::portable::sqrt(0x1.3edfb97148b5p+78);
    static_assert(std::bit_cast<std::uint64_t>(sqrt2_ct) == std::bit_cast<std::uint64_t>(0x1.6a09e667f3bcdp+0));
    BOOST_TEST(std::bit_cast<std::uint64_t>(cxattn::portable::exp(at_run_time(-674.1))) ==
               std::bit_cast<std::uint64_t>(exp_ct));
    BOOST_TEST(std::bit_cast<std::uint64_t>(cxattn::portable::sqrt(at_run_time(2.0))) ==
               std::bit_cast<std::uint64_t>(sqrt2_ct));
    BOOST_TEST(std::bit_cast<std::uint64_t>(cxattn::portable::sqrt(at_run_time(0x1.3edfb97148b5p+78))) ==
               std::bit_cast<std::uint64_t>(sqrt_big_ct));
    BOOST_TEST(std::bit_cast<std::uint32_t>(cxattn::portable::exp(at_run_time(1.0f))) ==
               std::bit_cast<std::uint32_t>(0x1.5bf0a8p+1f));
}

#if !CXATTN_ALLOW_FAST_MATH
// Causal weights of row 0 of a 3x3 case: {1, 0, 0} (Clang -O3 -ffast-math gave {0.45, 0.27, 0.27}).
BOOST_AUTO_TEST_CASE(causal_row_zero) {
    cxattn::matrix<float, 3, 3> q{{1, 2, 3, 4, 5, 6, 7, 8, 9}};
    q.values[0] = at_run_time(1.0f);
    const auto r = cxattn::scaled_dot_product_attention(q, q, q, cxattn::causal);
    BOOST_TEST(r.weights.values[0] == 1.0f);
    BOOST_TEST(r.weights.values[1] == 0.0f);
    BOOST_TEST(r.weights.values[2] == 0.0f);
    BOOST_TEST(r.output.values[0] == 1.0f);
}

// A row that a bool mask masks entirely has zero weights and a zero output (Clang -O2 -ffast-math
// gave NaN).
BOOST_AUTO_TEST_CASE(fully_masked_row_is_zero) {
    cxattn::matrix<float, 3, 3> q{{1, 2, 3, 4, 5, 6, 7, 8, 9}};
    q.values[0] = at_run_time(1.0f);
    const cxattn::matrix<bool, 3, 3> keep{{false, false, false, true, true, true, true, true, true}};
    const auto r = cxattn::scaled_dot_product_attention(q, q, q, keep);
    for (std::size_t j = 0; j < 3; ++j) {
        BOOST_TEST(r.weights.values[j] == 0.0f);
        BOOST_TEST(r.output.values[j] == 0.0f);
    }
}
#endif

namespace {

// A 6 x 4 problem with scores spread over several units: its compile-time result (constant
// evaluation ignores the flags) against the run-time one under this file's flags.
constexpr cxattn::matrix<float, 6, 4> spread{{0.5f,  -1.25f, 2.0f,  0.75f,  -0.5f, 1.5f,   -2.0f, 0.25f,
                                              1.0f,  1.0f,   -0.5f, -1.5f,  2.5f,  -0.75f, 0.5f,  1.25f,
                                              -1.0f, 0.0f,   1.75f, -0.25f, 0.0f,  2.0f,   -1.0f, 0.5f}};

// A projection: 0.5 on the diagonal, 0.25 next to it.
constexpr cxattn::matrix<float, 4, 4> projection{
    {0.5f, 0.25f, 0, 0, 0.25f, 0.5f, 0.25f, 0, 0, 0.25f, 0.5f, 0.25f, 0, 0, 0.25f, 0.5f}};

template <class M> M through_memory(const M& m) {
    M copy = m;
    for (auto& v : copy.values) v = at_run_time(v);
    return copy;
}

template <class M> void check_close(const M& got, const M& want) {
    for (std::size_t i = 0; i < std::size(got.values); ++i)
        BOOST_TEST(got.values[i] == want.values[i],
                   boost::test_tools::tolerance(64 * std::numeric_limits<float>::epsilon()));
}

} // namespace

// cxattn::scale at run time (at -O0 GCC once kept a call to a function that exists only to fail
// constant evaluation, and the program did not link).
BOOST_AUTO_TEST_CASE(scale_at_run_time) {
    const auto q = through_memory(spread);
    constexpr auto scaled = cxattn::scaled_dot_product_attention(spread, spread, spread, cxattn::scale(0.25f));
    check_close(cxattn::scaled_dot_product_attention(q, q, q, cxattn::scale(0.25f)).weights, scaled.weights);
}

// The three attention functions, with and without causal masking, against compile time.
BOOST_AUTO_TEST_CASE(attention_streaming_multi_head_match_compile_time) {
    const auto q = through_memory(spread);
    constexpr auto plain = cxattn::scaled_dot_product_attention(spread, spread, spread);
    check_close(cxattn::scaled_dot_product_attention(q, q, q).output, plain.output);
    check_close(cxattn::scaled_dot_product_attention(q, q, q).weights, plain.weights);
    constexpr auto streamed = cxattn::streaming_attention(spread, spread, spread);
    check_close(cxattn::streaming_attention(q, q, q), streamed);
    constexpr cxattn::mha_params<float, 4, 2> params{projection, projection, projection, projection, {}, {}, {}, {}};
    constexpr auto heads = cxattn::multi_head_attention(spread, spread, spread, params);
    check_close(cxattn::multi_head_attention(q, q, q, params).output, heads.output);
#if !CXATTN_ALLOW_FAST_MATH
    constexpr auto causal = cxattn::scaled_dot_product_attention(spread, spread, spread, cxattn::causal);
    check_close(cxattn::scaled_dot_product_attention(q, q, q, cxattn::causal).weights, causal.weights);
    constexpr auto streamed_causal = cxattn::streaming_attention(spread, spread, spread, cxattn::causal);
    check_close(cxattn::streaming_attention(q, q, q, cxattn::causal), streamed_causal);
    constexpr auto heads_causal = cxattn::multi_head_attention(spread, spread, spread, params, cxattn::causal);
    check_close(cxattn::multi_head_attention(q, q, q, params, cxattn::causal).output, heads_causal.output);
#endif
}
