// SPDX-License-Identifier: MIT
// For the code-size probes of the device benchmark: Eigen's general matrix product refers to
// malloc, and newlib's malloc to _sbrk; an image without a heap answers that there is no memory.
// (The benchmark's firmware has its own _sbrk, which ends the run: no contender may use the heap.)
#include <cstddef>

extern "C" void* _sbrk(std::ptrdiff_t) noexcept { return reinterpret_cast<void*>(-1); }
