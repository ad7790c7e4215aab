// SPDX-License-Identifier: MIT
// Positions, sliding windows, key_length, ALiBi, softcap, mask_mod and score_mod on the fixtures of
// fixtures/mechanisms.hpp, in float and double, at compile time, against the numpy reference
// (scripts/gen_fixtures.py): scaled_dot_product_attention (weights and output), streaming_attention
// (output), partial_attention (output and the rows' log-sum-exps, on the cases it takes) and
// multi_head_attention. Compiling this file is passing.
#include "fixtures/mechanisms.hpp"
#include "semantics.hpp"

static_assert(semantics::all_agree_at_compile_time<float, semantics::sdpa>(fixtures::mechanisms::sdpa_all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::sdpa>(fixtures::mechanisms::sdpa_all{}));
static_assert(semantics::all_agree_at_compile_time<float, semantics::streaming>(fixtures::mechanisms::sdpa_all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::streaming>(fixtures::mechanisms::sdpa_all{}));
static_assert(semantics::all_agree_at_compile_time<float, semantics::partial>(fixtures::mechanisms::partial_all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::partial>(fixtures::mechanisms::partial_all{}));
static_assert(semantics::all_agree_at_compile_time<float, semantics::multi_head>(fixtures::mechanisms::mha_all{}));
static_assert(semantics::all_agree_at_compile_time<double, semantics::multi_head>(fixtures::mechanisms::mha_all{}));

int main() {}
