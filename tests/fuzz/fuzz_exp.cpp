// SPDX-License-Identifier: MIT
// Fuzz target: cxattn::exp and cxattn::portable::exp on every bit pattern of float, double and
// long double, and the scalar kernels' exp on every float. The portable algorithm must be within
// its documented bound of the correctly rounded result (MPFR at 256 bits): 1 ULP for float and
// double, 2 ULP for long double; kernels::scalar::exp within 2 ULP; and all must give the
// documented special values.
#include <cstdint>

#include <mpfr.h>

#include <cxattn/kernels/exp.hpp>
#include <cxattn/math.hpp>

#include "fuzz_input.hpp"

namespace {

template <class T> void set(mpfr_t out, T x) {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
        mpfr_set_d(out, x, MPFR_RNDN);
    else
        mpfr_set_ld(out, x, MPFR_RNDN);
}

// |got - exp(x)| in units of the last place of T at exp(x) (the subnormal spacing below the
// smallest normal), computed exactly in MPFR.
template <class T> double ulp_error(T x, T got) {
    mpfr_t exact, diff, ulp;
    mpfr_inits2(256, exact, diff, ulp, static_cast<mpfr_ptr>(nullptr));
    set(exact, x);
    mpfr_exp(exact, exact, MPFR_RNDN);
    if (mpfr_inf_p(exact) || mpfr_zero_p(exact)) {
        // Beyond even MPFR's exponent range (|x| above about 7e8): exp(x) is infinitely many
        // ULPs from any finite value, and below every subnormal, so only 0 is right there.
        const bool overflow = mpfr_inf_p(exact);
        mpfr_clears(exact, diff, ulp, static_cast<mpfr_ptr>(nullptr));
        if (overflow) return std::isinf(got) ? 0.0 : std::numeric_limits<double>::infinity();
        return static_cast<double>(got / std::numeric_limits<T>::denorm_min());
    }
    set(diff, got);
    mpfr_sub(diff, diff, exact, MPFR_RNDN);
    mpfr_abs(diff, diff, MPFR_RNDN);
    // exp(x) = m 2^e with m in [1/2, 1): the ULP of T there is 2^(e - digits), never below T's
    // smallest subnormal.
    const long e = mpfr_get_exp(exact);
    const long ulp_exponent = std::max<long>(e - std::numeric_limits<T>::digits,
                                             std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits);
    mpfr_set_ui_2exp(ulp, 1, ulp_exponent, MPFR_RNDN);
    mpfr_div(diff, diff, ulp, MPFR_RNDN);
    const double result = mpfr_get_d(diff, MPFR_RNDU);
    mpfr_clears(exact, diff, ulp, static_cast<mpfr_ptr>(nullptr));
    return result;
}

template <class T> void check(T x, double bound) {
    const T portable = cxattn::portable::exp(x), runtime = cxattn::exp(x);
    constexpr T inf = std::numeric_limits<T>::infinity();
    if (std::isnan(x)) {
        FUZZ_CHECK(std::isnan(portable) && std::isnan(runtime), "exp(NaN) must be NaN");
        return;
    }
    if (x == inf) {
        FUZZ_CHECK(portable == inf && runtime == inf, "exp(+inf) must be +inf");
        return;
    }
    if (x == -inf) {
        FUZZ_CHECK(portable == 0 && !std::signbit(portable) && runtime == 0, "exp(-inf) must be +0");
        return;
    }
    FUZZ_CHECK(!std::isnan(portable) && !std::signbit(portable), "exp(%Lg) = %Lg", static_cast<long double>(x),
               static_cast<long double>(portable));
    if (portable == inf) {
        // Overflow is right only where exp(x) rounds to infinity: above the largest finite value
        // by more than half an ULP (at least 1 ULP away from it: the bound allows the rest).
        FUZZ_CHECK(ulp_error(x, std::numeric_limits<T>::max()) >= 0.5, "exp(%La) overflowed early",
                   static_cast<long double>(x));
        return;
    }
    const double error = ulp_error(x, portable);
    FUZZ_CHECK(error <= bound, "portable::exp(%La) = %La is %.3f ULP off (bound %.1f)", static_cast<long double>(x),
               static_cast<long double>(portable), error, bound);
}

// kernels::scalar::exp for float (a table of 2^(j/32)): within 2 ULP, the special values as std::exp.
void check_scalar(float x) {
    const float got = cxattn::kernels::scalar::exp(x);
    constexpr float inf = std::numeric_limits<float>::infinity();
    if (std::isnan(x)) {
        FUZZ_CHECK(std::isnan(got), "kernels::scalar::exp(NaN) must be NaN");
        return;
    }
    if (x == -inf) {
        FUZZ_CHECK(got == 0 && !std::signbit(got), "kernels::scalar::exp(-inf) must be +0");
        return;
    }
    FUZZ_CHECK(!std::isnan(got) && !std::signbit(got), "kernels::scalar::exp(%a) = %a", static_cast<double>(x),
               static_cast<double>(got));
    if (got == inf) {
        FUZZ_CHECK(x == inf || ulp_error(x, std::numeric_limits<float>::max()) >= 0.5,
                   "kernels::scalar::exp(%a) overflowed early", static_cast<double>(x));
        return;
    }
    const double error = ulp_error(x, got);
    FUZZ_CHECK(error <= 2.0, "kernels::scalar::exp(%a) = %a is %.3f ULP off (bound 2)", static_cast<double>(x),
               static_cast<double>(got), error);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input in(data, size);
    const float x = in.next<float>();
    check(x, 1.0);
    check_scalar(x);
    check(in.next<double>(), 1.0);
    check(in.next<long double>(), 2.0);
    return 0;
}
