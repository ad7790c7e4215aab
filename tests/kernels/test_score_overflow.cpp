// SPDX-License-Identifier: MIT
// Scores whose products or partial sums overflow although the exact score does not: every path
// gives the exact score's result (docs/semantics.md, "Scores that overflow on the way"), with and
// without FMA contraction (this file is built with and without -march=native). Before, the plain
// sum gave inf - inf = NaN, or with a fused multiply-add +inf and all the weight on the wrong key.
#define BOOST_TEST_MODULE kernels_score_overflow
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <random>

namespace {

template <class T> T at_run_time(T x) {
    volatile T v = x;
    return v;
}

// q = [b, b], keys [b, -b] (exact score 0) and [1, 1] (exact score 2b / sqrt(2), far larger): all
// the weight on key 1, whose value is 9.
template <class T> struct two_keys {
    static constexpr T b = sizeof(T) == 4 ? T(2e19) : T(2e154);
    static constexpr cxattn::matrix<T, 1, 2> q{{b, b}};
    static constexpr cxattn::matrix<T, 2, 2> k{{b, -b, 1, 1}};
    static constexpr cxattn::matrix<T, 2, 1> v{{7, 9}};
    static constexpr cxattn::matrix<T, 2, 2> v_wide{{7, 0, 9, 0}};
    static constexpr cxattn::matrix<T, 2, 2> identity{{1, 0, 0, 1}};
    static constexpr cxattn::mha_params<T, 2, 1> params{identity, identity, identity, identity, {}, {}, {}, {}};
};

template <class T> void check_two_keys() {
    using c = two_keys<T>;
    // Compile time: GCC refused the overflowing product, Clang the NaN.
    static_assert(cxattn::scaled_dot_product_attention(c::q, c::k, c::v).output.values[0] == T(9));
    static_assert(cxattn::streaming_attention(c::q, c::k, c::v).values[0] == T(9));
    static_assert(cxattn::multi_head_attention(c::q, c::k, c::v_wide, c::params).output.values[0] == T(9));
    // Run time.
    cxattn::matrix<T, 1, 2> q = c::q;
    q.values[0] = at_run_time(q.values[0]);
    const auto r = cxattn::scaled_dot_product_attention(q, c::k, c::v);
    BOOST_TEST(r.output.values[0] == T(9));
    BOOST_TEST(r.weights.values[0] == T(0));
    BOOST_TEST(r.weights.values[1] == T(1));
    BOOST_TEST(cxattn::streaming_attention(q, c::k, c::v).values[0] == T(9));
    BOOST_TEST(cxattn::multi_head_attention(q, c::k, c::v_wide, c::params).output.values[0] == T(9));
}

// L = 3, S = 300, Dk = 8 (the blocked kernels, several key blocks): ordinary scores, and for row 1
// keys whose products overflow in pairs that cancel. Against a long double reference.
template <class T> void check_blocked() {
    constexpr std::size_t L = 3, S = 300, Dk = 8, Dv = 2;
    static cxattn::matrix<T, L, Dk> q;
    static cxattn::matrix<T, S, Dk> k;
    static cxattn::matrix<T, S, Dv> v;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-1, 1);
    for (auto& x : q.values) x = static_cast<T>(u(rng));
    for (auto& x : k.values) x = static_cast<T>(u(rng));
    for (auto& x : v.values) x = static_cast<T>(u(rng));
    const T b = sizeof(T) == 4 ? T(2e19) : T(2e154);
    for (std::size_t d = 0; d < Dk; ++d) q.values[1 * Dk + d] = d < 2 ? b : T(0);
    for (std::size_t j = 100; j < 200; j += 7) { // exact score 0 for these keys, large products
        k.values[j * Dk + 0] = b;
        k.values[j * Dk + 1] = -b;
    }
    k.values[150 * Dk + 0] = T(1e-18) * b; // key 150: the largest exact score of row 1
    k.values[150 * Dk + 1] = T(1e-18) * b;
    const auto r = cxattn::scaled_dot_product_attention(q, k, v);
    const auto s = cxattn::streaming_attention(q, k, v);
    for (std::size_t i = 0; i < L; ++i) {
        long double scores[S], max = -INFINITY, sum = 0;
        for (std::size_t j = 0; j < S; ++j) {
            long double dot = 0;
            for (std::size_t d = 0; d < Dk; ++d)
                dot += static_cast<long double>(q.values[i * Dk + d]) * static_cast<long double>(k.values[j * Dk + d]);
            scores[j] = dot / std::sqrt(static_cast<long double>(Dk));
            max = scores[j] > max ? scores[j] : max;
        }
        for (std::size_t j = 0; j < S; ++j) sum += std::exp(scores[j] - max);
        for (std::size_t d = 0; d < Dv; ++d) {
            long double out = 0;
            for (std::size_t j = 0; j < S; ++j) out += std::exp(scores[j] - max) / sum * v.values[j * Dv + d];
            const T want = static_cast<T>(out);
            const T tolerance = 64 * std::numeric_limits<T>::epsilon(); // outputs are at most 1 in magnitude
            BOOST_TEST(std::fabs(r.output.values[i * Dv + d] - want) <= tolerance);
            BOOST_TEST(std::fabs(s.values[i * Dv + d] - want) <= tolerance);
        }
    }
    BOOST_TEST(r.output.values[1 * Dv] == v.values[150 * Dv]); // all of row 1's weight on key 150
}

} // namespace

BOOST_AUTO_TEST_CASE(two_keys_float) { check_two_keys<float>(); }
BOOST_AUTO_TEST_CASE(two_keys_double) { check_two_keys<double>(); }
BOOST_AUTO_TEST_CASE(blocked_float) { check_blocked<float>(); }
BOOST_AUTO_TEST_CASE(blocked_double) { check_blocked<double>(); }
