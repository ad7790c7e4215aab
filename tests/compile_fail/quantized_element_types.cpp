// SPDX-License-Identifier: MIT
// Rule: the quantized functions compute on std::int8_t.
// expected: cxattn::quantized::softmax: the element type must be std::int8_t
// expected-clang: int8_element_type<short>
#include <cstdint>

#include <cxattn/quantized/softmax.hpp>

int main() {
#ifdef CXATTN_COMPILE_FAIL
    constexpr cxattn::matrix<std::int16_t, 2, 3> m{};
#else
    constexpr cxattn::matrix<std::int8_t, 2, 3> m{};
#endif
    constexpr auto s = cxattn::quantized::softmax(m, cxattn::quantized::softmax_params_for(0.1));
    static_cast<void>(s);
}
