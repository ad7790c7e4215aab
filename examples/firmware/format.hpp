// SPDX-License-Identifier: MIT
// Decimal text of numbers, without printf: newlib's printf needs malloc (its stdio buffers, and the
// big integers of its dtoa), which this firmware must not link. Everything here is constexpr, so
// format_checks.cpp tests it with static_assert.
#ifndef CXATTN_FIRMWARE_FORMAT_HPP
#define CXATTN_FIRMWARE_FORMAT_HPP

#include <cstddef>
#include <cstdint>

namespace format {

// A short string held by value, always NUL-terminated; what the formatters return.
struct text {
    static constexpr std::size_t capacity = 40;
    char chars[capacity]{};
    std::size_t size = 0;

    // Characters past the capacity are dropped: every use here is far shorter.
    constexpr text& operator+=(char c) noexcept {
        if (size + 1 < capacity) chars[size++] = c;
        return *this;
    }
    constexpr text& operator+=(const char* s) noexcept {
        while (*s != '\0') *this += *s++;
        return *this;
    }
    constexpr void pop_back() noexcept {
        if (size > 0) chars[--size] = '\0';
    }
    [[nodiscard]] constexpr char back() const noexcept { return size > 0 ? chars[size - 1] : '\0'; }
    [[nodiscard]] constexpr const char* c_str() const noexcept { return chars; }

    friend constexpr bool operator==(const text& lhs, const char* rhs) noexcept {
        std::size_t i = 0;
        for (; i < lhs.size; ++i)
            if (lhs.chars[i] != rhs[i]) return false;
        return rhs[i] == '\0';
    }
    friend constexpr bool operator==(const text& lhs, const text& rhs) noexcept { return lhs == rhs.chars; }
};

// n in decimal, at least min_digits digits (zero-padded on the left).
[[nodiscard]] constexpr text integer(std::uint64_t n, std::size_t min_digits = 1) noexcept {
    char digits[20]{};
    std::size_t count = 0;
    do {
        digits[count++] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    text t;
    for (std::size_t i = count; i < min_digits; ++i) t += '0';
    while (count > 0) t += digits[--count];
    return t;
}

// n in hexadecimal with 8 digits, as an address is written: 0x0000a1b4.
[[nodiscard]] constexpr text address(std::uint32_t n) noexcept {
    text t;
    t += "0x";
    for (int shift = 28; shift >= 0; shift -= 4) t += "0123456789abcdef"[(n >> shift) & 0xF];
    return t;
}

namespace detail {

// a b = hi + lo exactly, for a product far from overflow and underflow: Dekker's product with
// Veltkamp's splitting (T. J. Dekker, "A floating-point technique for extending the available
// precision", Numer. Math. 18, 1971). Needs no FMA, which the Cortex-M4 lacks for double.
struct exact_product {
    double hi;
    double lo;
};

[[nodiscard]] constexpr exact_product multiply_exactly(double a, double b) noexcept {
    constexpr double split = 134217729.0; // 2^27 + 1: each half of a double has at most 26 bits
    const double p = a * b;
    const double sa = split * a, sb = split * b;
    const double a_hi = sa - (sa - a), b_hi = sb - (sb - b);
    const double a_lo = a - a_hi, b_lo = b - b_hi;
    return {p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo};
}

// The integer nearest to x * scale (ties to even), decided on the exact product, for
// 0 <= x * scale < 2^52: what printf's "%.Nf" rounds, with scale = 10^N.
[[nodiscard]] constexpr std::uint64_t round_scaled(double x, double scale) noexcept {
    const exact_product p = multiply_exactly(x, scale);
    auto n = static_cast<std::uint64_t>(p.hi);
    // p.hi - n is exact and a multiple of the ULP of p.hi, which is at most 1/2 here; p.lo is at
    // most half that ULP. So p.lo decides only when p.hi - n is exactly 1/2.
    const double fraction = p.hi - static_cast<double>(n);
    if (fraction > 0.5 || (fraction == 0.5 && (p.lo > 0 || (p.lo == 0 && n % 2 == 1)))) ++n;
    return n;
}

inline constexpr std::size_t max_decimals = 10;
inline constexpr double powers_of_ten[max_decimals + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};

} // namespace detail

// x with `decimals` digits after the point, correctly rounded like printf("%.*f"), for
// |x| < 2^52 / 10^decimals and decimals <= 10; "nan", "inf", "-inf" and "(range)" otherwise.
[[nodiscard]] constexpr text fixed(double x, std::size_t decimals) noexcept {
    text t;
    if (x != x) {
        t += "nan";
        return t;
    }
    if (x < 0) {
        t += '-';
        x = -x;
    }
    if (x > 1.7976931348623157e308) {
        t += "inf";
        return t;
    }
    if (decimals > detail::max_decimals || x * detail::powers_of_ten[decimals] >= 0x1p52) {
        t += "(range)";
        return t;
    }
    const double scale = detail::powers_of_ten[decimals];
    const std::uint64_t n = detail::round_scaled(x, scale);
    const auto unit = static_cast<std::uint64_t>(scale);
    t += integer(n / unit).c_str();
    if (decimals > 0) {
        t += '.';
        t += integer(n % unit, decimals).c_str();
    }
    return t;
}

// x the way numpy prints an array element by default (precision 8, floatmode 'maxprec'):
// 8 decimals, then the trailing zeros dropped (0.50609410 -> 0.5060941, 1.00000000 -> 1.).
[[nodiscard]] constexpr text numpy(double x) noexcept {
    text t = fixed(x, 8);
    if (t.back() >= '0' && t.back() <= '9')
        while (t.back() == '0') t.pop_back();
    return t;
}

// x with `digits` significant digits in scientific notation, like printf("%.*e", digits - 1) but
// with the exponent's digits unpadded: 2.2e-16. For differences and tolerances, whose last digit does not
// matter: the power of ten is found by repeated scaling, which can be off by one ULP at a boundary.
[[nodiscard]] constexpr text scientific(double x, std::size_t digits = 2) noexcept {
    text t;
    if (x != x) {
        t += "nan";
        return t;
    }
    if (x < 0) {
        t += '-';
        x = -x;
    }
    if (x == 0) {
        t += '0';
        return t;
    }
    if (x > 1.7976931348623157e308) {
        t += "inf";
        return t;
    }
    if (digits < 1) digits = 1;
    if (digits > 9) digits = 9;
    int exponent = 0;
    for (; x >= 10; ++exponent) x /= 10;
    for (; x < 1; --exponent) x *= 10;
    const double scale = detail::powers_of_ten[digits - 1];
    std::uint64_t n = detail::round_scaled(x, scale);
    if (n >= static_cast<std::uint64_t>(scale * 10)) { // 9.96 with 2 digits: 100, so 1.0e+1
        n /= 10;
        ++exponent;
    }
    const text mantissa = integer(n);
    t += mantissa.chars[0];
    if (mantissa.size > 1) {
        t += '.';
        t += &mantissa.chars[1];
    }
    t += exponent < 0 ? "e-" : "e+";
    if (exponent < 0) exponent = -exponent;
    t += integer(static_cast<std::uint64_t>(exponent)).c_str();
    return t;
}

} // namespace format

#endif // CXATTN_FIRMWARE_FORMAT_HPP
