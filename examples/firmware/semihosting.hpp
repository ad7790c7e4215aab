// SPDX-License-Identifier: MIT
// Semihosting: the program's output and exit status, carried by the debugger or emulator.
// A semihosting call is `bkpt 0xAB` with the operation in r0 and its argument in r1; QEMU
// (-semihosting-config enable=on) services it. Two operations are enough here, so newlib's
// librdimon (whose stdio would bring malloc) is not linked. Reference: Arm, "Semihosting for
// AArch32 and AArch64", version 2.0.
#ifndef CXATTN_FIRMWARE_SEMIHOSTING_HPP
#define CXATTN_FIRMWARE_SEMIHOSTING_HPP

namespace semihosting {

// SYS_WRITE0: writes a NUL-terminated string to the host's console (QEMU: its semihosting chardev).
void write(const char* text) noexcept;

// SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit: ends the program; QEMU exits with `status`.
// (Plain SYS_EXIT on AArch32 cannot carry a status: QEMU would exit 0 or 1.)
[[noreturn]] void exit(int status) noexcept;

} // namespace semihosting

#endif // CXATTN_FIRMWARE_SEMIHOSTING_HPP
