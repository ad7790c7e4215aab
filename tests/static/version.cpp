// SPDX-License-Identifier: MIT
// Static test of cxattn/version.hpp through the umbrella header: the macros equal the project
// version of meson.build, passed by tests/meson.build as EXPECTED_MAJOR, _MINOR and _PATCH.
#include <cxattn/cxattn.hpp>

static_assert(CXATTN_VERSION_MAJOR == EXPECTED_MAJOR, "CXATTN_VERSION_MAJOR differs from meson.build's version");
static_assert(CXATTN_VERSION_MINOR == EXPECTED_MINOR, "CXATTN_VERSION_MINOR differs from meson.build's version");
static_assert(CXATTN_VERSION_PATCH == EXPECTED_PATCH, "CXATTN_VERSION_PATCH differs from meson.build's version");
static_assert(CXATTN_VERSION == EXPECTED_MAJOR * 10000 + EXPECTED_MINOR * 100 + EXPECTED_PATCH);
static_assert(CXATTN_VERSION_MINOR < 100 && CXATTN_VERSION_PATCH < 100, "CXATTN_VERSION has two digits for each");

#if CXATTN_VERSION < 200
#error "CXATTN_VERSION must work in #if"
#endif
