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

// The bytes of stack in use at the call (from the top to the stack pointer).
[[nodiscard]] std::size_t stack_depth() noexcept;

// Paints the stack below the caller's frame again (from the limit to 64 bytes below the stack
// pointer), so that stack_high_water() then measures what runs after the call: exactly for a
// call that uses 64 bytes or more, as 64 for one that uses less.
void stack_repaint() noexcept;

} // namespace board

#endif // CXATTN_FIRMWARE_BOARD_HPP
