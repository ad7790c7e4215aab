// SPDX-License-Identifier: MIT
// cxattn/options.hpp: the trailing options of the attention functions (causal, masks, scale) and
// the rules they obey.
//
//   cxattn::scaled_dot_product_attention(Q, K, V, cxattn::causal, mask, cxattn::scale(0.5f));
//
// Options come in any order, each at most once. A position (query i, key j) is masked when a
// causal option excludes it, a bool mask holds false there, or an additive mask holds -inf there;
// a masked position is skipped (its key and value are never read), never multiplied by zero.
// docs/semantics.md has the table of what each edge case gives and how PyTorch differs.
#ifndef CXATTN_OPTIONS_HPP
#define CXATTN_OPTIONS_HPP

#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "cxattn/config.hpp"
#include "cxattn/detail/compare.hpp"
#include "cxattn/math.hpp"
#include "cxattn/matrix.hpp"

namespace cxattn {

// Query i attends to keys j <= i, aligned to the upper-left corner when L != S: the mask of
// PyTorch's scaled_dot_product_attention(..., is_causal=True), ones(L, S).tril(0).
struct causal_t {};
inline constexpr causal_t causal{};

// Aligned to the lower-right corner: key j is allowed when j <= i + S - L, so the last query sees
// every key (torch.nn.attention.bias.causal_lower_right; decoding L new tokens after S - L cached).
struct causal_lower_right_t {};
inline constexpr causal_lower_right_t causal_lower_right{};

// Replaces the factor 1/sqrt(Dk) that multiplies the scores (PyTorch's `scale` argument). The
// factor keeps the floating-point type it is written in (0.5f, 0.5) and converts to the element type
// of the attention that receives it; it must be finite and positive there (see
// detail::scale_in_element_type): scale(1e300) on float would become inf, scale(1e-60) zero.
template <class U> struct scale {
    static_assert(std::is_floating_point_v<U>,
                  "cxattn::scale: the factor must be a floating-point number (write 0.5f or 0.5, not 1 or true)");
    U factor;
    constexpr explicit scale(U f) noexcept : factor(f) {}
};

// A bool mask is a cxattn::matrix<bool, L, S>, true = attend (SDPA's polarity). An additive mask
// is a cxattn::matrix<T, L, S> added to the scaled scores; -inf there masks the position.

// What scaled_dot_product_attention and multi_head_attention return (cxattn/attention.hpp); one
// can also be passed by reference, right after the operands, to be written in place.
template <class T, std::size_t L, std::size_t S, std::size_t Dv> struct attention_result;

// The caller's output matrix of streaming_attention(Q, K, V, cxattn::into(out), options...),
// written in place (static storage, say, for a result too large for the stack). Wrapped, because a
// bare matrix there would read as an additive mask.
template <class T, std::size_t Rows, std::size_t Cols> struct output_into { matrix<T, Rows, Cols>* target; };
template <class T, std::size_t Rows, std::size_t Cols>
[[nodiscard]] constexpr output_into<T, Rows, Cols> into(matrix<T, Rows, Cols>& output) noexcept {
    return {&output};
}

namespace detail {

enum class option_kind { causal, causal_lower_right, bool_mask, additive_mask, scale, result, unknown };

template <class Option> inline constexpr option_kind kind_of_option = option_kind::unknown;
template <> inline constexpr option_kind kind_of_option<causal_t> = option_kind::causal;
template <> inline constexpr option_kind kind_of_option<causal_lower_right_t> = option_kind::causal_lower_right;
template <class U, std::size_t R, std::size_t C>
inline constexpr option_kind kind_of_option<matrix<U, R, C>> = option_kind::additive_mask;
template <std::size_t R, std::size_t C>
inline constexpr option_kind kind_of_option<matrix<bool, R, C>> = option_kind::bool_mask;
template <class U> inline constexpr option_kind kind_of_option<scale<U>> = option_kind::scale;
template <class T, std::size_t L, std::size_t S, std::size_t Dv>
inline constexpr option_kind kind_of_option<attention_result<T, L, S, Dv>> = option_kind::result;
template <class T, std::size_t R, std::size_t C>
inline constexpr option_kind kind_of_option<output_into<T, R, C>> = option_kind::result;

template <option_kind Kind, class... Options>
inline constexpr std::size_t count_options = ((kind_of_option<Options> == Kind ? 1 : 0) + ... + 0);

template <class Option, std::size_t L, std::size_t S> inline constexpr bool mask_is_l_by_s = true;
template <class U, std::size_t R, std::size_t C, std::size_t L, std::size_t S>
inline constexpr bool mask_is_l_by_s<matrix<U, R, C>, L, S> = (R == L && C == S);

template <class Option, class T> inline constexpr bool additive_mask_holds = true;
template <class U, std::size_t R, std::size_t C, class T>
inline constexpr bool additive_mask_holds<matrix<U, R, C>, T> = std::is_same_v<U, bool> || std::is_same_v<U, T>;

} // namespace detail

namespace shapes {
// The L x S scores of an attention: one per query and key.
template <std::size_t L, std::size_t S> struct scores {};
} // namespace shapes

// The option rules. Each takes the option types themselves, so a diagnostic prints them, shapes
// included (cxattn::matrix<bool, 3, 4>).
namespace rule {

template <class... Options>
inline constexpr bool every_option_is_known = ((detail::kind_of_option<Options> != detail::option_kind::unknown) &&
                                               ...);

template <class... Options>
inline constexpr bool each_option_at_most_once =
    detail::count_options<detail::option_kind::causal, Options...> <= 1 &&
    detail::count_options<detail::option_kind::causal_lower_right, Options...> <= 1 &&
    detail::count_options<detail::option_kind::bool_mask, Options...> <= 1 &&
    detail::count_options<detail::option_kind::additive_mask, Options...> <= 1 &&
    detail::count_options<detail::option_kind::scale, Options...> <= 1;

// A result to write in place (an attention_result lvalue, cxattn::into(matrix)) goes right after
// the operands; among the options it is misplaced, or an attention_result that is const or a
// temporary.
template <class... Options>
inline constexpr bool no_result_among_options = detail::count_options<detail::option_kind::result, Options...> == 0;

template <class... Options>
inline constexpr bool one_causal_alignment =
    detail::count_options<detail::option_kind::causal, Options...> == 0 ||
    detail::count_options<detail::option_kind::causal_lower_right, Options...> == 0;

template <class Scores, class... Options> inline constexpr bool masks_match_scores = false;
template <std::size_t L, std::size_t S, class... Options>
inline constexpr bool masks_match_scores<shapes::scores<L, S>, Options...> = (detail::mask_is_l_by_s<Options, L, S> &&
                                                                              ...);

template <class T, class... Options>
inline constexpr bool additive_masks_hold_element_type = (detail::additive_mask_holds<Options, T> && ...);

// All of the above: the attention functions compile their bodies only when this holds, so that a
// broken rule is the only error.
template <class T, std::size_t L, std::size_t S, class... Options>
inline constexpr bool options_valid = every_option_is_known<Options...>&& no_result_among_options<Options...>&&
    each_option_at_most_once<Options...>&& one_causal_alignment<Options...>&&
        masks_match_scores<shapes::scores<L, S>, Options...>&& additive_masks_hold_element_type<T, Options...>;

} // namespace rule

namespace detail {

// The mask rules, one function each (docs/semantics.md, "Where each rule is defined"):
// resolved_options::masked and the run-time kernels' masks (cxattn/kernels/masks.hpp) are built
// from them and from the bool mask's polarity (false masks).

// Query `row` sees the keys j < causal_key_end(row, diagonal, S), that is j <= row + diagonal:
// diagonal 0 aligns the causal mask to the upper-left corner, S - L to the lower-right one.
[[nodiscard]] constexpr std::size_t causal_key_end(std::size_t row, std::ptrdiff_t diagonal, std::size_t S) noexcept {
    const std::ptrdiff_t end = static_cast<std::ptrdiff_t>(row) + diagonal + 1;
    return end <= 0 ? 0 : static_cast<std::size_t>(end) < S ? static_cast<std::size_t>(end) : S;
}

// An additive mask masks where it holds -inf (a finite bias, however negative, is a number).
template <class T> [[nodiscard]] constexpr bool bias_masks(T bias) noexcept {
    return CXATTN_DETAIL_EQUAL(bias, -std::numeric_limits<T>::infinity());
}

// Named after the error: a constant evaluation that reaches it fails to compile (it is not
// constexpr), and the compiler prints this name. Defined, doing nothing: GCC at -O0 keeps the call
// of the run-time path, which must link.
inline void scale_is_not_finite_and_positive_in_the_element_type() noexcept {}

// The factor of cxattn::scale(s) in the element type T. A factor that is not finite and positive there
// (1e300 or 1e-60 on float, 0, a negative or NaN factor) fails to compile in constant evaluation;
// at run time it becomes NaN, so that every unmasked weight and every output is NaN (the NaN rule of
// docs/semantics.md), never a silently uniform or infinite result.
template <class T, class U> [[nodiscard]] constexpr T scale_in_element_type(U factor) noexcept {
    const T converted = static_cast<T>(factor);
    if (converted > T(0) && converted <= std::numeric_limits<T>::max()) return converted;
    if (is_constant_evaluated()) scale_is_not_finite_and_positive_in_the_element_type();
    return std::numeric_limits<T>::quiet_NaN();
}

// The options of one call, resolved once before the loops: which masks there are (types, for
// `if constexpr`), where their values are, the scale and the causal alignment.
template <class T, std::size_t L, std::size_t S, class... Options> struct resolved_options {
    static constexpr bool has_bool_mask = count_options<option_kind::bool_mask, Options...> != 0;
    static constexpr bool has_additive_mask = count_options<option_kind::additive_mask, Options...> != 0;
    static constexpr bool is_causal_upper_left = count_options<option_kind::causal, Options...> != 0;
    static constexpr bool is_causal_lower_right = count_options<option_kind::causal_lower_right, Options...> != 0;
    static constexpr std::size_t query_length = L;
    static constexpr std::size_t key_length = S;

    // The masks are read in place (they live for the whole call), as arrays: see detail::dot.
    const matrix<bool, L, S>* keep = nullptr; // true = attend
    const matrix<T, L, S>* bias = nullptr;    // added to the scaled scores; -inf masks
    T score_scale{};

    constexpr void take(const matrix<bool, L, S>& mask) noexcept { keep = &mask; }
    constexpr void take(const matrix<T, L, S>& mask) noexcept { bias = &mask; }
    template <class U> constexpr void take(const scale<U>& s) noexcept {
        score_scale = scale_in_element_type<T>(s.factor);
    }
    constexpr void take(causal_t) noexcept {}
    constexpr void take(causal_lower_right_t) noexcept {}

    // Keys j >= key_end(row) are masked by the causal option: query i sees j <= i (upper left) or
    // j <= i + S - L (lower right; none when i + S < L).
    [[nodiscard]] constexpr std::size_t key_end(std::size_t row) const noexcept {
        if constexpr (is_causal_upper_left)
            return causal_key_end(row, 0, S);
        else if constexpr (is_causal_lower_right)
            return causal_key_end(row, static_cast<std::ptrdiff_t>(S) - static_cast<std::ptrdiff_t>(L), S);
        else
            return S;
    }

    // Whether a mask given position by position (a bool mask, or -inf in an additive mask) excludes
    // key `key` for query `row`; the causal options exclude every key from key_end(row) on.
    static constexpr bool has_pointwise_mask = has_bool_mask || has_additive_mask;

    // The one definition of a masked position (docs/semantics.md, "Where each rule is defined"): query
    // `row` does not attend to key `key`. The constexpr algorithms call it; the kernels' masks apply
    // the same rules (causal_key_end, bias_masks, a false in the bool mask) to blocks of scores.
    [[nodiscard]] constexpr bool masked(std::size_t row, std::size_t key) const noexcept {
        if (key >= key_end(row)) return true;
        if constexpr (has_bool_mask)
            if (!keep->values[row * S + key]) return true;
        if constexpr (has_additive_mask)
            if (bias_masks(bias->values[row * S + key])) return true;
        return false;
    }
};

// 1/sqrt(D), the scale of scores over D components unless a cxattn::scale option is given (Vaswani et
// al. 2017; PyTorch's default), as a constant: computed once at compile time (sqrt is correctly
// rounded there as in libm), so a run-time call computes no square root.
template <class T, std::size_t D> inline constexpr T default_scale = T{1} / cxattn::sqrt(static_cast<T>(D));

// default_scale is what the scores are multiplied by unless a cxattn::scale option is given.
template <class T, std::size_t L, std::size_t S, class... Options>
[[nodiscard]] constexpr resolved_options<T, L, S, Options...> resolve_options(T default_scale,
                                                                              const Options&... options) noexcept {
    resolved_options<T, L, S, Options...> resolved;
    resolved.score_scale = default_scale;
    (resolved.take(options), ...);
    return resolved;
}

} // namespace detail
} // namespace cxattn

#endif // CXATTN_OPTIONS_HPP
