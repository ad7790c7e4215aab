// The notebook's attention in long double, written out in plain loops and sharing nothing with
// the library: the reference of the run-time tests and the fuzz targets. Besides the result it
// returns, per score, the magnitude sum |q||k| * scale that bounds the rounding error of a
// floating-point dot product (Higham, Accuracy and Stability of Numerical Algorithms, 3.1).
#ifndef CXATTN_TESTS_REFERENCE_HPP
#define CXATTN_TESTS_REFERENCE_HPP

#include <cmath>
#include <cstddef>
#include <limits>

#include <cxattn/matrix.hpp>

namespace reference {

template <std::size_t L, std::size_t S, std::size_t Dv>
struct attention_result {
    long double output[L][Dv];
    long double weights[L][S];
    long double scores[L][S];
    long double score_magnitude[L][S];  // sum_k |q_ik| |k_jk| * scale
};

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void attention(const cxattn::matrix<T, L, Dk>& q, const cxattn::matrix<T, S, Dk>& k,
               const cxattn::matrix<T, S, Dv>& v, attention_result<L, S, Dv>& r) {
    const long double scale = 1.0L / std::sqrt(static_cast<long double>(Dk));
    for (std::size_t i = 0; i < L; ++i) {
        long double max = -std::numeric_limits<long double>::infinity();
        for (std::size_t j = 0; j < S; ++j) {
            long double dot = 0, magnitude = 0;
            for (std::size_t d = 0; d < Dk; ++d) {
                dot += static_cast<long double>(q(i, d)) * k(j, d);
                magnitude += std::fabs(static_cast<long double>(q(i, d)) * k(j, d));
            }
            r.scores[i][j] = dot * scale;
            r.score_magnitude[i][j] = magnitude * scale;
            max = std::fmax(max, r.scores[i][j]);
        }
        long double sum = 0;
        for (std::size_t j = 0; j < S; ++j) sum += (r.weights[i][j] = std::exp(r.scores[i][j] - max));
        for (std::size_t j = 0; j < S; ++j) r.weights[i][j] /= sum;
        for (std::size_t d = 0; d < Dv; ++d) {
            r.output[i][d] = 0;
            for (std::size_t j = 0; j < S; ++j) r.output[i][d] += r.weights[i][j] * v(j, d);
        }
    }
}

} // namespace reference

#endif // CXATTN_TESTS_REFERENCE_HPP
