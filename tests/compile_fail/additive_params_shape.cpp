// SPDX-License-Identifier: MIT
// Rule: W_q multiplies each query, so its cols are the query's cols (W_q is A x Dq, the query L x Dq).
// expected: cxattn::additive_attention: query cols differ from the parameters' w_query cols (Dq)
// expected: query_cols_are_w_query_cols<cxattn::shapes::query<2, 3>, cxattn::shapes::w_query<5, 4>
#include <cxattn/additive.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 3> q{};
    constexpr cxattn::matrix<double, 4, 2> k{};
    constexpr cxattn::matrix<double, 4, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::additive_params<double, 4, 2, 5> params{};
#else
    constexpr cxattn::additive_params<double, 3, 2, 5> params{};
#endif
    constexpr auto r = cxattn::additive_attention(q, k, v, params);
    static_cast<void>(r);
}
