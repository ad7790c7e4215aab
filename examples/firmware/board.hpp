// SPDX-License-Identifier: MIT
// What the startup code (startup.cpp) tells the program about the board and its stack.
#ifndef CXATTN_FIRMWARE_BOARD_HPP
#define CXATTN_FIRMWARE_BOARD_HPP

#include <cstddef>

namespace board {

// The program, defined by the application: reset_handler calls it once memory is initialised and
// exits with its return value as the status. (Not `main`: C++ forbids calling main.)
int application() noexcept;

// The stack reserved by the linker script (mps2-an386.ld), in bytes.
[[nodiscard]] std::size_t stack_size() noexcept;

// The most stack used so far, in bytes: reset_handler fills the stack with a pattern, and this
// finds the deepest word that no longer holds it. A measurement, not a bound: it covers the paths
// this run took. Equal to stack_size() means the stack may have overflowed.
[[nodiscard]] std::size_t stack_high_water() noexcept;

} // namespace board

#endif // CXATTN_FIRMWARE_BOARD_HPP
