// Fuzz target: cxattn::scaled_dot_product_attention at run time on float and double matrices of
// arbitrary bit patterns, checked against the long double reference (tests/reference.hpp) with
// error bounds derived from each input's conditioning (tests/fuzz/oracle.hpp).
#include <cstdint>

#include <cxattn/attention.hpp>

#include "oracle.hpp"
#include "reference.hpp"

namespace {

template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
void check(fuzz::input& in) {
    const auto q = in.next_matrix<T, L, Dk>();
    const auto k = in.next_matrix<T, S, Dk>();
    const auto v = in.next_matrix<T, S, Dv>();
    const auto [output, weights] = cxattn::scaled_dot_product_attention(q, k, v);
    static reference::attention_result<L, S, Dv> ref;
    reference::attention(q, k, v, ref);

    constexpr long double overflow = std::numeric_limits<T>::max() / 2;
    const long double u = std::numeric_limits<T>::epsilon() / 2.0L;
    for (std::size_t i = 0; i < L; ++i) {
        // A computed score is within gamma(Dk + 1) * sum |q||k| of the exact one (Dk products and
        // sums, then the scaling), unless an intermediate may overflow T.
        fuzz::score_row<S> scores;
        scores.error_bound = 0;
        for (std::size_t j = 0; j < S; ++j) {
            scores.exact[j] = ref.scores[i][j];
            const long double m = ref.score_magnitude[i][j] * std::sqrt(static_cast<long double>(Dk));
            // (Products that underflow add up to Dk of T's smallest subnormal.)
            const long double error = fuzz::gamma<T>(Dk + 1) * ref.score_magnitude[i][j] +
                                      static_cast<long double>(Dk) * std::numeric_limits<T>::denorm_min();
            scores.error_bound = m < overflow && !std::isnan(m) ? std::fmax(scores.error_bound, error)
                                                                : std::numeric_limits<long double>::infinity();
        }
        long double weight_error[S];
        fuzz::check_weights(&weights.values[i * S], scores, weight_error, "attention weights", i);

        // output(i, d) = sum_j w_ij v_jd: the weights' errors times |v|, plus the sum's own
        // rounding gamma(S) sum |w||v|.
        for (std::size_t d = 0; d < Dv; ++d) {
            long double bound = 0, magnitude = 0;
            bool finite = true;
            for (std::size_t j = 0; j < S; ++j) {
                finite = finite && std::isfinite(v(j, d));
                bound += weight_error[j] * std::fabs(static_cast<long double>(v(j, d)));
                magnitude += std::fabs(weights(i, j) * static_cast<long double>(v(j, d)));
            }
            bound += fuzz::gamma<T>(S) * magnitude + static_cast<long double>(S) * std::numeric_limits<T>::denorm_min();
            const long double got = output(i, d), want = ref.output[i][d];
            if (!finite || !std::isfinite(bound) || magnitude >= overflow || std::isnan(want)) {
                // Non-finite values, or a sum that may overflow: NaN is possible only then.
                continue;
            }
            FUZZ_CHECK(std::fabs(got - want) <= bound + u * std::fabs(want),
                       "attention output (%zu, %zu) is %.9Lg, exact %.9Lg, bound %.3Lg", i, d, got, want, bound);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input in(data, size);
    check<float, 3, 5, 4, 3>(in);
    check<double, 2, 3, 2, 2>(in);
    return 0;
}
