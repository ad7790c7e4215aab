// SPDX-License-Identifier: MIT
// The digits classifier on a Cortex-M (README.md here): the device classifies the 360 held-out
// images at run time with the weights of model.hpp (data in flash), checks that its predictions
// are PyTorch's and its logits within heldout::logit_tolerance of PyTorch's, and prints the
// accuracy through semihosting. Built by the cross build with examples/firmware's startup code,
// semihosting and number formatting; the exit status is 0 only if every check passes.
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "classifier.hpp"
#include "format.hpp"
#include "semihosting.hpp"

namespace {

void print(const char* s) noexcept { semihosting::write(s); }
void print(const format::text& t) noexcept { semihosting::write(t.c_str()); }

// noipa: the compiler must not propagate the constant images into the body and fold it; the
// device computes every logit.
[[gnu::noipa]] digits::logits classify_on_the_device(const digits::image& x) noexcept { return digits::classify(x); }

} // namespace

int board::application() noexcept {
    using digits::heldout::count;
    print("cxattn on a Cortex-M: the digits classifier (8 tokens of 8 pixels, E = ");
    print(format::integer(digits::embed_dim));
    print(", ");
    print(format::integer(digits::num_heads));
    print(" heads) on the held-out images\n");

    const digits::comparison c = digits::compare_with_pytorch(0, count, classify_on_the_device);
    const bool agree = c.images == count && c.same_prediction == count && c.logits_within == count;
    print(agree ? "digits: " : "digits: FAILED: ");
    print(format::integer(c.correct));
    print("/");
    print(format::integer(count));
    print(" held-out images correct (");
    print(format::fixed(100.0 * static_cast<double>(c.correct) / static_cast<double>(count), 1));
    print(" %), ");
    if (c.same_prediction == count) {
        print("predictions identical to PyTorch's");
    } else {
        print(format::integer(count - c.same_prediction));
        print(" predictions differ from PyTorch's");
    }
    print(c.logits_within == count ? ", logits within " : ", logits beyond ");
    print(format::scientific(static_cast<double>(digits::heldout::logit_tolerance), 3));
    print(" of PyTorch's (largest difference ");
    print(format::scientific(static_cast<double>(c.largest_difference)));
    print(")\n");

    const std::size_t stack_used = board::stack_high_water();
    print("stack: ");
    print(format::integer(stack_used));
    print(" of ");
    print(format::integer(board::stack_size()));
    print(" bytes used at most\n");
    const bool passed = agree && stack_used < board::stack_size();
    print(passed ? "PASS\n" : "FAIL\n");
    return passed ? 0 : 1;
}
