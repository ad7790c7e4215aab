// SPDX-License-Identifier: MIT
// multi_head_attention on the fixtures of fixtures/mha.hpp, in float and double, at compile time,
// against the numpy reference (scripts/gen_fixtures.py). Compiling this file is passing.
#include "fixtures/mha.hpp"
#include "semantics.hpp"

static_assert(semantics::all_agree_at_compile_time<float, semantics::multi_head>(fixtures::mha::all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::multi_head>(fixtures::mha::all{}));

int main() {}
