// SPDX-License-Identifier: MIT
// streaming_attention on the fixtures of fixtures/sdpa_edges.hpp, in float and double, at compile
// time, against the numpy reference (scripts/gen_fixtures.py). Compiling this file is passing.
#include "fixtures/sdpa_edges.hpp"
#include "semantics.hpp"

static_assert(semantics::all_agree_at_compile_time<float, semantics::streaming>(fixtures::sdpa_edges::all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::streaming>(fixtures::sdpa_edges::all{}));

int main() {}
