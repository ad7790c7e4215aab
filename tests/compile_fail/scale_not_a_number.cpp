// Rule: cxattn::scale takes a number (a bool is a mask's element, not a factor).
// expected: cxattn::scale: the factor must be a number
#include <cxattn/attention.hpp>

int main() {
    constexpr cxattn::matrix<double, 2, 4> q{};
    constexpr cxattn::matrix<double, 3, 4> k{};
    constexpr cxattn::matrix<double, 3, 1> v{};
#ifdef CXATTN_COMPILE_FAIL
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(true));
#else
    constexpr auto r = cxattn::scaled_dot_product_attention(q, k, v, cxattn::scale(1));
#endif
    static_cast<void>(r);
}
