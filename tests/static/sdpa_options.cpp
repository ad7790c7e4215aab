// SPDX-License-Identifier: MIT
// scaled_dot_product_attention on the fixtures of fixtures/sdpa_options.hpp, in float and double, at compile
// time, against the numpy reference (scripts/gen_fixtures.py). Compiling this file is passing.
#include "fixtures/sdpa_options.hpp"
#include "semantics.hpp"

static_assert(semantics::all_agree_at_compile_time<float, semantics::sdpa>(fixtures::sdpa_options::all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::sdpa>(fixtures::sdpa_options::all{}));

int main() {}
