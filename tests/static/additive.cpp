// SPDX-License-Identifier: MIT
// additive_attention on the fixtures of fixtures/additive.hpp (unmasked, each mask, the positions,
// NaN in masked and in attended keys, a fully masked row), in float and double, at compile time,
// against the numpy reference (scripts/gen_additive_fixtures.py); and the example of docs/semantics.md,
// "Additive attention", as printed there (with data filled in). Compiling this file is passing.
#include "additive_semantics.hpp"
#include "fixtures/additive.hpp"

static_assert(additive_semantics::all_agree_at_compile_time<float>(fixtures::additive::all{}));
static_assert(additive_semantics::all_agree_at_compile_time<double>(fixtures::additive::all{}));

namespace example {

constexpr cxattn::matrix<float, 3, 2> Q{0.5f, -1, 1.25f, 0.75f, -0.5f, 2};
constexpr cxattn::matrix<float, 4, 3> K{1, 0, -1, 0.5f, 0.5f, 0.5f, -1, 2, 0, 0.25f, -0.75f, 1};
constexpr cxattn::matrix<float, 4, 2> V{1, 2, 3, 4, 5, 6, 7, 8};
constexpr cxattn::matrix<float, 5, 2> w_query{0.125f, 0.25f, -0.375f, 0.5f, 0.5f, -0.625f, 0.75f, 0.875f, -1, 1};
constexpr cxattn::matrix<float, 5, 3> w_key{0.125f, 0.25f, 0.375f, -0.5f, 0.5f,  0.625f, 0.75f, -0.875f,
                                            1,      1,     -1,     1.25f, 0.25f, 0.25f,  0.125f};
constexpr cxattn::matrix<float, 1, 5> v{1, -0.5f, 0.25f, 2, -1};

constexpr cxattn::additive_params<float, 2, 3, 5> params{w_query, w_key, v};
constexpr auto r = cxattn::additive_attention(Q, K, V, params, cxattn::causal);
static_assert(r.weights(0, 0) == 1 && r.weights(0, 1) == 0 && r.output(0, 1) == 2);
static_assert(r.weights(2, 2) > 0 && r.weights(2, 3) == 0);

} // namespace example

int main() {}
