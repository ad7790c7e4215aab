// SPDX-License-Identifier: MIT
// Static tests of format.hpp: compiling this file is passing. They run on the cross compiler, whose
// constant evaluation uses the target's double, the same as the device.
#include "format.hpp"

#include "notebook_seed.hpp"

namespace {

using format::fixed;
using format::numpy;
using format::scientific;

// printf("%.Nf") rounds the exact binary value, ties to even.
static_assert(fixed(0.5, 0) == "0" && fixed(1.5, 0) == "2" && fixed(2.5, 0) == "2");
static_assert(fixed(0.125, 2) == "0.12" && fixed(0.375, 2) == "0.38"); // exact ties in binary
static_assert(fixed(0.1, 20) == "(range)");
static_assert(fixed(2.675, 2) == "2.67"); // 2.675 is 2.67499999999999982236431605997495353221893310546875
static_assert(fixed(1e-9, 8) == "0.00000000" && fixed(-2.5, 1) == "-2.5" && fixed(7.0, 3) == "7.000");
static_assert(fixed(0.999999996, 8) == "1.00000000");

// numpy's default printing, as in the notebook.
static_assert(numpy(1.0) == "1." && numpy(0.25) == "0.25" && numpy(-0.5) == "-0.5");
static_assert(numpy(notebook::X(0, 0)) == "0.37454012" && numpy(notebook::X(2, 2)) == "0.02058449");
static_assert(numpy(notebook::printed_weights(2, 0)) == "0.5060941");
static_assert(numpy(notebook::printed_output(2, 0)) == "0.9564023");

static_assert(scientific(0.0) == "0" && scientific(2.220446049250313e-16) == "2.2e-16");
static_assert(scientific(9.96) == "1.0e+1" && scientific(-0.00123, 3) == "-1.23e-3");
static_assert(scientific(1.0) == "1.0e+0" && scientific(123456.0, 1) == "1e+5");

static_assert(format::integer(0) == "0" && format::integer(42, 4) == "0042");
static_assert(format::integer(18446744073709551615u) == "18446744073709551615");
static_assert(format::address(0x1234) == "0x00001234");

} // namespace
