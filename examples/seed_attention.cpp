// SPDX-License-Identifier: MIT
// The seed notebook in C++: every number below is computed by the compiler, and the program only
// prints them, in numpy's layout, so its output can be compared with the notebook line by line.
#include <cstdio>
#include <cstring>

#include <cxattn/cxattn.hpp>

#include "notebook_seed.hpp"

namespace {

// numpy's default array printing (precision 8, floatmode 'maxprec'): each value with at most 8
// decimals and its trailing zeros dropped, then padded on the right to the column's widest.
template <std::size_t R, std::size_t C>
void print_like_numpy(const char* title, const cxattn::matrix<double, R, C>& m) {
    char text[R * C][32];
    std::size_t width = 0;
    for (std::size_t i = 0; i < R * C; ++i) {
        std::snprintf(text[i], sizeof text[i], "%.8f", m.values[i]);
        std::size_t n = std::strlen(text[i]);
        while (text[i][n - 1] == '0') text[i][--n] = '\0';
        if (n > width) width = n;
    }
    std::printf("%s\n", title);
    for (std::size_t i = 0; i < R; ++i) {
        std::printf("%s", i == 0 ? " [[" : " [");
        for (std::size_t j = 0; j < C; ++j)
            std::printf(j + 1 < C ? "%-*s " : "%-*s", static_cast<int>(width), text[i * C + j]);
        std::printf("%s\n", i + 1 < R ? "]" : "]]");
    }
}

} // namespace

int main() {
    using namespace notebook;
    constexpr auto Q = cxattn::matmul(X, W_Q);
    constexpr auto K = cxattn::matmul(X, W_K);
    constexpr auto V = cxattn::matmul(X, W_V);
    constexpr auto attention = cxattn::scaled_dot_product_attention(Q, K, V);

    print_like_numpy("Input embeddings (X):", X);
    std::printf("\n");
    print_like_numpy("Attention Weights:", attention.weights);
    std::printf("\n");
    print_like_numpy("Attention Output:", attention.output);
}
