// SPDX-License-Identifier: MIT
// Accuracy of float attention, L = S = Dk = Dv = 64, on the compile-time path (a constexpr
// variable) and the run-time path, against the long double reference of tests/reference.hpp.
// Prints one table row per path and exits non-zero if a bound below is exceeded.
//
//   weights: max |w - w_ref| / w_ref over the weights (all positive);
//   outputs: max |o - o_ref| / sum_j w_ref_j |v_jd|: the error relative to the magnitude of the
//            terms summed (an output can cancel to near zero, where a plain relative error says
//            nothing about the computation).
// The inputs are uniform in [-2, 2), so the scores spread over about +-4 and the weights over about
// three decades, as in a trained model's attention.
#include <cmath>
#include <cstdio>

#include <cxattn/attention.hpp>

#include "reference.hpp"
#include "test_data.hpp"

namespace {

constexpr std::size_t n = 64;
constexpr auto q = test_data::uniform<float, n, n>(101, -2.0f, 2.0f);
constexpr auto k = test_data::uniform<float, n, n>(102, -2.0f, 2.0f);
constexpr auto v = test_data::uniform<float, n, n>(103, -2.0f, 2.0f);
constexpr auto compile_time = cxattn::scaled_dot_product_attention(q, k, v);

struct errors {
    long double weights = 0, outputs = 0;
};

errors measure(const cxattn::attention_result<float, n, n, n>& got, const reference::attention_result<n, n, n>& ref) {
    errors e;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j)
            e.weights = std::fmax(e.weights, std::fabs(got.weights(i, j) - ref.weights[i][j]) / ref.weights[i][j]);
        for (std::size_t d = 0; d < n; ++d) {
            long double magnitude = 0;
            for (std::size_t j = 0; j < n; ++j)
                magnitude += ref.weights[i][j] * std::fabs(static_cast<long double>(v(j, d)));
            e.outputs = std::fmax(e.outputs, std::fabs(got.output(i, d) - ref.output[i][d]) / magnitude);
        }
    }
    return e;
}

} // namespace

int main() {
    static reference::attention_result<n, n, n> ref;
    reference::attention(q, k, v, ref);
    auto run_q = q; // a run-time copy: the call below is not a constant expression
    static cxattn::attention_result<float, n, n, n> run_time;
    run_time = cxattn::scaled_dot_product_attention(run_q, k, v);

    // Bounds: a few float ULPs (2^-23 = 1.19e-7) of rounding per step, over a length-64 dot product,
    // one exp and a length-64 sum: the weights' error is dominated by the scores' (about
    // 64 u |q||k| / sqrt(64) ~ 2e-6 relative in exp), the outputs' by the weights'.
    constexpr long double weight_bound = 1e-5L, output_bound = 1e-5L;
    bool ok = true;
    std::printf("| path | max relative error, weights | max normalised error, outputs |\n|---|---|---|\n");
    const struct {
        const char* name;
        errors e;
    } rows[] = {{"compile time (constexpr)", measure(compile_time, ref)}, {"run time", measure(run_time, ref)}};
    for (const auto& row : rows) {
        std::printf("| %s | %.3Le | %.3Le |\n", row.name, row.e.weights, row.e.outputs);
        ok = ok && row.e.weights <= weight_bound && row.e.outputs <= output_bound;
    }
    if (!ok) std::printf("FAIL: above the bounds (weights %.0Le, outputs %.0Le)\n", weight_bound, output_bound);
    return ok ? 0 : 1;
}
