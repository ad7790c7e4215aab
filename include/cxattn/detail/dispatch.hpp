// SPDX-License-Identifier: MIT
// cxattn/detail/dispatch.hpp: which path a public call takes, decided in one place.
#ifndef CXATTN_DETAIL_DISPATCH_HPP
#define CXATTN_DETAIL_DISPATCH_HPP

#include "cxattn/config.hpp"
#include "cxattn/kernels/target.hpp"

namespace cxattn::detail {

// kernels: the vectorised run-time kernels of cxattn/kernels/ (outside constant evaluation, float
//   and double, CXATTN_RUNTIME_KERNELS=1);
// scalar: the scalar run-time kernels of cxattn/kernels/scalar.hpp (the same, for the calls they
//   serve, CXATTN_RUNTIME_KERNELS=2);
// plain: the constexpr algorithm with plain_arithmetic (detail/arithmetic.hpp): at run time
//   otherwise, and in constant evaluation when every operand is finite;
// ieee: the constexpr algorithm with ieee_arithmetic, in constant evaluation of operands that hold
//   NaN or infinity.
enum class path { kernels, scalar, plain, ieee };

// Whether the run-time kernels serve element type T in this build: the vectorised ones, the scalar ones.
template <class T> inline constexpr bool kernels_serve = CXATTN_RUNTIME_KERNELS == 1 && kernels::supported<T>;
template <class T> inline constexpr bool scalar_kernels_serve = CXATTN_RUNTIME_KERNELS == 2 && kernels::supported<T>;

// The path of a call on element type T; HasScalarKernel: whether the scalar kernels have this
// call's operation. plain_suffices() tells whether plain arithmetic can be constant-evaluated on
// the call's operands; it is called in constant evaluation only, so the run time pays nothing for it.
template <class T, bool HasScalarKernel = false, class PlainSuffices>
[[nodiscard]] constexpr path path_for(PlainSuffices plain_suffices) noexcept {
    if (!detail::is_constant_evaluated())
        return kernels_serve<T>                             ? path::kernels
               : HasScalarKernel && scalar_kernels_serve<T> ? path::scalar
                                                            : path::plain;
    return plain_suffices() ? path::plain : path::ieee;
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_DISPATCH_HPP
