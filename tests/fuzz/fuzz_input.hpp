// SPDX-License-Identifier: MIT
// Shared by the fuzz targets: arbitrary bytes read as values (every bit pattern, so NaN, +-inf,
// subnormals and the largest finite values all occur), and the checks' vocabulary.
#ifndef CXATTN_TESTS_FUZZ_INPUT_HPP
#define CXATTN_TESTS_FUZZ_INPUT_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include <cxattn/matrix.hpp>

namespace fuzz {

class input {
public:
    input(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

    // The next sizeof(T) bytes as a T's bit pattern; zeros once the input is used up.
    template <class T> T next() noexcept {
        unsigned char bytes[sizeof(T)] = {};
        const std::size_t n = size_ < sizeof(T) ? size_ : sizeof(T);
        if (n > 0) std::memcpy(bytes, data_, n);
        data_ += n;
        size_ -= n;
        if constexpr (std::is_same_v<T, long double> && std::numeric_limits<long double>::digits == 64) {
            // x87 extended: the mantissa's explicit integer bit (bit 63) must be set exactly when
            // the exponent is not zero, or the pattern is an "unnormal" the FPU refuses.
            const bool exponent_zero = bytes[8] == 0 && (bytes[9] & 0x7f) == 0;
            bytes[7] = static_cast<unsigned char>(exponent_zero ? bytes[7] & 0x7f : bytes[7] | 0x80);
        }
        T value;
        std::memcpy(&value, bytes, sizeof(T));
        return value;
    }

    template <class T, std::size_t R, std::size_t C> cxattn::matrix<T, R, C> next_matrix() noexcept {
        cxattn::matrix<T, R, C> m;
        for (T& v : m.values) v = next<T>();
        return m;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
};

// A failed check prints what and where, then aborts, which libFuzzer and the replay runner both
// report as a failure with the input that caused it.
#define FUZZ_CHECK(condition, ...)                                                                                     \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "%s:%d: check failed: %s\n  ", __FILE__, __LINE__, #condition);                       \
            std::fprintf(stderr, __VA_ARGS__);                                                                         \
            std::fprintf(stderr, "\n");                                                                                \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)

// gamma(n) = n u / (1 - n u): the relative error bound of n roundings (Higham, Lemma 3.1).
template <class T> constexpr long double gamma(std::size_t n) noexcept {
    const long double u = std::numeric_limits<T>::epsilon() / 2.0L;
    return static_cast<long double>(n) * u / (1 - static_cast<long double>(n) * u);
}

} // namespace fuzz

#endif // CXATTN_TESTS_FUZZ_INPUT_HPP
