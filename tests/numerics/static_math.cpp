// SPDX-License-Identifier: MIT
// Static test of cxattn/math.hpp (compiling is passing, with the compilers' default constant-evaluation
// limits): special values of exp, tanh, log and sqrt in constant evaluation, values of tanh and log
// against their correctly rounded ones (from 80 digits), and the budget of softmax over a 64 x 64
// attention, 4096 exps in one constant evaluation, and as many tanh and log, for float, double and
// long double.
#include <cxattn/math.hpp>

#include <bit>
#include <cstdint>
#include <limits>

namespace {

namespace p = cxattn::portable;

template <class T> constexpr bool is_nan(T x) { return x != x; }

// The sign of a zero in constant evaluation: converting to double keeps it, and double can bit_cast.
template <class T> constexpr bool is_positive_zero(T x) {
    return std::bit_cast<std::uint64_t>(static_cast<double>(x)) == 0;
}
template <class T> constexpr bool is_negative_zero(T x) {
    return std::bit_cast<std::uint64_t>(static_cast<double>(x)) == 0x8000'0000'0000'0000U;
}

template <class T> using lim = std::numeric_limits<T>;

// exp
static_assert(is_nan(p::exp(lim<float>::quiet_NaN()))); // NaN propagates
static_assert(is_nan(p::exp(lim<double>::quiet_NaN())));
static_assert(is_nan(p::exp(lim<long double>::quiet_NaN())));
static_assert(p::exp(lim<float>::infinity()) == lim<float>::infinity()); // +inf
static_assert(p::exp(lim<double>::infinity()) == lim<double>::infinity());
static_assert(p::exp(lim<long double>::infinity()) == lim<long double>::infinity());
static_assert(is_positive_zero(p::exp(-lim<float>::infinity()))); // -inf gives +0
static_assert(is_positive_zero(p::exp(-lim<double>::infinity())));
static_assert(is_positive_zero(p::exp(-lim<long double>::infinity())));
static_assert(p::exp(-0.0f) == 1 && p::exp(-0.0) == 1 && p::exp(-0.0L) == 1);
// Overflow thresholds (scripts/gen_exp_table.py) and their successors.
static_assert(p::exp(0x1.62e42ep+6f) == 0x1.ffff08p+127f);
static_assert(p::exp(0x1.62e430p+6f) == lim<float>::infinity());
static_assert(p::exp(0x1.62e42fefa39efp+9) < lim<double>::infinity());
static_assert(p::exp(0x1.62e42fefa39f0p+9) == lim<double>::infinity());
static_assert(p::exp(0x1.62e42fefa39ef356p+13L) < lim<long double>::infinity());
static_assert(p::exp(0x1.62e42fefa39ef358p+13L) == lim<long double>::infinity());
static_assert(p::exp(lim<double>::max()) == lim<double>::infinity());
// Underflow thresholds: the smallest subnormal, and +0 just below.
static_assert(p::exp(-0x1.9fe368p+6f) == lim<float>::denorm_min());
static_assert(is_positive_zero(p::exp(-0x1.9fe36ap+6f)));
static_assert(p::exp(-0x1.74910d52d3051p+9) == lim<double>::denorm_min());
static_assert(is_positive_zero(p::exp(-0x1.74910d52d3052p+9)));
static_assert(p::exp(-0x1.643bfcfe13c57552p+13L) == lim<long double>::denorm_min());
static_assert(is_positive_zero(p::exp(-0x1.643bfcfe13c57554p+13L)));
static_assert(is_positive_zero(p::exp(-lim<long double>::max())));
// Near the smallest normal (correctly rounded value from 60-digit decimal arithmetic), and subnormal results.
static_assert(p::exp(-0x1.6232bdd7abcd2p+9) == 0x1.000000000007cp-1022);
static_assert(p::exp(-740.0) > 0 && p::exp(-740.0) < lim<double>::min());
static_assert(p::exp(-100.0f) > 0 && p::exp(-100.0f) < lim<float>::min());
static_assert(p::exp(-11390.0L) > 0 && p::exp(-11390.0L) < lim<long double>::min());
// Exact cases.
static_assert(p::exp(0.0f) == 1 && p::exp(0.0) == 1 && p::exp(0.0L) == 1);
static_assert(p::exp(lim<double>::denorm_min()) == 1 && p::exp(-lim<double>::denorm_min()) == 1);
static_assert(p::exp(1.0) == 0x1.5bf0a8b145769p+1); // e, correctly rounded

// tanh
static_assert(is_nan(p::tanh(lim<float>::quiet_NaN())) && is_nan(p::tanh(lim<double>::quiet_NaN())) &&
              is_nan(p::tanh(lim<long double>::quiet_NaN()))); // NaN propagates
static_assert(p::tanh(lim<double>::infinity()) == 1 && p::tanh(-lim<float>::infinity()) == -1 &&
              p::tanh(lim<long double>::infinity()) == 1); // +-inf
static_assert(is_negative_zero(p::tanh(-0.0f)) && is_negative_zero(p::tanh(-0.0)) &&
              is_positive_zero(p::tanh(0.0L))); // +-0 keep their sign
static_assert(p::tanh(lim<double>::denorm_min()) == lim<double>::denorm_min() &&
              p::tanh(-lim<float>::denorm_min()) == -lim<float>::denorm_min());
static_assert(p::tanh(lim<double>::max()) == 1 && p::tanh(-lim<long double>::max()) == -1); // no overflow
// Correctly rounded values (scripts' exact arithmetic, 80 digits): each method's range.
static_assert(p::tanh(0.03125) == 0x1.ffd559992b1dep-6 && p::tanh(0.03125f) == 0x1.ffd55ap-6f &&
              p::tanh(0.03125L) == 0x1.ffd559992b1de284p-6L); // Taylor series
static_assert(p::tanh(0.09375) == 0x1.7ee10247fb094p-4 && p::tanh(0.09375f) == 0x1.7ee102p-4f &&
              p::tanh(0.09375L) == 0x1.7ee10247fb093c14p-4L); // expm1(2x) / (expm1(2x) + 2)
static_assert(p::tanh(0.5) == 0x1.d9353d7568af3p-2 && p::tanh(-0.5f) == -0x1.d9353ep-2f &&
              p::tanh(0.5L) == 0x1.d9353d7568af3652p-2L);
static_assert(p::tanh(1.0) == 0x1.85efab514f394p-1 && p::tanh(1.0f) == 0x1.85efacp-1f &&
              p::tanh(1.0L) == 0x1.85efab514f394558p-1L);
static_assert(p::tanh(3.0) == 0x1.fd77d111a0bp-1 && p::tanh(3.0f) == 0x1.fd77d2p-1f &&
              p::tanh(3.0L) == 0x1.fd77d111a0affe2p-1L);
static_assert(p::tanh(19.5) == 1 && p::tanh(19.0) < 1 && p::tanh(9.1f) == 1 && p::tanh(8.5f) < 1);

// log: the same special values in constant evaluation as at run time, as constants.
static_assert(is_nan(p::log(lim<float>::quiet_NaN())) && is_nan(p::log(lim<double>::quiet_NaN())) &&
              is_nan(p::log(lim<long double>::quiet_NaN()))); // NaN propagates
static_assert(is_nan(p::log(-1.0f)) && is_nan(p::log(-lim<double>::denorm_min())) &&
              is_nan(p::log(-lim<long double>::infinity()))); // negative: NaN
static_assert(p::log(0.0f) == -lim<float>::infinity() && p::log(-0.0) == -lim<double>::infinity() &&
              p::log(0.0L) == -lim<long double>::infinity()); // +-0: -inf
static_assert(p::log(lim<float>::infinity()) == lim<float>::infinity() &&
              p::log(lim<long double>::infinity()) == lim<long double>::infinity()); // +inf
static_assert(is_positive_zero(p::log(1.0f)) && is_positive_zero(p::log(1.0)) &&
              is_positive_zero(p::log(1.0L))); // exactly +0
// Correctly rounded values (80 digits): the extremes, subnormals, both ends of the reduction, near 1.
static_assert(p::log(lim<double>::max()) == 0x1.62e42fefa39efp+9 && p::log(lim<float>::max()) == 0x1.62e43p+6f &&
              p::log(lim<long double>::max()) == 0x1.62e42fefa39ef358p+13L);
static_assert(p::log(lim<double>::denorm_min()) == -0x1.74385446d71c3p+9 &&
              p::log(lim<float>::denorm_min()) == -0x1.9d1dap+6f &&
              p::log(lim<long double>::denorm_min()) == -0x1.6436716d5406e6d8p+13L);
static_assert(p::log(0.75) == -0x1.269621134db92p-2 && p::log(0.75f) == -0x1.269622p-2f &&
              p::log(0.75L) == -0x1.269621134db92784p-2L); // m = 1.5 / 2: m - 1 < 0
static_assert(p::log(1.5) == 0x1.9f323ecbf984cp-2 && p::log(1.5f) == 0x1.9f323ep-2f &&
              p::log(1.5L) == 0x1.9f323ecbf984bf2cp-2L); // m = 0.75, k = 1
static_assert(p::log(0.9375) == -0x1.08598b59e3a07p-4 && p::log(0.9375f) == -0x1.08598cp-4f &&
              p::log(0.9375L) == -0x1.08598b59e3a0688ap-4L); // near 1, from below
static_assert(p::log(1.0625) == 0x1.f0a30c01162a6p-5 && p::log(1.0625f) == 0x1.f0a30cp-5f &&
              p::log(1.0625L) == 0x1.f0a30c01162a6618p-5L); // near 1, from above
static_assert(p::log(3.0) == 0x1.193ea7aad030bp+0 && p::log(3.0f) == 0x1.193ea8p+0f &&
              p::log(3.0L) == 0x1.193ea7aad030a976p+0L);
static_assert(p::log(64.0) == 0x1.0a2b23f3bab73p+2 && p::log(64.0f) == 0x1.0a2b24p+2f &&
              p::log(64.0L) == 0x1.0a2b23f3bab73682p+2L); // 6 ln2: m = 1, k = 6
// sqrt
static_assert(is_nan(p::sqrt(lim<float>::quiet_NaN()))); // NaN propagates
static_assert(is_nan(p::sqrt(lim<double>::quiet_NaN())));
static_assert(is_nan(p::sqrt(lim<long double>::quiet_NaN())));
static_assert(is_nan(p::sqrt(-1.0f)) && is_nan(p::sqrt(-1.0)) && is_nan(p::sqrt(-1.0L))); // negative
static_assert(is_nan(p::sqrt(-lim<double>::denorm_min())) && is_nan(p::sqrt(-lim<long double>::infinity())));
static_assert(p::sqrt(lim<double>::infinity()) == lim<double>::infinity()); // +inf
static_assert(p::sqrt(lim<long double>::infinity()) == lim<long double>::infinity());
static_assert(is_negative_zero(p::sqrt(-0.0f)) && is_negative_zero(p::sqrt(-0.0)) &&
              is_negative_zero(p::sqrt(-0.0L))); // -0 stays -0
static_assert(is_positive_zero(p::sqrt(0.0f)) && is_positive_zero(p::sqrt(0.0L)));
static_assert(p::sqrt(0x1p-1074) == 0x1p-537 && p::sqrt(0x1p-149f) == 0x1.6a09e6p-75f); // subnormals
static_assert(p::sqrt(0x1p-16445L) == 0x1.6a09e667f3bcc908p-8223L);
static_assert(p::sqrt(lim<double>::max()) == 0x1.fffffffffffffp+511); // largest finite
static_assert(p::sqrt(lim<float>::max()) == 0x1.fffffep+63f);
static_assert(p::sqrt(lim<long double>::max()) == 0x1.fffffffffffffffep+8191L);
static_assert(p::sqrt(2.0) == 0x1.6a09e667f3bcdp+0 && p::sqrt(2.0f) == 0x1.6a09e6p+0f);
static_assert(p::sqrt(2.0L) == 0x1.6a09e667f3bcc908p+0L);

// cxattn::exp, tanh, log and sqrt are the portable ones in constant evaluation.
static_assert(cxattn::exp(1.0) == p::exp(1.0) && cxattn::exp(-3.5f) == p::exp(-3.5f));
static_assert(cxattn::sqrt(2.0L) == p::sqrt(2.0L) && cxattn::sqrt(3.0f) == p::sqrt(3.0f));
static_assert(cxattn::tanh(0.75) == p::tanh(0.75) && cxattn::tanh(-2.5f) == p::tanh(-2.5f));
static_assert(cxattn::log(0.75) == p::log(0.75) && cxattn::log(40.0f) == p::log(40.0f) &&
              cxattn::log(3.0L) == p::log(3.0L));

// 64 x 64 exps in one constant evaluation, the softmax of a 64 x 64 attention, within default limits.
template <class T> constexpr T sum_of_4096_exps() {
    T sum = 0;
    for (int i = 0; i < 64; ++i) {
        for (int j = 0; j < 64; ++j) {
            sum += p::exp(static_cast<T>(-(i * 64 + j)) / 256);
        }
    }
    return sum;
}
static_assert(sum_of_4096_exps<float>() > 256 && sum_of_4096_exps<float>() < 257);
static_assert(sum_of_4096_exps<double>() > 256 && sum_of_4096_exps<double>() < 257);
static_assert(sum_of_4096_exps<long double>() > 256 && sum_of_4096_exps<long double>() < 257);

// 64 x 64 tanh in one constant evaluation (a soft-capped 64 x 64 attention), within default limits.
template <class T> constexpr T sum_of_4096_tanh() {
    T sum = 0;
    for (int i = 0; i < 64; ++i) {
        for (int j = 0; j < 64; ++j) {
            sum += p::tanh(static_cast<T>(i * 64 + j - 2048) / 256);
        }
    }
    return sum;
}
static_assert(sum_of_4096_tanh<float>() > -2 && sum_of_4096_tanh<float>() < 0);
static_assert(sum_of_4096_tanh<double>() > -2 && sum_of_4096_tanh<double>() < 0);
static_assert(sum_of_4096_tanh<long double>() > -2 && sum_of_4096_tanh<long double>() < 0);

// 64 x 64 log in one constant evaluation (the log-sum-exp of each row of 64 attentions of 64 rows,
// sums in [1, 64]), within default limits.
template <class T> constexpr T sum_of_4096_logs() {
    T sum = 0;
    for (int i = 0; i < 64; ++i) {
        for (int j = 0; j < 64; ++j) {
            sum += p::log(1 + static_cast<T>(i * 64 + j) / 65);
        }
    }
    return sum;
}
static_assert(sum_of_4096_logs<float>() > 13200 && sum_of_4096_logs<float>() < 13220);
static_assert(sum_of_4096_logs<double>() > 13200 && sum_of_4096_logs<double>() < 13220);
static_assert(sum_of_4096_logs<long double>() > 13200 && sum_of_4096_logs<long double>() < 13220);

} // namespace
