// SPDX-License-Identifier: MIT
// The exact claims of docs/semantics.md (claims.hpp) at compile time, in float and double; and
// streaming_attention's agreement with scaled_dot_product_attention. Compiling this file is passing.
#include "claims.hpp"

namespace {

template <class T> constexpr bool every_claim_holds() {
    static_assert(claims::options_commute<T>());
    static_assert(claims::neutral_options<T>());
    static_assert(claims::causal_is_a_mask<T>());
    static_assert(claims::masked_values_are_never_read<T>());
    static_assert(claims::fully_masked_rows_are_zero<T>());
    static_assert(claims::very_negative_biases_are_numbers<T>());
    static_assert(claims::huge_logits_are_stable<T>());
    static_assert(claims::plus_inf_scores_share_the_weight<T>());
    static_assert(claims::attended_nan_propagates<T>());
#if defined(__clang__) // GCC rejects the overflow of the running sum in constant evaluation
    static_assert(claims::streaming_survives_overflow<T>());
#endif
    static_assert(claims::one_head_is_sdpa<T>());
    static_assert(claims::grouped_query_is_repeated_heads<T>());
    return true;
}

static_assert(every_claim_holds<float>());
static_assert(every_claim_holds<double>());

// See runtime/test_claims.cpp for the tolerance's reason.
template <class T, class... Options> constexpr bool streaming_agrees(std::uint64_t seed, const Options&... options) {
    double worst = 0;
    return claims::streaming_agrees<T, 12, 20, 8, 6>(16, worst, seed, options...);
}
static_assert(streaming_agrees<float>(50));
static_assert(streaming_agrees<double>(51, cxattn::causal));
static_assert(streaming_agrees<float>(52, cxattn::causal_lower_right, cxattn::scale(2.0f)));

} // namespace

int main() {}
