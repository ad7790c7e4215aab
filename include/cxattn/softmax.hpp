// cxattn/softmax.hpp: row-wise, numerically stable softmax.
#ifndef CXATTN_SOFTMAX_HPP
#define CXATTN_SOFTMAX_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn {
namespace detail {

// Replaces the N values at x by their softmax: exp(x_j - max) / sum_k exp(x_k - max).
// Subtracting the row's maximum keeps every exp in (0, 1] (the notebook's "stability trick").
// A row whose values are all -inf has nothing to attend to and becomes all zeros, where plain
// arithmetic would give NaN (-inf - -inf); constant evaluation rejects that NaN anyway.
template <class T, std::size_t N>
constexpr void softmax_row(T* x) noexcept {
    T max = x[0];
    for (std::size_t j = 1; j < N; ++j)
        if (x[j] > max) max = x[j];
    if (max == -std::numeric_limits<T>::infinity()) {
        for (std::size_t j = 0; j < N; ++j) x[j] = T{};
        return;
    }
    T sum{};
    for (std::size_t j = 0; j < N; ++j)
        sum += (x[j] = cxattn::exp(x[j] - max));
    for (std::size_t j = 0; j < N; ++j)
        x[j] /= sum;
}

} // namespace detail

// softmax along each row (numpy's axis=-1).
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> softmax(matrix<T, R, C> m) noexcept {
    static_assert(std::is_floating_point_v<T>, "cxattn::softmax: the element type must be floating point");
    if constexpr (std::is_floating_point_v<T>) {
        for (std::size_t i = 0; i < R; ++i)
            detail::softmax_row<T, C>(&m.values[i * C]);
    }
    return m;
}

} // namespace cxattn

#endif // CXATTN_SOFTMAX_HPP
