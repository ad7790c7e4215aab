// SPDX-License-Identifier: MIT
// The device benchmark's firmware (docs/embedded.md): runs each contender of contenders.cpp once on
// each shape and prints, per call, the instructions executed, the stack used and the largest
// difference from the shape's first contender. Instructions come from SysTick under
// `qemu-system-arm -icount shift=5` (benchmarks/device/run.py): QEMU's virtual clock then advances
// 2^5 ns per instruction, and SysTick, clocked by the processor clock (25 MHz on the MPS2 AN386),
// counts 0.8 per instruction. The first line checks that conversion on a loop whose instructions are
// known from its code; the exit status is non-zero if it is off by more than 1 %, or if a
// contender's output differs from the reference by more than 1e-3.
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "board.hpp"
#include "format.hpp"
#include "semihosting.hpp"
#include "shapes.hpp"

namespace {

// The -icount shift that run.py passes to QEMU, and SysTick's clock (the MPS2 AN386's SYSCLK).
constexpr std::uint32_t icount_shift = 5;
constexpr std::uint32_t systick_hz = 25'000'000;

volatile std::uint32_t& systick(std::uint32_t offset) noexcept {
    return *reinterpret_cast<volatile std::uint32_t*>(0xE000E010 + offset);
}
constexpr std::uint32_t csr = 0x0, rvr = 0x4, cvr = 0x8;
constexpr std::uint32_t counter_mask = 0xFF'FFFF; // a 24-bit down-counter
constexpr std::uint32_t count_flag = 1u << 16;    // in CSR: the counter reached 0 since the last read

void start_systick() noexcept {
    systick(rvr) = counter_mask;
    systick(cvr) = 0;
    systick(csr) = 0b101; // enable, processor clock, no interrupt
}

// Ticks between two reads of the counter, or 0 when it wrapped (a measurement too long to tell).
struct interval {
    std::uint32_t start;
    interval() noexcept {
        const std::uint32_t clear = systick(csr); // reading clears the count flag
        static_cast<void>(clear);
        start = systick(cvr);
    }
    [[nodiscard]] std::uint64_t ticks() const noexcept {
        const std::uint32_t end = systick(cvr);
        if ((systick(csr) & count_flag) != 0) return 0;
        return (start - end) & counter_mask;
    }
};

// Instructions from ticks: ticks * 10^9 / (2^shift * systick_hz), rounded.
std::uint64_t instructions(std::uint64_t ticks) noexcept {
    const std::uint64_t denominator = (std::uint64_t{1} << icount_shift) * systick_hz;
    return (ticks * 1'000'000'000u + denominator / 2) / denominator;
}

void print(const char* s) noexcept { semihosting::write(s); }
void print(std::uint64_t n) noexcept { semihosting::write(format::integer(n).c_str()); }
// 0 <= x < 1 with nine decimals: enough to show a difference of rounding.
void print_small(float x) noexcept {
    if (!(x < 1.0f)) {
        print(">=1");
        return;
    }
    print("0.");
    semihosting::write(format::integer(static_cast<std::uint64_t>(static_cast<double>(x) * 1e9 + 0.5), 9).c_str());
}

// The ticks of `iterations` turns of a two-instruction loop (subs, bne), less those of an empty
// measurement.
std::uint64_t loop_ticks(std::uint32_t iterations) noexcept {
    const interval i;
    asm volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(iterations) : : "cc");
    return i.ticks();
}

} // namespace

// Eigen's general matrix product refers to malloc (for sizes it would not hold on the stack), so
// newlib's malloc is linked and needs _sbrk; no contender may use the heap, so a call ends the run.
extern "C" void* _sbrk(std::ptrdiff_t) noexcept {
    print("error: a contender asked for heap memory\n");
    semihosting::exit(3);
}

int board::application() noexcept {
    start_systick();
    // Calibration: 1,000,001 turns against 1 turn, 2,000,000 instructions apart.
    const std::uint64_t measured = instructions(loop_ticks(1'000'001) - loop_ticks(1));
    constexpr std::uint64_t expected = 2'000'000;
    const bool calibrated = measured * 100 >= expected * 99 && measured * 100 <= expected * 101;
    print("calibration: a loop of ");
    print(expected);
    print(" instructions measured ");
    print(measured);
    print(calibrated ? " (within 1 %)\n" : " (off by more than 1 %: is QEMU running with -icount shift=5?)\n");
    if (!calibrated) return 1;

    // The cost of a measurement around a call that does nothing, subtracted from every call.
    const std::uint64_t empty = [] {
        const interval i;
        asm volatile("" ::: "memory");
        return i.ticks();
    }();

    bool ok = true;
    print("contender L S Dk Dv instructions stack_bytes largest_difference\n");
    const float* reference = nullptr;
    for (const device_benchmark::contender* c = device_benchmark::contenders; c->name != nullptr; ++c) {
        c->prepare(12345);
        board::stack_repaint();
        const std::size_t depth = board::stack_depth();
        const interval i;
        const float* output = c->run();
        const std::uint64_t ticks = i.ticks();
        const std::size_t used = board::stack_high_water() - depth; // the call's, from the return address on
        const std::size_t size = c->l * c->dv;
        const bool new_shape = c == device_benchmark::contenders || c[-1].l != c->l || c[-1].s != c->s ||
                               c[-1].dk != c->dk || c[-1].dv != c->dv;
        if (new_shape) reference = output;
        float largest = 0;
        for (std::size_t e = 0; e < size; ++e) {
            const float d = output[e] > reference[e] ? output[e] - reference[e] : reference[e] - output[e];
            if (!(d <= largest)) largest = d == d ? d : 1.0f;
        }
        print(c->name);
        for (std::size_t n : {c->l, c->s, c->dk, c->dv}) {
            print(" ");
            print(n);
        }
        print(" ");
        if (ticks == 0) {
            print("too-long");
            ok = false;
        } else {
            print(instructions(ticks - empty));
        }
        print(" ");
        print(used);
        print(" ");
        print_small(largest);
        print("\n");
        if (!(largest <= 1e-3f)) ok = false;
    }
    return ok ? 0 : 1;
}
