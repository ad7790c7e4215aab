// SPDX-License-Identifier: MIT
// cxattn/detail/compare.hpp: floating-point equality and the NaN test, defined once, through
// ordered comparisons only, so that cxattn's headers compile clean under a user's -Wfloat-equal
// (they come in with -I, not as system headers), and every exact comparison of the library says
// that it means one.
#ifndef CXATTN_DETAIL_COMPARE_HPP
#define CXATTN_DETAIL_COMPARE_HPP

#include "cxattn/config.hpp"

// a == b in IEEE 754 (false when either is NaN; -0 equals +0), and whether x is NaN, as expressions
// for the loops of constant evaluation: Clang charges a step for each function call's statement,
// and these run once per score. -Wfloat-equal does not flag ordered comparisons: a NaN fails both
// <= and >=, and -0 <= +0 <= -0.
#define CXATTN_DETAIL_EQUAL(a, b) ((a) <= (b) && (a) >= (b))
#define CXATTN_DETAIL_IS_NAN(x) (!((x) <= (x)))

namespace cxattn::detail {

// The same two tests as functions, for everywhere else.
template <class T> [[nodiscard]] constexpr bool equal(T a, T b) noexcept { return CXATTN_DETAIL_EQUAL(a, b); }
template <class T> [[nodiscard]] constexpr bool is_nan(T x) noexcept { return CXATTN_DETAIL_IS_NAN(x); }

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_COMPARE_HPP
