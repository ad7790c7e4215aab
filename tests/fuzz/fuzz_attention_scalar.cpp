// SPDX-License-Identifier: MIT
// Fuzz target: fuzz_attention.cpp's checks on the scalar kernels of the Cortex-M cores
// (CXATTN_RUNTIME_KERNELS=2, cxattn/kernels/scalar.hpp), which the host builds run too.
// Also on rows longer than the streaming kernel's block of 16 keys.
#define CXATTN_RUNTIME_KERNELS 2
#define FUZZ_ATTENTION_LONG_ROWS
#include "fuzz_attention.cpp"
