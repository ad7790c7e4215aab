// SPDX-License-Identifier: MIT
// cxattn/kernels.hpp: the run-time kernels of attention (one header per concern in cxattn/kernels/): register-blocked matrix products, a
// vectorisable exp and row-wise softmax, for float and double.
//
// The constexpr algorithms (ops.hpp, softmax.hpp) are written for the compilers' constant
// evaluators; these are written for the processor, and the public operations call them outside
// constant evaluation (cxattn::detail::is_constant_evaluated()). They are plain loops with compile-time trip
// counts, shaped so that GCC and Clang vectorise them at -O2/-O3 (no intrinsics, no vector
// extensions): the widest vectors the target flags allow (-march=native: AVX-512) are used
// without a line of target-specific code. No heap: the only scratch memory is a packed panel of
// at most kc_max x nr elements on the stack.
//
// Accuracy: kernels::exp is within 2 ULP of e^x for float and double (tests/kernels/test_exp.cpp
// measures it); the matrix products sum in a different order than the
// constexpr kernels, so run-time results differ from compile-time ones by a few ULP (the tolerance
// is stated in docs/benchmarks.md and tested in tests/kernels/test_attention.cpp). Define
// CXATTN_RUNTIME_KERNELS=0 to run the constexpr algorithms at run time too (with
// CXATTN_RUNTIME_LIBM=0 the results are then bit-identical to compile-time ones).
#ifndef CXATTN_KERNELS_HPP
#define CXATTN_KERNELS_HPP

#include "cxattn/kernels/target.hpp"
#include "cxattn/kernels/exp.hpp"
#include "cxattn/kernels/reduce.hpp"
#include "cxattn/kernels/masks.hpp"
#include "cxattn/kernels/softmax.hpp"
#include "cxattn/kernels/micro_kernel.hpp"
#include "cxattn/kernels/gemm.hpp"
#include "cxattn/kernels/attention.hpp"
#include "cxattn/kernels/streaming.hpp"

#endif // CXATTN_KERNELS_HPP
