// SPDX-License-Identifier: MIT
// The rules of tests/rules.hpp at compile time, and the former name of mha_params.
#include <type_traits>

#include "rules.hpp"

static_assert(rules::rows_are_classified<float>() && rules::rows_are_classified<double>());
static_assert(rules::special_rows_weigh<float>() && rules::special_rows_weigh<double>());
static_assert(rules::online_weights<float>() && rules::online_weights<double>());
static_assert(rules::masks_are_ruled());
static_assert(rules::masked_combines_the_options());
static_assert(rules::policies_agree<float>() && rules::policies_agree<double>() &&
              rules::policies_agree<long double>());
static_assert(rules::affine_dot_is_exact<float>() && rules::affine_dot_is_exact<double>());
static_assert(rules::ieee_policy_propagates<float>() && rules::ieee_policy_propagates<double>());

// mha_weights is a deprecated alias of mha_params for one release.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static_assert(std::is_same_v<cxattn::mha_weights<float, 8, 2>, cxattn::mha_params<float, 8, 2>>);
#pragma GCC diagnostic pop

int main() {}
