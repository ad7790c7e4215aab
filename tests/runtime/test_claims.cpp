// SPDX-License-Identifier: MIT
// The exact claims of docs/semantics.md (claims.hpp) at run time, in float and double; and
// streaming_attention's agreement with scaled_dot_product_attention, with the worst error printed.
#define BOOST_TEST_MODULE semantics_claims
#include <boost/test/unit_test.hpp>

#include <boost/mpl/list.hpp>

#include "claims.hpp"

using element_types = boost::mpl::list<float, double>;

BOOST_AUTO_TEST_CASE_TEMPLATE(exact_claims, T, element_types) {
    BOOST_TEST(claims::options_commute<T>());
    BOOST_TEST(claims::neutral_options<T>());
    BOOST_TEST(claims::causal_is_a_mask<T>());
    BOOST_TEST(claims::masked_values_are_never_read<T>());
    BOOST_TEST(claims::fully_masked_rows_are_zero<T>());
    BOOST_TEST(claims::very_negative_biases_are_numbers<T>());
    BOOST_TEST(claims::huge_logits_are_stable<T>());
    BOOST_TEST(claims::plus_inf_scores_share_the_weight<T>());
    BOOST_TEST(claims::attended_nan_propagates<T>());
    BOOST_TEST(claims::streaming_survives_overflow<T>());
    BOOST_TEST(claims::one_head_is_sdpa<T>());
    BOOST_TEST(claims::grouped_query_is_repeated_heads<T>());
}

// The tolerance: 16 ULP of sum_j w_j |v_j|. Both paths compute the same scores (the same dot
// products), so what differs is the softmax and the sum: scaled_dot_product_attention rounds each
// weight e_j / sum and then sums w_j v_j; the online softmax sums e_j v_j against a running maximum,
// rescales by exp(m_old - m_new) at each new maximum (about ln S of them for keys in random order),
// and divides at the end. Each is a sum of S rounded terms (worst case ~S ULP, typically ~sqrt(S));
// over 20 seeds at S = 64 the difference measured at most 7.9 ULP (float) and 4.3 (double), so 16
// is about twice the largest seen, far below the S ULP worst case.
BOOST_AUTO_TEST_CASE_TEMPLATE(streaming_agrees_with_sdpa, T, element_types) {
    double worst = 0;
    BOOST_TEST((claims::streaming_agrees<T, 32, 48, 16, 8>(16, worst, 60)), "worst " << worst << " ULP");
    BOOST_TEST_MESSAGE("no options: worst " << worst << " ULP");
    BOOST_TEST((claims::streaming_agrees<T, 32, 48, 16, 8>(16, worst, 61, cxattn::causal)),
               "worst " << worst << " ULP");
    BOOST_TEST_MESSAGE("causal: worst " << worst << " ULP");
    BOOST_TEST((claims::streaming_agrees<T, 64, 64, 64, 64>(16, worst, 62, cxattn::scale(T(0.5)))),
               "worst " << worst << " ULP");
    BOOST_TEST_MESSAGE("64 x 64, scale(0.5): worst " << worst << " ULP");
}
