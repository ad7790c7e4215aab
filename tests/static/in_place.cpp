// SPDX-License-Identifier: MIT
// The in-place overloads in constant evaluation: scaled_dot_product_attention(Q, K, V, result,
// options...), streaming_attention(Q, K, V, cxattn::into(out), options...) and
// multi_head_attention(query, key, value, params, result, options...) write exactly what the
// functions return, whatever the caller's object held before. Compiling this file is passing.
#include <cxattn/cxattn.hpp>

namespace {

constexpr cxattn::matrix<float, 2, 3> Q{1, 0, 1, 0, 1, 0};
constexpr cxattn::matrix<float, 4, 3> K{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3};
constexpr cxattn::matrix<float, 4, 3> V{1, -2, 3, 4, 5, -6, 7, 8, 9, 1, 2, 3};
constexpr cxattn::matrix<bool, 2, 4> keep{true, false, true, true, true, true, false, true};
constexpr cxattn::mha_params<float, 3, 1> params{{1, 0, 0, 0, 1, 0, 0, 0, 1},
                                                 {1, 0, 0, 0, 1, 0, 0, 0, 1},
                                                 {1, 0, 0, 0, 1, 0, 0, 0, 1},
                                                 {1, 0, 0, 0, 1, 0, 0, 0, 1},
                                                 {},
                                                 {},
                                                 {},
                                                 {}};

template <class M> constexpr void dirty(M& m) {
    for (auto& x : m.values) x = 42;
}

constexpr bool attention_in_place() {
    cxattn::attention_result<float, 2, 4, 3> r;
    dirty(r.output);
    dirty(r.weights);
    cxattn::scaled_dot_product_attention(Q, K, V, r, cxattn::causal, keep);
    const auto expected = cxattn::scaled_dot_product_attention(Q, K, V, cxattn::causal, keep);
    return r.output == expected.output && r.weights == expected.weights;
}

constexpr bool streaming_in_place() {
    cxattn::matrix<float, 2, 3> out;
    dirty(out);
    cxattn::streaming_attention(Q, K, V, cxattn::into(out), keep, cxattn::scale(0.5f));
    return out == cxattn::streaming_attention(Q, K, V, keep, cxattn::scale(0.5f));
}

constexpr bool multi_head_in_place() {
    cxattn::attention_result<float, 2, 4, 3> r;
    dirty(r.output);
    dirty(r.weights);
    cxattn::multi_head_attention(Q, K, V, params, r, cxattn::causal);
    const auto expected = cxattn::multi_head_attention(Q, K, V, params, cxattn::causal);
    return r.output == expected.output && r.weights == expected.weights;
}

// A result is never taken for an option: an attention_result as a non-const lvalue, or
// cxattn::into, right after the operands; a bare matrix there is an additive mask.
template <class R>
concept in_place_call = requires(R& r) {
    cxattn::scaled_dot_product_attention(Q, K, V, r);
};
static_assert(in_place_call<cxattn::attention_result<float, 2, 4, 3>>);

} // namespace

static_assert(attention_in_place());
static_assert(streaming_in_place());
static_assert(multi_head_in_place());

int main() {}
