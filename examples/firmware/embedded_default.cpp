// SPDX-License-Identifier: MIT
// The embedded default of cxattn/config.hpp, compiled for the cross build's core with the cross
// file's flags (examples/firmware/meson.build): with no -DCXATTN_RUNTIME_KERNELS the library must
// choose 2, the scalar kernels of cxattn/kernels/scalar.hpp, on M-profile Arm; a -D still overrides it
// (EXPECTED_RUNTIME_KERNELS is then the value given). Compiling is passing.
#ifndef EXPECTED_RUNTIME_KERNELS
#ifdef CXATTN_RUNTIME_KERNELS
#error "CXATTN_RUNTIME_KERNELS is set by the build: this test checks the value config.hpp chooses"
#endif
#define EXPECTED_RUNTIME_KERNELS 2
#endif

#include <cxattn/config.hpp>

static_assert(__ARM_ARCH_PROFILE == 'M', "this test is for M-profile Arm (a Cortex-M)");
static_assert(CXATTN_RUNTIME_KERNELS == EXPECTED_RUNTIME_KERNELS,
              "cxattn/config.hpp: CXATTN_RUNTIME_KERNELS is not the expected value on a Cortex-M");
