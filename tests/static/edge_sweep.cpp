// SPDX-License-Identifier: MIT
// The edge-case table of docs/semantics.md evaluated through every public function in constant
// evaluation, for float and double: NaN, +-inf, -0, the smallest subnormal, the largest finite
// values, logits of +-1e4 and fully masked rows. The compilers reject undefined behaviour here, so
// each static_assert is a proof for its input. Compiling this file is passing.
//
// One documented exception: GCC rejects a floating-point overflow of finite operands in constant
// evaluation (Clang gives inf, as the hardware does), so the rows marked "overflow" run on Clang
// only.
#include <bit>
#include <cstdint>
#include <limits>

#include <cxattn/cxattn.hpp>

namespace {

using cxattn::matrix;

template <class T> constexpr bool is_nan(T x) { return x != x; }
template <class T> constexpr bool is_negative_zero(T x) {
    using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    return x == 0 && (std::bit_cast<bits>(x) >> (8 * sizeof(T) - 1)) != 0;
}

template <class T> struct sweep {
    static constexpr T nan = std::numeric_limits<T>::quiet_NaN();
    static constexpr T inf = std::numeric_limits<T>::infinity();
    static constexpr T tiny = std::numeric_limits<T>::denorm_min();
    static constexpr T big = std::numeric_limits<T>::max();
    static constexpr T lowest = std::numeric_limits<T>::lowest();
    static constexpr T minus_zero = -T{0};

    // exp and sqrt (the scalar functions; tests/numerics covers them in depth).
    static_assert(is_nan(cxattn::exp(nan)) && cxattn::exp(inf) == inf && cxattn::exp(-inf) == 0);
    static_assert(cxattn::exp(minus_zero) == 1 && cxattn::exp(tiny) == 1);
    static_assert(cxattn::exp(big) == inf && cxattn::exp(lowest) == 0);
    static_assert(cxattn::exp(T(1e4)) == inf && cxattn::exp(T(-1e4)) == 0);
    static_assert(is_nan(cxattn::sqrt(nan)) && cxattn::sqrt(inf) == inf && is_nan(cxattn::sqrt(-inf)));
    static_assert(is_negative_zero(cxattn::sqrt(minus_zero)) && is_nan(cxattn::sqrt(T(-1))));
    static_assert(cxattn::sqrt(tiny) > 0 && cxattn::sqrt(big) < inf);

    // matmul: IEEE results, including the invalid operations inf * 0 and inf - inf.
    static constexpr matrix<T, 2, 1> ones{1, 1};
    static_assert(is_nan(cxattn::matmul(matrix<T, 1, 2>{nan, 1}, ones)(0, 0)));
    static_assert(is_nan(cxattn::matmul(matrix<T, 1, 2>{inf, 1}, matrix<T, 2, 1>{0, 1})(0, 0)));
    static_assert(is_nan(cxattn::matmul(matrix<T, 1, 2>{inf, -inf}, ones)(0, 0)));
    static_assert(cxattn::matmul(matrix<T, 1, 2>{inf, 1}, ones)(0, 0) == inf);
    static_assert(is_negative_zero(cxattn::matmul(matrix<T, 1, 1>{minus_zero}, matrix<T, 1, 1>{1})(0, 0)));
    static_assert(cxattn::matmul(matrix<T, 1, 2>{tiny, tiny}, ones)(0, 0) == 2 * tiny);
    static_assert(cxattn::matmul(matrix<T, 1, 2>{T(1e4), T(-1e4)}, ones)(0, 0) == 0);
    static_assert(cxattn::matmul(matrix<T, 1, 2>{big, lowest}, ones)(0, 0) == 0);
#if defined(__clang__) // overflow
    static_assert(cxattn::matmul(matrix<T, 1, 2>{big, big}, ones)(0, 0) == inf);
#endif

    // transpose copies, NaN and signs included.
    static_assert(is_nan(cxattn::transpose(matrix<T, 1, 2>{nan, minus_zero})(0, 0)));
    static_assert(is_negative_zero(cxattn::transpose(matrix<T, 1, 2>{nan, minus_zero})(1, 0)));

    // + and -, unary -.
    static_assert(is_nan((matrix<T, 1, 1>{inf} + matrix<T, 1, 1>{-inf})(0, 0)));
    static_assert(is_nan((matrix<T, 1, 1>{inf} - matrix<T, 1, 1>{inf})(0, 0)));
    static_assert(is_nan((matrix<T, 1, 1>{nan} + matrix<T, 1, 1>{1})(0, 0)));
    static_assert((matrix<T, 1, 1>{inf} + matrix<T, 1, 1>{1})(0, 0) == inf);
    static_assert(is_negative_zero((matrix<T, 1, 1>{minus_zero} + matrix<T, 1, 1>{minus_zero})(0, 0)));
    static_assert((matrix<T, 1, 1>{tiny} + matrix<T, 1, 1>{tiny})(0, 0) == 2 * tiny);
    static_assert(is_nan((-matrix<T, 1, 1>{nan})(0, 0)) && is_negative_zero((-matrix<T, 1, 1>{0})(0, 0)));
#if defined(__clang__) // overflow
    static_assert((matrix<T, 1, 1>{big} + matrix<T, 1, 1>{big})(0, 0) == inf);
#endif

    // Scalar * and /, division by zero included.
    static_assert(is_nan((matrix<T, 1, 1>{inf} * T(0))(0, 0)) && is_nan((T(2) * matrix<T, 1, 1>{nan})(0, 0)));
    static_assert((matrix<T, 1, 1>{1} / T(0))(0, 0) == inf && (matrix<T, 1, 1>{-1} / T(0))(0, 0) == -inf);
    static_assert((matrix<T, 1, 1>{1} / minus_zero)(0, 0) == -inf && is_nan((matrix<T, 1, 1>{0} / T(0))(0, 0)));
    static_assert(is_nan((matrix<T, 1, 1>{inf} / inf)(0, 0)) && (matrix<T, 1, 1>{tiny} * T(0.5))(0, 0) == 0);

    // softmax's special rows.
    static_assert(is_nan(cxattn::softmax(matrix<T, 1, 2>{nan, 1})(0, 0)) &&
                  is_nan(cxattn::softmax(matrix<T, 1, 2>{nan, 1})(0, 1)));
    static_assert(cxattn::softmax(matrix<T, 1, 2>{nan, -inf})(0, 1) == 0);
    static_assert(cxattn::softmax(matrix<T, 1, 2>{inf, 1}) == matrix<T, 1, 2>{1, 0});
    static_assert(cxattn::softmax(matrix<T, 1, 3>{inf, inf, 0}) == matrix<T, 1, 3>{0.5, 0.5, 0});
    static_assert(cxattn::softmax(matrix<T, 1, 2>{-inf, -inf}) == matrix<T, 1, 2>{0, 0});
    static_assert(cxattn::softmax(matrix<T, 1, 2>{T(1e4), T(-1e4)}) == matrix<T, 1, 2>{1, 0});
    static_assert(cxattn::softmax(matrix<T, 1, 2>{minus_zero, 0}) == matrix<T, 1, 2>{0.5, 0.5});
    static_assert(cxattn::softmax(matrix<T, 1, 2>{tiny, 0}) == matrix<T, 1, 2>{0.5, 0.5});
    static_assert(cxattn::softmax(matrix<T, 1, 2>{big, big}) == matrix<T, 1, 2>{0.5, 0.5});
#if defined(__clang__) // overflow: lowest - big
    static_assert(cxattn::softmax(matrix<T, 1, 2>{big, lowest}) == matrix<T, 1, 2>{1, 0});
#endif

    // Attention, one query over two keys (Dk = Dv = 1, so the scale is 1): every path the same.
    static constexpr matrix<T, 1, 1> q{1};
    static constexpr matrix<T, 2, 1> v{1, 2};
    static constexpr matrix<bool, 1, 2> second_only{false, true}, none{false, false};
    template <class... Options>
    static constexpr bool outputs_are(const matrix<T, 1, 1>& query, const matrix<T, 2, 1>& key,
                                      const matrix<T, 2, 1>& value, T want, const Options&... options) {
        const T sdpa = cxattn::scaled_dot_product_attention(query, key, value, options...).output(0, 0);
        const T streamed = cxattn::streaming_attention(query, key, value, options...)(0, 0);
        return is_nan(want) ? is_nan(sdpa) && is_nan(streamed) : sdpa == want && streamed == want;
    }
    // NaN or inf in a masked key or value never reaches the output.
    static_assert(outputs_are(q, matrix<T, 2, 1>{nan, 1}, v, 2, second_only));
    static_assert(outputs_are(q, matrix<T, 2, 1>{inf, 1}, matrix<T, 2, 1>{nan, 2}, 2, second_only));
    static_assert(cxattn::scaled_dot_product_attention(q, matrix<T, 2, 1>{nan, 1}, v, second_only).weights ==
                  matrix<T, 1, 2>{0, 1});
    // NaN in an attended key makes the row NaN.
    static_assert(outputs_are(q, matrix<T, 2, 1>{nan, 1}, v, nan));
    // A fully masked row: zero weights and output (bool mask, additive -inf, causal past the keys).
    static_assert(outputs_are(q, v, v, 0, none));
    static_assert(outputs_are(q, v, v, 0, matrix<T, 1, 2>{-inf, -inf}));
    static_assert(cxattn::scaled_dot_product_attention(q, v, v, none).weights == matrix<T, 1, 2>{0, 0});
    // Logits +-1e4: all weight on the larger; +inf logit: the +inf position takes it all.
    static_assert(outputs_are(q, matrix<T, 2, 1>{T(1e4), T(-1e4)}, v, 1));
    static_assert(outputs_are(q, matrix<T, 2, 1>{inf, 1}, v, 1));
    // -0, subnormal and largest finite inputs: ordinary numbers.
    static_assert(outputs_are(matrix<T, 1, 1>{minus_zero}, v, matrix<T, 2, 1>{1, 1}, 1));
    static_assert(outputs_are(matrix<T, 1, 1>{tiny}, matrix<T, 2, 1>{1, 0}, matrix<T, 2, 1>{4, 4}, 4));
    static_assert(cxattn::scaled_dot_product_attention(matrix<T, 1, 1>{big}, matrix<T, 2, 1>{1, 1},
                                                       matrix<T, 2, 1>{big, big})
                      .output(0, 0) == big);
#if defined(__clang__) // overflow: streaming's unnormalised running sum big + big (then renormalised)
    static_assert(outputs_are(matrix<T, 1, 1>{big}, matrix<T, 2, 1>{1, 1}, matrix<T, 2, 1>{big, big}, big));
#endif
    // A finite, very negative bias is a number: -1e30 on both keys leaves them equal.
    static_assert(cxattn::scaled_dot_product_attention(q, matrix<T, 2, 1>{0, 0}, v, matrix<T, 1, 2>{T(-1e30), T(-1e30)})
                      .weights == matrix<T, 1, 2>{0.5, 0.5});

    // multi_head_attention (E = 2, 2 heads of 1, identity projections, zero biases except out_bias).
    static constexpr matrix<T, 2, 2> identity{1, 0, 0, 1};
    static constexpr cxattn::mha_params<T, 2, 2> params{identity, identity, identity, identity,
                                                        {},       {},       {},       matrix<T, 1, 2>{5, 6}};
    static constexpr matrix<T, 1, 2> x{1, 1};
    static constexpr matrix<T, 2, 2> keys{nan, nan, 1, 1};
    // The masked key holds NaN: the output is the attended key's value (1, 1) plus out_bias.
    static_assert(cxattn::multi_head_attention(x, keys, keys, params, second_only).output == matrix<T, 1, 2>{6, 7});
    // Every position masked: zero attention, so the output is out_bias.
    static_assert(cxattn::multi_head_attention(x, keys, keys, params, none).output == matrix<T, 1, 2>{5, 6});
    static_assert(cxattn::multi_head_attention(x, keys, keys, params, none).weights == matrix<T, 1, 2>{0, 0});
};

template struct sweep<float>;
template struct sweep<double>;

} // namespace

int main() {}
