// SPDX-License-Identifier: MIT
// Operands wider than one fold expression of the constexpr algorithms (64 terms, detail/chunks.hpp)
// and than Clang's nesting limit of a fold (256): 257, 300 and 1024 columns, at run time against a
// long double reference written here, and at compile time for a few of them. The large matrices
// are static: a 1024 x 1024 float matrix is 4 MB, more than some stacks hold.
#define BOOST_TEST_MODULE wide
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <cxattn/cxattn.hpp>

#include "test_data.hpp"

using cxattn::matrix;

namespace {

constexpr long double eps = std::numeric_limits<float>::epsilon();

// Fills m in place (test_data::uniform returns a copy, which for the largest operands here would be
// 4 MB on the stack) with the same generator.
template <class T, std::size_t R, std::size_t C>
void fill(matrix<T, R, C>& m, std::uint64_t seed, T lo = T(-1), T hi = T(1)) {
    std::uint64_t s = seed;
    for (T& v : m.values) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        v = lo + (hi - lo) * static_cast<T>(s >> 40) / static_cast<T>(1 << 24);
    }
}

// A value of the reference and the bound of the float result's error: for a sum of n rounded terms,
// n eps (sum of |terms|) to first order (Higham, Accuracy and Stability of Numerical Algorithms,
// section 3.1).
struct expected {
    long double value;
    long double bound;
};

long double worst_share = 0; // the largest |got - want| / bound seen, reported at the end

void check(float got, expected want, const char* what) {
    const long double error = std::fabs(static_cast<long double>(got) - want.value);
    worst_share = std::fmax(worst_share, error / want.bound);
    BOOST_TEST(error <= want.bound, what << ": got " << got << ", want " << want.value << ", bound " << want.bound);
}

template <std::size_t M, std::size_t K, std::size_t N>
void check_matmul(const matrix<float, M, K>& a, const matrix<float, K, N>& b, const matrix<float, M, N>& got) {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            long double sum = 0, magnitude = 0;
            for (std::size_t k = 0; k < K; ++k) {
                const long double term = static_cast<long double>(a(i, k)) * b(k, j);
                sum += term;
                magnitude += std::fabs(term);
            }
            check(got(i, j), {sum, K * eps * magnitude + std::numeric_limits<float>::denorm_min()}, "matmul");
        }
}

// Attention of one problem in long double: weights = softmax(q k^T scale + bias), masked positions
// weight 0; output = weights v. The bound of an output row, to first order: a score's error is at
// most Dk eps m, m the largest sum of |terms| of a score in the row; exp turns it, and the
// subtraction of the maximum, into a relative error of the weights of 2 (Dk + 1) eps (1 + m); the
// normalisation adds S eps, and the weighted sum of values within [-1, 1] another S eps:
// 2 (Dk + S + 2) eps (1 + m) in all.
template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> struct reference_attention {
    expected output[L][Dv];

    void compute(const matrix<float, L, Dk>& q, const matrix<float, S, Dk>& k, const matrix<float, S, Dv>& v,
                 const matrix<float, L, S>* bias, const matrix<bool, L, S>* allowed) {
        const long double scale = 1.0L / std::sqrt(static_cast<long double>(Dk));
        for (std::size_t i = 0; i < L; ++i) {
            long double score[S], m = 0, max = -std::numeric_limits<long double>::infinity();
            bool attended[S];
            for (std::size_t j = 0; j < S; ++j) {
                long double dot = 0, magnitude = 0;
                for (std::size_t d = 0; d < Dk; ++d) {
                    const long double term = static_cast<long double>(q(i, d)) * k(j, d);
                    dot += term;
                    magnitude += std::fabs(term);
                }
                const long double b = bias ? (*bias)(i, j) : 0;
                attended[j] = (!allowed || (*allowed)(i, j)) && !std::isinf(b);
                score[j] = dot * scale + b;
                if (attended[j]) {
                    m = std::fmax(m, magnitude * scale + std::fabs(b));
                    max = std::fmax(max, score[j]);
                }
            }
            long double sum = 0, weight[S];
            for (std::size_t j = 0; j < S; ++j) sum += weight[j] = attended[j] ? std::exp(score[j] - max) : 0;
            for (std::size_t d = 0; d < Dv; ++d) {
                long double out = 0;
                for (std::size_t j = 0; j < S; ++j) out += weight[j] / sum * v(j, d);
                output[i][d] = {out, 2 * (Dk + S + 2) * eps * (1 + m)};
            }
        }
    }

    void check(const matrix<float, L, Dv>& got, const char* what) const {
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t d = 0; d < Dv; ++d) ::check(got(i, d), output[i][d], what);
    }
};

// One operand set of attention with its reference, static (the largest hold 1024 x 1024 values).
template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> struct attention_case {
    matrix<float, L, Dk> q;
    matrix<float, S, Dk> k;
    matrix<float, S, Dv> v;
    matrix<float, L, S> bias;
    matrix<bool, L, S> allowed;
    reference_attention<L, S, Dk, Dv> want;

    // A bias in [-2, 2] with -inf on every third position, and a bool mask that allows every
    // position but each fifth one, so that both masks leave several keys of every row.
    explicit attention_case(std::uint64_t seed) {
        fill(q, seed);
        fill(k, seed + 1);
        fill(v, seed + 2);
        fill(bias, seed + 3, -2.0f, 2.0f);
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t j = 0; j < S; ++j) {
                if (j % 3 == 1) bias(i, j) = -std::numeric_limits<float>::infinity();
                allowed(i, j) = j % 5 != 2;
            }
    }

    void check_plain() {
        want.compute(q, k, v, nullptr, nullptr);
        want.check(cxattn::scaled_dot_product_attention(q, k, v).output, "attention");
        want.check(cxattn::streaming_attention(q, k, v), "streaming_attention");
    }

    void check_masked() {
        want.compute(q, k, v, &bias, nullptr);
        want.check(cxattn::scaled_dot_product_attention(q, k, v, bias).output, "attention, additive mask");
        want.check(cxattn::streaming_attention(q, k, v, bias), "streaming_attention, additive mask");
        want.compute(q, k, v, nullptr, &allowed);
        want.check(cxattn::scaled_dot_product_attention(q, k, v, allowed).output, "attention, bool mask");
        want.check(cxattn::streaming_attention(q, k, v, allowed), "streaming_attention, bool mask");
    }
};

// multi_head_attention (torch.nn.MultiheadAttention's semantics) with E columns and NumHeads heads,
// in long double. Weights in [-1/sqrt(E), 1/sqrt(E)] keep the projections near 1 in size, as a
// trained model's do. The bound: the input projections' error, E eps (sum of |terms|), enters the
// scores Dk times; with the attention's bound above and the output projection's E terms, to first
// order 2 (3 E + head_dim + S + 2) eps (1 + m)^2, m the largest sum of |terms| of any of these
// sums (the projected values within 1 + m stand for the values within 1 of reference_attention).
template <std::size_t L, std::size_t S, std::size_t E, std::size_t NumHeads> struct multi_head_case {
    static constexpr std::size_t head_dim = E / NumHeads;
    matrix<float, L, E> query;
    matrix<float, S, E> key, value;
    cxattn::mha_params<float, E, NumHeads> params;
    matrix<float, L, S> bias;
    long double q[L][E], k[S][E], v[S][E], heads[L][E];
    expected want[L][E];
    long double m = 0;

    explicit multi_head_case(std::uint64_t seed) {
        const float w = 1.0f / std::sqrt(static_cast<float>(E));
        fill(query, seed);
        fill(key, seed + 1);
        fill(value, seed + 2);
        fill(params.q_proj, seed + 3, -w, w);
        fill(params.k_proj, seed + 4, -w, w);
        fill(params.v_proj, seed + 5, -w, w);
        fill(params.out_proj, seed + 6, -w, w);
        fill(params.q_bias, seed + 7, -w, w);
        fill(params.k_bias, seed + 8, -w, w);
        fill(params.v_bias, seed + 9, -w, w);
        fill(params.out_bias, seed + 10, -w, w);
        fill(bias, seed + 11, -2.0f, 2.0f);
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t j = 0; j < S; ++j)
                if (j % 3 == 1) bias(i, j) = -std::numeric_limits<float>::infinity();
    }

    // y[r] = x[r] W^T + b (x_exact[r] in place of x[r] when given), and the largest sum of |terms| into m.
    template <std::size_t R>
    void project(const matrix<float, R, E>& x, const matrix<float, E, E>& weight, const matrix<float, 1, E>& b,
                 const long double (*x_exact)[E], long double (*y)[E]) {
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t o = 0; o < E; ++o) {
                long double sum = b(0, o), magnitude = std::fabs(b(0, o));
                for (std::size_t c = 0; c < E; ++c) {
                    const long double term = (x_exact ? x_exact[r][c] : x(r, c)) * weight(o, c);
                    sum += term;
                    magnitude += std::fabs(term);
                }
                y[r][o] = sum;
                m = std::fmax(m, magnitude);
            }
    }

    void compute(bool masked) {
        project(query, params.q_proj, params.q_bias, nullptr, q);
        project(key, params.k_proj, params.k_bias, nullptr, k);
        project(value, params.v_proj, params.v_bias, nullptr, v);
        const long double scale = 1.0L / std::sqrt(static_cast<long double>(head_dim));
        for (std::size_t h = 0; h < NumHeads; ++h)
            for (std::size_t i = 0; i < L; ++i) {
                long double score[S], weight[S], max = -std::numeric_limits<long double>::infinity(), sum = 0;
                for (std::size_t j = 0; j < S; ++j) {
                    long double dot = 0, magnitude = 0;
                    for (std::size_t d = h * head_dim; d < (h + 1) * head_dim; ++d) {
                        dot += q[i][d] * k[j][d];
                        magnitude += std::fabs(q[i][d] * k[j][d]);
                    }
                    score[j] = dot * scale + (masked ? bias(i, j) : 0.0f);
                    if (!std::isinf(score[j]))
                        m = std::fmax(m, magnitude * scale + (masked ? std::fabs(bias(i, j)) : 0));
                    max = std::fmax(max, score[j]);
                }
                for (std::size_t j = 0; j < S; ++j) sum += weight[j] = std::exp(score[j] - max);
                for (std::size_t d = h * head_dim; d < (h + 1) * head_dim; ++d) {
                    heads[i][d] = 0;
                    for (std::size_t j = 0; j < S; ++j) heads[i][d] += weight[j] / sum * v[j][d];
                }
            }
        long double out[L][E];
        project(query, params.out_proj, params.out_bias, heads, out);
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t o = 0; o < E; ++o)
                want[i][o] = {out[i][o], 2 * (3 * E + head_dim + S + 2) * eps * (1 + m) * (1 + m)};
    }

    void check_both() {
        compute(false);
        const auto got = cxattn::multi_head_attention(query, key, value, params).output;
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t o = 0; o < E; ++o) check(got(i, o), want[i][o], "multi_head_attention");
        compute(true);
        const auto masked = cxattn::multi_head_attention(query, key, value, params, bias).output;
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t o = 0; o < E; ++o) check(masked(i, o), want[i][o], "multi_head_attention, additive mask");
    }
};

// Compile-time operands: a product of 300 terms, summed left to right in float by a plain loop
// (constant evaluation rounds every operation, no contraction), is what the chunked fold must give.
constexpr auto row300 = test_data::uniform<float, 1, 300>(21);
constexpr auto col300 = test_data::uniform<float, 300, 1>(22);
constexpr float left_to_right_dot() {
    float sum = row300.values[0] * col300.values[0];
    for (std::size_t k = 1; k < 300; ++k) sum += row300.values[k] * col300.values[k];
    return sum;
}
constexpr auto product300 = cxattn::matmul(row300, col300);
static_assert(product300(0, 0) == left_to_right_dot(), "a chunked dot product sums left to right, as one fold would");

// The IEEE-checked path: an inf past the first chunks of a wide row is found, and propagates.
constexpr auto with_inf = [] {
    auto m = row300;
    m(0, 250) = std::numeric_limits<float>::infinity();
    return m;
}();
constexpr auto sum_with_inf = with_inf + row300;
static_assert(sum_with_inf(0, 250) == std::numeric_limits<float>::infinity());
static_assert(sum_with_inf(0, 0) == row300(0, 0) + row300(0, 0));

// Attention with Dk = Dv = 257 and with S = 300 under an additive mask, at compile time.
constexpr auto cq = test_data::uniform<float, 2, 257>(31);
constexpr auto ck = test_data::uniform<float, 3, 257>(32);
constexpr auto cv = test_data::uniform<float, 3, 257>(33);
constexpr auto c_attention = cxattn::scaled_dot_product_attention(cq, ck, cv).output;
constexpr auto c_streaming = cxattn::streaming_attention(cq, ck, cv);
constexpr auto sq = test_data::uniform<float, 1, 8>(41);
constexpr auto sk = test_data::uniform<float, 300, 8>(42);
constexpr auto sv = test_data::uniform<float, 300, 8>(43);
constexpr auto s_bias = [] {
    auto b = test_data::uniform<float, 1, 300>(44, -2.0f, 2.0f);
    for (std::size_t j = 1; j < 300; j += 3) b(0, j) = -std::numeric_limits<float>::infinity();
    return b;
}();
constexpr auto s_attention = cxattn::scaled_dot_product_attention(sq, sk, sv, s_bias).output;
constexpr auto s_streaming = cxattn::streaming_attention(sq, sk, sv, s_bias);

} // namespace

BOOST_AUTO_TEST_CASE(matmul_with_1024_inner_columns) {
    static matrix<float, 1, 1024> a;
    static matrix<float, 1024, 1> b;
    fill(a, 1);
    fill(b, 2);
    check_matmul(a, b, cxattn::matmul(a, b));
}

BOOST_AUTO_TEST_CASE(matmul_with_300_and_257_columns) {
    static matrix<float, 2, 300> a;
    static matrix<float, 300, 257> b;
    fill(a, 3);
    fill(b, 4);
    check_matmul(a, b, cxattn::matmul(a, b));
}

BOOST_AUTO_TEST_CASE(element_wise_on_257_and_1024_columns) {
    static matrix<float, 3, 257> a, b;
    static matrix<float, 1, 1024> c, d;
    fill(a, 5);
    fill(b, 6);
    fill(c, 7);
    fill(d, 8);
    // One rounding each: the bound is eps/2 |exact|, as eps |exact| here.
    const auto one_rounding = [](long double exact) {
        return expected{exact, eps * std::fabs(exact) + std::numeric_limits<float>::denorm_min()};
    };
    const auto sum = a + b, difference = a - b, scaled = a * 3.5f, divided = a / 3.0f;
    for (std::size_t i = 0; i < 3 * 257; ++i) {
        check(sum.values[i], one_rounding(static_cast<long double>(a.values[i]) + b.values[i]), "operator+");
        check(difference.values[i], one_rounding(static_cast<long double>(a.values[i]) - b.values[i]), "operator-");
        check(scaled.values[i], one_rounding(static_cast<long double>(a.values[i]) * 3.5L), "operator*");
        check(divided.values[i], one_rounding(static_cast<long double>(a.values[i]) / 3.0L), "operator/");
    }
    const auto wide_sum = c + d, wide_difference = c - d, wide_scaled = 0.5f * c, wide_divided = c / 7.0f;
    for (std::size_t i = 0; i < 1024; ++i) {
        check(wide_sum.values[i], one_rounding(static_cast<long double>(c.values[i]) + d.values[i]), "operator+");
        check(wide_difference.values[i], one_rounding(static_cast<long double>(c.values[i]) - d.values[i]),
              "operator-");
        check(wide_scaled.values[i], one_rounding(static_cast<long double>(c.values[i]) * 0.5L), "operator*");
        check(wide_divided.values[i], one_rounding(static_cast<long double>(c.values[i]) / 7.0L), "operator/");
    }
}

BOOST_AUTO_TEST_CASE(softmax_of_1024_columns) {
    static matrix<float, 2, 1024> x;
    fill(x, 9, -8.0f, 8.0f);
    const auto got = cxattn::softmax(x);
    for (std::size_t i = 0; i < 2; ++i) {
        long double max = -std::numeric_limits<long double>::infinity(), sum = 0;
        for (std::size_t j = 0; j < 1024; ++j) max = std::fmax(max, static_cast<long double>(x(i, j)));
        for (std::size_t j = 0; j < 1024; ++j) sum += std::exp(x(i, j) - max);
        // exp of an argument within 16 of 0, relative error about 16 eps, and a sum of 1024 terms.
        for (std::size_t j = 0; j < 1024; ++j) {
            const long double want = std::exp(x(i, j) - max) / sum;
            check(got(i, j), {want, (1024 + 34) * eps * want + std::numeric_limits<float>::denorm_min()}, "softmax");
        }
    }
}

BOOST_AUTO_TEST_CASE(attention_with_head_dim_257) {
    static attention_case<2, 3, 257, 257> c{11};
    c.check_plain();
}

BOOST_AUTO_TEST_CASE(attention_with_head_dim_1024) {
    static attention_case<2, 3, 1024, 1024> c{12};
    c.check_plain();
}

BOOST_AUTO_TEST_CASE(attention_of_300_keys_with_masks) {
    static attention_case<1, 300, 8, 8> c{13};
    c.check_plain();
    c.check_masked();
}

BOOST_AUTO_TEST_CASE(attention_of_1024_keys_with_masks) {
    static attention_case<2, 1024, 16, 16> c{14};
    c.check_plain();
    c.check_masked();
}

BOOST_AUTO_TEST_CASE(attention_of_1024_queries) { // more than one block of queries in the kernels
    static attention_case<1024, 5, 8, 8> c{17};
    c.check_plain();
    c.check_masked();
}

BOOST_AUTO_TEST_CASE(multi_head_with_260_columns) { // head_dim 65: one column past a chunk
    static multi_head_case<2, 300, 260, 4> c{15};
    c.check_both();
}

BOOST_AUTO_TEST_CASE(multi_head_with_1024_columns) {
    static multi_head_case<2, 3, 1024, 4> c{16};
    c.check_both();
}

BOOST_AUTO_TEST_CASE(wide_operands_at_compile_time) {
    static matrix<float, 2, 257> q{cq};
    static matrix<float, 3, 257> k{ck}, v{cv};
    static reference_attention<2, 3, 257, 257> want;
    want.compute(q, k, v, nullptr, nullptr);
    want.check(c_attention, "constexpr attention");
    want.check(c_streaming, "constexpr streaming_attention");

    static reference_attention<1, 300, 8, 8> masked;
    masked.compute(sq, sk, sv, &s_bias, nullptr);
    masked.check(s_attention, "constexpr attention, additive mask");
    masked.check(s_streaming, "constexpr streaming_attention, additive mask");

    check_matmul(row300, col300, product300);
}

BOOST_AUTO_TEST_CASE(report_the_largest_error) {
    BOOST_TEST_MESSAGE("largest error: " << static_cast<double>(worst_share) << " of its bound");
    BOOST_TEST(worst_share <= 1.0L);
}
