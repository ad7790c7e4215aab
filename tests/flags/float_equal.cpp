// SPDX-License-Identifier: MIT
// cxattn's headers compile clean under a user's -Wfloat-equal -Werror (tests/flags/meson.build adds
// the flag): every public function, float and double, in constant evaluation (the plain and the
// IEEE-checked paths) and at run time (the kernels). Compiling is passing. Comparisons of floating
// point values in the library go through detail::equal and detail::is_nan (detail/compare.hpp).
#include <cxattn/cxattn.hpp>

#include <limits>

namespace {

template <class T> constexpr bool every_path(T x) {
    constexpr T inf = std::numeric_limits<T>::infinity();
    cxattn::matrix<T, 2, 3> q{{x, 1, 2, 3, 4, 5}};
    cxattn::matrix<T, 3, 3> k{{1, 0, x, 0, 1, 0, 0, 0, 1}};
    cxattn::matrix<T, 3, 2> v{{1, 2, 3, 4, 5, 6}};
    const cxattn::matrix<bool, 2, 3> keep{{true, false, true, false, false, false}};
    const cxattn::matrix<T, 2, 3> bias{{0, -inf, 1, -inf, -inf, -inf}};
    const auto a = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal, keep, bias, cxattn::scale(T(0.5)));
    const auto b = cxattn::scaled_dot_product_attention(q, k, v, cxattn::causal_lower_right);
    const auto s = cxattn::streaming_attention(q, k, v, cxattn::causal, keep, bias);
    const auto w = cxattn::softmax(q);
    const auto m = cxattn::matmul(q, k) + cxattn::matmul(q, k) * T(2) - cxattn::matmul(q, k) / T(2);
    cxattn::mha_params<T, 2, 2> p{};
    const cxattn::matrix<T, 2, 2> x2{{x, 1, 2, 3}};
    const auto h = cxattn::multi_head_attention(x2, x2, x2, p, cxattn::causal);
    return a.output.values[0] + b.output.values[0] + s.values[0] + w.values[0] + m.values[0] + h.output.values[0] +
               cxattn::exp(x) + cxattn::sqrt(x) + cxattn::portable::exp(x) + cxattn::portable::sqrt(x) +
               cxattn::log(x) + cxattn::portable::log(x) >
           0;
}

static_assert(every_path(1.0f));
static_assert(every_path(1.0));
// inf and NaN in an operand: the IEEE-checked path and the special rows.
template <class T> constexpr bool ieee_path() {
    constexpr T inf = std::numeric_limits<T>::infinity();
    const cxattn::matrix<T, 2, 2> q{{inf, 1, std::numeric_limits<T>::quiet_NaN(), 0}};
    const auto a = cxattn::scaled_dot_product_attention(q, q, q);
    const auto s = cxattn::streaming_attention(q, q, q, cxattn::causal);
    const auto w = cxattn::softmax(q);
    return cxattn::detail::is_nan(a.output.values[2]) && cxattn::detail::is_nan(s.values[2]) &&
           cxattn::detail::is_nan(w.values[2]);
}
static_assert(ieee_path<float>());
static_assert(ieee_path<double>());

} // namespace

int main(int argc, char**) {
    return every_path(static_cast<float>(argc)) && every_path(static_cast<double>(argc)) ? 0 : 1;
}
