// SPDX-License-Identifier: MIT
// Startup for the Cortex-M cores of cross/: the vector table, the reset handler and the fault
// handler. The core reads the initial stack pointer and the reset handler's address from the first
// two words of the vector table (at the start of the image, where each board's linker script puts
// it: Armv7-M Architecture Reference Manual, B1.5.3; Armv8-M, B3.30), so no assembly is needed:
// reset_handler is an ordinary function, and it must not use the FPU before enabling it (on a
// core without FPU the enabling write is ignored).
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "semihosting.hpp"

// Defined by the linker script (mps2-an386.ld).
extern "C" {
extern std::uint32_t __stack_limit__[], __stack_top__[];
extern std::uint32_t __data_start__[], __data_end__[], __data_load__[];
extern std::uint32_t __bss_start__[], __bss_end__[];
extern void (*__preinit_array_start__[])(), (*__preinit_array_end__[])();
extern void (*__init_array_start__[])(), (*__init_array_end__[])();

[[noreturn]] void reset_handler() noexcept;
[[noreturn]] void unexpected_exception() noexcept;
}

namespace {

using handler = void (*)() noexcept;

// The 16 system exception vectors (the first is the initial stack pointer) and the board's
// first 32 interrupts (the MPS2 AN385/386/500 wire 32 to the NVIC; the AN505 and AN547 have
// more, which this program never enables). Every slot but reset goes to unexpected_exception:
// this program enables no interrupt, so any exception is a fault.
struct vector_table {
    std::uint32_t* initial_stack_pointer;
    handler reset;
    handler exceptions[14];
    handler interrupts[32];
};

constexpr vector_table make_vector_table() noexcept {
    vector_table t{__stack_top__, reset_handler, {}, {}};
    for (handler& h : t.exceptions) h = unexpected_exception;
    for (handler& h : t.interrupts) h = unexpected_exception;
    return t;
}

// constinit: initialised at compile time, so it is data in flash (section .vectors, placed first
// by the linker script), never code that runs.
[[gnu::section(".vectors"), gnu::used]] constinit const vector_table vectors = make_vector_table();

constexpr std::uint32_t stack_paint = 0xC0FFEE00;

// Coprocessor Access Control Register: full access to CP10 and CP11, the FPU.
volatile std::uint32_t& cpacr() noexcept { return *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88); }

std::uint32_t stack_pointer() noexcept {
    std::uint32_t sp;
    asm volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

void write_number(std::uint32_t n) noexcept {
    char digits[11]{};
    std::size_t i = sizeof digits - 1;
    do {
        digits[--i] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    semihosting::write(&digits[i]);
}

} // namespace

namespace board {

std::size_t stack_size() noexcept {
    return static_cast<std::size_t>(__stack_top__ - __stack_limit__) * sizeof(std::uint32_t);
}

std::size_t stack_high_water() noexcept {
    const std::uint32_t* p = __stack_limit__;
    while (p < __stack_top__ && *p == stack_paint) ++p;
    return static_cast<std::size_t>(__stack_top__ - p) * sizeof(std::uint32_t);
}

std::size_t stack_depth() noexcept { return reinterpret_cast<std::uintptr_t>(__stack_top__) - stack_pointer(); }

void stack_repaint() noexcept {
    // volatile: a loop that GCC could turn into a call of memset, which could use the stack.
    for (volatile std::uint32_t* p = __stack_limit__; p < reinterpret_cast<std::uint32_t*>(stack_pointer() - 64);)
        *p++ = stack_paint;
}

} // namespace board

// The FPU is enabled first: the compiler may use its registers anywhere after this point, even for
// copying memory. The target attribute keeps this function itself off the FPU.
extern "C" [[gnu::target("general-regs-only")]] void reset_handler() noexcept {
    cpacr() = cpacr() | (0xFu << 20);
    asm volatile("dsb\n\tisb" ::: "memory"); // the new access rights apply from the next instruction

    // volatile: the loops must not become calls to memcpy or memset, which could use the FPU.
    for (volatile std::uint32_t *src = __data_load__, *dst = __data_start__; dst < __data_end__;) *dst++ = *src++;
    for (volatile std::uint32_t* dst = __bss_start__; dst < __bss_end__;) *dst++ = 0;
    // Everything below the current stack pointer is free: paint it for stack_high_water().
    for (volatile std::uint32_t* p = __stack_limit__; reinterpret_cast<std::uintptr_t>(p) < stack_pointer();)
        *p++ = stack_paint;

    for (auto f = __preinit_array_start__; f < __preinit_array_end__; ++f) (*f)();
    for (auto f = __init_array_start__; f < __init_array_end__; ++f) (*f)();
    semihosting::exit(board::application());
}

// Any exception: say which (IPSR holds its number) and exit with 128 + that number, so that a
// fault ends the run at once with a status that names it instead of hanging until a timeout.
extern "C" void unexpected_exception() noexcept {
    std::uint32_t ipsr;
    asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    const std::uint32_t number = ipsr & 0x1FF;
    semihosting::write("\nunexpected exception ");
    write_number(number);
    semihosting::write(number == 3 ? " (HardFault)\n" : "\n");
    semihosting::exit(static_cast<int>(128 + number));
}
