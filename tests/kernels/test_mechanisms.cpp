// SPDX-License-Identifier: MIT
// The position options and the score and mask modifiers (docs/semantics.md, "Positions, windows and
// modifiers"): each built-in equals its expression by score_mod or mask_mod, bit for bit at compile
// time, and every public call gives at run time what it gives at compile time, within the kernels'
// tolerance (the same bits with CXATTN_RUNTIME_KERNELS=0 CXATTN_RUNTIME_LIBM=0). Built like
// test_public_calls.cpp: with the vector kernels, the scalar kernels and the portable path.
#define BOOST_TEST_MODULE kernels_mechanisms
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "against_compile_time.hpp"
#include "test_data.hpp"

using cxattn::matrix;

namespace {

using against_compile_time::at_run_time;
using against_compile_time::bit_exact;
using against_compile_time::check;
using against_compile_time::tolerance;

// The built-ins as modifier expressions (docs/semantics.md).
constexpr auto window_expression(std::size_t left, std::size_t right) {
    return cxattn::mask_mod([left, right](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) {
        return q - static_cast<std::ptrdiff_t>(left) <= k && k <= q + static_cast<std::ptrdiff_t>(right);
    });
}
constexpr auto causal_window_expression(std::size_t left) {
    return cxattn::mask_mod([left](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) {
        return k <= q && q - static_cast<std::ptrdiff_t>(left) <= k;
    });
}
constexpr auto key_length_expression(std::ptrdiff_t n) {
    return cxattn::mask_mod([n](std::size_t, std::ptrdiff_t, std::ptrdiff_t k) { return k < n; });
}
template <class T> constexpr auto alibi_expression(T m) {
    return cxattn::score_mod(
        [m](T s, std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return s + m * static_cast<T>(k - q); });
}
template <class T> constexpr auto softcap_expression(T c) {
    return cxattn::score_mod([c](T s, std::size_t, std::ptrdiff_t, std::ptrdiff_t) { return c * cxattn::tanh(s / c); });
}

template <class T, std::size_t L, std::size_t S, std::size_t Dv>
constexpr bool same_bits(const cxattn::attention_result<T, L, S, Dv>& a,
                         const cxattn::attention_result<T, L, S, Dv>& b) {
    for (std::size_t i = 0; i < L * S; ++i)
        if (!(a.weights.values[i] == b.weights.values[i])) return false;
    for (std::size_t i = 0; i < L * Dv; ++i)
        if (!(a.output.values[i] == b.output.values[i])) return false;
    return true;
}

template <class T> struct operands {
    static constexpr std::size_t L = 5, S = 7, Dk = 4, Dv = 3;
    static constexpr auto q = test_data::uniform<T, L, Dk>(501, T(-2), T(2));
    static constexpr auto k = test_data::uniform<T, S, Dk>(502, T(-2), T(2));
    static constexpr auto v = test_data::uniform<T, S, Dv>(503);
    static constexpr auto bias = test_data::uniform<T, L, S>(504);
};

// Each built-in against its expression, in constant evaluation: the same bits.
template <class T> constexpr bool builtins_are_their_expressions() {
    using o = operands<T>;
    const auto& q = o::q;
    const auto& k = o::k;
    const auto& v = o::v;
    using cxattn::scaled_dot_product_attention;
    bool ok = true;
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::causal, cxattn::sliding_window(2)),
                         scaled_dot_product_attention(q, k, v, causal_window_expression(2)));
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::sliding_window(1, 2)),
                         scaled_dot_product_attention(q, k, v, window_expression(1, 2)));
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::key_length(4)),
                         scaled_dot_product_attention(q, k, v, key_length_expression(4)));
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::alibi_slope(T(0.25))),
                         scaled_dot_product_attention(q, k, v, alibi_expression(T(0.25))));
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::softcap(T(0.75))),
                         scaled_dot_product_attention(q, k, v, softcap_expression(T(0.75))));
    // The lower-right alignments are query_offset = n - L (n: the valid keys).
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right),
                         scaled_dot_product_attention(q, k, v, cxattn::causal, cxattn::query_offset(o::S - o::L)));
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::align_lower_right, cxattn::sliding_window(1),
                                                      cxattn::key_length(6)),
                         scaled_dot_product_attention(q, k, v, cxattn::query_offset(6 - o::L),
                                                      cxattn::sliding_window(1), key_length_expression(6)));
    // Key offsets move the keys: a window over keys at 10.. equals one over queries moved back by 10.
    ok = ok && same_bits(scaled_dot_product_attention(q, k, v, cxattn::key_offset(10), cxattn::query_offset(11),
                                                      cxattn::causal, cxattn::sliding_window(2)),
                         scaled_dot_product_attention(q, k, v, cxattn::query_offset(1), cxattn::causal,
                                                      cxattn::sliding_window(2)));
    // The order: softcap, ALiBi, score_mod, bias.
    ok = ok &&
         same_bits(scaled_dot_product_attention(
                       q, k, v, o::bias, cxattn::softcap(T(1.5)), cxattn::alibi_slope(T(0.5)),
                       cxattn::score_mod([](T s, std::size_t, std::ptrdiff_t, std::ptrdiff_t) { return s * T(2); })),
                   scaled_dot_product_attention(
                       q, k, v, o::bias, cxattn::score_mod([](T s, std::size_t, std::ptrdiff_t qp, std::ptrdiff_t kp) {
                           return (T(1.5) * cxattn::tanh(s / T(1.5)) + T(0.5) * static_cast<T>(kp - qp)) * T(2);
                       })));
    return ok;
}
static_assert(builtins_are_their_expressions<float>());
static_assert(builtins_are_their_expressions<double>());

// Edge cases in constant evaluation.
template <class T> constexpr bool edges_hold() {
    using o = operands<T>;
    bool ok = true;
    // No valid key: the fully masked row's result, weights 0 and output 0.
    const auto none = cxattn::scaled_dot_product_attention(o::q, o::k, o::v, cxattn::key_length(0));
    for (T x : none.weights.values) ok = ok && x == T(0);
    for (T x : none.output.values) ok = ok && x == T(0);
    // A query placed before every key sees none (lower right with L > n): rows 0 and 1 of 5 over 3 keys.
    const auto early =
        cxattn::scaled_dot_product_attention(o::q, o::k, o::v, cxattn::key_length(3), cxattn::causal_lower_right);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t d = 0; d < o::Dv; ++d) ok = ok && early.output(i, d) == T(0);
    ok = ok && early.weights(2, 0) == T(1) && early.weights(4, 2) > T(0);
    // score_mod is never called at a masked position: a division by (k - q) under causal and a window
    // that leaves the diagonal out would divide by zero at compile time.
    const auto shifted = cxattn::scaled_dot_product_attention(
        o::q, o::k, o::v, cxattn::mask_mod([](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return k != q; }),
        cxattn::score_mod([](T s, std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) {
            return s / static_cast<T>(k - q) + T(1) / static_cast<T>(k - q);
        }));
    ok = ok && shifted.weights(0, 0) == T(0) && shifted.weights(3, 3) == T(0);
    // A huge window is unbounded (saturating).
    ok =
        ok &&
        same_bits(cxattn::scaled_dot_product_attention(o::q, o::k, o::v,
                                                       cxattn::sliding_window(std::numeric_limits<std::size_t>::max(),
                                                                              std::numeric_limits<std::size_t>::max())),
                  cxattn::scaled_dot_product_attention(o::q, o::k, o::v));
    return ok;
}
static_assert(edges_hold<float>());
static_assert(edges_hold<double>());

// A mask_mod declared with std::size_t positions works where they are not negative.
static_assert(same_bits(cxattn::scaled_dot_product_attention(operands<float>::q, operands<float>::k, operands<float>::v,
                                                             cxattn::mask_mod([](std::size_t, std::size_t q,
                                                                                 std::size_t k) { return k <= q; })),
                        cxattn::scaled_dot_product_attention(operands<float>::q, operands<float>::k, operands<float>::v,
                                                             cxattn::causal)));

// ALiBi's head slopes (Press et al. 2022): H = 6 gives 1/4, 1/16, 1/64, 1/256, 1/2, 1/8; H = 16 the
// square roots of H = 8's, rounded.
static_assert(cxattn::detail::alibi_head_slope<float>(0, 6) == 0.25f);
static_assert(cxattn::detail::alibi_head_slope<float>(3, 6) == 1.0f / 256);
static_assert(cxattn::detail::alibi_head_slope<float>(4, 6) == 0.5f);
static_assert(cxattn::detail::alibi_head_slope<float>(5, 6) == 0.125f);
static_assert(cxattn::detail::alibi_head_slope<double>(7, 8) == 1.0 / 256);
static_assert(cxattn::detail::alibi_head_slope<double>(0, 16) == 0.70710678118654752440); // 2^-0.5
static_assert(cxattn::detail::alibi_head_slope<float>(2, 16) == 0.35355339f);             // 2^-1.5

} // namespace

// One call with these options at run time against compile time, on every path this build takes:
// weights and output, and the streaming output (in check_calls and check_sinks, whose o, q, k and v
// it reads).
#define CXATTN_TEST_CALL(name, ...)                                                                                    \
    {                                                                                                                  \
        static constexpr auto fixed = cxattn::scaled_dot_product_attention(o::q, o::k, o::v, __VA_ARGS__);             \
        const auto run = cxattn::scaled_dot_product_attention(q, k, v, __VA_ARGS__);                                   \
        check(run.weights, fixed.weights, 1.0L / o::S / 100, name " weights");                                         \
        check(run.output, fixed.output, 1.0L, name " output");                                                         \
        static constexpr auto streamed = cxattn::streaming_attention(o::q, o::k, o::v, __VA_ARGS__);                   \
        check(cxattn::streaming_attention(q, k, v, __VA_ARGS__), streamed, 1.0L, name " streaming");                   \
    }

template <class T> void check_calls() {
    using o = operands<T>;
    const auto q = at_run_time(o::q);
    const auto k = o::k;
    const auto v = o::v;
    CXATTN_TEST_CALL("window", cxattn::causal, cxattn::sliding_window(2))
    CXATTN_TEST_CALL("window both sides", cxattn::sliding_window(1, 2), o::bias)
    CXATTN_TEST_CALL("mask_mod", causal_window_expression(2))
    CXATTN_TEST_CALL("key_length", cxattn::key_length(4), cxattn::causal_lower_right)
    CXATTN_TEST_CALL("no valid key", cxattn::key_length(0))
    CXATTN_TEST_CALL("align", cxattn::align_lower_right, cxattn::sliding_window(1, 1), cxattn::key_length(6))
    CXATTN_TEST_CALL("offsets", cxattn::query_offset(-2), cxattn::key_offset(1), cxattn::causal)
    CXATTN_TEST_CALL("alibi", cxattn::alibi_slope(T(0.25)), cxattn::causal)
    CXATTN_TEST_CALL("softcap", cxattn::softcap(T(0.75)), cxattn::scale(T(4)))
    CXATTN_TEST_CALL("score_mod", softcap_expression(T(0.75)), cxattn::scale(T(4)))
    CXATTN_TEST_CALL("everything", o::bias, cxattn::softcap(T(2)), cxattn::alibi_slope(T(0.125)), cxattn::key_length(6),
                     cxattn::sliding_window(3), cxattn::causal_lower_right, causal_window_expression(4))
}

BOOST_AUTO_TEST_CASE(calls_at_run_time_float) { check_calls<float>(); }
BOOST_AUTO_TEST_CASE(calls_at_run_time_double) { check_calls<double>(); }

// key_length(n) with n > S is S at run time; keys from n on are never used: NaN there changes nothing.
BOOST_AUTO_TEST_CASE(key_length_at_run_time) {
    using o = operands<float>;
    const auto q = at_run_time(o::q);
    auto k = o::k;
    auto v = o::v;
    std::size_t n = o::S + 3;
    const auto all = cxattn::scaled_dot_product_attention(q, k, v);
    const auto clamped = cxattn::scaled_dot_product_attention(q, k, v, cxattn::key_length(at_run_time(n)));
    check(clamped.output, all.output, 1.0L, "key_length beyond S");
    static constexpr auto four = cxattn::scaled_dot_product_attention(o::q, o::k, o::v, cxattn::key_length(4));
    for (std::size_t j = 4; j < o::S; ++j) {
        k(j, 0) = std::numeric_limits<float>::quiet_NaN();
        v(j, 1) = std::numeric_limits<float>::infinity();
    }
    const auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::key_length(4));
    check(r.weights, four.weights, 1.0L / o::S / 100, "key_length weights");
    check(r.output, four.output, 1.0L, "key_length output");
    static constexpr auto four_streamed = cxattn::streaming_attention(o::q, o::k, o::v, cxattn::key_length(4));
    check(cxattn::streaming_attention(q, k, v, cxattn::key_length(4)), four_streamed, 1.0L, "key_length streaming");
}

// Multi-head attention: the modifiers receive the head; cxattn::alibi gives each query head its
// slope (grouped-query: the query head's); the built-in equals the score_mod that uses the head.
template <class T> void check_multi_head() {
    constexpr std::size_t E = 12, H = 6, G = 3, L = 5, S = 6;
    static constexpr cxattn::mha_params<T, E, H, E, E, G> params{
        test_data::uniform<T, E, E>(80),         test_data::uniform<T, G * E / H, E>(81),
        test_data::uniform<T, G * E / H, E>(82), test_data::uniform<T, E, E>(83),
        test_data::uniform<T, 1, E>(84),         test_data::uniform<T, 1, G * E / H>(85),
        test_data::uniform<T, 1, G * E / H>(86), test_data::uniform<T, 1, E>(87)};
    static constexpr auto q = test_data::uniform<T, L, E>(88);
    static constexpr auto kv = test_data::uniform<T, S, E>(89);
    constexpr auto head_alibi = cxattn::score_mod([](T s, std::size_t h, std::ptrdiff_t qp, std::ptrdiff_t kp) {
        constexpr T slopes[H] = {T(0.25), T(1) / 16, T(1) / 64, T(1) / 256, T(0.5), T(0.125)};
        return s + slopes[h] * static_cast<T>(kp - qp);
    });
    static constexpr auto builtin =
        cxattn::multi_head_attention(q, kv, kv, params, cxattn::alibi, cxattn::causal, cxattn::sliding_window(2));
    static constexpr auto expression =
        cxattn::multi_head_attention(q, kv, kv, params, head_alibi, cxattn::causal, cxattn::sliding_window(2));
    static_assert(same_bits(builtin, expression));
    const auto rq = at_run_time(q);
    const auto run =
        cxattn::multi_head_attention(rq, kv, kv, params, cxattn::alibi, cxattn::causal, cxattn::sliding_window(2));
    check(run.weights, builtin.weights, 1.0L / S / 100, "multi-head alibi weights");
    check(run.output, builtin.output, 1.0L, "multi-head alibi output");
    // A per-head mask: head h sees keys within h of the query.
    constexpr auto per_head = cxattn::mask_mod([](std::size_t h, std::ptrdiff_t qp, std::ptrdiff_t kp) {
        return qp - kp <= static_cast<std::ptrdiff_t>(h) && kp - qp <= static_cast<std::ptrdiff_t>(h);
    });
    static constexpr auto fixed = cxattn::multi_head_attention(q, kv, kv, params, per_head, cxattn::softcap(T(3)));
    const auto r2 = cxattn::multi_head_attention(rq, kv, kv, params, per_head, cxattn::softcap(T(3)));
    check(r2.weights, fixed.weights, 1.0L / S / 100, "multi-head mask_mod weights");
    check(r2.output, fixed.output, 1.0L, "multi-head mask_mod output");
}

BOOST_AUTO_TEST_CASE(multi_head_float) { check_multi_head<float>(); }
BOOST_AUTO_TEST_CASE(multi_head_double) { check_multi_head<double>(); }

// Over many keys the streaming kernels skip the blocks of keys outside every row's range (a window,
// key_length); the result is the compile-time one, also where a block of rows sees no key at all.
template <class T> void check_many_keys() {
    constexpr std::size_t L = 40, S = 100, D = 4;
    static constexpr auto q = test_data::uniform<T, L, D>(601, T(-2), T(2));
    static constexpr auto k = test_data::uniform<T, S, D>(602, T(-2), T(2));
    static constexpr auto v = test_data::uniform<T, S, D>(603);
    const auto rq = at_run_time(q);
#define CXATTN_TEST_STREAM(name, ...)                                                                                  \
    {                                                                                                                  \
        static constexpr auto fixed = cxattn::streaming_attention(q, k, v, __VA_ARGS__);                               \
        check(cxattn::streaming_attention(rq, k, v, __VA_ARGS__), fixed, 1.0L, name);                                  \
        static constexpr auto weighed = cxattn::scaled_dot_product_attention(q, k, v, __VA_ARGS__);                    \
        const auto run = cxattn::scaled_dot_product_attention(rq, k, v, __VA_ARGS__);                                  \
        check(run.weights, weighed.weights, 1.0L / S / 100, name " weights");                                          \
        check(run.output, weighed.output, 1.0L, name " output");                                                       \
    }
    CXATTN_TEST_STREAM("causal window", cxattn::causal, cxattn::sliding_window(7))
    CXATTN_TEST_STREAM("lower-right window", cxattn::causal_lower_right, cxattn::sliding_window(5))
    CXATTN_TEST_STREAM("two-sided window", cxattn::align_lower_right, cxattn::sliding_window(3, 9),
                       cxattn::key_length(77))
    CXATTN_TEST_STREAM("early queries", cxattn::query_offset(-30), cxattn::causal, cxattn::sliding_window(2))
    CXATTN_TEST_STREAM("no key", cxattn::key_offset(200), cxattn::causal)
#undef CXATTN_TEST_STREAM
}

BOOST_AUTO_TEST_CASE(many_keys_float) { check_many_keys<float>(); }
BOOST_AUTO_TEST_CASE(many_keys_double) { check_many_keys<double>(); }

// Decoding T tokens one by one through a kv_cache gives, row by row, the causal attention over the
// T tokens: the same bits in constant evaluation (the same scores, summed in the same order over
// the same keys), within the kernels' tolerance at run time.
template <class T, std::size_t Tokens, std::size_t Capacity, std::size_t D>
constexpr cxattn::matrix<T, Tokens, D> decode(const cxattn::matrix<T, Tokens, D>& q,
                                              const cxattn::matrix<T, Tokens, D>& k,
                                              const cxattn::matrix<T, Tokens, D>& v) {
    cxattn::kv_cache<T, Capacity, D, D> cache;
    cxattn::matrix<T, Tokens, D> out{};
    for (std::size_t t = 0; t < Tokens; ++t) {
        cxattn::matrix<T, 1, D> qt, kt, vt;
        for (std::size_t d = 0; d < D; ++d) {
            qt.values[d] = q(t, d);
            kt.values[d] = k(t, d);
            vt.values[d] = v(t, d);
        }
        if (!cache.append(kt, vt)) return out;
        const auto r = cache.attend(qt);
        for (std::size_t d = 0; d < D; ++d) out(t, d) = r.output(0, d);
    }
    return out;
}

template <class T> void check_kv_cache() {
    constexpr std::size_t Tokens = 6, Capacity = 8, D = 4;
    static constexpr auto q = test_data::uniform<T, Tokens, D>(701, T(-2), T(2));
    static constexpr auto k = test_data::uniform<T, Tokens, D>(702, T(-2), T(2));
    static constexpr auto v = test_data::uniform<T, Tokens, D>(703);
    static constexpr auto full = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal);
    static constexpr auto decoded = decode<T, Tokens, Capacity, D>(q, k, v);
    static_assert(decoded == full.output);
    check(decode<T, Tokens, Capacity, D>(at_run_time(q), k, v), full.output, 1.0L, "kv_cache decoding");
    // A prefill of 3 tokens, then 3 more at once, with a window: the lower-right alignment places them.
    cxattn::kv_cache<T, Capacity, D, D> cache;
    cxattn::matrix<T, 3, D> q1, k1, v1, q2, k2, v2;
    for (std::size_t i = 0; i < 3 * D; ++i) {
        q1.values[i] = q.values[i];
        k1.values[i] = k.values[i];
        v1.values[i] = v.values[i];
        q2.values[i] = q.values[3 * D + i];
        k2.values[i] = k.values[3 * D + i];
        v2.values[i] = v.values[3 * D + i];
    }
    BOOST_TEST(cache.append(k1, v1));
    BOOST_TEST(cache.append(k2, v2));
    BOOST_TEST(cache.size() == 6u);
    static constexpr auto windowed =
        cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal, cxattn::sliding_window(1));
    const auto r = cache.attend(q2, cxattn::sliding_window(1));
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t d = 0; d < D; ++d) {
            const long double a = r.output(i, d), b = windowed.output(3 + i, d);
            BOOST_TEST(std::fabs(a - b) <= tolerance<T> * std::fmax(std::fabs(b), 1.0L), "row " << i << ": " << a);
        }
    // Full: append refuses and changes nothing.
    BOOST_TEST(!cache.append(k1, v1));
    BOOST_TEST(cache.size() == 6u);
    cache.clear();
    BOOST_TEST(cache.size() == 0u);
    BOOST_TEST(cache.append(k1, v1));
}

BOOST_AUTO_TEST_CASE(kv_cache_float) { check_kv_cache<float>(); }
BOOST_AUTO_TEST_CASE(kv_cache_double) { check_kv_cache<double>(); }

// per_head_weights: each query head's weights (PyTorch's average_attn_weights=False), whose mean is
// the default result's weights; a per-head mask shows in its head only. Also written in place.
template <class T> void check_per_head_weights() {
    constexpr std::size_t E = 8, H = 4, G = 2, L = 5, S = 6;
    static constexpr cxattn::mha_params<T, E, H, E, E, G> params{
        test_data::uniform<T, E, E>(90),         test_data::uniform<T, G * E / H, E>(91),
        test_data::uniform<T, G * E / H, E>(92), test_data::uniform<T, E, E>(93),
        test_data::uniform<T, 1, E>(94),         test_data::uniform<T, 1, G * E / H>(95),
        test_data::uniform<T, 1, G * E / H>(96), test_data::uniform<T, 1, E>(97)};
    static constexpr auto q = test_data::uniform<T, L, E>(98);
    static constexpr auto kv = test_data::uniform<T, S, E>(99);
    constexpr auto band = cxattn::mask_mod([](std::size_t h, std::ptrdiff_t qp, std::ptrdiff_t kp) {
        return kp <= qp && qp - kp <= static_cast<std::ptrdiff_t>(h);
    });
    static constexpr auto mean = cxattn::multi_head_attention(q, kv, kv, params, band);
    static constexpr auto each = cxattn::multi_head_attention(q, kv, kv, params, band, cxattn::per_head_weights);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(each)>, cxattn::multi_head_result<T, L, S, E, H>>);
    static_assert(each.output == mean.output);
    static_assert(each.weights[0](3, 2) == T(0) && each.weights[0](3, 3) == T(1) && each.weights[1](3, 2) > T(0));
    for (std::size_t i = 0; i < L * S; ++i) {
        long double sum = 0;
        for (std::size_t h = 0; h < H; ++h) sum += each.weights[h].values[i];
        BOOST_TEST(std::fabs(sum / H - mean.weights.values[i]) <= 4 * std::numeric_limits<T>::epsilon());
    }
    const auto rq = at_run_time(q);
    const auto run = cxattn::multi_head_attention(rq, kv, kv, params, band, cxattn::per_head_weights);
    check(run.output, each.output, 1.0L, "per-head output");
    for (std::size_t h = 0; h < H; ++h) check(run.weights[h], each.weights[h], 1.0L / S / 100, "per-head weights");
    static cxattn::multi_head_result<T, L, S, E, H> in_place;
    cxattn::multi_head_attention(rq, kv, kv, params, in_place, cxattn::per_head_weights, band);
    check(in_place.output, each.output, 1.0L, "per-head output in place");
    for (std::size_t h = 0; h < H; ++h)
        check(in_place.weights[h], each.weights[h], 1.0L / S / 100, "per-head weights in place");
}

BOOST_AUTO_TEST_CASE(per_head_weights_float) { check_per_head_weights<float>(); }
BOOST_AUTO_TEST_CASE(per_head_weights_double) { check_per_head_weights<double>(); }

namespace {

// cxattn::sink(s) is one more key whose score is s and whose value is 0, its weight dropped: in
// constant evaluation the same bits as that key appended (a zero key and value, s in an additive
// mask) where s is below the row's largest score, the same to rounding where it is above (the row's
// exps are then rescaled once).
template <class T, std::size_t L, std::size_t S, std::size_t D> struct with_sink_key {
    matrix<T, S + 1, D> k{}, v{};
    matrix<T, L, S + 1> bias{};
};
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
constexpr auto sink_as_key(const matrix<T, S, Dk>& k, const matrix<T, S, Dv>& v, T s, bool causal) {
    static_assert(Dk == Dv);
    with_sink_key<T, L, S, Dk> r;
    for (std::size_t i = 0; i < S * Dk; ++i) r.k.values[i] = k.values[i];
    for (std::size_t i = 0; i < S * Dv; ++i) r.v.values[i] = v.values[i];
    for (std::size_t i = 0; i < L; ++i) {
        for (std::size_t j = 0; j < S; ++j) r.bias(i, j) = causal && j > i ? -std::numeric_limits<T>::infinity() : T(0);
        r.bias(i, S) = s;
    }
    return r;
}

template <class T> constexpr bool sinks_are_keys() {
    constexpr std::size_t L = 4, S = 6, D = 3;
    constexpr auto q = test_data::uniform<T, L, D>(701, T(-2), T(2));
    constexpr auto k = test_data::uniform<T, S, D>(702, T(-2), T(2));
    constexpr auto v = test_data::uniform<T, S, D>(703);
    const auto scale = cxattn::scale(T(1) / cxattn::sqrt(T(D)));
    bool ok = true;
    for (const T s : {T(-3), T(4)}) {
        for (const bool causal : {false, true}) {
            const auto key = sink_as_key<T, L>(k, v, s, causal);
            const auto expected = cxattn::scaled_dot_product_attention(q, key.k, key.v, key.bias, scale);
            const auto r = causal ? cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(s), cxattn::causal)
                                  : cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(s));
            const auto streamed = causal ? cxattn::streaming_attention(q, k, v, cxattn::sink(s), cxattn::causal)
                                         : cxattn::streaming_attention(q, k, v, cxattn::sink(s));
            // s = -3 is below every row's largest score here: the same bits; s = 4 above: to rounding.
            const T tolerance = s < T(0) ? T(0) : 8 * std::numeric_limits<T>::epsilon();
            T total{};
            for (std::size_t i = 0; i < L; ++i) {
                T row{};
                for (std::size_t j = 0; j < S; ++j) {
                    const T a = r.weights(i, j), b = expected.weights(i, j);
                    ok = ok && (a - b <= tolerance * b && b - a <= tolerance * b);
                    row += a;
                }
                ok = ok && row < T(1); // the sink keeps some weight
                total += row;
                for (std::size_t d = 0; d < D; ++d) {
                    const T a = r.output(i, d), b = expected.output(i, d), c = streamed(i, d);
                    const T bound = s < T(0) ? T(0) : 8 * std::numeric_limits<T>::epsilon(); // values within 1
                    ok = ok && a - b <= bound && b - a <= bound;
                    // The online softmax rounds otherwise: within the kernels' tolerance (64 epsilon
                    // relative to max(|value|, 1)).
                    ok = ok && a - c <= 64 * std::numeric_limits<T>::epsilon() &&
                         c - a <= 64 * std::numeric_limits<T>::epsilon();
                }
            }
            ok = ok && total > T(0);
        }
    }
    // A sink of -inf is no sink: the same bits.
    ok = ok &&
         same_bits(cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(-std::numeric_limits<T>::infinity())),
                   cxattn::scaled_dot_product_attention(q, k, v));
    // Every key masked: weights 0 and output 0, whatever the sink (also one far above the scores).
    for (const T s : {T(-100), T(0), T(100)}) {
        const auto none = cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(s), cxattn::key_length(0));
        for (T x : none.weights.values) ok = ok && x == T(0);
        for (T x : none.output.values) ok = ok && x == T(0);
        for (T x : cxattn::streaming_attention(q, k, v, cxattn::sink(s), cxattn::key_length(0)).values)
            ok = ok && x == T(0);
    }
    // A sink far above the scores takes nearly all the weight; one far below, none.
    const auto high = cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(T(80)));
    for (T x : high.weights.values) ok = ok && x < T(1e-30);
    ok = ok && same_bits(cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(T(-200))),
                         cxattn::scaled_dot_product_attention(q, k, v));
    return ok;
}
static_assert(sinks_are_keys<float>());
static_assert(sinks_are_keys<double>());

// Per-head sinks given as a temporary, in a constant initialised at namespace scope (GCC once refused
// comparing the temporary's address with null there).
constexpr cxattn::mha_params<float, 4, 2> sink_params{};
constexpr auto per_head_sinks =
    cxattn::multi_head_attention(operands<float>::q, operands<float>::q, operands<float>::q, sink_params,
                                 cxattn::sink(matrix<float, 1, 2>{0.5f, -1.0f}));
static_assert(per_head_sinks.weights(0, 0) < 1.0f / operands<float>::L);

#if defined(__clang__)
// A sink far above the scores after the running sum overflowed (values near the largest float): the
// rescaling by exp(-200) = 0 gives zeros, not inf * 0 = NaN, which Clang refuses in constant
// evaluation (GCC refuses the overflow itself: docs/semantics.md, "At compile time").
constexpr auto overflowed =
    cxattn::streaming_attention(matrix<float, 2, 2>{}, matrix<float, 4, 2>{},
                                matrix<float, 4, 1>{3e38f, 3e38f, 3e38f, 3e38f}, cxattn::sink(200.0f));
static_assert(overflowed(0, 0) == 0.0f && overflowed(1, 0) == 0.0f);
#endif

} // namespace

// Sinks at run time against compile time, on every path this build takes: with masks and modifiers,
// a sink above the scores, rows with every key masked, many keys (the streaming kernels' blocks and
// their skipping), and multi-head attention with one sink per head.
template <class T> void check_sinks() {
    using o = operands<T>;
    const auto q = at_run_time(o::q);
    const auto k = o::k;
    const auto v = o::v;
    CXATTN_TEST_CALL("sink", cxattn::sink(T(0.5)))
    CXATTN_TEST_CALL("sink above the scores", cxattn::sink(T(6)), cxattn::causal)
    CXATTN_TEST_CALL("sink, no valid key", cxattn::sink(T(1)), cxattn::key_length(0))
    CXATTN_TEST_CALL("sink with a bias and a window", cxattn::sink(-1.5), o::bias, cxattn::sliding_window(1, 1))
    CXATTN_TEST_CALL("sink with modifiers", cxattn::sink(T(0.25)), cxattn::softcap(T(2)), cxattn::alibi_slope(T(0.5)),
                     cxattn::causal_lower_right, cxattn::key_length(6))
#undef CXATTN_TEST_CALL
    // Over many keys, some rows seeing none (the streaming kernels skip blocks).
    constexpr std::size_t L = 40, S = 100, D = 4;
    static constexpr auto mq = test_data::uniform<T, L, D>(611, T(-2), T(2));
    static constexpr auto mk = test_data::uniform<T, S, D>(612, T(-2), T(2));
    static constexpr auto mv = test_data::uniform<T, S, D>(613);
    const auto rq = at_run_time(mq);
    static constexpr auto many = cxattn::scaled_dot_product_attention(mq, mk, mv, cxattn::sink(T(0.75)), cxattn::causal,
                                                                      cxattn::query_offset(-20));
    const auto run = cxattn::scaled_dot_product_attention(rq, mk, mv, cxattn::sink(T(0.75)), cxattn::causal,
                                                          cxattn::query_offset(-20));
    check(run.weights, many.weights, 1.0L / S / 100, "sink, many keys, weights");
    check(run.output, many.output, 1.0L, "sink, many keys, output");
    static constexpr auto streamed =
        cxattn::streaming_attention(mq, mk, mv, cxattn::sink(T(0.75)), cxattn::causal, cxattn::query_offset(-20));
    check(cxattn::streaming_attention(rq, mk, mv, cxattn::sink(T(0.75)), cxattn::causal, cxattn::query_offset(-20)),
          streamed, 1.0L, "sink, many keys, streaming");
    // A value that is not finite at a masked key, with a sink: never read.
    auto nk = o::k;
    auto nv = o::v;
    nk(6, 0) = std::numeric_limits<T>::quiet_NaN();
    nv(6, 1) = std::numeric_limits<T>::infinity();
    static constexpr auto six =
        cxattn::scaled_dot_product_attention(o::q, o::k, o::v, cxattn::sink(T(0.5)), cxattn::key_length(6));
    const auto masked = cxattn::scaled_dot_product_attention(q, nk, nv, cxattn::sink(T(0.5)), cxattn::key_length(6));
    check(masked.output, six.output, 1.0L, "sink, NaN in a masked key");
    // A sink of NaN or +inf in T (1e300 in float) is refused at run time: every value NaN.
    const T refused = at_run_time(matrix<T, 1, 1>{std::numeric_limits<T>::quiet_NaN()}).values[0];
    for (T x : cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(refused)).output.values)
        BOOST_TEST(std::isnan(x));
    for (T x :
         cxattn::scaled_dot_product_attention(q, k, v, cxattn::sink(std::numeric_limits<T>::infinity()), cxattn::causal)
             .weights.values)
        BOOST_TEST(std::isnan(x));
    for (T x :
         cxattn::streaming_attention(q, k, v, cxattn::sink(at_run_time(matrix<double, 1, 1>{1e300}).values[0])).values)
        BOOST_TEST((std::isnan(x) || std::is_same_v<T, double>));
}

BOOST_AUTO_TEST_CASE(sinks_float) { check_sinks<float>(); }
BOOST_AUTO_TEST_CASE(sinks_double) { check_sinks<double>(); }

// multi_head_attention with a sink per query head (gpt-oss): a matrix<T, 1, H>; the same logit in
// every head is the one number's sink, bit for bit.
template <class T> void check_multi_head_sinks() {
    constexpr std::size_t E = 8, H = 4, G = 2, L = 5, S = 6;
    static constexpr cxattn::mha_params<T, E, H, E, E, G> params{
        test_data::uniform<T, E, E>(190),         test_data::uniform<T, G * E / H, E>(191),
        test_data::uniform<T, G * E / H, E>(192), test_data::uniform<T, E, E>(193),
        test_data::uniform<T, 1, E>(194),         test_data::uniform<T, 1, G * E / H>(195),
        test_data::uniform<T, 1, G * E / H>(196), test_data::uniform<T, 1, E>(197)};
    static constexpr auto q = test_data::uniform<T, L, E>(198);
    static constexpr auto kv = test_data::uniform<T, S, E>(199);
    static constexpr matrix<T, 1, H> sinks{T(-1), T(0.5), T(3), -std::numeric_limits<T>::infinity()};
    static constexpr matrix<T, 1, H> same{T(0.5), T(0.5), T(0.5), T(0.5)};
    static_assert(cxattn::multi_head_attention(q, kv, kv, params, cxattn::sink(same), cxattn::causal).output ==
                  cxattn::multi_head_attention(q, kv, kv, params, cxattn::sink(T(0.5)), cxattn::causal).output);
    static constexpr auto fixed =
        cxattn::multi_head_attention(q, kv, kv, params, cxattn::sink(sinks), cxattn::causal, cxattn::per_head_weights);
    // Head 3's sink is -inf: its rows sum to 1; the others' to less.
    static_assert(fixed.weights[3](2, 0) + fixed.weights[3](2, 1) + fixed.weights[3](2, 2) > T(0.999));
    static_assert(fixed.weights[2](0, 0) < T(0.5));
    const auto rq = at_run_time(q);
    const auto run =
        cxattn::multi_head_attention(rq, kv, kv, params, cxattn::sink(sinks), cxattn::causal, cxattn::per_head_weights);
    check(run.output, fixed.output, 1.0L, "per-head sinks output");
    for (std::size_t h = 0; h < H; ++h)
        check(run.weights[h], fixed.weights[h], 1.0L / S / 100, "per-head sinks weights");
}

BOOST_AUTO_TEST_CASE(multi_head_sinks_float) { check_multi_head_sinks<float>(); }
BOOST_AUTO_TEST_CASE(multi_head_sinks_double) { check_multi_head_sinks<double>(); }
