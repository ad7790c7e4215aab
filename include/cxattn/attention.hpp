// cxattn/attention.hpp: scaled dot-product attention, softmax(Q K^T / sqrt(Dk)) V.
#ifndef CXATTN_ATTENTION_HPP
#define CXATTN_ATTENTION_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/ops.hpp"
#include "cxattn/shapes.hpp"
#include "cxattn/softmax.hpp"

namespace cxattn {

// What scaled_dot_product_attention returns; an aggregate, so `auto [output, weights] = ...` works.
template <class T, std::size_t L, std::size_t S, std::size_t Dv>
struct attention_result {
    matrix<T, L, Dv> output;  // L x Dv: each query's weighted sum of the values
    matrix<T, L, S> weights;  // L x S: each row is a probability distribution over the keys
};

// Attention of L queries over S key/value pairs (Vaswani et al. 2017, eq. 1; the seed notebook):
// query is L x Dk, key is S x Dk, value is S x Dv. The scores are multiplied by 1/sqrt(Dk), as
// PyTorch's scaled_dot_product_attention does.
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2,
          std::size_t S2, std::size_t Dv>
[[nodiscard]] constexpr auto scaled_dot_product_attention(const matrix<T, L, Dk>& query,
                                                          const matrix<U, S, Dk2>& key,
                                                          const matrix<V, S2, Dv>& value) noexcept {
    // Each rule is spelled out inside its static_assert, so the diagnostic prints it with the shapes.
    static_assert(rule::same_element_type<T, U>,
                  "cxattn::scaled_dot_product_attention: query and key element types differ");
    static_assert(rule::same_element_type<T, V>,
                  "cxattn::scaled_dot_product_attention: query and value element types differ");
    static_assert(rule::query_and_key_head_sizes_agree<shapes::query<L, Dk>, shapes::key<S, Dk2>>,
                  "cxattn::scaled_dot_product_attention: query and key head sizes differ (query cols != key cols)");
    static_assert(rule::key_and_value_lengths_agree<shapes::key<S, Dk2>, shapes::value<S2, Dv>>,
                  "cxattn::scaled_dot_product_attention: key and value lengths differ (key rows != value rows)");
    static_assert(std::is_floating_point_v<T>,
                  "cxattn::scaled_dot_product_attention: the element type must be floating point");

    attention_result<T, L, S, Dv> r;
    if constexpr (rule::same_element_type<T, U> && rule::same_element_type<T, V> && Dk == Dk2 && S == S2 &&
                  std::is_floating_point_v<T>) {
        const T scale = T{1} / cxattn::sqrt(static_cast<T>(Dk));
        for (std::size_t i = 0; i < L; ++i) {
            T* w = &r.weights.values[i * S];
            for (std::size_t j = 0; j < S; ++j)
                w[j] = detail::dot<1>(&query.values[i * Dk], &key.values[j * Dk], std::make_index_sequence<Dk>{}) *
                       scale;
            detail::softmax_row<T, S>(w);
            for (std::size_t d = 0; d < Dv; ++d)
                r.output.values[i * Dv + d] = detail::dot<Dv>(w, &value.values[d], std::make_index_sequence<S>{});
        }
    }
    return r;
}

} // namespace cxattn

#endif // CXATTN_ATTENTION_HPP
