// SPDX-License-Identifier: MIT
// The rules of tests/rules.hpp at run time (tests/static/rules.cpp checks them at compile time).
#define BOOST_TEST_MODULE rules
#include <boost/test/unit_test.hpp>

#include "rules.hpp"

BOOST_AUTO_TEST_CASE(special_rows_float) { BOOST_TEST(rules::all<float>()); }
BOOST_AUTO_TEST_CASE(special_rows_double) { BOOST_TEST(rules::all<double>()); }
BOOST_AUTO_TEST_CASE(policies_long_double) { BOOST_TEST(rules::policies_agree<long double>()); }
