// SPDX-License-Identifier: MIT
// cxattn/kernels/masks.hpp: the masks of the run-time kernels, built from the options of a public call.
#ifndef CXATTN_KERNELS_MASKS_HPP
#define CXATTN_KERNELS_MASKS_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "cxattn/detail/arithmetic.hpp"
#include "cxattn/options.hpp"

namespace cxattn::kernels {

// The rules are those of cxattn/options.hpp (causal_key_end, bias_masks, and false in a bool mask),
// which resolved_options::masked combines for the constexpr algorithms; here they are applied to a
// block of scores at once.
// Masks, applied to scaled scores before softmax: a masked score becomes -inf, whatever it was
// (NaN from a key holding NaN included), so its weight is zero, and a row whose scores are all
// masked has zero weights. apply(row, first, x, count, length) masks x[0, count), the scores of
// keys [first, first + count) of query `row` in an attention over `length` keys; masked(row, j,
// length) tells whether key j is masked for query `row`.
struct no_mask {
    template <class T> void apply(std::size_t, std::size_t, T*, std::size_t, std::size_t) const noexcept {}
    [[nodiscard]] bool masked(std::size_t, std::size_t, std::size_t) const noexcept { return false; }
};

// Query i sees key j only if j <= i + Offset: Offset 0 is PyTorch's is_causal (aligned to the
// upper-left corner), Offset S - L aligns the diagonal with the lower-right corner.
template <std::ptrdiff_t Offset> struct causal_mask {
    template <class T>
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        const std::size_t end = cxattn::detail::causal_key_end(row, Offset, length); // keys from end on are masked
        for (std::size_t j = end > first ? end - first : 0; j < count; ++j) x[j] = -std::numeric_limits<T>::infinity();
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return j >= cxattn::detail::causal_key_end(row, Offset, length);
    }
};

// keep[row * length + j] false masks key j of the row (PyTorch's boolean attn_mask: true attends).
struct bool_mask {
    const bool* keep;
    template <class T>
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        const bool* k = keep + row * length + first;
        for (std::size_t j = 0; j < count; ++j) x[j] = k[j] ? x[j] : -std::numeric_limits<T>::infinity();
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return !keep[row * length + j];
    }
};

// bias[row * length + j] is added to the score of key j (PyTorch's float attn_mask); -inf masks.
template <class T> struct additive_mask {
    const T* bias;
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        constexpr T minus_inf = -std::numeric_limits<T>::infinity();
        const T* b = bias + row * length + first;
        for (std::size_t j = 0; j < count; ++j) x[j] = cxattn::detail::bias_masks(b[j]) ? minus_inf : x[j] + b[j];
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return cxattn::detail::bias_masks(bias[row * length + j]);
    }
};

// The masks of one call together. The bias is added first and the bool and causal masks then set
// -inf, so that a position they mask takes no value from the bias (a +inf there would make NaN).
template <class T, class Causal, bool HasKeep, bool HasBias> struct mask_set {
    Causal causal;
    const bool* keep;
    const T* bias;
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t length) const noexcept {
        if constexpr (HasBias) additive_mask<T>{bias}.apply(row, first, x, count, length);
        if constexpr (HasKeep) bool_mask{keep}.apply(row, first, x, count, length);
        causal.apply(row, first, x, count, length);
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        if constexpr (HasBias)
            if (additive_mask<T>{bias}.masked(row, j, length)) return true;
        if constexpr (HasKeep)
            if (!keep[row * length + j]) return true;
        return causal.masked(row, j, length);
    }
};

// The options of a call that has positions, a sliding window, key_length, mask_mod, softcap, ALiBi
// or score_mod, applied through their one definition (detail::resolved_options::masked and
// final_score): a masked score becomes -inf, any other one its final score (the bias included).
// Resolved is held by value: multi_head_attention gives each head its own copy (for_head).
template <class T, class Resolved> struct modifier_mask {
    Resolved options;
    void apply(std::size_t row, std::size_t first, T* x, std::size_t count, std::size_t) const noexcept {
        const std::size_t begin = options.key_begin(row), end = options.key_end(row); // once per row
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t key = first + j;
            x[j] = key < begin || key >= end || options.masked_in_range(row, key)
                       ? -std::numeric_limits<T>::infinity()
                       : options.template final_score<cxattn::detail::plain_arithmetic>(row, key, x[j]);
        }
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t) const noexcept {
        return options.masked(row, j);
    }
};

// Whether rows [first_row, first_row + rows) mask every key of [first_key, first_key + keys) by their
// key ranges (resolved_options::key_begin and key_end, which do not decrease from row to row), so
// that a kernel can skip the block. Only the modifier masks say so; for the others it is false.
template <class Mask>
[[nodiscard]] inline bool keys_outside(const Mask&, std::size_t, std::size_t, std::size_t, std::size_t) noexcept {
    return false;
}
template <class T, class Resolved>
[[nodiscard]] inline bool keys_outside(const modifier_mask<T, Resolved>& mask, std::size_t first_row, std::size_t rows,
                                       std::size_t first_key, std::size_t keys) noexcept {
    return first_key + keys <= mask.options.key_begin(first_row) ||
           first_key >= mask.options.key_end(first_row + rows - 1);
}

// The mask of head h of H: the modifiers' own copy for the head, any other mask as it is.
template <class Mask> [[nodiscard]] inline const Mask& for_head(const Mask& mask, std::size_t, std::size_t) noexcept {
    return mask;
}
template <class T, class Resolved>
[[nodiscard]] inline modifier_mask<T, Resolved> for_head(const modifier_mask<T, Resolved>& mask, std::size_t h,
                                                         std::size_t H) noexcept {
    return {mask.options.for_head(h, H)};
}

// The kernels' mask for the options of a public call, resolved by cxattn/options.hpp
// (detail::resolved_options): no_mask when there is none, so the kernels take their unmasked loops.
template <class T, std::size_t L, std::size_t S, class Resolved>
[[nodiscard]] inline auto mask_of(const Resolved& options) noexcept {
    using causal = std::conditional_t<
        Resolved::is_causal_upper_left, causal_mask<0>,
        std::conditional_t<Resolved::is_causal_lower_right,
                           causal_mask<static_cast<std::ptrdiff_t>(S) - static_cast<std::ptrdiff_t>(L)>, no_mask>>;
    constexpr bool has_keep = Resolved::has_bool_mask, has_bias = Resolved::has_additive_mask;
    if constexpr (Resolved::has_modifiers) {
        return modifier_mask<T, Resolved>{options};
    } else if constexpr (!has_keep && !has_bias && std::is_same_v<causal, no_mask>) {
        return no_mask{};
    } else {
        const bool* keep = nullptr;
        const T* bias = nullptr;
        if constexpr (has_keep) keep = options.keep->values;
        if constexpr (has_bias) bias = options.bias->values;
        return mask_set<T, causal, has_keep, has_bias>{causal{}, keep, bias};
    }
}

// softmax of each of the R rows of C values at x, in place, after multiplying each value by scale
// and applying the mask: exp(x_j - max) / sum_k exp(x_k - max). The semantics of the constexpr
// softmax (cxattn/softmax.hpp): a row holding a NaN has NaN weights except 0 at its -inf entries; a
// row whose maximum is +inf gives its +inf entries equal weights and the others 0; a row of -inf

namespace detail {

// A mask seen from query row `first`: row r of a block is row first + r of the attention.
template <class Mask> struct offset_mask {
    const Mask& mask;
    std::size_t first;
    template <class T>
    void apply(std::size_t row, std::size_t first_key, T* x, std::size_t count, std::size_t length) const noexcept {
        mask.apply(first + row, first_key, x, count, length);
    }
    [[nodiscard]] bool masked(std::size_t row, std::size_t j, std::size_t length) const noexcept {
        return mask.masked(first + row, j, length);
    }
};

template <class Mask> [[nodiscard]] inline auto rows_from(const Mask& mask, std::size_t first) noexcept {
    if constexpr (std::is_same_v<Mask, no_mask>)
        return no_mask{};
    else
        return offset_mask<Mask>{mask, first};
}

// Whether a mask's call has a cxattn::sink, and its logit (the head's, after for_head): the kernels
// take it into each row's softmax by cxattn::detail::take_in_sink.
template <class Mask> inline constexpr bool has_sink = false;
template <class T, class Resolved> inline constexpr bool has_sink<modifier_mask<T, Resolved>> = Resolved::has_sink;
template <class Mask> inline constexpr bool has_sink<offset_mask<Mask>> = has_sink<Mask>;
template <class T, class Resolved> [[nodiscard]] inline T sink_of(const modifier_mask<T, Resolved>& mask) noexcept {
    return mask.options.sink_logit();
}
template <class Mask> [[nodiscard]] inline auto sink_of(const offset_mask<Mask>& mask) noexcept {
    return sink_of(mask.mask);
}

} // namespace detail

} // namespace cxattn::kernels

#endif // CXATTN_KERNELS_MASKS_HPP
