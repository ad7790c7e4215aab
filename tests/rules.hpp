// SPDX-License-Identifier: MIT
// The rules that every path of the library calls (docs/semantics.md, "Where each rule is defined"),
// checked one by one. Each check is a constexpr function, so that tests/static/rules.cpp evaluates it
// at compile time and tests/runtime/test_rules.cpp at run time.
#ifndef CXATTN_TESTS_RULES_HPP
#define CXATTN_TESTS_RULES_HPP

#include <cstddef>
#include <limits>
#include <utility>

#include <cxattn/cxattn.hpp>
#include <cxattn/detail/arithmetic.hpp>
#include <cxattn/detail/special_rows.hpp>

namespace rules {

template <class T> inline constexpr T inf = std::numeric_limits<T>::infinity();

// kind_of_row: NaN first, then a +inf maximum, then a row of -inf.
template <class T> constexpr bool rows_are_classified() {
    using cxattn::detail::kind_of_row;
    using cxattn::detail::row_kind;
    return kind_of_row(T{2}, false) == row_kind::ordinary && kind_of_row(T{2}, true) == row_kind::nan &&
           kind_of_row(inf<T>, true) == row_kind::nan && kind_of_row(inf<T>, false) == row_kind::infinite_max &&
           kind_of_row(-inf<T>, false) == row_kind::all_masked;
}

// The weights of the special rows: +inf entries share, -inf stays 0 in a NaN row, all -inf is zero.
template <class T> constexpr bool special_rows_weigh() {
    using cxattn::detail::row_kind;
    T plus_inf_row[4] = {inf<T>, T{1}, -inf<T>, inf<T>};
    cxattn::detail::weigh_special_row(row_kind::infinite_max, plus_inf_row, 4);
    T masked_row[3] = {-inf<T>, -inf<T>, -inf<T>};
    cxattn::detail::weigh_special_row(row_kind::all_masked, masked_row, 3);
    return plus_inf_row[0] == T{0.5} && plus_inf_row[1] == T{0} && plus_inf_row[2] == T{0} &&
           plus_inf_row[3] == T{0.5} && masked_row[0] == T{0} && masked_row[1] == T{0} && masked_row[2] == T{0} &&
           cxattn::detail::special_row_weight(row_kind::nan, -inf<T>, T{}) == T{0};
}

// online_weight: 0 while every score is -inf, 1 at the maximum (+inf included), exp below it.
template <class T> constexpr bool online_weights() {
    using cxattn::detail::online_weight;
    return online_weight(-inf<T>, -inf<T>) == T{0} && online_weight(inf<T>, inf<T>) == T{1} &&
           online_weight(T{3}, inf<T>) == T{0} && online_weight(T{3}, T{3}) == T{1} &&
           online_weight(T{1}, T{2}) == cxattn::exp(T{-1});
}

// The mask rules: the causal diagonal in both alignments, and -inf (only -inf) in a bias.
constexpr bool masks_are_ruled() {
    using cxattn::detail::bias_masks;
    using cxattn::detail::causal_key_end;
    return causal_key_end(0, 0, 5) == 1 && causal_key_end(4, 0, 5) == 5 && causal_key_end(9, 0, 5) == 5 &&
           causal_key_end(0, -3, 5) == 0 && causal_key_end(3, -3, 5) == 1 && causal_key_end(0, 2, 5) == 3 &&
           bias_masks(-inf<float>) && !bias_masks(-1e30f) && !bias_masks(inf<double>);
}

// resolved_options::masked combines them: causal, bool and -inf bias, each alone masking.
constexpr bool masked_combines_the_options() {
    constexpr cxattn::matrix<bool, 2, 3> keep{true, false, true, true, true, true};
    constexpr cxattn::matrix<float, 2, 3> bias{0, 0, 0, -inf<float>, -1e30f, 0};
    const auto r = cxattn::detail::resolve_options<float, 2, 3>(1.0f, cxattn::causal_lower_right, keep, bias);
    // lower right with L = 2, S = 3: row 0 sees keys 0, 1; row 1 sees keys 0, 1, 2.
    return !r.masked(0, 0) && r.masked(0, 1) && r.masked(0, 2) && r.masked(1, 0) && !r.masked(1, 1) && !r.masked(1, 2);
}

// Both arithmetic policies give the same bits on finite operands.
template <class T> constexpr bool policies_agree() {
    using cxattn::detail::ieee_arithmetic;
    using cxattn::detail::plain_arithmetic;
    constexpr cxattn::matrix<T, 2, 3> a{T{0.5}, T{-1.25}, T{3}, T{7}, T{0.125}, T{-2}};
    constexpr auto seq = std::make_index_sequence<3>{};
    cxattn::matrix<T, 1, 3> acc_plain{T{1}, T{2}, T{3}}, acc_ieee{T{1}, T{2}, T{3}};
    plain_arithmetic::add_scaled(acc_plain, 0, T{0.75}, a, 3, seq);
    ieee_arithmetic::add_scaled(acc_ieee, 0, T{0.75}, a, 3, seq);
    return plain_arithmetic::dot(a, 0, a, 3, seq) == ieee_arithmetic::dot(a, 0, a, 3, seq) &&
           plain_arithmetic::affine_dot(a, 0, a, 3, static_cast<T>(0.3L), T(-0.0), seq) ==
               ieee_arithmetic::affine_dot(a, 0, a, 3, static_cast<T>(0.3L), T(-0.0), seq) &&
           plain_arithmetic::affine_dot(a, 0, a, 3, T{1}, static_cast<T>(0.3L), seq) ==
               ieee_arithmetic::affine_dot(a, 0, a, 3, T{1}, static_cast<T>(0.3L), seq) &&
           acc_plain == acc_ieee;
}

// affine_dot with factor 1 and addend -0 is the dot product to the bit, a -0 result included.
template <class T> constexpr bool affine_dot_is_exact() {
    using cxattn::detail::plain_arithmetic;
    constexpr cxattn::matrix<T, 1, 2> a{T(-0.0), T{3}}, b{T{1}, T{0}};
    constexpr auto seq = std::make_index_sequence<2>{};
    constexpr cxattn::matrix<T, 1, 2> c{T{1.5}, T{-0.25}}, d{T{3}, T{7}};
    const T zero = plain_arithmetic::affine_dot(a, 0, b, 0, T{1}, T(-0.0), std::make_index_sequence<1>{});
    return cxattn::detail::ieee::is_negative_zero(zero) &&
           plain_arithmetic::affine_dot(c, 0, d, 0, T{1}, T(-0.0), seq) == plain_arithmetic::dot(c, 0, d, 0, seq);
}

// The IEEE policy gives IEEE results where plain arithmetic cannot be constant-evaluated.
template <class T> constexpr bool ieee_policy_propagates() {
    using cxattn::detail::ieee_arithmetic;
    const T nan = ieee_arithmetic::mul(T{0}, inf<T>);
    return nan != nan && ieee_arithmetic::add(inf<T>, T{1}) == inf<T> && ieee_arithmetic::divide(T{1}, T{0}) == inf<T>;
}

template <class T> constexpr bool all() {
    return rows_are_classified<T>() && special_rows_weigh<T>() && online_weights<T>() && masks_are_ruled() &&
           masked_combines_the_options() && policies_agree<T>() && affine_dot_is_exact<T>() &&
           ieee_policy_propagates<T>();
}

} // namespace rules

#endif // CXATTN_TESTS_RULES_HPP
