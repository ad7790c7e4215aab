// SPDX-License-Identifier: MIT
// One constant evaluation, chosen by macros, for the capacity tests (tests/capacity/meson.build)
// and benchmarks/capacity/capacity.py:
//   PROBE_KIND: 1 scaled_dot_product_attention, L = S = Dk = Dv = PROBE_N
//               2 streaming_attention, the same shapes
//               3 multi_head_attention, E = PROBE_N, 4 heads, L = S = PROBE_N / 2
//               4 matmul of PROBE_N x PROBE_N matrices (cost per multiply-add)
//               5 PROBE_N calls of cxattn::exp (cost per exp)
//               6 the loop of 5 without the exp (its overhead, to subtract)
//               7 scaled_dot_product_attention as 1, causal with sliding_window(15)
//               8 scaled_dot_product_attention as 1, with a score_mod (a relative-position bias)
// Every input is itself a constant expression (tests/test_data.hpp), evaluated separately, so the
// compiler's limits apply to the operation alone.
#include <cxattn/cxattn.hpp>

#include "test_data.hpp"

#ifndef PROBE_N
#error "define PROBE_N"
#endif

using T = float;
constexpr std::size_t n = PROBE_N;

#if PROBE_KIND == 1 || PROBE_KIND == 2 || PROBE_KIND == 7 || PROBE_KIND == 8
constexpr auto q = test_data::uniform<T, n, n>(1);
constexpr auto k = test_data::uniform<T, n, n>(2);
constexpr auto v = test_data::uniform<T, n, n>(3);
#if PROBE_KIND == 1
constexpr auto result = cxattn::scaled_dot_product_attention(q, k, v).output;
#elif PROBE_KIND == 7
constexpr auto result =
    cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal, cxattn::sliding_window(15)).output;
#elif PROBE_KIND == 8
constexpr auto result = cxattn::scaled_dot_product_attention(
                            q, k, v, cxattn::score_mod([](T s, std::size_t, std::ptrdiff_t i, std::ptrdiff_t j) {
                                return s - T(0.125) * static_cast<T>(i > j ? i - j : j - i);
                            }))
                            .output;
#else
constexpr auto result = cxattn::streaming_attention(q, k, v);
#endif
#elif PROBE_KIND == 3
constexpr std::size_t e = n, heads = 4, l = n / 2;
constexpr auto query = test_data::uniform<T, l, e>(1);
constexpr auto key = test_data::uniform<T, l, e>(2);
constexpr auto value = test_data::uniform<T, l, e>(3);
constexpr cxattn::mha_params<T, e, heads> params{test_data::uniform<T, e, e>(4),  test_data::uniform<T, e, e>(5),
                                                 test_data::uniform<T, e, e>(6),  test_data::uniform<T, e, e>(7),
                                                 test_data::uniform<T, 1, e>(8),  test_data::uniform<T, 1, e>(9),
                                                 test_data::uniform<T, 1, e>(10), test_data::uniform<T, 1, e>(11)};
constexpr auto result = cxattn::multi_head_attention(query, key, value, params).output;
#elif PROBE_KIND == 4
constexpr auto a = test_data::uniform<T, n, n>(1);
constexpr auto b = test_data::uniform<T, n, n>(2);
constexpr auto result = cxattn::matmul(a, b);
#elif PROBE_KIND == 5
constexpr auto x = test_data::uniform<T, 1, n>(1, -80.0f, 80.0f);
constexpr auto result = [] {
    cxattn::matrix<T, 1, n> out;
    for (std::size_t i = 0; i < n; ++i) out.values[i] = cxattn::exp(x.values[i]);
    return out;
}();
#elif PROBE_KIND == 6
constexpr auto x = test_data::uniform<T, 1, n>(1, -80.0f, 80.0f);
constexpr auto result = [] {
    cxattn::matrix<T, 1, n> out;
    for (std::size_t i = 0; i < n; ++i) out.values[i] = x.values[i];
    return out;
}();
#endif

int main() { return result.values[0] > 1e30f; }
