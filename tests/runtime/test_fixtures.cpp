// SPDX-License-Identifier: MIT
// The semantics fixtures at run time: every fixture of tests/fixtures/, in float and
// double, through scaled_dot_product_attention and streaming_attention (the SDPA fixtures; those of
// mechanisms.hpp that partial_attention takes also through it, with the rows' log-sum-exps) and
// multi_head_attention (the MHA fixtures; mechanisms.hpp has lists of both), compared with the
// numpy reference by the same rule as the static tests (semantics.hpp). The inputs are built at
// run time, so is_constant_evaluated() is false and the run-time path (libm's exp, plain IEEE
// arithmetic) is what is tested.
#define BOOST_TEST_MODULE semantics_fixtures
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "fixtures/mechanisms.hpp"
#include "fixtures/mha.hpp"
#include "fixtures/sdpa_edges.hpp"
#include "fixtures/sdpa_options.hpp"
#include "semantics.hpp"

namespace {

template <class T> constexpr const char* type_name = sizeof(T) == sizeof(float) ? "float" : "double";

template <class T, class Op, class F> double check_at_run_time() {
    const semantics::agreement a = semantics::check<T, F, Op>(); // not a constant expression: run time
    BOOST_TEST(a.ok, F::name << " (" << Op::name << ", " << type_name<T> << "): " << a.where << "[" << a.index
                             << "] is " << a.got << ", the reference " << a.want);
    return a.worst;
}

// Checks every fixture of the list and reports the worst error as a fraction of its tolerance.
template <class T, class Op, template <class...> class List, class... F>
void check_all(List<F...>, const char* list_name) {
    double worst = 0;
    ((worst = std::max(worst, check_at_run_time<T, Op, F>())), ...);
    BOOST_TEST_MESSAGE(list_name << ", " << Op::name << ", " << type_name<T> << ": worst error " << worst
                                 << " of the tolerance");
}

} // namespace

BOOST_AUTO_TEST_CASE(options_sdpa) {
    check_all<float, semantics::sdpa>(fixtures::sdpa_options::all{}, "options");
    check_all<double, semantics::sdpa>(fixtures::sdpa_options::all{}, "options");
}

BOOST_AUTO_TEST_CASE(options_streaming) {
    check_all<float, semantics::streaming>(fixtures::sdpa_options::all{}, "options");
    check_all<double, semantics::streaming>(fixtures::sdpa_options::all{}, "options");
}

BOOST_AUTO_TEST_CASE(edges_sdpa) {
    check_all<float, semantics::sdpa>(fixtures::sdpa_edges::all{}, "edges");
    check_all<double, semantics::sdpa>(fixtures::sdpa_edges::all{}, "edges");
}

BOOST_AUTO_TEST_CASE(edges_streaming) {
    check_all<float, semantics::streaming>(fixtures::sdpa_edges::all{}, "edges");
    check_all<double, semantics::streaming>(fixtures::sdpa_edges::all{}, "edges");
}

BOOST_AUTO_TEST_CASE(multi_head) {
    check_all<float, semantics::multi_head>(fixtures::mha::all{}, "mha");
    check_all<double, semantics::multi_head>(fixtures::mha::all{}, "mha");
}

BOOST_AUTO_TEST_CASE(mechanisms_sdpa) {
    check_all<float, semantics::sdpa>(fixtures::mechanisms::sdpa_all{}, "mechanisms");
    check_all<double, semantics::sdpa>(fixtures::mechanisms::sdpa_all{}, "mechanisms");
}

BOOST_AUTO_TEST_CASE(mechanisms_streaming) {
    check_all<float, semantics::streaming>(fixtures::mechanisms::sdpa_all{}, "mechanisms");
    check_all<double, semantics::streaming>(fixtures::mechanisms::sdpa_all{}, "mechanisms");
}

BOOST_AUTO_TEST_CASE(mechanisms_partial) {
    check_all<float, semantics::partial>(fixtures::mechanisms::partial_all{}, "mechanisms");
    check_all<double, semantics::partial>(fixtures::mechanisms::partial_all{}, "mechanisms");
}

BOOST_AUTO_TEST_CASE(mechanisms_multi_head) {
    check_all<float, semantics::multi_head>(fixtures::mechanisms::mha_all{}, "mechanisms");
    check_all<double, semantics::multi_head>(fixtures::mechanisms::mha_all{}, "mechanisms");
}
