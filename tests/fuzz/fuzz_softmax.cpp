// SPDX-License-Identifier: MIT
// Fuzz target: cxattn::softmax at run time on float and double matrices of arbitrary bit
// patterns, checked row by row by the oracle (tests/fuzz/oracle.hpp): the inputs are the exact
// scores, so the only error is softmax's own.
#include <cstdint>

#include <cxattn/softmax.hpp>

#include "oracle.hpp"

namespace {

template <class T, std::size_t R, std::size_t C> void check(fuzz::input& in) {
    const auto x = in.next_matrix<T, R, C>();
    const auto w = cxattn::softmax(x);
    for (std::size_t i = 0; i < R; ++i) {
        fuzz::score_row<C> scores;
        for (std::size_t j = 0; j < C; ++j) scores.exact[j] = x(i, j);
        scores.error_bound = 0;
        long double weight_error[C];
        fuzz::check_weights(&w.values[i * C], scores, weight_error, "softmax", i);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input in(data, size);
    check<float, 2, 7>(in);
    check<double, 2, 3>(in);
    return 0;
}
