// SPDX-License-Identifier: MIT
// Rule: appending rows that do not fit a kv_cache changes nothing and returns false; in constant
// evaluation it is refused.
// expected: kv_cache_append_exceeds_the_capacity
#include <cxattn/kv_cache.hpp>

constexpr std::size_t cached() {
    cxattn::kv_cache<float, 4, 2, 2> cache;
#ifdef CXATTN_COMPILE_FAIL
    cxattn::matrix<float, 5, 2> rows{};
#else
    cxattn::matrix<float, 4, 2> rows{};
#endif
    static_cast<void>(cache.append(rows, rows));
    return cache.size();
}

int main() {
    constexpr std::size_t n = cached();
    static_cast<void>(n);
}
