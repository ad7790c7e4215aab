// SPDX-License-Identifier: MIT
// cxattn/kv_cache.hpp: a key/value cache of fixed capacity for decoding token by token, usable in
// constant evaluation and at run time.
//
//   cxattn::kv_cache<float, 64, Dk, Dv> cache;
//   cache.append(k_t, v_t);                 // 1 x Dk and 1 x Dv: the new token's key and value
//   auto r = cache.attend(q_t);             // the new token's query over every cached key
#ifndef CXATTN_KV_CACHE_HPP
#define CXATTN_KV_CACHE_HPP

#include <cstddef>

#include "cxattn/attention.hpp"
#include "cxattn/config.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/options.hpp"

namespace cxattn {

namespace detail {
// Named after the error: a constant evaluation that reaches it fails to compile, printing the name.
inline void kv_cache_append_exceeds_the_capacity() noexcept {}
} // namespace detail

// Keys (Capacity x Dk) and values (Capacity x Dv) in fixed storage, filled from row 0; rows from
// size() on hold zeros and are masked by every attention the cache makes (key_length). No heap.
template <class T, std::size_t Capacity, std::size_t Dk, std::size_t Dv> class kv_cache {
public:
    // Appends M keys (M x Dk) and their values (M x Dv) after the cached ones. When they do not fit,
    // returns false and changes nothing (in constant evaluation: a compile error naming
    // kv_cache_append_exceeds_the_capacity).
    template <std::size_t M>
    constexpr bool append(const matrix<T, M, Dk>& keys, const matrix<T, M, Dv>& values) noexcept {
        if (M > Capacity - count_) {
            if (detail::is_constant_evaluated()) detail::kv_cache_append_exceeds_the_capacity();
            return false;
        }
        for (std::size_t i = 0; i < M * Dk; ++i) keys_.values[count_ * Dk + i] = keys.values[i];
        for (std::size_t i = 0; i < M * Dv; ++i) values_.values[count_ * Dv + i] = values.values[i];
        count_ += M;
        return true;
    }

    [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Capacity; }
    // Forgets the cached rows (their storage keeps its values, masked from now on).
    constexpr void clear() noexcept { count_ = 0; }
    [[nodiscard]] constexpr const matrix<T, Capacity, Dk>& keys() const noexcept { return keys_; }
    [[nodiscard]] constexpr const matrix<T, Capacity, Dv>& values() const noexcept { return values_; }

    // The last L cached tokens' queries (L x Dk) over the cached keys, causally:
    // scaled_dot_product_attention(query, keys(), values(), key_length(size()), causal_lower_right,
    // options...), so query i sits at position size() - L + i. The options may add anything but a
    // causal alignment, query_offset or key_length (rule errors).
    template <std::size_t L, class... Options>
    [[nodiscard]] constexpr attention_result<T, L, Capacity, Dv> attend(const matrix<T, L, Dk>& query,
                                                                        const Options&... options) const noexcept {
        return scaled_dot_product_attention(query, keys_, values_, key_length(count_), causal_lower_right, options...);
    }

private:
    matrix<T, Capacity, Dk> keys_{};
    matrix<T, Capacity, Dv> values_{};
    std::size_t count_ = 0;
};

} // namespace cxattn

#endif // CXATTN_KV_CACHE_HPP
