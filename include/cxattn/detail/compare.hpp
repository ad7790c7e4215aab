// SPDX-License-Identifier: MIT
// cxattn/detail/compare.hpp: floating-point equality through named functions, so that cxattn's
// headers compile clean under a user's -Wfloat-equal (they come in with -I, not as system headers),
// and every exact comparison of the library says that it means one.
#ifndef CXATTN_DETAIL_COMPARE_HPP
#define CXATTN_DETAIL_COMPARE_HPP

#include "cxattn/config.hpp"

namespace cxattn::detail {

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wfloat-equal"
#endif

// a == b in IEEE 754: false when either is NaN; -0 equals +0.
template <class T> [[nodiscard]] constexpr bool equal(T a, T b) noexcept { return a == b; }

// Whether x is NaN, the one value unequal to itself.
template <class T> [[nodiscard]] constexpr bool is_nan(T x) noexcept { return x != x; }

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

} // namespace cxattn::detail

// The same two tests as expressions, for the loops of constant evaluation: Clang charges a step for
// each function call's statement, and these run once per score. Ordered comparisons only, which
// -Wfloat-equal does not flag: a NaN fails both <= and >=, and -0 <= +0 <= -0.
#define CXATTN_DETAIL_EQUAL(a, b) ((a) <= (b) && (a) >= (b))
#define CXATTN_DETAIL_IS_NAN(x) (!((x) <= (x)))

#endif // CXATTN_DETAIL_COMPARE_HPP
