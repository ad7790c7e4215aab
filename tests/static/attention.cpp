// SPDX-License-Identifier: MIT
// Static tests of softmax and attention: compiling this file is passing.
#include <cxattn/cxattn.hpp>

#include <limits>
#include <type_traits>

#include "test_data.hpp"

using cxattn::matrix;

namespace {

template <class T, std::size_t R, std::size_t C> constexpr bool rows_sum_to_one(const matrix<T, R, C>& m, T tolerance) {
    for (std::size_t i = 0; i < R; ++i) {
        T sum{};
        for (std::size_t j = 0; j < C; ++j) {
            if (!(m(i, j) >= 0 && m(i, j) <= 1)) return false;
            sum += m(i, j);
        }
        if (!(sum - 1 <= tolerance && 1 - sum <= tolerance)) return false;
    }
    return true;
}

// softmax: equal logits share equally; shifting a row changes nothing; all -inf gives zeros.
static_assert(cxattn::softmax(matrix<double, 1, 4>{3, 3, 3, 3}) == matrix<double, 1, 4>{0.25, 0.25, 0.25, 0.25});
static_assert(cxattn::softmax(matrix<double, 1, 3>{1, 2, 3}) == cxattn::softmax(matrix<double, 1, 3>{101, 102, 103}));
constexpr float inf = std::numeric_limits<float>::infinity();
static_assert(cxattn::softmax(matrix<float, 1, 2>{-inf, -inf}) == matrix<float, 1, 2>{});
static_assert(cxattn::softmax(matrix<float, 1, 3>{-inf, 0, -inf}) == matrix<float, 1, 3>{0, 1, 0});
static_assert(rows_sum_to_one(cxattn::softmax(test_data::uniform<float, 3, 17>(5, -30.0f, 30.0f)), 1e-6f));

// Attention shapes: L != S and Dk != Dv; the result has output L x Dv and weights L x S.
constexpr auto q = test_data::uniform<double, 2, 3>(1);
constexpr auto k = test_data::uniform<double, 5, 3>(2);
constexpr auto v = test_data::uniform<double, 5, 7>(3);
constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v);
static_assert(std::is_same_v<decltype(r.output), matrix<double, 2, 7>>);
static_assert(std::is_same_v<decltype(r.weights), matrix<double, 2, 5>>);
static_assert(rows_sum_to_one(r.weights, 1e-15));

// The weights are softmax(Q K^T / sqrt(Dk)) and the output is weights times V, exactly as
// composed from the public operations (same kernels, same order).
constexpr auto scores = cxattn::matmul(q, cxattn::transpose(k)) * (1.0 / cxattn::sqrt(3.0));
static_assert(r.weights == cxattn::softmax(scores));
static_assert(r.output == cxattn::matmul(r.weights, v));

// One key: every query puts all its weight on it and returns its value.
constexpr auto one = cxattn::scaled_dot_product_attention(test_data::uniform<float, 4, 2>(7),
                                                          matrix<float, 1, 2>{0.5f, -1}, matrix<float, 1, 3>{1, 2, 3});
static_assert(one.weights == matrix<float, 4, 1>{1, 1, 1, 1});
static_assert(one.output == matrix<float, 4, 3>{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3});

} // namespace

int main() {}
