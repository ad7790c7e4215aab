// SPDX-License-Identifier: MIT
// The seed notebook at run time: its inputs are numpy's, and its printed numbers come out.
#define BOOST_TEST_MODULE notebook
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <random>

#include <cxattn/cxattn.hpp>

#include "notebook_seed.hpp"

namespace {

// numpy's legacy np.random.rand: a 53-bit double from two 32-bit Mersenne Twister draws
// (random_standard_uniform_fill -> legacy_double in numpy's mt19937 bit generator).
double numpy_rand(std::mt19937& g) {
    // 27 and 26 random bits: both exact in a double.
    const auto a = static_cast<double>(static_cast<std::uint32_t>(g() >> 5));
    const auto b = static_cast<double>(static_cast<std::uint32_t>(g() >> 6));
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

template <std::size_t R, std::size_t C>
void check_is_next_from_generator(std::mt19937& g, const cxattn::matrix<double, R, C>& m) {
    for (double v : m.values) BOOST_TEST(v == numpy_rand(g)); // exact: the literals must be the generator's very bits
}

// The notebook prints 8 decimals, so its numbers are within 5e-9 of the true ones; 1e-8 leaves
// room for that rounding and for the last-bit differences of another summation order.
template <std::size_t R, std::size_t C>
void check_matches_printed(const cxattn::matrix<double, R, C>& got, const cxattn::matrix<double, R, C>& printed) {
    for (std::size_t i = 0; i < R * C; ++i)
        BOOST_TEST(std::fabs(got.values[i] - printed.values[i]) <= 1e-8, "element " << i << ": " << got.values[i]);
}

} // namespace

BOOST_AUTO_TEST_CASE(literals_are_numpy_seed_42) {
    std::mt19937 g(42);
    check_is_next_from_generator(g, notebook::X);
    check_is_next_from_generator(g, notebook::W_Q);
    check_is_next_from_generator(g, notebook::W_K);
    check_is_next_from_generator(g, notebook::W_V);
}

BOOST_AUTO_TEST_CASE(run_time_attention_reproduces_the_notebook) {
    auto x = notebook::X; // run-time copies: nothing below is a constant expression
    auto q = cxattn::matmul(x, notebook::W_Q);
    auto k = cxattn::matmul(x, notebook::W_K);
    auto v = cxattn::matmul(x, notebook::W_V);
    auto [output, weights] = cxattn::scaled_dot_product_attention(q, k, v);
    check_matches_printed(weights, notebook::printed_weights);
    check_matches_printed(output, notebook::printed_output);
}

BOOST_AUTO_TEST_CASE(run_time_agrees_with_compile_time) {
    using namespace notebook;
    constexpr auto fixed =
        cxattn::scaled_dot_product_attention(cxattn::matmul(X, W_Q), cxattn::matmul(X, W_K), cxattn::matmul(X, W_V));
    auto x = X;
    const auto run =
        cxattn::scaled_dot_product_attention(cxattn::matmul(x, W_Q), cxattn::matmul(x, W_K), cxattn::matmul(x, W_V));
    // matmul is the same kernel both ways and must agree to the bit; exp may differ in its last bit
    // (the platform's std::exp at run time), so the weights and outputs agree to a few ULP.
    BOOST_TEST((cxattn::matmul(x, W_Q) == cxattn::matmul(X, W_Q)));
    for (std::size_t i = 0; i < fixed.weights.size(); ++i)
        BOOST_TEST(run.weights.values[i] == fixed.weights.values[i], boost::test_tools::tolerance(1e-15));
    for (std::size_t i = 0; i < fixed.output.size(); ++i)
        BOOST_TEST(run.output.values[i] == fixed.output.values[i], boost::test_tools::tolerance(1e-15));
}
