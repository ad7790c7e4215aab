// SPDX-License-Identifier: MIT
#include "semihosting.hpp"

#include <cstdint>

namespace semihosting {
namespace {

enum class operation : std::uint32_t {
    write0 = 0x04,
    exit_extended = 0x20,
};

constexpr std::uint32_t adp_stopped_application_exit = 0x20026;

std::uint32_t call(operation op, const void* argument) noexcept {
    std::uint32_t result;
    // The host reads the argument block, so memory must be up to date ("memory" clobber).
    asm volatile("mov r0, %[op]\n\t"
                 "mov r1, %[argument]\n\t"
                 "bkpt 0xAB\n\t"
                 "mov %[result], r0"
                 : [result] "=r"(result)
                 : [op] "r"(static_cast<std::uint32_t>(op)), [argument] "r"(argument)
                 : "r0", "r1", "memory");
    return result;
}

} // namespace

void write(const char* text) noexcept { call(operation::write0, text); }

void exit(int status) noexcept {
    const std::uint32_t block[2] = {adp_stopped_application_exit, static_cast<std::uint32_t>(status)};
    call(operation::exit_extended, block);
    for (;;) { // without a host to stop the core there is nothing left to do
        asm volatile("wfi");
    }
}

} // namespace semihosting
