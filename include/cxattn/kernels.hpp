// SPDX-License-Identifier: MIT
// cxattn/kernels.hpp: the run-time kernels of attention (one header per concern in cxattn/kernels/): register-blocked matrix products, a
// vectorisable exp and row-wise softmax, for float and double.
//
// The constexpr algorithms (ops.hpp, softmax.hpp) are written for the compilers' constant
// evaluators; these are written for the processor, and the public operations call them outside
// constant evaluation (cxattn::detail::is_constant_evaluated()). Their inner loops (the matrix
// products' micro-kernel, exp, the row reductions) are written with the GCC/Clang vector extensions,
// so that their speed does not depend on a compiler's vectoriser; the width is that of the target
// flags (SSE2 by default on x86-64, AVX2 with -march=x86-64-v3, AVX-512 with -march=native on the
// benchmark machines), without intrinsics or a line of target-specific code. No heap: the only
// scratch memory is a packed panel of at most kc_max x nr elements on the stack.
//
// Accuracy: kernels::exp is within 2 ULP of e^x for float and double (tests/kernels/test_exp.cpp
// measures it); the matrix products sum in a different order than the
// constexpr kernels, so run-time results differ from compile-time ones by a few ULP (the tolerance
// is stated in docs/benchmarks.md and tested in tests/kernels/test_attention.cpp). Define
// CXATTN_RUNTIME_KERNELS=0 to run the constexpr algorithms at run time too (with
// CXATTN_RUNTIME_LIBM=0 the results are then bit-identical to compile-time ones).
// cxattn/kernels/scalar.hpp holds the scalar kernels for cores without a vector unit (the Cortex-M
// cores' default, CXATTN_RUNTIME_KERNELS=2).
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
#include "cxattn/kernels/scalar.hpp"

#endif // CXATTN_KERNELS_HPP
