// SPDX-License-Identifier: MIT
// cxattn/detail/dispatch.hpp: which path a public call takes, decided in one place.
#ifndef CXATTN_DETAIL_DISPATCH_HPP
#define CXATTN_DETAIL_DISPATCH_HPP

#include "cxattn/config.hpp"
#include "cxattn/kernels/target.hpp"

namespace cxattn::detail {

// kernels: the run-time kernels of cxattn/kernels/ (outside constant evaluation, float and double,
//   CXATTN_RUNTIME_KERNELS=1);
// plain: the constexpr algorithm with plain_arithmetic (detail/arithmetic.hpp): at run time
//   otherwise, and in constant evaluation when every operand is finite;
// ieee: the constexpr algorithm with ieee_arithmetic, in constant evaluation of operands that hold
//   NaN or infinity.
enum class path { kernels, plain, ieee };

// Whether the run-time kernels serve element type T in this build.
template <class T> inline constexpr bool kernels_serve = CXATTN_RUNTIME_KERNELS != 0 && kernels::supported<T>;

// The path of a call on element type T. plain_suffices() tells whether plain arithmetic can be
// constant-evaluated on the call's operands; it is called in constant evaluation only, so the run
// time pays nothing for it.
template <class T, class PlainSuffices> [[nodiscard]] constexpr path path_for(PlainSuffices plain_suffices) noexcept {
    if (!detail::is_constant_evaluated()) return kernels_serve<T> ? path::kernels : path::plain;
    return plain_suffices() ? path::plain : path::ieee;
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_DISPATCH_HPP
