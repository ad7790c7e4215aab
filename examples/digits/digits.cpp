// SPDX-License-Identifier: MIT
// An attention model trained by PyTorch, run by cxattn (README.md here): train.py trained it on
// scikit-learn's 8 x 8 digits and wrote its weights (model.hpp) and the 360 held-out images with
// PyTorch's predictions and logits (heldout.hpp). The compiler classifies every held-out image and
// static_asserts that it agrees with PyTorch; the program classifies them again at run time, checks
// the same and prints the accuracy. Exit status 1 if run time disagrees.
//
//   digits                 the accuracy line
//   digits --attention N   held-out image N, its prediction and each head's attention weights
//                          (computed at run time; plot_attention.py draws them)
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "classifier.hpp"

namespace {

using digits::comparison;
using digits::heldout::count;

// Compile time: the held-out set in chunks of 24 images, each chunk a variable of its own and so
// one constant evaluation within the compilers' default limits. An image costs about 34,000 Clang
// steps (Clang 14 and 19) and 510,000 GCC 12 operations, so a chunk takes 78 % of Clang's limit
// (1,048,576 steps) and 37 % of GCC's (2^25 operations).
constexpr std::size_t chunk_size = 24;
constexpr std::size_t chunks = (count + chunk_size - 1) / chunk_size;

template <std::size_t Chunk>
constexpr comparison compile_time_chunk = digits::compare_with_pytorch(Chunk* chunk_size, chunk_size, digits::classify);

template <std::size_t... Chunk> constexpr comparison sum_of_chunks(std::index_sequence<Chunk...>) noexcept {
    comparison total;
    for (const comparison& c : {compile_time_chunk<Chunk>...}) {
        total.images += c.images;
        total.same_prediction += c.same_prediction;
        total.correct += c.correct;
        total.logits_within += c.logits_within;
        if (!(c.largest_difference <= total.largest_difference)) total.largest_difference = c.largest_difference;
    }
    return total;
}

constexpr comparison at_compile_time = sum_of_chunks(std::make_index_sequence<chunks>{});
static_assert(at_compile_time.images == count, "the compiler classified every held-out image");
static_assert(at_compile_time.same_prediction == count,
              "the compiler's predictions are PyTorch's (heldout.hpp) for every held-out image");
static_assert(at_compile_time.logits_within == count,
              "the compiler's logits are within heldout::logit_tolerance of PyTorch's for every held-out image");
static_assert(at_compile_time.correct == digits::heldout::pytorch_correct && 20 * at_compile_time.correct >= 19 * count,
              "the compiler's accuracy is PyTorch's, at least 95 %");

// Run time: not constexpr and not inlined, so that the optimiser computes nothing of it in advance.
[[gnu::noinline]] digits::logits classify_at_run_time(const digits::image& x) noexcept { return digits::classify(x); }

[[gnu::noinline]] std::array<cxattn::matrix<float, digits::tokens, digits::tokens>, digits::num_heads>
attention_at_run_time(const digits::image& x) noexcept {
    return digits::attention_weights(x);
}

// The image, its classes and each head's weights, in the format plot_attention.py reads.
int print_attention(std::size_t i) {
    const digits::image x = digits::to_image(digits::heldout::images[i]);
    const std::size_t predicted = digits::prediction(classify_at_run_time(x));
    std::printf("image %zu: label %d, predicted %zu, PyTorch predicted %d\n", i, digits::heldout::labels[i], predicted,
                digits::heldout::pytorch_predictions[i]);
    std::printf("pixels (0..16):\n");
    for (std::size_t r = 0; r < digits::tokens; ++r) {
        for (std::size_t c = 0; c < digits::pixels; ++c)
            std::printf(c + 1 < digits::pixels ? "%2d " : "%2d\n", digits::heldout::images[i][r * digits::pixels + c]);
    }
    const auto weights = attention_at_run_time(x);
    for (std::size_t h = 0; h < digits::num_heads; ++h) {
        std::printf("head %zu weights (row: query token, column: key token):\n", h);
        for (std::size_t q = 0; q < digits::tokens; ++q)
            for (std::size_t k = 0; k < digits::tokens; ++k)
                std::printf(k + 1 < digits::tokens ? "%.6f " : "%.6f\n", static_cast<double>(weights[h](q, k)));
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--attention") == 0) {
        char* end = nullptr;
        const unsigned long i = std::strtoul(argv[2], &end, 10);
        if (*end == '\0' && i < count) return print_attention(i);
    }
    if (argc != 1) {
        std::fprintf(stderr, "usage: digits [--attention N], N < %zu\n", count);
        return 2;
    }

    const comparison c = digits::compare_with_pytorch(0, count, classify_at_run_time);
    const double tolerance = static_cast<double>(digits::heldout::logit_tolerance);
    const double percent = 100.0 * static_cast<double>(c.correct) / static_cast<double>(count);
    if (c.images != count || c.same_prediction != count || c.logits_within != count) {
        std::printf("digits: FAILED: %zu of %zu predictions differ from PyTorch's, %zu images have logits beyond %.3g "
                    "of PyTorch's (largest difference %.2g); %zu correct (%.1f %%)\n",
                    count - c.same_prediction, count, count - c.logits_within, tolerance,
                    static_cast<double>(c.largest_difference), c.correct, percent);
        return 1;
    }
    std::printf("digits: %zu/%zu held-out images correct (%.1f %%), predictions identical to PyTorch's, logits within "
                "%.3g of PyTorch's (largest difference %.2g)\n",
                c.correct, count, percent, tolerance, static_cast<double>(c.largest_difference));
    std::printf("digits: at compile time the same, checked by static_assert (largest difference %.2g)\n",
                static_cast<double>(at_compile_time.largest_difference));
    return 0;
}
