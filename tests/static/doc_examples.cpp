// SPDX-License-Identifier: MIT
// The examples of docs/semantics.md, compiled as they are printed there (with data filled in), so
// that the documentation cannot drift from the API. Compiling this file is passing.
#include <cxattn/cxattn.hpp>

#include <cstddef>
#include <limits>

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

constexpr cxattn::matrix<float, 3, 4> Q{0.5f, -1, 0.25f, 2, 1, 0, -0.5f, 0.75f, -1, 0.5f, 1, 0};
constexpr cxattn::matrix<float, 5, 4> K{1, 0, 0, 1, 0, 1, 0.5f, 0, -1, 0.25f, 0, 1, 0.5f, 0.5f, -0.5f, 0, 2, 0, 1, -1};
constexpr cxattn::matrix<float, 5, 2> V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

// [causal]
// Upper-left causal (PyTorch's is_causal=True): query i sees keys 0..i.
constexpr auto upper = cxattn::scaled_dot_product_attention(Q, K, V, cxattn::causal);
static_assert(upper.weights(0, 0) == 1 && upper.weights(0, 1) == 0);
// Lower-right causal: query i sees keys 0..i + S - L, so the last query sees all 5.
constexpr auto lower = cxattn::scaled_dot_product_attention(Q, K, V, cxattn::causal_lower_right);
static_assert(lower.weights(0, 3) == 0 && lower.weights(2, 4) > 0);
// [causal]

// [windows]
// Mistral's sliding window of 2 keys (the query's own included), causal.
constexpr auto windowed = cxattn::scaled_dot_product_attention(Q, K, V, cxattn::causal, cxattn::sliding_window(1));
// The same as a mask_mod, and Gemma 2's soft-capping with ALiBi and a custom score on top.
constexpr auto same = cxattn::scaled_dot_product_attention(
    Q, K, V, cxattn::mask_mod([](std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return k <= q && q - k <= 1; }));
constexpr auto capped = cxattn::scaled_dot_product_attention(
    Q, K, V, cxattn::softcap(50.0f), cxattn::alibi_slope(0.25f), cxattn::key_length(4),
    cxattn::score_mod([](float s, std::size_t, std::ptrdiff_t q, std::ptrdiff_t k) { return k == q ? s + 1 : s; }));
static_assert(windowed.weights(2, 0) == 0 && windowed.weights(2, 1) > 0 && windowed.output == same.output);
static_assert(capped.weights(2, 4) == 0);
// [windows]

// [masks]
// A bool mask: true = attend (SDPA's polarity).
constexpr cxattn::matrix<bool, 3, 5> keep{true, true, false, true,  true,  true,  false, true,
                                          true, true, false, false, false, false, false}; // row 2 attends nothing
constexpr auto masked = cxattn::scaled_dot_product_attention(Q, K, V, keep);
static_assert(masked.weights(0, 2) == 0);
static_assert(masked.output == cxattn::matrix<float, 3, 2>{masked.output(0, 0), masked.output(0, 1),
                                                           masked.output(1, 0), masked.output(1, 1), 0, 0});
// An additive mask: added to the scaled scores; -inf masks.
constexpr cxattn::matrix<float, 3, 5> bias{0,      -1,     -inf,   0,      0.5f,
                                           -inf,   -inf,   -inf,   -inf,   -inf,    // nothing to attend to
                                           -1e30f, -1e30f, -1e30f, -1e30f, -1e30f}; // finite: uniform
constexpr auto biased = cxattn::scaled_dot_product_attention(Q, K, V, bias);
static_assert(biased.weights(1, 0) == 0 && biased.output(1, 0) == 0);
static_assert(biased.weights(2, 0) == 0.2f);
// [masks]

// [combined]
// Options in any order, each at most once; a position is masked if any option masks it.
constexpr auto all = cxattn::scaled_dot_product_attention(Q, K, V, bias, cxattn::scale(0.5f), keep, cxattn::causal);
static_assert(all.weights ==
              cxattn::scaled_dot_product_attention(Q, K, V, cxattn::causal, keep, bias, cxattn::scale(0.5f)).weights);
// [combined]

// [streaming]
// The same output without the L x S weights: one pass over the keys per query (online softmax).
constexpr cxattn::matrix<float, 3, 2> streamed = cxattn::streaming_attention(Q, K, V, cxattn::causal, keep);
// [streaming]
static_assert(streamed(2, 0) == 0 && streamed(2, 1) == 0);

// [multi_head]
// torch.nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True): its state_dict's
// in_proj_weight (12 x 4) is q_proj, k_proj, v_proj (rows 0-3, 4-7, 8-11), in_proj_bias (12) is
// q_bias, k_bias, v_bias, and out_proj.weight, out_proj.bias are out_proj, out_bias. No transposition.
constexpr cxattn::mha_params<float, 4, 2> params{
    /* q_proj */ {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1},
    /* k_proj */ {0.5f, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0.5f},
    /* v_proj */ {1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1},
    /* out_proj */ {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1},
    /* q_bias */ {},
    /* k_bias */ {},
    /* v_bias */ {},
    /* out_bias */ {0.25f, 0.25f, 0.25f, 0.25f}};
constexpr auto mha = cxattn::multi_head_attention(Q, K, K, params, cxattn::causal); // self-attention
static_assert(mha.output.rows == 3 && mha.output.cols == 4);                        // L x E
static_assert(mha.weights.rows == 3 && mha.weights.cols == 5);                      // L x S, the mean over the heads

// Grouped-query cross-attention: 4 query heads share 2 key/value heads (head_dim 1); keys have 3
// features and values 2: mha_params<T, E, NumHeads, KDim, VDim, NumKvHeads>.
constexpr cxattn::mha_params<float, 4, 4, 3, 2, 2> gqa{
    {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, // q_proj: E x E
    {1, 0, 0, 0, 1, 0},                               // k_proj: NumKvHeads * E / NumHeads x KDim
    {1, 0, 0, 1},                                     // v_proj: NumKvHeads * E / NumHeads x VDim
    {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, // out_proj: E x E
    {},
    {},
    {},
    {}};
constexpr cxattn::matrix<float, 5, 3> keys{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1};
constexpr cxattn::matrix<float, 5, 2> values{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
constexpr auto cross = cxattn::multi_head_attention(Q, keys, values, gqa);
// [multi_head]
static_assert(cross.output.cols == 4 && cross.weights.cols == 5);

} // namespace

int main() {}
