// cxattn/softmax.hpp: row-wise, numerically stable softmax.
#ifndef CXATTN_SOFTMAX_HPP
#define CXATTN_SOFTMAX_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/config.hpp"
#include "cxattn/kernels.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn {
namespace detail {

// Replaces the N values m.values[offset + j] by their softmax: exp(x_j - max) / sum_k exp(x_k - max).
// Subtracting the row's maximum keeps every exp in (0, 1] (the notebook's "stability trick").
// Special rows are decided by explicit tests, not by the arithmetic, because constant evaluation
// rejects an operation that gives NaN (Clang even when an operand is NaN):
//   - a NaN makes the row NaN, as IEEE arithmetic does, except its -inf entries: -inf is how a
//     masked position reaches softmax, and a masked position has weight 0 whatever else the row
//     holds (so the caller can still skip it);
//   - a row whose maximum is +inf takes the limit of softmax: the +inf entries share the weight
//     equally, the others get 0 (IEEE arithmetic would give NaN, from inf - inf); so NaN comes
//     from NaN only;
//   - a row whose values are all -inf has nothing to attend to and becomes all zeros, where plain
//     arithmetic gives NaN (-inf - -inf); PyTorch's SDPA does the same since 2.5 (_safe_softmax).
// The NaN test rides in the maximum's comparison: no extra statement, so no extra Clang step. The
// row is indexed as an array, not through a pointer: GCC's constant evaluator prices a pointer
// dereference far above an array subscript (see detail::dot in ops.hpp).
// Returns whether the row is NaN.
template <std::size_t N, class T, std::size_t R, std::size_t C>
constexpr bool softmax_row(matrix<T, R, C>& m, std::size_t offset) noexcept {
    constexpr T inf = std::numeric_limits<T>::infinity();
    T max = m.values[offset];
    for (std::size_t j = offset + 1; j < offset + N; ++j)
        if (m.values[j] > max || m.values[j] != m.values[j]) max = m.values[j]; // NaN, once in max, stays
    if (max != max) {
        for (std::size_t j = offset; j < offset + N; ++j)
            m.values[j] = m.values[j] == -inf ? T{} : std::numeric_limits<T>::quiet_NaN();
        return true;
    }
    if (max == inf) {
        T count{};
        for (std::size_t j = offset; j < offset + N; ++j) count += m.values[j] == inf ? T{1} : T{};
        for (std::size_t j = offset; j < offset + N; ++j) m.values[j] = m.values[j] == inf ? T{1} / count : T{};
        return false;
    }
    if (max == -inf) {
        for (std::size_t j = offset; j < offset + N; ++j) m.values[j] = T{};
        return false;
    }
    T sum{};
    for (std::size_t j = offset; j < offset + N; ++j) sum += (m.values[j] = cxattn::exp(m.values[j] - max));
    for (std::size_t j = offset; j < offset + N; ++j) m.values[j] /= sum;
    return false;
}

} // namespace detail

// softmax along each row (numpy's axis=-1).
template <class T, std::size_t R, std::size_t C>
[[nodiscard]] constexpr matrix<T, R, C> softmax(matrix<T, R, C> m) noexcept {
    static_assert(std::is_floating_point_v<T>, "cxattn::softmax: the element type must be floating point");
    if constexpr (std::is_floating_point_v<T>) {
#if CXATTN_RUNTIME_KERNELS
        if constexpr (kernels::supported<T>) {
            if (!cxattn::detail::is_constant_evaluated()) {
                kernels::softmax_rows<T, R, C>(m.values, T{1}); // the vectorised rows of cxattn/kernels.hpp
                return m;
            }
        }
#endif
        for (std::size_t i = 0; i < R; ++i) static_cast<void>(detail::softmax_row<C>(m, i * C));
    }
    return m;
}

} // namespace cxattn

#endif // CXATTN_SOFTMAX_HPP
