// SPDX-License-Identifier: MIT
// The digits classifier's forward pass in cxattn, all constexpr: the model of train.py, layer by
// layer, with the weights of model.hpp. Shared by the host example (digits.cpp) and the firmware
// (firmware.cpp).
#ifndef DIGITS_CLASSIFIER_HPP
#define DIGITS_CLASSIFIER_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <cxattn/matrix.hpp>
#include <cxattn/multi_head.hpp>
#include <cxattn/ops.hpp>
#include <cxattn/options.hpp>

#include "heldout.hpp"
#include "model.hpp"

namespace digits {

using params_type = decltype(model::attention);
inline constexpr std::size_t tokens = 8; // an image's rows
inline constexpr std::size_t pixels = 8; // per row
inline constexpr std::size_t embed_dim = params_type::embed_dim;
inline constexpr std::size_t num_heads = params_type::num_heads;
inline constexpr std::size_t classes = 10;

using image = cxattn::matrix<float, tokens, pixels>;
using token_matrix = cxattn::matrix<float, tokens, embed_dim>;
using logits = cxattn::matrix<float, 1, classes>;

namespace detail {

// A row (a bias, 1 x C) repeated R times, so that it is added with operator+.
template <std::size_t R, std::size_t C>
constexpr cxattn::matrix<float, R, C> repeat_rows(const cxattn::matrix<float, 1, C>& row) noexcept {
    cxattn::matrix<float, R, C> m;
    for (std::size_t i = 0; i < R; ++i)
        for (std::size_t j = 0; j < C; ++j) m(i, j) = row.values[j];
    return m;
}

// An nn.Linear computes x W^T + b; the transposes are taken once, here, by the compiler.
inline constexpr auto embed_transposed = cxattn::transpose(model::embed_weight);           // 8 x E
inline constexpr auto embed_bias_rows = repeat_rows<tokens>(model::embed_bias);            // 8 x E
inline constexpr auto positions = cxattn::transpose(model::position_weight);               // 8 x E, row p: position p
inline constexpr auto classifier_transposed = cxattn::transpose(model::classifier_weight); // E x 10

} // namespace detail

// The pixels (0..16) scaled by 1/16, as train.py feeds them; exact in float.
[[nodiscard]] constexpr image to_image(const std::uint8_t (&values)[tokens * pixels]) noexcept {
    image x;
    for (std::size_t i = 0; i < tokens * pixels; ++i) x.values[i] = static_cast<float>(values[i]) * 0.0625f;
    return x;
}

// The tokens that attention reads: embed(rows) + position.
[[nodiscard]] constexpr token_matrix embed(const image& x) noexcept {
    return cxattn::matmul(x, detail::embed_transposed) + detail::embed_bias_rows + detail::positions;
}

// The logits of train.py's model: tokens + attention(tokens), the mean over the tokens (a product
// with a row of 1/8, exact scaling), then the classifier.
[[nodiscard]] constexpr logits classify(const image& x) noexcept {
    const token_matrix t = embed(x);
    const token_matrix mixed = t + cxattn::multi_head_attention(t, t, t, model::attention).output;
    constexpr cxattn::matrix<float, 1, tokens> mean{0.125f, 0.125f, 0.125f, 0.125f, 0.125f, 0.125f, 0.125f, 0.125f};
    return cxattn::matmul(cxattn::matmul(mean, mixed), detail::classifier_transposed) + model::classifier_bias;
}

// Each head's attention weights for an image (tokens x tokens, row i: how much token i takes from
// each token), as PyTorch's average_attn_weights=False gives them.
[[nodiscard]] constexpr std::array<cxattn::matrix<float, tokens, tokens>, num_heads>
attention_weights(const image& x) noexcept {
    const token_matrix t = embed(x);
    return cxattn::multi_head_attention(t, t, t, model::attention, cxattn::per_head_weights).weights;
}

// The class of the largest logit (the first of equal ones, as torch.argmax).
[[nodiscard]] constexpr std::size_t prediction(const logits& l) noexcept {
    std::size_t best = 0;
    for (std::size_t c = 1; c < classes; ++c)
        if (l.values[c] > l.values[best]) best = c;
    return best;
}

// How images [first, first + count) of the held-out set compare with PyTorch.
struct comparison {
    std::size_t images = 0;
    std::size_t same_prediction = 0; // equal to PyTorch's
    std::size_t correct = 0;         // equal to the label
    std::size_t logits_within = 0;   // images whose every logit is within the tolerance
    float largest_difference = 0;    // |logit - PyTorch's| over all; NaN makes it infinite
};

// classify_one(x) gives an image's logits: classify itself in constant evaluation, or a function
// that the optimiser cannot fold at run time.
template <class Classify>
constexpr comparison compare_with_pytorch(std::size_t first, std::size_t count, Classify classify_one) noexcept {
    comparison c;
    for (std::size_t i = first; i < first + count && i < heldout::count; ++i) {
        const logits l = classify_one(to_image(heldout::images[i]));
        const std::size_t predicted = prediction(l);
        ++c.images;
        if (predicted == heldout::pytorch_predictions[i]) ++c.same_prediction;
        if (predicted == heldout::labels[i]) ++c.correct;
        bool within = true;
        for (std::size_t k = 0; k < classes; ++k) {
            const float d = l.values[k] > heldout::pytorch_logits[i][k] ? l.values[k] - heldout::pytorch_logits[i][k]
                                                                        : heldout::pytorch_logits[i][k] - l.values[k];
            if (!(d <= heldout::logit_tolerance)) within = false;
            if (!(d <= c.largest_difference))
                c.largest_difference = d == d ? d : std::numeric_limits<float>::infinity();
        }
        if (within) ++c.logits_within;
    }
    return c;
}

} // namespace digits

#endif // DIGITS_CLASSIFIER_HPP
