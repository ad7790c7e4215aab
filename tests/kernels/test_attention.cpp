// SPDX-License-Identifier: MIT
// The run-time kernels (cxattn/kernels.hpp) against the compile-time results and against an
// independent long double reference, for shapes that take every path of the kernels: the tiny
// path (every dimension at most 4), full and partial register blocks and panels, several depth
// blocks, one and several key blocks of the streaming kernel; with masks and special rows.
//
// Tolerance (docs/benchmarks.md, "Run time"): with inputs in [-1, 1], every weight and every output
// of the kernels lies within 64 epsilon of the compile-time result, relative to max(|value|, floor),
// the floor being the mean weight 1/S for weights and the scale of the values, 1, for outputs.
// The kernels sum the dot products in another order and use their own exp (<= 2 ULP), so the
// difference is a few ULP of the scores, amplified by nothing larger than |score| <= sqrt(Dk).
#define BOOST_TEST_MODULE kernels_attention
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>
#include <cxattn/kernels.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "test_data.hpp"

using cxattn::matrix;
namespace kernels = cxattn::kernels;

namespace {

template <class T> constexpr long double tolerance = 64.0L * std::numeric_limits<T>::epsilon();

// long double attention with the library's semantics: masked positions are skipped; a NaN score
// makes the row's weights NaN except 0 at masked and -inf positions, and its output NaN; a row
// whose maximum is +inf shares the weight among its +inf scores; a row with every score masked or
// -inf has zero weights and a zero output.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, class Masked, class Bias>
void reference(const matrix<T, L, Dk>& q, const matrix<T, S, Dk>& k, const matrix<T, S, Dv>& v, long double scale,
               Masked masked, Bias bias, std::vector<long double>& out, std::vector<long double>& w) {
    const long double inf = std::numeric_limits<long double>::infinity();
    out.assign(L * Dv, 0.0L);
    w.assign(L * S, 0.0L);
    for (std::size_t i = 0; i < L; ++i) {
        std::vector<long double> s(S, -inf);
        bool nan = false;
        long double max = -inf;
        for (std::size_t j = 0; j < S; ++j) {
            if (masked(i, j)) continue;
            long double dot = 0;
            for (std::size_t d = 0; d < Dk; ++d) dot += static_cast<long double>(q(i, d)) * k(j, d);
            s[j] = dot * scale + bias(i, j);
            if (std::isnan(s[j]))
                nan = true;
            else
                max = std::fmax(max, s[j]);
        }
        long double sum = 0;
        for (std::size_t j = 0; j < S; ++j) {
            if (nan)
                w[i * S + j] = s[j] == -inf ? 0.0L : std::numeric_limits<long double>::quiet_NaN();
            else if (max == inf)
                w[i * S + j] = s[j] == inf ? 1.0L : 0.0L;
            else if (max == -inf)
                w[i * S + j] = 0;
            else
                w[i * S + j] = std::exp(s[j] - max);
            sum += w[i * S + j];
        }
        if (nan || sum == 0 || sum != sum) {
            for (std::size_t d = 0; d < Dv; ++d)
                out[i * Dv + d] = nan ? std::numeric_limits<long double>::quiet_NaN() : 0;
            continue;
        }
        for (std::size_t j = 0; j < S; ++j) w[i * S + j] /= sum;
        for (std::size_t d = 0; d < Dv; ++d) {
            long double acc = 0;
            for (std::size_t j = 0; j < S; ++j)
                if (!masked(i, j)) acc += w[i * S + j] * v(j, d);
            out[i * Dv + d] = acc;
        }
    }
}

// The largest |got - want| / max(|want|, floor); NaN must meet NaN.
template <class Got> long double worst_error(const Got& got, const std::vector<long double>& want, long double floor) {
    long double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const long double g = got[i];
        if (std::isnan(want[i]) || std::isnan(g)) {
            if (std::isnan(want[i]) != std::isnan(g)) return std::numeric_limits<long double>::infinity();
            continue;
        }
        worst = std::fmax(worst, std::fabs(g - want[i]) / std::fmax(std::fabs(want[i]), floor));
    }
    return worst;
}

template <class T, std::size_t R, std::size_t C> std::vector<long double> as_long_double(const matrix<T, R, C>& m) {
    return std::vector<long double>(m.values, m.values + R * C);
}

struct no_masking {
    bool operator()(std::size_t, std::size_t) const { return false; }
};
struct zero_bias {
    long double operator()(std::size_t, std::size_t) const { return 0; }
};

// attention() and streaming_attention() of the kernels on uniform inputs, against the reference.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void check_against_reference(std::uint64_t seed) {
    const auto q = test_data::uniform<T, L, Dk>(seed);
    const auto k = test_data::uniform<T, S, Dk>(seed + 1);
    const auto v = test_data::uniform<T, S, Dv>(seed + 2);
    const T scale = T(1) / std::sqrt(static_cast<T>(Dk));
    matrix<T, L, Dv> out, streamed;
    matrix<T, L, S> w;
    kernels::attention(q, k, v, scale, out, w);
    kernels::streaming_attention(q, k, v, scale, streamed);
    std::vector<long double> ref_out, ref_w;
    reference(q, k, v, static_cast<long double>(scale), no_masking{}, zero_bias{}, ref_out, ref_w);
    BOOST_TEST_CONTEXT(L << "x" << S << "x" << Dk << "x" << Dv) {
        BOOST_TEST(worst_error(w.values, ref_w, 1.0L / S) <= tolerance<T>);
        BOOST_TEST(worst_error(out.values, ref_out, 1.0L) <= tolerance<T>);
        BOOST_TEST(worst_error(streamed.values, ref_out, 1.0L) <= tolerance<T>);
    }
}

// The kernels at run time against scaled_dot_product_attention evaluated by the compiler.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, std::uint64_t seed>
void check_against_compile_time() {
    static constexpr auto q = test_data::uniform<T, L, Dk>(seed);
    static constexpr auto k = test_data::uniform<T, S, Dk>(seed + 1);
    static constexpr auto v = test_data::uniform<T, S, Dv>(seed + 2);
    static constexpr auto fixed = cxattn::scaled_dot_product_attention(q, k, v);
    matrix<T, L, Dv> out, streamed;
    matrix<T, L, S> w;
    const T scale = T(1) / std::sqrt(static_cast<T>(Dk));
    kernels::attention(q, k, v, scale, out, w);
    kernels::streaming_attention(q, k, v, scale, streamed);
    const long double errors[] = {worst_error(w.values, as_long_double(fixed.weights), 1.0L / S),
                                  worst_error(out.values, as_long_double(fixed.output), 1.0L),
                                  worst_error(streamed.values, as_long_double(fixed.output), 1.0L)};
    // The distance in epsilon that docs/benchmarks.md reports (--log_level=message).
    BOOST_TEST_MESSAGE((sizeof(T) == 4 ? "float " : "double ")
                       << L << "x" << S << "x" << Dk << "x" << Dv << ": worst distance from compile time "
                       << static_cast<double>(std::fmax(std::fmax(errors[0], errors[1]), errors[2]) /
                                              std::numeric_limits<T>::epsilon())
                       << " epsilon");
    BOOST_TEST_CONTEXT(L << "x" << S << "x" << Dk << "x" << Dv) {
        BOOST_TEST(errors[0] <= tolerance<T>);
        BOOST_TEST(errors[1] <= tolerance<T>);
        BOOST_TEST(errors[2] <= tolerance<T>);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(kernels_agree_with_compile_time_float) {
    check_against_compile_time<float, 1, 1, 1, 1, 1>();
    check_against_compile_time<float, 3, 4, 4, 2, 2>(); // tiny path
    check_against_compile_time<float, 4, 4, 4, 4, 3>(); // tiny path, the benchmark's N = 4
    check_against_compile_time<float, 3, 5, 4, 2, 4>(); // partial register blocks and panels
    check_against_compile_time<float, 16, 16, 16, 16, 5>();
    check_against_compile_time<float, 9, 33, 17, 40, 6>(); // a full panel and a partial one
}

BOOST_AUTO_TEST_CASE(kernels_agree_with_compile_time_double) {
    check_against_compile_time<double, 4, 4, 4, 4, 11>(); // tiny path: two groups of rows in lanes
    check_against_compile_time<double, 5, 3, 4, 2, 15>(); // tiny path, a partial group of rows
    check_against_compile_time<double, 7, 2, 3, 9, 12>();
    check_against_compile_time<double, 16, 16, 16, 16, 13>();
    check_against_compile_time<double, 10, 25, 19, 30, 14>();
}

BOOST_AUTO_TEST_CASE(kernels_match_reference_at_larger_shapes) {
    check_against_reference<float, 64, 64, 64, 64>(21);
    check_against_reference<float, 16, 128, 64, 64>(22);
    check_against_reference<float, 130, 300, 20, 9>(23); // several query and key blocks when streaming
    check_against_reference<float, 9, 70, 600, 5>(24);   // several depth blocks of the panels
    check_against_reference<double, 64, 64, 64, 64>(25);
    check_against_reference<double, 33, 200, 7, 12>(26); // several key blocks when streaming
}

// Masks: causal (both alignments), bool, additive, and rows with every key masked.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> void check_masks(std::uint64_t seed) {
    const auto q = test_data::uniform<T, L, Dk>(seed);
    const auto k = test_data::uniform<T, S, Dk>(seed + 1);
    const auto v = test_data::uniform<T, S, Dv>(seed + 2);
    const auto noise = test_data::uniform<T, L, S>(seed + 3);
    const T scale = T(0.7);
    std::vector<long double> ref_out, ref_w;
    matrix<T, L, Dv> out, streamed;
    matrix<T, L, S> w;
    auto check = [&](const char* name, long double floor_w) {
        BOOST_TEST_CONTEXT(name << " " << L << "x" << S << "x" << Dk << "x" << Dv) {
            BOOST_TEST(worst_error(w.values, ref_w, floor_w) <= tolerance<T>);
            BOOST_TEST(worst_error(out.values, ref_out, 1.0L) <= tolerance<T>);
            BOOST_TEST(worst_error(streamed.values, ref_out, 1.0L) <= tolerance<T>);
        }
    };

    kernels::attention(q, k, v, scale, out, w, kernels::causal_mask<0>{});
    kernels::streaming_attention(q, k, v, scale, streamed, kernels::causal_mask<0>{});
    reference(
        q, k, v, scale, [](std::size_t i, std::size_t j) { return j > i; }, zero_bias{}, ref_out, ref_w);
    check("causal", 1.0L / S);

    // Lower-right alignment; when L > S the first L - S rows see no key at all.
    constexpr std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(S) - static_cast<std::ptrdiff_t>(L);
    kernels::attention(q, k, v, scale, out, w, kernels::causal_mask<offset>{});
    kernels::streaming_attention(q, k, v, scale, streamed, kernels::causal_mask<offset>{});
    reference(
        q, k, v, scale,
        [](std::size_t i, std::size_t j) {
            return static_cast<std::ptrdiff_t>(j) > static_cast<std::ptrdiff_t>(i) + offset;
        },
        zero_bias{}, ref_out, ref_w);
    check("causal lower right", 1.0L / S);

    // A bool mask from the noise; row 1 keeps nothing.
    matrix<bool, L, S> keep;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) keep(i, j) = i != 1 && noise(i, j) > T(-0.3);
    kernels::attention(q, k, v, scale, out, w, kernels::bool_mask{keep.values});
    kernels::streaming_attention(q, k, v, scale, streamed, kernels::bool_mask{keep.values});
    reference(
        q, k, v, scale, [&](std::size_t i, std::size_t j) { return !keep(i, j); }, zero_bias{}, ref_out, ref_w);
    check("bool", 1.0L / S);

    // An additive mask: the noise times 3, with -inf in row 0 beyond the first two keys.
    matrix<T, L, S> bias;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j)
            bias(i, j) = i == 0 && j >= 2 ? -std::numeric_limits<T>::infinity() : noise(i, j) * T(3);
    kernels::attention(q, k, v, scale, out, w, kernels::additive_mask<T>{bias.values});
    kernels::streaming_attention(q, k, v, scale, streamed, kernels::additive_mask<T>{bias.values});
    reference(
        q, k, v, scale, [&](std::size_t i, std::size_t j) { return bias(i, j) == -std::numeric_limits<T>::infinity(); },
        [&](std::size_t i, std::size_t j) {
            return bias(i, j) == -std::numeric_limits<T>::infinity() ? 0.0L : static_cast<long double>(bias(i, j));
        },
        ref_out, ref_w);
    // exp(3 * noise) spreads the weights over e^6: the floor is the smallest weight's scale.
    check("additive", 1.0L / S / 400);

    // Biases of -1e4 on whole rows (every other row): the maximum is taken after the bias.
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) bias(i, j) = i % 2 == 0 ? T(-1e4) + noise(i, j) : noise(i, j);
    kernels::attention(q, k, v, scale, out, w, kernels::additive_mask<T>{bias.values});
    kernels::streaming_attention(q, k, v, scale, streamed, kernels::additive_mask<T>{bias.values});
    reference(
        q, k, v, scale, no_masking{},
        [&](std::size_t i, std::size_t j) { return static_cast<long double>(bias(i, j)); }, ref_out, ref_w);
    // Scores near -1e4 carry an absolute error of 1e4 epsilon into exp: the bound grows with them.
    BOOST_TEST_CONTEXT("large negative biases " << L << "x" << S) {
        BOOST_TEST(worst_error(w.values, ref_w, 1.0L / S) <= 1e4L * tolerance<T>);
        BOOST_TEST(worst_error(out.values, ref_out, 1.0L) <= 1e4L * tolerance<T>);
        BOOST_TEST(worst_error(streamed.values, ref_out, 1.0L) <= 1e4L * tolerance<T>);
    }
}

BOOST_AUTO_TEST_CASE(masks) {
    check_masks<float, 4, 4, 4, 4>(31); // tiny path
    check_masks<float, 5, 3, 2, 2>(32); // tiny, L > S
    check_masks<float, 20, 37, 16, 8>(33);
    check_masks<float, 40, 300, 8, 16>(34); // streaming over several key blocks
    check_masks<double, 4, 4, 4, 4>(37);    // tiny path
    check_masks<double, 5, 3, 2, 2>(38);    // tiny, L > S, a partial group of rows
    check_masks<double, 40, 30, 16, 8>(35); // L > S
    check_masks<double, 9, 200, 5, 7>(36);
}

// Special rows: NaN, +inf and -inf scores, through an additive mask (the kernels' only way in when
// the operands are finite, which the public functions check).
template <class T, std::size_t S> void check_special_rows() {
    constexpr std::size_t L = 4, Dk = 3, Dv = 2;
    const auto q = test_data::uniform<T, L, Dk>(41);
    const auto k = test_data::uniform<T, S, Dk>(42);
    const auto v = test_data::uniform<T, S, Dv>(43);
    constexpr T inf = std::numeric_limits<T>::infinity();
    matrix<T, L, S> bias{};
    bias(0, 1) = std::numeric_limits<T>::quiet_NaN(); // row 0: NaN, and masked at key 0
    bias(0, 0) = -inf;
    bias(1, 0) = inf; // row 1: two +inf scores share the weight
    bias(1, S - 1) = inf;
    for (std::size_t j = 0; j < S; ++j) bias(2, j) = -inf; // row 2: every key masked
    bias(3, S - 1) = inf;                                  // row 3: +inf in the last key block only
    matrix<T, L, Dv> out, streamed;
    matrix<T, L, S> w;
    kernels::attention(q, k, v, T(1), out, w, kernels::additive_mask<T>{bias.values});
    kernels::streaming_attention(q, k, v, T(1), streamed, kernels::additive_mask<T>{bias.values});
    for (std::size_t j = 0; j < S; ++j) {
        BOOST_TEST((j == 0 ? w(0, j) == T(0) : std::isnan(w(0, j))));
        BOOST_TEST(w(1, j) == (j == 0 || j == S - 1 ? T(0.5) : T(0)));
        BOOST_TEST(w(2, j) == T(0));
        BOOST_TEST(w(3, j) == (j == S - 1 ? T(1) : T(0)));
    }
    for (std::size_t d = 0; d < Dv; ++d) {
        for (const auto* o : {&out, &streamed}) {
            BOOST_TEST(std::isnan((*o)(0, d)));
            BOOST_TEST((*o)(1, d) == (v(0, d) + v(S - 1, d)) / 2, boost::test_tools::tolerance(T(1e-6)));
            BOOST_TEST((*o)(2, d) == T(0));
            BOOST_TEST((*o)(3, d) == v(S - 1, d));
        }
    }
}

BOOST_AUTO_TEST_CASE(special_rows) {
    check_special_rows<float, 3>(); // tiny path
    check_special_rows<float, 40>();
    check_special_rows<float, 300>(); // streaming: several key blocks
    check_special_rows<double, 3>();  // tiny path
    check_special_rows<double, 250>();
}

BOOST_AUTO_TEST_CASE(matrix_products) {
    const auto a = test_data::uniform<double, 13, 70>(51);
    const auto b = test_data::uniform<double, 70, 29>(52);
    const auto bt = cxattn::transpose(b);
    matrix<double, 13, 29> c, ct;
    kernels::matmul<double, 13, 70, 29>(a.values, b.values, c.values);
    kernels::matmul_transposed<double, 13, 70, 29>(a.values, bt.values, ct.values);
    for (std::size_t i = 0; i < 13; ++i)
        for (std::size_t j = 0; j < 29; ++j) {
            long double sum = 0;
            for (std::size_t k = 0; k < 70; ++k) sum += static_cast<long double>(a(i, k)) * b(k, j);
            BOOST_TEST(std::fabs(c(i, j) - sum) <= 70 * 4 * std::numeric_limits<double>::epsilon());
            BOOST_TEST(c(i, j) == ct(i, j)); // the same panel, the same order of additions
        }
}

BOOST_AUTO_TEST_CASE(finite_checks) {
    matrix<float, 5, 7> m = test_data::uniform<float, 5, 7>(61);
    BOOST_TEST(kernels::values_finite(m));
    m(4, 6) = std::numeric_limits<float>::infinity();
    BOOST_TEST(!kernels::values_finite(m));
    m(4, 6) = -std::numeric_limits<float>::infinity();
    BOOST_TEST(!kernels::values_finite(m));
    m(4, 6) = std::numeric_limits<float>::quiet_NaN();
    BOOST_TEST(!kernels::values_finite(m));
    matrix<double, 40, 40> big{};
    BOOST_TEST(kernels::values_finite(big));
    big(17, 3) = std::numeric_limits<double>::quiet_NaN();
    BOOST_TEST(!kernels::values_finite(big));
}

// A masked position's key and value are never read: poisoning them with NaN and inf changes no bit
// of the weights or the outputs (the constexpr algorithm's claim, kept by the kernels).
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void check_masked_values_unread(std::uint64_t seed) {
    const auto q = test_data::uniform<T, L, Dk>(seed);
    auto k = test_data::uniform<T, S, Dk>(seed + 1);
    auto v = test_data::uniform<T, S, Dv>(seed + 2);
    auto bias = test_data::uniform<T, L, S>(seed + 3);
    matrix<bool, L, S> keep;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) keep(i, j) = j != S - 2; // key S - 2 masked by the bool mask
    for (std::size_t i = 0; i < L; ++i) bias(i, S - 1) = -std::numeric_limits<T>::infinity(); // key S - 1 by -inf
    const kernels::mask_set<T, kernels::causal_mask<static_cast<std::ptrdiff_t>(S)>, true, true> mask{
        {}, keep.values, bias.values};
    matrix<T, L, Dv> clean_out, poisoned_out, clean_streamed, poisoned_streamed;
    matrix<T, L, S> clean_w, poisoned_w;
    kernels::attention(q, k, v, T(0.5), clean_out, clean_w, mask);
    kernels::streaming_attention(q, k, v, T(0.5), clean_streamed, mask);
    k(S - 2, 0) = std::numeric_limits<T>::quiet_NaN();
    v(S - 2, Dv - 1) = std::numeric_limits<T>::infinity();
    k(S - 1, Dk - 1) = -std::numeric_limits<T>::infinity();
    v(S - 1, 0) = std::numeric_limits<T>::quiet_NaN();
    bias(0, S - 2) = std::numeric_limits<T>::quiet_NaN();
    kernels::attention(q, k, v, T(0.5), poisoned_out, poisoned_w, mask);
    kernels::streaming_attention(q, k, v, T(0.5), poisoned_streamed, mask);
    BOOST_TEST_CONTEXT(L << "x" << S << "x" << Dk << "x" << Dv) {
        BOOST_TEST((clean_w == poisoned_w));
        BOOST_TEST((clean_out == poisoned_out));
        BOOST_TEST((clean_streamed == poisoned_streamed));
    }
}

BOOST_AUTO_TEST_CASE(masked_values_are_never_read) {
    check_masked_values_unread<float, 3, 4, 4, 3>(71); // tiny path
    check_masked_values_unread<float, 9, 40, 16, 20>(72);
    check_masked_values_unread<double, 20, 300, 8, 33>(73); // streaming over several key blocks
}
