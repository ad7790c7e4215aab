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

// A score whose products overflow while the dot product does not, with the smallest normal scale:
// the sum of the scaled operands times 2^(eq + ek) times the scale is rounded once, by every path.
// (Before, the scale multiplied the scaled-down sum, which fell among the subnormals and lost bits.)
// And a dot product beyond the type's range brought back by a subnormal scale.
template <class T> struct cancelling {
    static constexpr int e = (std::numeric_limits<T>::max_exponent) / 2; // 64 for float, 512 for double
    static constexpr T p = cxattn::detail::power_of_two<T>(e);
    // q . k = (2.25 - 1.1 x 1.3) p^2, about 0.82 p^2: within range, each product 2.25 p^2 or so is not.
    static constexpr T q0 = T(1.5) * p, q1 = T(1.1) * p, k0 = T(1.5) * p, k1 = -T(1.3) * p;
    static constexpr cxattn::matrix<T, 1, 2> q{{q0, q1}};
    static constexpr cxattn::matrix<T, 2, 2> k{{k0, k1, 0, 0}};
    static constexpr cxattn::matrix<T, 2, 1> v{{1, 0}};
    // The scaled operands' sum, as the rule forms it up to a power of two (the same rounded products).
    static constexpr T unit = cxattn::detail::power_of_two<T>(-(e + 1));
    static constexpr T sum = (q0 * unit) * (k0 * unit) + (q1 * unit) * (k1 * unit);
    static constexpr T scale = std::numeric_limits<T>::min(); // the score is about 3.3
    // The score rounded once: sum 2^(2e + 2) scale is exact in long double (powers of two).
    static constexpr T want = static_cast<T>(static_cast<long double>(sum) * cxattn::detail::power_of_two<T>(e + 1) *
                                             cxattn::detail::power_of_two<T>(e + 1) * scale);
};

template <class T> void check_cancelling() {
    using c = cancelling<T>;
    static_assert(static_cast<long double>(c::q0) * c::k0 > std::numeric_limits<T>::max());
    static_assert(cxattn::detail::scaled_score<cxattn::detail::plain_arithmetic>(c::q.values, c::k.values, 1, 2,
                                                                                 c::scale) == c::want);
    const T q_run[2] = {at_run_time(c::q0), c::q1};
    BOOST_TEST(cxattn::detail::scaled_score<cxattn::detail::plain_arithmetic>(q_run, c::k.values, 1, 2, c::scale) ==
               c::want);
    BOOST_TEST(c::want > T(2));
    // Through attention: weight of key 0 = 1 / (1 + exp(-score)), the output.
    const long double w = 1.0L / (1.0L + std::exp(-static_cast<long double>(c::want)));
    const T tolerance = 8 * std::numeric_limits<T>::epsilon();
    constexpr T at_compile_time =
        cxattn::scaled_dot_product_attention(c::q, c::k, c::v, cxattn::scale(c::scale)).output.values[0];
    BOOST_TEST(std::fabs(at_compile_time - w) <= tolerance);
    cxattn::matrix<T, 1, 2> q = c::q;
    q.values[0] = at_run_time(q.values[0]);
    BOOST_TEST(std::fabs(cxattn::scaled_dot_product_attention(q, c::k, c::v, cxattn::scale(c::scale)).output.values[0] -
                         w) <= tolerance);
    BOOST_TEST(std::fabs(cxattn::streaming_attention(q, c::k, c::v, cxattn::scale(c::scale)).values[0] - w) <=
               tolerance);

    // q . k = 1.5 x 2^(2e), beyond the range, times the smallest normal scale 2^-(2e - 2): the
    // score 6, exactly.
    constexpr T big[2] = {c::p, c::p}, big_key[2] = {c::p, c::p / 2};
    constexpr T small_scale = std::numeric_limits<T>::min();
    static_assert(cxattn::detail::scaled_score<cxattn::detail::plain_arithmetic>(big, big_key, 1, 2, small_scale) ==
                  T(6));
    const T big_run[2] = {at_run_time(c::p), c::p};
    BOOST_TEST(cxattn::detail::scaled_score<cxattn::detail::plain_arithmetic>(big_run, big_key, 1, 2, small_scale) ==
               T(6));
}

// A tiny query value times a huge key value (found by fuzzing): q_1 = [-1.1e-295, -1.9e136]
// against k_0 = [2.4e303, 5.5e-310] has the score -2.7e8 / sqrt(2), whose plain sum does not
// overflow; the largest |q| and |k| allow an overflow, so constant evaluation takes the rule, and at
// run time row 0's overflowing scores (exactly about -1e462) make the tiny kernel redo every row.
// Scaling each vector by its largest value flushed q_1[0] to zero: the score 0, half the weight on
// key 0.
void check_small_times_huge() {
    static constexpr cxattn::matrix<double, 1, 2> q1{{-0x1.2a87a632180bfp-980, -0x1.a4ea1c6bbf0bfp+452}};
    static constexpr cxattn::matrix<double, 2, 2> k{{0x1.bf53f064993bep+1007, 0x0.064bddfb1adbfp-1022, 0, 0}};
    static constexpr cxattn::matrix<double, 2, 1> v{{1, 2}};
    static_assert(cxattn::scaled_dot_product_attention(q1, k, v).weights.values[0] == 0);
    static_assert(cxattn::scaled_dot_product_attention(q1, k, v).output.values[0] == 2);
    static_assert(cxattn::streaming_attention(q1, k, v).values[0] == 2);
    cxattn::matrix<double, 2, 2> q{
        {at_run_time(-0x1.1aef0813e263fp+527), -0x1.9e5ee1d01483fp+502, q1.values[0], q1.values[1]}};
    const auto r = cxattn::scaled_dot_product_attention(q, k, v);
    for (std::size_t i = 0; i < 2; ++i) {
        BOOST_TEST(r.weights.values[i * 2] == 0.0);
        BOOST_TEST(r.weights.values[i * 2 + 1] == 1.0);
        BOOST_TEST(r.output.values[i] == 2.0);
    }
    BOOST_TEST(cxattn::streaming_attention(q, k, v).values[1] == 2.0);
}

// Every score of the last query overflows to -inf in its plain sum (-2 b^2, beyond the largest
// finite value) while the exact scaled score (-b^2, scale 1/2) does not: by the rule both keys get
// half the weight, where the plain scores' row of -inf would give zeros. Three queries, so that the
// overflowing one is alone in its group of lanes wherever the tiny kernel takes two rows at a time.
template <class T> void check_row_overflowing_to_minus_inf() {
    static constexpr T b = sizeof(T) == 4 ? T(1.4e19) : T(1e154);
    static constexpr cxattn::matrix<T, 3, 4> q{{1, 0, 0, 0, 0, 1, 0, 0, b, b, 0, 0}};
    static constexpr cxattn::matrix<T, 2, 4> k{{-b, -b, 0, 0, -b, -b, 0, 0}};
    static constexpr cxattn::matrix<T, 2, 1> v{{7, 9}};
    static_assert(cxattn::scaled_dot_product_attention(q, k, v).output.values[2] == T(8));
    static_assert(cxattn::streaming_attention(q, k, v).values[2] == T(8));
    cxattn::matrix<T, 3, 4> q_run = q;
    q_run.values[8] = at_run_time(b);
    const auto r = cxattn::scaled_dot_product_attention(q_run, k, v);
    BOOST_TEST(r.weights.values[4] == T(0.5));
    BOOST_TEST(r.weights.values[5] == T(0.5));
    BOOST_TEST(r.output.values[2] == T(8));
    BOOST_TEST(cxattn::streaming_attention(q_run, k, v).values[2] == T(8));
}

} // namespace

BOOST_AUTO_TEST_CASE(two_keys_float) { check_two_keys<float>(); }
BOOST_AUTO_TEST_CASE(two_keys_double) { check_two_keys<double>(); }
BOOST_AUTO_TEST_CASE(blocked_float) { check_blocked<float>(); }
BOOST_AUTO_TEST_CASE(blocked_double) { check_blocked<double>(); }
BOOST_AUTO_TEST_CASE(cancelling_float) { check_cancelling<float>(); }
BOOST_AUTO_TEST_CASE(cancelling_double) { check_cancelling<double>(); }
BOOST_AUTO_TEST_CASE(small_times_huge) { check_small_times_huge(); }
BOOST_AUTO_TEST_CASE(row_overflowing_to_minus_inf_float) { check_row_overflowing_to_minus_inf<float>(); }
BOOST_AUTO_TEST_CASE(row_overflowing_to_minus_inf_double) { check_row_overflowing_to_minus_inf<double>(); }
