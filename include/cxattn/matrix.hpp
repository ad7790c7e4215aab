// SPDX-License-Identifier: MIT
// cxattn/matrix.hpp: the fixed-size, row-major matrix that every cxattn operation takes and returns.
#ifndef CXATTN_MATRIX_HPP
#define CXATTN_MATRIX_HPP

#include <cstddef>

#include "cxattn/config.hpp"

namespace cxattn {

// matrix<T, Rows, Cols>: the dimensions are part of the type and the storage is inside the object,
// so there is no heap and every shape rule can be checked by the compiler.
//
// It is an aggregate on purpose: `matrix<float, 2, 3>{1, 2, 3, 4, 5, 6}` takes the values in
// row-major order, fewer values leave the rest zero, more values are a compile error, and the type
// is structural, so a matrix can also be a template argument.
template <class T, std::size_t Rows, std::size_t Cols> struct matrix {
    static_assert(Rows > 0 && Cols > 0, "cxattn::matrix: a dimension is zero (rows and cols must both be at least 1)");

    using value_type = T;
    static constexpr std::size_t rows = Rows;
    static constexpr std::size_t cols = Cols;

    // Row-major storage: element (row, col) is values[row * Cols + col]. Zero unless initialised.
    // (A zero dimension still gets one element, so that the static_assert above is the only error.)
    T values[Rows * Cols > 0 ? Rows* Cols : 1]{};

    [[nodiscard]] static constexpr std::size_t size() noexcept { return Rows * Cols; }

    // Unchecked, like std::array::operator[]; an index out of range is rejected in constant
    // evaluation, where it is undefined behaviour.
    [[nodiscard]] constexpr T& operator()(std::size_t row, std::size_t col) noexcept {
        return values[row * Cols + col];
    }
    [[nodiscard]] constexpr const T& operator()(std::size_t row, std::size_t col) const noexcept {
        return values[row * Cols + col];
    }

    [[nodiscard]] constexpr T* data() noexcept { return values; }
    [[nodiscard]] constexpr const T* data() const noexcept { return values; }

    // Element-wise, with the element type's ==: a matrix holding NaN is not equal to itself.
    [[nodiscard]] friend constexpr bool operator==(const matrix&, const matrix&) = default;
};

} // namespace cxattn

#endif // CXATTN_MATRIX_HPP
