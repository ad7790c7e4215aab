// SPDX-License-Identifier: MIT
// The public calls at run time against their compile-time results. With the run-time kernels
// (CXATTN_RUNTIME_KERNELS=1, the default) every weight and output lies within the documented
// tolerance (docs/benchmarks.md, "Run time": 64 epsilon relative to max(|value|, floor)); with
// CXATTN_RUNTIME_KERNELS=0 and CXATTN_RUNTIME_LIBM=0 the run time computes the constexpr algorithm
// with the portable exp, and the results are the compile-time bits. This file is built both ways.
#define BOOST_TEST_MODULE kernels_public_calls
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <cmath>
#include <cstddef>
#include <limits>

#include "against_compile_time.hpp"
#include "test_data.hpp"

using cxattn::matrix;

namespace {

using against_compile_time::at_run_time;
using against_compile_time::bit_exact;
using against_compile_time::check;
using against_compile_time::tolerance;

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::uint64_t Seed>
void check_attention() {
    static constexpr auto q = test_data::uniform<T, L, Dk>(Seed);
    static constexpr auto k = test_data::uniform<T, S, Dk>(Seed + 1);
    static constexpr auto v = test_data::uniform<T, S, Dv>(Seed + 2);
    static constexpr auto bias = test_data::uniform<T, L, S>(Seed + 3, T(-2), T(2));
    static constexpr auto plain = cxattn::scaled_dot_product_attention(q, k, v);
    static constexpr auto causal =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal, bias, cxattn::scale(T(0.3)));
    static constexpr auto streamed = cxattn::streaming_attention(q, k, v, cxattn::causal_lower_right);
    const auto rq = at_run_time(q);
    const auto r1 = cxattn::scaled_dot_product_attention(rq, k, v);
    check(r1.weights, plain.weights, 1.0L / S, "weights");
    check(r1.output, plain.output, 1.0L, "output");
    const auto r2 = cxattn::scaled_dot_product_attention(rq, k, v, cxattn::causal, bias, cxattn::scale(T(0.3)));
    check(r2.weights, causal.weights, 1.0L / S / 100, "masked weights"); // exp(+-2 bias) spreads them
    check(r2.output, causal.output, 1.0L, "masked output");
    check(cxattn::streaming_attention(rq, k, v, cxattn::causal_lower_right), streamed, 1.0L, "streaming output");
    check(cxattn::softmax(at_run_time(bias)), cxattn::softmax(bias), 1.0L / S / 100, "softmax");
}

template <class T> void check_multi_head() {
    constexpr std::size_t E = 8, H = 4, G = 2, L = 5, S = 6;
    static constexpr cxattn::mha_params<T, E, H, E, E, G> params{
        test_data::uniform<T, E, E>(80),         test_data::uniform<T, G * E / H, E>(81),
        test_data::uniform<T, G * E / H, E>(82), test_data::uniform<T, E, E>(83),
        test_data::uniform<T, 1, E>(84),         test_data::uniform<T, 1, G * E / H>(85),
        test_data::uniform<T, 1, G * E / H>(86), test_data::uniform<T, 1, E>(87)};
    static constexpr auto q = test_data::uniform<T, L, E>(88);
    static constexpr auto kv = test_data::uniform<T, S, E>(89);
    static constexpr auto fixed = cxattn::multi_head_attention(q, kv, kv, params, cxattn::causal);
    const auto run = cxattn::multi_head_attention(at_run_time(q), kv, kv, params, cxattn::causal);
    check(run.weights, fixed.weights, 1.0L / S, "multi-head weights");
    // The projections sum E products of numbers up to 1: the output's scale is E.
    check(run.output, fixed.output, static_cast<long double>(E), "multi-head output");
}

} // namespace

BOOST_AUTO_TEST_CASE(attention_float) {
    check_attention<float, 4, 4, 4, 4, 1>(); // tiny path
    check_attention<float, 7, 20, 16, 9, 2>();
    check_attention<float, 33, 40, 8, 12, 3>();
    // causal_lower_right with L > S + 4: rows 0 to 5 see no key, a whole group of 4 rows among them.
    check_attention<float, 9, 3, 4, 5, 6>();
}

BOOST_AUTO_TEST_CASE(attention_double) {
    check_attention<double, 3, 4, 2, 4, 4>();
    check_attention<double, 16, 16, 16, 16, 5>();
}

BOOST_AUTO_TEST_CASE(multi_head) {
    check_multi_head<float>();
    check_multi_head<double>();
}
