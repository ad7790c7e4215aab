// SPDX-License-Identifier: MIT
// Constant-evaluation cost of cxattn::portable::exp / tanh / log / sqrt, measured by constexpr_cost.py: this file
// evaluates COST_CALLS calls of COST_FUNCTION on COST_TYPE in one constant expression; the script finds
// the smallest -fconstexpr-steps (Clang) or -fconstexpr-ops-limit (GCC) that compiles it, and subtracts
// the same loop calling `identity`.
#include <cxattn/math.hpp>

#ifndef COST_FUNCTION
#define COST_FUNCTION exp
#endif
#ifndef COST_TYPE
#define COST_TYPE double
#endif
#ifndef COST_CALLS
#define COST_CALLS 256
#endif

namespace {

struct identity {
    template <class T> static constexpr T f(T x) noexcept { return x; }
};
struct exp {
    template <class T> static constexpr T f(T x) noexcept { return cxattn::portable::exp(x); }
};
struct tanh {
    template <class T> static constexpr T f(T x) noexcept { return cxattn::portable::tanh(x); }
};
struct log {
    template <class T> static constexpr T f(T x) noexcept { return cxattn::portable::log(x); }
};
struct sqrt {
    template <class T> static constexpr T f(T x) noexcept { return cxattn::portable::sqrt(x); }
};

// Arguments as softmax and attention see them: exp of values in [-8, 0], sqrt of head sizes; tanh of
// the same values as exp (a soft-capped score over its cap), which take its expm1 path; log of sums of
// exps in [1, 32.5] (log-sum-exp).
template <class F, class T> constexpr T run(int calls) {
    T sum = 0;
    for (int i = 0; i < calls; ++i) {
        const T x = std::is_same_v<F, sqrt>  ? static_cast<T>(i + 1)
                    : std::is_same_v<F, log> ? 1 + static_cast<T>(i % 64) / 2
                                             : -static_cast<T>(i % 64) / 8;
        sum += F::template f<T>(x);
    }
    return sum;
}

constexpr COST_TYPE result = run<COST_FUNCTION, COST_TYPE>(COST_CALLS);

} // namespace

int main() { return result > 0 ? 0 : 1; }
