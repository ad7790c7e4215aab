// SPDX-License-Identifier: MIT
// Split-KV attention (docs/semantics.md, "Split-KV"): partial_attention and merge. The merge of the
// partials of every split of the keys is scaled_dot_product_attention over all of them, with each
// position option and modifier, also where one part or both see no key; the log-sum-exp agrees with
// a long double reference; the special rows and the merge's rules hold; and every call gives at run
// time what it gives at compile time, within the kernels' tolerance (the same bits with
// CXATTN_RUNTIME_KERNELS=0 CXATTN_RUNTIME_LIBM=0). Built like test_public_calls.cpp: with the vector
// kernels, the scalar kernels and the portable path.
#define BOOST_TEST_MODULE kernels_partial
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <cmath>
#include <cstddef>
#include <iterator>
#include <limits>
#include <tuple>

#include "against_compile_time.hpp"
#include "reference.hpp"
#include "test_data.hpp"

using cxattn::matrix;

namespace {

using against_compile_time::at_run_time;
using against_compile_time::bit_exact;
using against_compile_time::check;
using against_compile_time::tolerance;

// Rows [First, First + N) of m: a part's keys or values.
template <std::size_t First, std::size_t N, class T, std::size_t R, std::size_t C>
constexpr matrix<T, N, C> rows_of(const matrix<T, R, C>& m) {
    matrix<T, N, C> part{};
    for (std::size_t i = 0; i < N * C; ++i) part.values[i] = m.values[First * C + i];
    return part;
}

// Columns [First, First + N) of m: a part's columns of an L x S mask.
template <std::size_t First, std::size_t N, class T, std::size_t R, std::size_t C>
constexpr matrix<T, R, N> cols_of(const matrix<T, R, C>& m) {
    matrix<T, R, N> part{};
    for (std::size_t i = 0; i < R; ++i)
        for (std::size_t j = 0; j < N; ++j) part(i, j) = m(i, First + j);
    return part;
}

template <class T, std::size_t L = 5, std::size_t S = 7> struct operands {
    static constexpr std::size_t Dk = 4, Dv = 3;
    static constexpr auto q = test_data::uniform<T, L, Dk>(601, T(-2), T(2));
    static constexpr auto k = test_data::uniform<T, S, Dk>(602, T(-2), T(2));
    static constexpr auto v = test_data::uniform<T, S, Dv>(603);
    static constexpr auto bias = test_data::uniform<T, L, S>(604);
    static constexpr auto keep = [] {
        matrix<bool, L, S> m{};
        const auto u = test_data::uniform<T, L, S>(605);
        for (std::size_t i = 0; i < L * S; ++i) m.values[i] = u.values[i] > T(-0.4);
        return m;
    }();
};

// The cases: options<T, L, S, First, N>() are the options of the part of keys [First, First + N) as
// a tuple (the whole: First = 0, N = S), key_offset(First) left to the caller; attend(i, j) and
// bias(i, j) say what they mean for the long double reference, where it has one (reference = true).
constexpr std::size_t clamp_keys(std::ptrdiff_t n, std::size_t N) {
    return n <= 0 ? 0 : static_cast<std::size_t>(n) < N ? static_cast<std::size_t>(n) : N;
}
struct plain {
    static constexpr const char* name = "no option";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple();
    }
    static constexpr bool attend(long, long) { return true; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t, std::size_t) { return 0; }
};
struct causal_offset {
    static constexpr const char* name = "causal, query_offset(2)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::causal, cxattn::query_offset(2));
    }
    static constexpr bool attend(long i, long j) { return j <= 2 + i; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t, std::size_t) { return 0; }
};
struct window_both_sides {
    static constexpr const char* name = "sliding_window(1, 1), query_offset(3)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::sliding_window(1, 1), cxattn::query_offset(3));
    }
    static constexpr bool attend(long i, long j) { return 3 + i - 1 <= j && j <= 3 + i + 1; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t, std::size_t) { return 0; }
};
struct causal_window {
    static constexpr const char* name = "causal, sliding_window(2)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::causal, cxattn::sliding_window(2));
    }
    static constexpr bool attend(long i, long j) { return i - 2 <= j && j <= i; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t, std::size_t) { return 0; }
};
struct valid_keys {
    static constexpr const char* name = "key_length(4), causal, query_offset(3)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::key_length(clamp_keys(4 - static_cast<std::ptrdiff_t>(First), N)), cxattn::causal,
                          cxattn::query_offset(3));
    }
    static constexpr bool attend(long i, long j) { return j < 4 && j <= 3 + i; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t, std::size_t) { return 0; }
};
struct masks_and_scale {
    static constexpr const char* name = "bool mask, additive mask, scale(0.5)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cols_of<First, N>(operands<T, L, S>::keep), cols_of<First, N>(operands<T, L, S>::bias),
                          cxattn::scale(T(0.5)));
    }
    template <class T, std::size_t L, std::size_t S> static constexpr bool attend_of(std::size_t i, std::size_t j) {
        return operands<T, L, S>::keep(i, j);
    }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t i, std::size_t j) {
        return operands<T, L, S>::bias(i, j);
    }
};
struct before_every_key {
    static constexpr const char* name = "causal, query_offset(-2)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::causal, cxattn::query_offset(-2));
    }
    static constexpr bool attend(long i, long j) { return j <= i - 2; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t, std::size_t) { return 0; }
};
struct alibi {
    static constexpr const char* name = "alibi_slope(0.25), causal, query_offset(2)";
    static constexpr bool reference = true;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::alibi_slope(T(0.25)), cxattn::causal, cxattn::query_offset(2));
    }
    static constexpr bool attend(long i, long j) { return j <= 2 + i; }
    template <class T, std::size_t L, std::size_t S> static long double bias(std::size_t i, std::size_t j) {
        return 0.25L * (static_cast<long double>(j) - static_cast<long double>(i + 2));
    }
};
struct modifiers {
    static constexpr const char* name = "softcap(1.5), score_mod, mask_mod";
    static constexpr bool reference = false;
    template <class T, std::size_t L, std::size_t S, std::size_t First, std::size_t N> static constexpr auto options() {
        return std::tuple(cxattn::softcap(T(1.5)),
                          cxattn::score_mod([](T s, std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) {
                              return s / static_cast<T>(k - q); // never called on the diagonal, which mask_mod masks
                          }),
                          cxattn::mask_mod([](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return k != q; }));
    }
};

template <class Case, class T, std::size_t L, std::size_t S> constexpr bool attends(std::size_t i, std::size_t j) {
    if constexpr (requires { Case::template attend_of<T, L, S>(i, j); })
        return Case::template attend_of<T, L, S>(i, j);
    else
        return Case::attend(static_cast<long>(i), static_cast<long>(j));
}

// The partial attention over keys [First, First + N) of q, k, v with the case's options.
template <class Case, std::size_t First, std::size_t N, class T, std::size_t L, std::size_t S, std::size_t Dk,
          std::size_t Dv>
constexpr auto part(const matrix<T, L, Dk>& q, const matrix<T, S, Dk>& k, const matrix<T, S, Dv>& v) {
    return std::apply(
        [&](const auto&... options) {
            return cxattn::partial_attention(q, rows_of<First, N>(k), rows_of<First, N>(v),
                                             cxattn::key_offset(static_cast<std::ptrdiff_t>(First)), options...);
        },
        Case::template options<T, L, S, First, N>());
}

// The attention over all keys, and the merge of the split at S1.
template <class Case, class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
constexpr auto whole(const matrix<T, L, Dk>& q, const matrix<T, S, Dk>& k, const matrix<T, S, Dv>& v) {
    return std::apply([&](const auto&... options) { return cxattn::scaled_dot_product_attention(q, k, v, options...); },
                      Case::template options<T, L, S, 0, S>());
}
template <class Case, std::size_t S1, class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
constexpr auto split(const matrix<T, L, Dk>& q, const matrix<T, S, Dk>& k, const matrix<T, S, Dv>& v) {
    return cxattn::merge(part<Case, 0, S1>(q, k, v), part<Case, S1, S - S1>(q, k, v));
}

// |a - b| <= 64 eps max(|b|, 1), or both the same infinity, or both NaN.
template <class T> constexpr bool close(T a, T b) {
    if (!(a == a) || !(b == b)) return !(a == a) && !(b == b);
    if (a == b) return true;
    const T d = a < b ? b - a : a - b, m = b < 0 ? -b : b;
    return d <= T(64) * std::numeric_limits<T>::epsilon() * (m > T(1) ? m : T(1));
}

// A merged result against the whole attention, at run time: a different order of summation, so
// within the tolerance on every path, the portable one included.
template <class T, std::size_t R, std::size_t C>
void check_close(const matrix<T, R, C>& merged, const matrix<T, R, C>& whole_result, const char* what) {
    for (std::size_t i = 0; i < R * C; ++i)
        BOOST_TEST(close(merged.values[i], whole_result.values[i]),
                   what << "[" << i << "]: " << merged.values[i] << " against " << whole_result.values[i]);
}

// In constant evaluation, for every split of the 7 keys: the merged output is the whole attention's
// and the merged lse the one partial's over all keys, within 64 eps.
template <class Case, class T, std::size_t S1> constexpr bool split_is_whole() {
    using o = operands<T>;
    const auto merged = split<Case, S1>(o::q, o::k, o::v);
    const auto all = whole<Case>(o::q, o::k, o::v);
    const auto one = part<Case, 0, 7>(o::q, o::k, o::v);
    bool ok = true;
    for (std::size_t i = 0; i < std::size(merged.output.values); ++i)
        ok = ok && close(merged.output.values[i], all.output.values[i]) &&
             close(merged.output.values[i], one.output.values[i]);
    for (std::size_t i = 0; i < std::size(merged.lse.values); ++i)
        ok = ok && close(merged.lse.values[i], one.lse.values[i]);
    return ok;
}
template <class Case, class T> constexpr bool every_split_is_whole() {
    return split_is_whole<Case, T, 1>() && split_is_whole<Case, T, 2>() && split_is_whole<Case, T, 3>() &&
           split_is_whole<Case, T, 4>() && split_is_whole<Case, T, 5>() && split_is_whole<Case, T, 6>();
}
template <class T> constexpr bool splits_hold() {
    return every_split_is_whole<plain, T>() && every_split_is_whole<causal_offset, T>() &&
           every_split_is_whole<window_both_sides, T>() && every_split_is_whole<causal_window, T>() &&
           every_split_is_whole<valid_keys, T>() && every_split_is_whole<masks_and_scale, T>() &&
           every_split_is_whole<before_every_key, T>() && every_split_is_whole<alibi, T>() &&
           every_split_is_whole<modifiers, T>();
}
static_assert(splits_hold<float>());
static_assert(splits_hold<double>());

// The rules of merge on rows of one query (L = 1, Dv = 2), in constant evaluation.
template <class T> constexpr cxattn::partial_result<T, 1, 2> row(T o0, T o1, T lse) { return {{{o0, o1}}, {{lse}}}; }
template <class T> constexpr bool same(const cxattn::partial_result<T, 1, 2>& r, T o0, T o1, T lse) {
    const auto eq = [](T a, T b) { return a == b || (!(a == a) && !(b == b)); };
    return eq(r.output(0, 0), o0) && eq(r.output(0, 1), o1) && eq(r.lse(0, 0), lse);
}
template <class T> constexpr bool merge_rules_hold() {
    constexpr T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    const auto a = row<T>(1, 2, T(0.5)), b = row<T>(3, 4, T(0.5)), empty = row<T>(0, 0, -inf);
    bool ok = true;
    // Equal lse: the mean, and lse + log 2.
    ok = ok && same(cxattn::merge(a, b), T(2), T(3), T(0.5) + cxattn::log(T(2)));
    // A part with no key adds nothing (the other's bits); two give 0 and -inf.
    ok = ok && same(cxattn::merge(a, empty), T(1), T(2), T(0.5)) && same(cxattn::merge(empty, b), T(3), T(4), T(0.5));
    ok = ok && same(cxattn::merge(empty, empty), T(0), T(0), -inf);
    // A +inf lse takes the whole weight; two give a NaN output and +inf; NaN gives NaN.
    const auto infinite = row<T>(5, 6, inf);
    ok = ok && same(cxattn::merge(a, infinite), T(5), T(6), inf) &&
         same(cxattn::merge(infinite, empty), T(5), T(6), inf);
    ok = ok && same(cxattn::merge(infinite, infinite), nan, nan, inf);
    ok = ok && same(cxattn::merge(a, row<T>(nan, nan, nan)), nan, nan, nan);
    // A sink is one key of logit z and value 0: with lse 0.5 and z = 0.5, half the weight.
    ok = ok && same(cxattn::merge(a, empty, cxattn::sink(T(0.5))), T(0.5), T(1), T(0.5) + cxattn::log(T(2)));
    ok = ok && same(cxattn::merge(empty, empty, cxattn::sink(T(0.5))), T(0), T(0), T(0.5));
    ok = ok && same(cxattn::merge(a, b, cxattn::sink(-inf)), T(2), T(3), T(0.5) + cxattn::log(T(2)));
    ok = ok && same(cxattn::merge(a, infinite, cxattn::sink(T(100))), T(5), T(6), inf);
    return ok;
}
static_assert(merge_rules_hold<float>());
static_assert(merge_rules_hold<double>());

// The sink added by merge is scaled_dot_product_attention's sink, in constant evaluation.
template <class T> constexpr bool merged_sink_is_attention_sink() {
    using o = operands<T>;
    const auto merged = cxattn::merge(part<causal_offset, 0, 3>(o::q, o::k, o::v),
                                      part<causal_offset, 3, 4>(o::q, o::k, o::v), cxattn::sink(0.75));
    const auto all = cxattn::scaled_dot_product_attention(o::q, o::k, o::v, cxattn::causal, cxattn::query_offset(2),
                                                          cxattn::sink(0.75));
    bool ok = true;
    for (std::size_t i = 0; i < std::size(merged.output.values); ++i)
        ok = ok && close(merged.output.values[i], all.output.values[i]);
    return ok;
}
static_assert(merged_sink_is_attention_sink<float>());
static_assert(merged_sink_is_attention_sink<double>());

// The special rows of a part: a NaN query row gives NaN and lse NaN; a +inf bias gives +inf and the
// value of its key; a part that sees no key, 0 and -inf.
template <class T> constexpr bool special_rows_hold() {
    using o = operands<T>;
    constexpr T inf = std::numeric_limits<T>::infinity();
    auto q = o::q;
    q(1, 2) = std::numeric_limits<T>::quiet_NaN();
    matrix<T, 5, 7> bias{};
    bias(3, 4) = inf;
    const auto r = cxattn::partial_attention(q, o::k, o::v, bias);
    bool ok = !(r.lse(1, 0) == r.lse(1, 0)) && !(r.output(1, 0) == r.output(1, 0));
    ok = ok && r.lse(3, 0) == inf && r.output(3, 0) == o::v(4, 0) && r.output(3, 2) == o::v(4, 2);
    ok = ok && close(r.lse(0, 0), part<plain, 0, 7>(o::q, o::k, o::v).lse(0, 0));
    const auto none = cxattn::partial_attention(o::q, o::k, o::v, cxattn::key_length(0));
    for (T x : none.output.values) ok = ok && x == T(0);
    for (T x : none.lse.values) ok = ok && x == -inf;
    return ok;
}
static_assert(special_rows_hold<float>());
static_assert(special_rows_hold<double>());

// A part of weight 0 adds 0 times its output, as attention adds 0 times an attended value: a key
// whose score is -inf from the data (not masked) and whose value is NaN makes the row NaN, merged
// as over all keys (docs/semantics.md, "Split-KV").
template <class T> constexpr bool zero_weight_parts_add_their_nan() {
    constexpr T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    const matrix<T, 1, 1> q{{T(1)}};
    const matrix<T, 2, 1> k{{-inf, T(0.5)}}, v{{nan, T(2)}};
    const auto all = cxattn::scaled_dot_product_attention(q, k, v);
    const auto merged =
        cxattn::merge(cxattn::partial_attention(q, rows_of<0, 1>(k), rows_of<0, 1>(v)),
                      cxattn::partial_attention(q, rows_of<1, 1>(k), rows_of<1, 1>(v), cxattn::key_offset(1)));
    return !(all.output(0, 0) == all.output(0, 0)) && !(merged.output(0, 0) == merged.output(0, 0)) &&
           merged.lse(0, 0) == T(0.5);
}
static_assert(zero_weight_parts_add_their_nan<float>());
static_assert(zero_weight_parts_add_their_nan<double>());

// The lse of the whole against the long double reference: log(sum_j exp(s_ij)) over attended keys.
template <class Case, class T> void check_lse_against_reference() {
    using o = operands<T>;
    constexpr std::size_t L = 5, S = 7;
    static reference::position_options<L, S> options;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) {
            options.attend[i][j] = attends<Case, T, L, S>(i, j);
            options.bias[i][j] = Case::template bias<T, L, S>(i, j);
        }
    const long double scale = 0.5L; // 1 / sqrt(Dk), and masks_and_scale's scale(0.5)
    static reference::attention_result<L, S, o::Dv> ref;
    reference::attention(o::q, o::k, o::v, options, scale, ref);
    const auto run = part<Case, 0, S>(at_run_time(o::q), o::k, o::v);
    for (std::size_t i = 0; i < L; ++i) {
        long double max = -std::numeric_limits<long double>::infinity(), sum = 0;
        for (std::size_t j = 0; j < S; ++j) max = std::fmax(max, ref.scores[i][j]);
        if (max > -std::numeric_limits<long double>::infinity())
            for (std::size_t j = 0; j < S; ++j) sum += std::exp(ref.scores[i][j] - max);
        const long double want = sum == 0 ? -std::numeric_limits<long double>::infinity() : max + std::log(sum);
        const long double got = run.lse(i, 0);
        BOOST_TEST((got == want || std::fabs(got - want) <= tolerance<T> * std::fmax(std::fabs(want), 1.0L)),
                   Case::name << ": row " << i << " lse " << got << ", reference " << want);
    }
}

// Every split at run time against compile time (the partials and the merge) and against the whole.
template <class Case, class T, std::size_t S1> void check_split_at_run_time() {
    using o = operands<T>;
    const auto q = at_run_time(o::q);
    static constexpr auto fixed_a = part<Case, 0, S1>(o::q, o::k, o::v);
    static constexpr auto fixed_b = part<Case, S1, 7 - S1>(o::q, o::k, o::v);
    static constexpr auto fixed = cxattn::merge(fixed_a, fixed_b);
    const auto a = part<Case, 0, S1>(q, o::k, o::v), b = part<Case, S1, 7 - S1>(q, o::k, o::v);
    check(a.output, fixed_a.output, 1.0L, Case::name);
    check(a.lse, fixed_a.lse, 1.0L, Case::name);
    check(b.output, fixed_b.output, 1.0L, Case::name);
    check(b.lse, fixed_b.lse, 1.0L, Case::name);
    const auto merged = cxattn::merge(at_run_time(fixed_a), fixed_b);
    check(merged.output, fixed.output, 1.0L, Case::name);
    check(merged.lse, fixed.lse, 1.0L, Case::name);
    static constexpr auto all = whole<Case>(o::q, o::k, o::v);
    check_close(cxattn::merge(a, b).output, all.output, Case::name);
}
template <class Case, class T> void check_case() {
    check_split_at_run_time<Case, T, 1>();
    check_split_at_run_time<Case, T, 3>();
    check_split_at_run_time<Case, T, 6>();
    if constexpr (Case::reference) check_lse_against_reference<Case, T>();
}
template <class T> void check_cases() {
    check_case<plain, T>();
    check_case<causal_offset, T>();
    check_case<window_both_sides, T>();
    check_case<causal_window, T>();
    check_case<valid_keys, T>();
    check_case<masks_and_scale, T>();
    check_case<before_every_key, T>();
    check_case<alibi, T>();
    check_case<modifiers, T>();
}

// Rows longer than a block of keys of either kernel (16 scalar, 4 nr vector), split across blocks.
template <class T> void check_long_rows() {
    using o = operands<T, 3, 150>;
    const auto q = at_run_time(o::q);
    static constexpr auto of = [](const auto& query, const auto& k, const auto& v, std::ptrdiff_t first) {
        return cxattn::partial_attention(query, k, v, cxattn::causal, cxattn::query_offset(140),
                                         cxattn::sliding_window(100), cxattn::key_offset(first));
    };
    static constexpr auto fixed_a = of(o::q, rows_of<0, 37>(o::k), rows_of<0, 37>(o::v), 0);
    static constexpr auto fixed_b = of(o::q, rows_of<37, 113>(o::k), rows_of<37, 113>(o::v), 37);
    const auto a = of(q, rows_of<0, 37>(o::k), rows_of<0, 37>(o::v), 0);
    const auto b = of(q, rows_of<37, 113>(o::k), rows_of<37, 113>(o::v), 37);
    check(a.output, fixed_a.output, 1.0L, "long rows, first part");
    check(a.lse, fixed_a.lse, 1.0L, "long rows, first part");
    check(b.output, fixed_b.output, 1.0L, "long rows, second part");
    check(b.lse, fixed_b.lse, 1.0L, "long rows, second part");
    static constexpr auto all = cxattn::streaming_attention(o::q, o::k, o::v, cxattn::causal, cxattn::query_offset(140),
                                                            cxattn::sliding_window(100));
    check_close(cxattn::merge(a, b).output, all, "long rows, merged");
}

// The special rows and a refused sink at run time.
template <class T> void check_special_rows() {
    using o = operands<T>;
    constexpr T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    auto q = at_run_time(o::q);
    q(1, 2) = nan;
    matrix<T, 5, 7> bias{};
    bias(3, 4) = inf;
    const auto r = cxattn::partial_attention(q, o::k, o::v, bias);
    BOOST_TEST(std::isnan(r.lse(1, 0)));
    for (std::size_t d = 0; d < o::Dv; ++d) BOOST_TEST(std::isnan(r.output(1, d)));
    BOOST_TEST(r.lse(3, 0) == inf);
    for (std::size_t d = 0; d < o::Dv; ++d) BOOST_TEST(r.output(3, d) == o::v(4, d));
    const auto none = cxattn::partial_attention(at_run_time(o::q), o::k, o::v, cxattn::key_length(0));
    for (T x : none.output.values) BOOST_TEST(x == T(0));
    for (T x : none.lse.values) BOOST_TEST(x == -inf);
    // A part of weight 0 adds its NaN (zero_weight_parts_add_their_nan, here at run time).
    const matrix<T, 1, 1> q1 = at_run_time(matrix<T, 1, 1>{{T(1)}});
    const matrix<T, 1, 1> k_inf{{-inf}}, v_nan{{nan}}, k_half{{T(0.5)}}, v_two{{T(2)}};
    const auto nan_merged = cxattn::merge(cxattn::partial_attention(q1, k_inf, v_nan),
                                          cxattn::partial_attention(q1, k_half, v_two, cxattn::key_offset(1)));
    BOOST_TEST(std::isnan(nan_merged.output(0, 0)));
    BOOST_TEST(nan_merged.lse(0, 0) == T(0.5));
    // A sink of NaN or +inf: the whole result NaN.
    const auto refused = cxattn::merge(r, none, cxattn::sink(at_run_time(matrix<T, 1, 1>{{inf}})(0, 0)));
    for (T x : refused.output.values) BOOST_TEST(std::isnan(x));
    for (T x : refused.lse.values) BOOST_TEST(std::isnan(x));
}

} // namespace

BOOST_AUTO_TEST_CASE(splits_at_run_time_float) { check_cases<float>(); }
BOOST_AUTO_TEST_CASE(splits_at_run_time_double) { check_cases<double>(); }
BOOST_AUTO_TEST_CASE(long_rows_float) { check_long_rows<float>(); }
BOOST_AUTO_TEST_CASE(long_rows_double) { check_long_rows<double>(); }
BOOST_AUTO_TEST_CASE(special_rows_float) { check_special_rows<float>(); }
BOOST_AUTO_TEST_CASE(special_rows_double) { check_special_rows<double>(); }
