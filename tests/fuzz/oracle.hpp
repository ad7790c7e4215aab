// SPDX-License-Identifier: MIT
// The fuzz targets' oracle for one row of softmax weights and the outputs built from them,
// against exact (long double) inputs, with error bounds derived from the inputs' conditioning
// instead of a fixed tolerance, so that it holds for every input, huge or tiny.
//
// Semantics checked (docs/semantics.md):
// - a row whose scores include NaN (a NaN input, or inf*0 or inf-inf inside a dot product) is
//   NaN: that is the only way NaN appears in the weights;
// - a row of all -inf scores has zero weights; a row whose largest score is +inf shares the
//   weight equally among its +inf scores (the limit of softmax);
// - otherwise every weight lies in [0, 1], the row sums to 1, and each weight is within the
//   bound below of the exact softmax of the exact scores.
#ifndef CXATTN_TESTS_FUZZ_ORACLE_HPP
#define CXATTN_TESTS_FUZZ_ORACLE_HPP

#include <cmath>
#include <cstddef>
#include <limits>

#include "fuzz_input.hpp"

namespace fuzz {

// What the caller knows of one row of scores: the exact values, and a bound on the absolute
// error of the computed ones (infinite where the computation may overflow).
template <std::size_t S> struct score_row {
    long double exact[S];
    long double error_bound;
};

// The exact weights of a row of finite scores whose maximum is max, and the bound on the relative
// error of the computed ones: a score error of at most delta, plus the rounding of s_j - max
// (relative u, for the terms whose weights T can hold), changes each exp(s_j - max) by a factor
// within exp(+-delta') and the sum by the same, so each weight by a factor within exp(+-2 delta');
// exp itself, the sum and the division add gamma(S + 4). (A weight below T's normal range keeps an
// absolute error of a few of its smallest subnormals: the caller adds that.) Infinite when the
// scores are too ill-conditioned for any bound but [0, 1].
template <class T, std::size_t S>
long double weight_bounds(const score_row<S>& scores, long double max, long double (&exact)[S]) {
    // (exp(-x) is zero in T for x beyond -log of T's smallest subnormal: such terms have no error.)
    const long double representable = -std::log(static_cast<long double>(std::numeric_limits<T>::denorm_min())) + 1;
    long double sum = 0, span = 0;
    for (std::size_t j = 0; j < S; ++j) {
        sum += (exact[j] = std::exp(scores.exact[j] - max));
        if (max - scores.exact[j] < representable) span = std::fmax(span, max - scores.exact[j]);
    }
    for (long double& w : exact) w /= sum;
    const long double u = std::numeric_limits<T>::epsilon() / 2.0L;
    const long double delta = scores.error_bound + u * (span + scores.error_bound);
    return std::expm1(2 * delta) + gamma<T>(S + 4) * std::exp(2 * delta);
}

// Checks the computed weights w[0..S) of one row; returns, per position, a bound on the absolute
// error of w[j] (infinite where none is known), for the caller's output check. With sink, the last
// score is a sink's logit (cxattn::sink), whose weight is not returned: w[S - 1] is not read, and the
// row's weights sum to 1 minus the sink's exact weight (to at most 1 where the scores are too
// ill-conditioned to know it).
template <class T, std::size_t S>
void check_weights(const T* w, const score_row<S>& scores, long double (&weight_error)[S], const char* what,
                   std::size_t row, bool sink = false) {
    const std::size_t returned = sink ? S - 1 : S;
    constexpr long double inf = std::numeric_limits<long double>::infinity();
    long double max = -inf;
    bool has_nan = false;
    for (long double s : scores.exact) {
        has_nan = has_nan || std::isnan(s);
        if (s > max) max = s;
    }
    bool row_is_nan = false;
    for (std::size_t j = 0; j < returned; ++j) row_is_nan = row_is_nan || std::isnan(w[j]);
    for (long double& e : weight_error) e = inf;
    if (has_nan || scores.error_bound == inf) {
        // NaN scores make NaN weights; overflow may make +-inf or NaN scores. Either way each
        // weight is NaN or in [0, 1].
        for (std::size_t j = 0; j < returned; ++j)
            FUZZ_CHECK(std::isnan(w[j]) || (w[j] >= 0 && w[j] <= 1), "%s row %zu: weight %zu is %Lg", what, row, j,
                       static_cast<long double>(w[j]));
        if (has_nan) FUZZ_CHECK(row_is_nan, "%s row %zu: a NaN score must make the row NaN", what, row);
        return;
    }
    FUZZ_CHECK(!row_is_nan, "%s row %zu: NaN weights from scores without NaN", what, row);
    if (max == -inf) {
        for (std::size_t j = 0; j < returned; ++j) {
            FUZZ_CHECK(w[j] == 0, "%s row %zu: all scores -inf, weight %zu is %Lg", what, row, j,
                       static_cast<long double>(w[j]));
            weight_error[j] = 0;
        }
        return;
    }
    if (max == inf) {
        std::size_t count = 0;
        for (long double s : scores.exact) count += s == inf;
        for (std::size_t j = 0; j < returned; ++j) {
            const long double want = scores.exact[j] == inf ? 1.0L / static_cast<long double>(count) : 0.0L;
            FUZZ_CHECK(std::fabs(w[j] - want) <= want * gamma<T>(2), "%s row %zu: weight %zu is %Lg, not %Lg", what,
                       row, j, static_cast<long double>(w[j]), want);
            weight_error[j] = want * gamma<T>(2);
        }
        return;
    }
    long double exact[S];
    const long double relative = weight_bounds<T>(scores, max, exact);
    const long double absolute = 8.0L * std::numeric_limits<T>::denorm_min();
    long double computed_sum = 0;
    if (sink) computed_sum = exact[S - 1];
    for (std::size_t j = 0; j < returned; ++j) {
        // Scores so ill-conditioned that their error bound exceeds the spread of exp leave no
        // bound on the weights but [0, 1] and their sum.
        weight_error[j] = std::isfinite(relative) ? exact[j] * relative + absolute : inf;
        FUZZ_CHECK(w[j] >= 0 && w[j] <= 1, "%s row %zu: weight %zu is %Lg", what, row, j,
                   static_cast<long double>(w[j]));
        FUZZ_CHECK(weight_error[j] == inf || std::fabs(w[j] - exact[j]) <= weight_error[j],
                   "%s row %zu: weight %zu is %.9Lg, exact %.9Lg, bound %.3Lg (score error bound %.3Lg)", what, row, j,
                   static_cast<long double>(w[j]), exact[j], weight_error[j], scores.error_bound);
        computed_sum += w[j];
    }
    // With a sink, the weight the kernel gave it (1 minus the others, not returned) may differ from
    // its exact one by as much as any weight: exact * relative.
    const long double sum_bound = gamma<T>(2 * S + 4) + static_cast<long double>(S) * absolute +
                                  (sink && std::isfinite(relative) ? exact[S - 1] * relative : 0.0L);
    if (sink && !std::isfinite(relative))
        FUZZ_CHECK(computed_sum - exact[S - 1] <= 1 + sum_bound, "%s row %zu: the weights sum to %.12Lg", what, row,
                   computed_sum - exact[S - 1]);
    else
        FUZZ_CHECK(std::fabs(computed_sum - 1) <= sum_bound,
                   "%s row %zu: the weights (and the sink's exact one) sum "
                   "to %.12Lg",
                   what, row, computed_sum);
}

} // namespace fuzz

#endif // CXATTN_TESTS_FUZZ_ORACLE_HPP
