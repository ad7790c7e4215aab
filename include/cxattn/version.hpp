// SPDX-License-Identifier: MIT
// cxattn/version.hpp: the library's version, for the preprocessor and for constant expressions.
//
// CXATTN_VERSION is one integer, MAJOR * 10000 + MINOR * 100 + PATCH (0.2.0 is 200, 1.4.12 is
// 10412), so that a program can compare versions in #if, as with ETL's ETL_VERSION_VALUE and
// GCEM's GCEM_VERSION_*: `#if CXATTN_VERSION >= 200`. MINOR and PATCH stay below 100.
#ifndef CXATTN_VERSION_HPP
#define CXATTN_VERSION_HPP

#include "cxattn/config.hpp"

#define CXATTN_VERSION_MAJOR 0
#define CXATTN_VERSION_MINOR 2
#define CXATTN_VERSION_PATCH 0
#define CXATTN_VERSION (CXATTN_VERSION_MAJOR * 10000 + CXATTN_VERSION_MINOR * 100 + CXATTN_VERSION_PATCH)

#endif // CXATTN_VERSION_HPP
