// SPDX-License-Identifier: MIT
// The notebook's attention in long double, written out in plain loops and sharing nothing with
// the library: the reference of the run-time tests and the fuzz targets, with the documented
// semantics of masks (docs/semantics.md). Besides the result it returns, per score, the magnitude
// sum |q||k| that bounds the rounding error of a floating-point dot product (Higham, Accuracy and
// Stability of Numerical Algorithms, 3.1).
#ifndef CXATTN_TESTS_REFERENCE_HPP
#define CXATTN_TESTS_REFERENCE_HPP

#include <cmath>
#include <cstddef>
#include <limits>

#include <cxattn/matrix.hpp>

namespace reference {

template <std::size_t L, std::size_t S, std::size_t Dv> struct attention_result {
    long double output[L][Dv];
    long double weights[L][S];
    long double scores[L][S];
    long double dot_magnitude[L][S]; // sum_k |q_ik| |k_jk| (0 where masked)
};

// What the options say about one (query, key) position, resolved by the caller.
template <std::size_t L, std::size_t S> struct position_options {
    bool attend[L][S];      // false: masked (skipped; never read)
    long double bias[L][S]; // added to the scaled score (an additive mask; 0 without one)
};

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void attention(const cxattn::matrix<T, L, Dk>& q, const cxattn::matrix<T, S, Dk>& k, const cxattn::matrix<T, S, Dv>& v,
               const position_options<L, S>& options, long double scale, attention_result<L, S, Dv>& r) {
    constexpr long double inf = std::numeric_limits<long double>::infinity();
    for (std::size_t i = 0; i < L; ++i) {
        long double max = -inf;
        for (std::size_t j = 0; j < S; ++j) {
            long double dot = 0, magnitude = 0;
            for (std::size_t d = 0; d < Dk; ++d) {
                dot += static_cast<long double>(q(i, d)) * k(j, d);
                magnitude += std::fabs(static_cast<long double>(q(i, d)) * k(j, d));
            }
            const bool attended = options.attend[i][j] && options.bias[i][j] != -inf;
            r.scores[i][j] = attended ? dot * scale + options.bias[i][j] : -inf;
            r.dot_magnitude[i][j] = attended ? magnitude : 0;
            if (r.scores[i][j] > max || std::isnan(r.scores[i][j])) max = r.scores[i][j];
        }
        long double sum = 0;
        std::size_t at_max = 0;
        for (std::size_t j = 0; j < S; ++j) at_max += r.scores[i][j] == inf;
        for (std::size_t j = 0; j < S; ++j) {
            // A row whose maximum is +inf shares its weight among its +inf scores (the limit);
            // a row of only -inf (every position masked) has zero weights.
            if (std::isnan(max))
                r.weights[i][j] = max;
            else if (max == inf)
                r.weights[i][j] = r.scores[i][j] == inf ? 1.0L / static_cast<long double>(at_max) : 0;
            else if (max == -inf)
                r.weights[i][j] = 0;
            else
                sum += (r.weights[i][j] = std::exp(r.scores[i][j] - max));
        }
        if (sum > 0)
            for (std::size_t j = 0; j < S; ++j) r.weights[i][j] /= sum;
        for (std::size_t d = 0; d < Dv; ++d) {
            r.output[i][d] = 0;
            for (std::size_t j = 0; j < S; ++j)
                if (r.weights[i][j] != 0 || std::isnan(r.weights[i][j])) r.output[i][d] += r.weights[i][j] * v(j, d);
        }
    }
}

// Without options: every position attended, scale 1/sqrt(Dk), as in the seed notebook.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void attention(const cxattn::matrix<T, L, Dk>& q, const cxattn::matrix<T, S, Dk>& k, const cxattn::matrix<T, S, Dv>& v,
               attention_result<L, S, Dv>& r) {
    static position_options<L, S> all;
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) all.attend[i][j] = true, all.bias[i][j] = 0;
    attention(q, k, v, all, 1.0L / std::sqrt(static_cast<long double>(Dk)), r);
}

} // namespace reference

#endif // CXATTN_TESTS_REFERENCE_HPP
