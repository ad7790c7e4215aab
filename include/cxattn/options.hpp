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
#include <tuple>
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

// Positions (docs/semantics.md, "Positions, windows and modifiers"): query i sits at
// p(i) = query_offset + i, key j at k(j) = key_offset + j; both 0 unless set. Every
// position-dependent option reads these. Every p(i), k(j) and k(j) - p(i) must fit in
// std::ptrdiff_t (a contract; offsets within +-2^62 do).
struct query_offset {
    std::ptrdiff_t value;
    constexpr explicit query_offset(std::ptrdiff_t m) noexcept : value(m) {}
};
struct key_offset {
    std::ptrdiff_t value;
    constexpr explicit key_offset(std::ptrdiff_t n) noexcept : value(n) {}
};

// query_offset = n - L, n the number of valid keys (key_length, else S), without a causal mask:
// flash-attention's alignment of a sliding window when L != S.
struct align_lower_right_t {};
inline constexpr align_lower_right_t align_lower_right{};

// Keeps p(i) - left <= k(j) <= p(i) + right (saturating: a huge value is unbounded). A Hugging
// Face / Mistral / Gemma sliding_window = w (w keys, the query's own included) is
// sliding_window(w - 1) with causal.
struct sliding_window {
    std::size_t left, right;
    constexpr explicit sliding_window(std::size_t l, std::size_t r = 0) noexcept : left(l), right(r) {}
};

// A run-time count of valid keys: keys from n on are masked, and what they hold has no effect (the
// vector kernels may read the rest of the last valid key's block). n > S is a contract violation:
// a compile error in constant evaluation, S at run time.
struct key_length {
    std::size_t value;
    constexpr explicit key_length(std::size_t n) noexcept : value(n) {}
};

// Adds m * (k(j) - p(i)) to the score (ALiBi, Press et al. 2022); the distance is converted to the
// element type. In multi_head_attention, cxattn::alibi gives each query head the paper's slope.
template <class U> struct alibi_slope {
    static_assert(std::is_floating_point_v<U>, "cxattn::alibi_slope: the slope must be a floating-point number");
    U slope;
    constexpr explicit alibi_slope(U m) noexcept : slope(m) {}
};
struct alibi_t {};
inline constexpr alibi_t alibi{};

// s -> c tanh(s / c) (Gemma 2's logit soft-capping); c finite and positive in the element type.
template <class U> struct softcap {
    static_assert(std::is_floating_point_v<U>, "cxattn::softcap: the cap must be a floating-point number");
    U cap;
    constexpr explicit softcap(U c) noexcept : cap(c) {}
};

// An attention sink (gpt-oss; Xiao et al. 2024, StreamingLLM): a logit with no value that takes part
// in each row's softmax, used as given (not scaled, capped or biased), so the weights of a row sum to
// less than 1 (PyTorch: softmax over the scores with the logit appended, the last column dropped). A
// row with every key masked gets weights 0 and output 0. The logit is a floating-point number,
// converted to the element type, where it must be finite or -inf (-inf: no sink); in
// multi_head_attention also a matrix<T, 1, NumHeads>, one logit per query head.
template <class U> struct sink {
    U logit;
    constexpr explicit sink(U l) noexcept : logit(l) {}
};

// multi_head_attention returns each head's weights, std::array<matrix<T, L, S>, NumHeads>, instead
// of their mean (PyTorch's average_attn_weights=False).
struct per_head_weights_t {};
inline constexpr per_head_weights_t per_head_weights{};

// FlexAttention's modifiers as constexpr callables (lambdas, capturing or not, function objects):
// score_mod(f): T f(T score, std::size_t head, std::ptrdiff_t query, std::ptrdiff_t key), applied
// to each unmasked score after softcap and ALiBi, before the additive bias;
// mask_mod(f): bool f(std::size_t head, std::ptrdiff_t query, std::ptrdiff_t key), true = attend.
// query and key are the positions p(i), k(j); head is 0 outside multi_head_attention. A callable
// whose position parameters are std::size_t gets them converted (valid where they are not negative).
template <class F> struct score_mod {
    F function;
    constexpr explicit score_mod(F f) noexcept(std::is_nothrow_move_constructible_v<F>) : function(std::move(f)) {}
};
template <class F> struct mask_mod {
    F function;
    constexpr explicit mask_mod(F f) noexcept(std::is_nothrow_move_constructible_v<F>) : function(std::move(f)) {}
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

enum class option_kind {
    causal,
    causal_lower_right,
    bool_mask,
    additive_mask,
    scale,
    result,
    query_offset,
    key_offset,
    align_lower_right,
    sliding_window,
    key_length,
    alibi_slope,
    alibi,
    softcap,
    score_mod,
    mask_mod,
    per_head_weights,
    sink,
    unknown
};

template <class Option> inline constexpr option_kind kind_of_option = option_kind::unknown;
template <> inline constexpr option_kind kind_of_option<causal_t> = option_kind::causal;
template <> inline constexpr option_kind kind_of_option<causal_lower_right_t> = option_kind::causal_lower_right;
template <class U, std::size_t R, std::size_t C>
inline constexpr option_kind kind_of_option<matrix<U, R, C>> = option_kind::additive_mask;
template <std::size_t R, std::size_t C>
inline constexpr option_kind kind_of_option<matrix<bool, R, C>> = option_kind::bool_mask;
template <class U> inline constexpr option_kind kind_of_option<scale<U>> = option_kind::scale;
template <> inline constexpr option_kind kind_of_option<query_offset> = option_kind::query_offset;
template <> inline constexpr option_kind kind_of_option<key_offset> = option_kind::key_offset;
template <> inline constexpr option_kind kind_of_option<align_lower_right_t> = option_kind::align_lower_right;
template <> inline constexpr option_kind kind_of_option<sliding_window> = option_kind::sliding_window;
template <> inline constexpr option_kind kind_of_option<key_length> = option_kind::key_length;
template <class U> inline constexpr option_kind kind_of_option<alibi_slope<U>> = option_kind::alibi_slope;
template <> inline constexpr option_kind kind_of_option<alibi_t> = option_kind::alibi;
template <class U> inline constexpr option_kind kind_of_option<softcap<U>> = option_kind::softcap;
template <class F> inline constexpr option_kind kind_of_option<score_mod<F>> = option_kind::score_mod;
template <class F> inline constexpr option_kind kind_of_option<mask_mod<F>> = option_kind::mask_mod;
template <> inline constexpr option_kind kind_of_option<per_head_weights_t> = option_kind::per_head_weights;
template <class U> inline constexpr option_kind kind_of_option<sink<U>> = option_kind::sink;
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

// Whether an option is callable as its kind requires (options that are not modifiers are).
template <class Option, class T> inline constexpr bool modifier_callable = true;
template <class F, class T>
inline constexpr bool modifier_callable<score_mod<F>, T> =
    std::is_invocable_r_v<T, const F&, T, std::size_t, std::ptrdiff_t, std::ptrdiff_t>;
template <class F, class T>
inline constexpr bool modifier_callable<mask_mod<F>, T> =
    std::is_invocable_r_v<bool, const F&, std::size_t, std::ptrdiff_t, std::ptrdiff_t>;

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
inline constexpr bool
    each_option_at_most_once = ((detail::kind_of_option<Options> == detail::option_kind::unknown ||
                                 detail::count_options<detail::kind_of_option<Options>, Options...> <= 1) &&
                                ...);

// A result to write in place (an attention_result lvalue, cxattn::into(matrix)) goes right after
// the operands; among the options it is misplaced, or an attention_result that is const or a
// temporary.
template <class... Options>
inline constexpr bool no_result_among_options = detail::count_options<detail::option_kind::result, Options...> == 0;

template <class... Options>
inline constexpr bool one_causal_alignment =
    detail::count_options<detail::option_kind::causal, Options...> == 0 ||
    detail::count_options<detail::option_kind::causal_lower_right, Options...> == 0;

// query_offset places the queries itself; causal_lower_right and align_lower_right place them at
// n - L. One of the two.
template <class... Options>
inline constexpr bool
    one_query_placement = detail::count_options<detail::option_kind::query_offset, Options...> == 0 ||
                          (detail::count_options<detail::option_kind::causal_lower_right, Options...> == 0 &&
                           detail::count_options<detail::option_kind::align_lower_right, Options...> == 0);

template <class... Options>
inline constexpr bool one_alibi = detail::count_options<detail::option_kind::alibi, Options...> == 0 ||
                                  detail::count_options<detail::option_kind::alibi_slope, Options...> == 0;

// cxattn::alibi takes its slopes from the heads, and per_head_weights returns theirs:
// multi_head_attention only.
template <class... Options>
inline constexpr bool alibi_needs_heads = detail::count_options<detail::option_kind::alibi, Options...> == 0;
template <class... Options>
inline constexpr bool per_head_weights_need_heads =
    detail::count_options<detail::option_kind::per_head_weights, Options...> == 0;

// cxattn::sink's logit is a floating-point number, or in multi_head_attention a matrix of one logit
// per head (a rule of that function's: the per-head sinks are 1 x NumHeads of its element type).
template <class Option> inline constexpr bool sink_is_a_number = true;
template <class U> inline constexpr bool sink_is_a_number<cxattn::sink<U>> = std::is_floating_point_v<U>;
template <class... Options> inline constexpr bool sinks_are_numbers = (sink_is_a_number<Options> && ...);
template <class Option, class T, std::size_t H> inline constexpr bool sink_fits_heads = true;
template <class U, class T, std::size_t H>
inline constexpr bool sink_fits_heads<cxattn::sink<U>, T, H> = std::is_floating_point_v<U>;
template <class T, std::size_t H> inline constexpr bool sink_fits_heads<cxattn::sink<matrix<T, 1, H>>, T, H> = true;
template <class T, std::size_t H, class... Options>
inline constexpr bool sinks_fit_heads = (sink_fits_heads<Options, T, H> && ...);

// score_mod's callable takes (T score, std::size_t head, std::ptrdiff_t query, std::ptrdiff_t key)
// and returns a T; mask_mod's takes (head, query, key) and returns a bool.
template <class T, class... Options>
inline constexpr bool modifiers_take_their_arguments = (detail::modifier_callable<Options, T> && ...);

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
    each_option_at_most_once<Options...>&& one_causal_alignment<Options...>&& one_query_placement<Options...>&&
        one_alibi<Options...>&& modifiers_take_their_arguments<T, Options...>&&
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

// The factor of cxattn::softcap(c) in T: c finite and positive, else, as scale_in_element_type
// does, a compile error in constant evaluation and NaN at run time (every unmasked score NaN).
inline void softcap_is_not_finite_and_positive_in_the_element_type() noexcept {}
template <class T, class U> [[nodiscard]] constexpr T softcap_in_element_type(U cap) noexcept {
    const T converted = static_cast<T>(cap);
    if (converted > T(0) && converted <= std::numeric_limits<T>::max()) return converted;
    if (is_constant_evaluated()) softcap_is_not_finite_and_positive_in_the_element_type();
    return std::numeric_limits<T>::quiet_NaN();
}

// Whether an option is cxattn::sink with a matrix of one logit per head.
template <class Option> inline constexpr bool is_matrix_sink = false;
template <class U> inline constexpr bool is_matrix_sink<sink<U>> = !std::is_floating_point_v<U>;

// A sink's logit in T, which must be finite or -inf: NaN or +inf (in T: 1e300 on float) fails to
// compile in constant evaluation; at run time sink_is_usable says no, and the call's whole result is
// NaN (resolved_options::refuses_sink).
inline void sink_is_nan_or_plus_infinity_in_the_element_type() noexcept {}
template <class T, class U> [[nodiscard]] constexpr bool sink_is_usable(U logit) noexcept {
    const T converted = static_cast<T>(logit);
    if (converted <= std::numeric_limits<T>::max()) return true; // false for NaN and +inf
    if (is_constant_evaluated()) sink_is_nan_or_plus_infinity_in_the_element_type();
    return false;
}

// cxattn::key_length(n) with n > S: a compile error in constant evaluation, S at run time.
inline void key_length_exceeds_the_key_rows() noexcept {}
[[nodiscard]] constexpr std::size_t valid_keys(std::size_t n, std::size_t S) noexcept {
    if (n <= S) return n;
    if (is_constant_evaluated()) key_length_exceeds_the_key_rows();
    return S;
}

// a + b and a - b, saturating at the limits of std::ptrdiff_t (a window's huge left or right).
[[nodiscard]] constexpr std::ptrdiff_t saturating_add(std::ptrdiff_t a, std::size_t b) noexcept {
    constexpr std::ptrdiff_t max = std::numeric_limits<std::ptrdiff_t>::max();
    return b > static_cast<std::size_t>(max) || a > max - static_cast<std::ptrdiff_t>(b)
               ? max
               : a + static_cast<std::ptrdiff_t>(b);
}
[[nodiscard]] constexpr std::ptrdiff_t saturating_subtract(std::ptrdiff_t a, std::size_t b) noexcept {
    constexpr std::ptrdiff_t min = std::numeric_limits<std::ptrdiff_t>::min();
    return b > static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) ||
                   a < min + static_cast<std::ptrdiff_t>(b)
               ? min
               : a - static_cast<std::ptrdiff_t>(b);
}

// The index of the first key at a position above `position` (keys at first_key, first_key + 1, ...),
// at most n: the end of the keys a bound k(j) <= position keeps.
[[nodiscard]] constexpr std::size_t keys_up_to(std::ptrdiff_t position, std::ptrdiff_t first_key,
                                               std::size_t n) noexcept {
    if (position < first_key) return 0;
    const std::size_t count = static_cast<std::size_t>(position) - static_cast<std::size_t>(first_key);
    return count >= n ? n : count + 1;
}

// ALiBi's slope of query head h of H (Press et al. 2022, the reference implementation's rule): for
// H a power of two 2^(-8 (h + 1) / H); otherwise head h < c of the largest power of two c < H takes
// c's slope, and the heads from c on every other slope of 2c (H = 6: 1/4, 1/16, 1/64, 1/256, 1/2,
// 1/8). A power of two is exact; otherwise 2^(-8 (h + 1) / P) = (2^-a)^(1/2^b) by b correctly
// rounded square roots in double (long double for long double), then rounded to T.
template <class T> [[nodiscard]] constexpr T alibi_head_slope(std::size_t h, std::size_t H) noexcept {
    std::size_t c = 1;
    while (c * 2 <= H) c *= 2;
    const std::size_t index = h < c ? h : 2 * (h - c), P = h < c ? c : 2 * c;
    // 8 (index + 1) / P in lowest terms: numerator / 2^b.
    std::size_t numerator = 8 * (index + 1), denominator = P;
    while (numerator % 2 == 0 && denominator % 2 == 0) {
        numerator /= 2;
        denominator /= 2;
    }
    using wide = std::conditional_t<(sizeof(T) > sizeof(double)), T, double>;
    wide x = 1;
    for (std::size_t e = 0; e < numerator; ++e) x /= 2; // 2^-numerator, exact
    for (std::size_t d = denominator; d > 1; d /= 2) x = cxattn::sqrt(x);
    return static_cast<T>(x);
}

// The callable's parameter types (of a function pointer or a class with one operator()), to call
// a modifier whose position parameters are std::size_t with converted positions.
template <class M> struct parameters_of_call { static constexpr bool known = false; };
template <class R, class C, class... A> struct parameters_of_call<R (C::*)(A...) const> {
    static constexpr bool known = true;
    template <std::size_t I> using type = std::remove_cvref_t<std::tuple_element_t<I, std::tuple<A...>>>;
};
template <class R, class C, class... A>
struct parameters_of_call<R (C::*)(A...) const noexcept> : parameters_of_call<R (C::*)(A...) const> {};
template <class R, class C, class... A>
struct parameters_of_call<R (C::*)(A...)> : parameters_of_call<R (C::*)(A...) const> {};
template <class R, class C, class... A>
struct parameters_of_call<R (C::*)(A...) noexcept> : parameters_of_call<R (C::*)(A...) const> {};
template <class R, class... A>
struct parameters_of_call<R (*)(A...)> : parameters_of_call<R (parameters_of_call<void>::*)(A...) const> {};
template <class R, class... A>
struct parameters_of_call<R (*)(A...) noexcept> : parameters_of_call<R (parameters_of_call<void>::*)(A...) const> {};

template <class F, class = void> struct call_signature {
    using type = F; // a function pointer, or a callable of several or templated operator()s
};
template <class F> struct call_signature<F, std::void_t<decltype(&F::operator())>> {
    using type = decltype(&F::operator());
};

// Whether parameter I of F's one call operator is an unsigned integer.
template <class F, std::size_t I> [[nodiscard]] consteval bool takes_unsigned() noexcept {
    using call = parameters_of_call<typename call_signature<F>::type>;
    if constexpr (call::known)
        return std::is_unsigned_v<typename call::template type<I>>;
    else
        return false;
}

// A position as the callable's parameter I takes it.
template <class F, std::size_t I> [[nodiscard]] constexpr auto position_argument(std::ptrdiff_t position) noexcept {
    if constexpr (takes_unsigned<F, I>())
        return static_cast<std::size_t>(position);
    else
        return position;
}

// The first option of a kind among Options, as a type (none: void).
template <option_kind Kind, class... Options> struct option_of_kind { using type = void; };
template <option_kind Kind, class First, class... Rest> struct option_of_kind<Kind, First, Rest...> {
    using type = std::conditional_t<kind_of_option<First> == Kind, First, typename option_of_kind<Kind, Rest...>::type>;
};
template <option_kind Kind, class... Options>
using option_pointer = std::conditional_t<std::is_void_v<typename option_of_kind<Kind, Options...>::type>, const void*,
                                          const typename option_of_kind<Kind, Options...>::type*>;

// The options of one call, resolved once before the loops: which masks and modifiers there are
// (types, for `if constexpr`), where their values are, the scale, and the positions.
template <class T, std::size_t L, std::size_t S, class... Options> struct resolved_options {
    static constexpr bool has_bool_mask = count_options<option_kind::bool_mask, Options...> != 0;
    static constexpr bool has_additive_mask = count_options<option_kind::additive_mask, Options...> != 0;
    static constexpr bool is_causal_upper_left = count_options<option_kind::causal, Options...> != 0;
    static constexpr bool is_causal_lower_right = count_options<option_kind::causal_lower_right, Options...> != 0;
    static constexpr bool is_aligned_lower_right =
        is_causal_lower_right || count_options<option_kind::align_lower_right, Options...> != 0;
    static constexpr bool is_causal = is_causal_upper_left || is_causal_lower_right;
    static constexpr bool has_window = count_options<option_kind::sliding_window, Options...> != 0;
    static constexpr bool has_key_length = count_options<option_kind::key_length, Options...> != 0;
    static constexpr bool has_alibi =
        count_options<option_kind::alibi_slope, Options...> != 0 || count_options<option_kind::alibi, Options...> != 0;
    static constexpr bool has_head_alibi = count_options<option_kind::alibi, Options...> != 0;
    static constexpr bool has_softcap = count_options<option_kind::softcap, Options...> != 0;
    static constexpr bool has_score_mod = count_options<option_kind::score_mod, Options...> != 0;
    static constexpr bool has_mask_mod = count_options<option_kind::mask_mod, Options...> != 0;
    static constexpr bool has_sink = count_options<option_kind::sink, Options...> != 0;
    static constexpr bool has_head_sinks = (is_matrix_sink<Options> || ...); // one logit per head
    // Positions other than p(i) = i + (S - L when causal_lower_right), k(j) = j, or a key_length:
    // the general key range below instead of the causal end alone.
    static constexpr bool has_positions = count_options<option_kind::query_offset, Options...> != 0 ||
                                          count_options<option_kind::key_offset, Options...> != 0 ||
                                          count_options<option_kind::align_lower_right, Options...> != 0 ||
                                          has_window || has_key_length;
    // What the run-time kernels take through the one definition below (modifier masks), not
    // through their own causal, bool and additive masks; the sink rides with them.
    static constexpr bool has_modifiers =
        has_positions || has_alibi || has_softcap || has_score_mod || has_mask_mod || has_sink;
    static constexpr bool modifies_scores = has_alibi || has_softcap || has_score_mod;
    static constexpr std::size_t query_length = L;
    static constexpr std::size_t key_length = S;

    // The masks are read in place (they live for the whole call), as arrays: see detail::dot.
    const matrix<bool, L, S>* keep = nullptr; // true = attend
    const matrix<T, L, S>* bias = nullptr;    // added to the scaled scores; -inf masks
    T score_scale{};
    // The state of the positions and modifiers, and of a sink, each held only by a call that has
    // them: otherwise an empty member, which takes no storage and no instruction to initialise (a
    // call with causal, masks and scale alone costs what it did before these options existed).
    struct modifier_state {
        option_pointer<option_kind::score_mod, Options...> score_modifier = nullptr;
        option_pointer<option_kind::mask_mod, Options...> mask_modifier = nullptr;
        std::ptrdiff_t first_query = 0, first_key = 0; // p(0) and k(0)
        std::size_t valid_keys = S;                    // keys [valid_keys, S) are masked
        std::size_t window_left = 0, window_right = 0; // sliding_window
        T cap{};                                       // softcap
        T slope{};                                     // ALiBi
        std::size_t head = 0;                          // the head, for the modifiers (multi_head_attention)
    };
    struct sink_state {
        T logit = -std::numeric_limits<T>::infinity(); // the sink (the head's, with per-head sinks)
        const T* heads = nullptr;                      // cxattn::sink(matrix<T, 1, H>): one per head (has_head_sinks)
        bool refused = false;                          // NaN or +inf: the result is NaN (refuses_sink)
    };
    struct no_state {};
    [[no_unique_address]] std::conditional_t<has_modifiers, modifier_state, no_state> state{};
    [[no_unique_address]] std::conditional_t<has_sink, sink_state, no_state> sinks{};

    constexpr void take(const matrix<bool, L, S>& mask) noexcept { keep = &mask; }
    constexpr void take(const matrix<T, L, S>& mask) noexcept { bias = &mask; }
    template <class U> constexpr void take(const scale<U>& s) noexcept {
        score_scale = scale_in_element_type<T>(s.factor);
    }
    constexpr void take(causal_t) noexcept {}
    constexpr void take(causal_lower_right_t) noexcept {}
    constexpr void take(align_lower_right_t) noexcept {}
    constexpr void take(alibi_t) noexcept {}
    constexpr void take(per_head_weights_t) noexcept {}
    constexpr void take(query_offset m) noexcept { state.first_query = m.value; }
    constexpr void take(key_offset n) noexcept { state.first_key = n.value; }
    constexpr void take(sliding_window w) noexcept {
        state.window_left = w.left;
        state.window_right = w.right;
    }
    constexpr void take(cxattn::key_length n) noexcept { state.valid_keys = detail::valid_keys(n.value, S); }
    template <class U> constexpr void take(const alibi_slope<U>& m) noexcept { state.slope = static_cast<T>(m.slope); }
    template <class U> constexpr void take(const softcap<U>& c) noexcept {
        state.cap = softcap_in_element_type<T>(c.cap);
    }
    template <class F> constexpr void take(const score_mod<F>& f) noexcept { state.score_modifier = &f; }
    template <class F> constexpr void take(const mask_mod<F>& f) noexcept { state.mask_modifier = &f; }
    template <class U> constexpr void take(const sink<U>& s) noexcept {
        if constexpr (std::is_floating_point_v<U>) {
            sinks.refused = !sink_is_usable<T>(s.logit);
            sinks.logit = static_cast<T>(s.logit);
        } else {
            sinks.heads = s.logit.values;
            for (const T x : s.logit.values) sinks.refused = sinks.refused || !sink_is_usable<T>(x);
        }
    }

    // After every option is taken: the lower-right alignment places the queries at n - L.
    // (Without modifiers, key_end's causal bound places them itself.)
    constexpr void place_queries() noexcept {
        if constexpr (is_aligned_lower_right && has_modifiers)
            state.first_query = static_cast<std::ptrdiff_t>(state.valid_keys) - static_cast<std::ptrdiff_t>(L);
    }

    // Whether the call's result is NaN for its sink (sink_is_usable): false, as a constant, without one.
    [[nodiscard]] constexpr bool refuses_sink() const noexcept {
        if constexpr (has_sink)
            return sinks.refused;
        else
            return false;
    }
    // The sink's logit (the head's, after for_head); -inf, no sink, without one.
    [[nodiscard]] constexpr T sink_logit() const noexcept {
        if constexpr (has_sink)
            return sinks.logit;
        else
            return -std::numeric_limits<T>::infinity();
    }

    // The same options for head h of H (multi_head_attention): the modifiers receive h, and
    // cxattn::alibi gives the head's slope.
    [[nodiscard]] constexpr resolved_options for_head(std::size_t h, std::size_t H) const noexcept {
        resolved_options r = *this;
        if constexpr (has_modifiers) r.state.head = h;
        if constexpr (has_head_alibi) r.state.slope = alibi_head_slope<T>(h, H);
        if constexpr (has_head_sinks) r.sinks.logit = sinks.heads[h];
        return r;
    }

    [[nodiscard]] constexpr std::ptrdiff_t query_position(std::size_t row) const noexcept {
        return state.first_query + static_cast<std::ptrdiff_t>(row);
    }
    [[nodiscard]] constexpr std::ptrdiff_t key_position(std::size_t key) const noexcept {
        return state.first_key + static_cast<std::ptrdiff_t>(key);
    }

    // The keys query `row` may see lie in [key_begin(row), key_end(row)): those before the causal
    // bound k(j) <= p(i), the window's p(i) - left <= k(j) <= p(i) + right, and key_length. Keys
    // outside are masked (masked(), below).
    [[nodiscard]] constexpr std::size_t key_end(std::size_t row) const noexcept {
        if constexpr (!has_positions) {
            if constexpr (is_causal_upper_left)
                return causal_key_end(row, 0, S);
            else if constexpr (is_causal_lower_right)
                return causal_key_end(row, static_cast<std::ptrdiff_t>(S) - static_cast<std::ptrdiff_t>(L), S);
            else
                return S;
        } else {
            std::size_t end = state.valid_keys;
            const std::ptrdiff_t p = query_position(row);
            if constexpr (is_causal) end = keys_up_to(p, state.first_key, end);
            if constexpr (has_window) end = keys_up_to(saturating_add(p, state.window_right), state.first_key, end);
            return end;
        }
    }
    [[nodiscard]] constexpr std::size_t key_begin(std::size_t row) const noexcept {
        if constexpr (has_window) {
            const std::ptrdiff_t lowest = saturating_subtract(query_position(row), state.window_left);
            return lowest <= state.first_key ? 0 : keys_up_to(lowest - 1, state.first_key, S);
        } else {
            return 0;
        }
    }

    // Whether a mask given position by position (a bool mask, -inf in an additive mask, mask_mod,
    // a window's start) excludes keys below key_end(row).
    static constexpr bool has_pointwise_mask = has_bool_mask || has_additive_mask || has_mask_mod || has_window;

    // The one definition of a masked position (docs/semantics.md, "Where each rule is defined"): query
    // `row` does not attend to key `key`. The constexpr algorithms call it; the kernels' masks apply
    // the same rules (causal_key_end, bias_masks, a false in the bool mask) to blocks of scores, or
    // call it (kernels::modifier_mask) when the call has modifiers.
    [[nodiscard]] constexpr bool masked(std::size_t row, std::size_t key) const noexcept {
        if (key >= key_end(row)) return true;
        if constexpr (has_window)
            if (key < key_begin(row)) return true;
        return masked_in_range(row, key);
    }

    // Whether the masks given position by position (a bool mask, -inf in an additive mask, mask_mod)
    // exclude key `key`, which lies in [key_begin(row), key_end(row)): masked() once the key range
    // is known, as the loops over a row's keys know it.
    static constexpr bool has_pointwise_mask_in_range = has_bool_mask || has_additive_mask || has_mask_mod;
    [[nodiscard]] constexpr bool masked_in_range(std::size_t row, std::size_t key) const noexcept {
        if constexpr (has_bool_mask)
            if (!keep->values[row * S + key]) return true;
        if constexpr (has_additive_mask)
            if (bias_masks(bias->values[row * S + key])) return true;
        if constexpr (has_mask_mod) {
            using F = std::remove_cvref_t<decltype(state.mask_modifier->function)>;
            if (!static_cast<bool>(state.mask_modifier->function(state.head,
                                                                 position_argument<F, 1>(query_position(row)),
                                                                 position_argument<F, 2>(key_position(key)))))
                return true;
        }
        return static_cast<void>(row), static_cast<void>(key), false;
    }

    // The score of an unmasked position from its scaled dot product s, through A (detail/arithmetic.hpp):
    // softcap, then ALiBi, then score_mod (docs/semantics.md, "Positions"); the additive bias comes
    // after. Every path calls it.
    template <class A> [[nodiscard]] constexpr T modified_score(std::size_t row, std::size_t key, T s) const noexcept {
        if constexpr (has_softcap) s = A::mul(state.cap, cxattn::tanh(A::divide(s, state.cap)));
        if constexpr (has_alibi)
            s = A::add(s, A::mul(state.slope, static_cast<T>(key_position(key) - query_position(row))));
        if constexpr (has_score_mod) {
            using F = std::remove_cvref_t<decltype(state.score_modifier->function)>;
            s = static_cast<T>(state.score_modifier->function(s, state.head,
                                                              position_argument<F, 2>(query_position(row)),
                                                              position_argument<F, 3>(key_position(key))));
        }
        return s;
    }

    // modified_score, then the additive bias: the final score of an unmasked position.
    template <class A> [[nodiscard]] constexpr T final_score(std::size_t row, std::size_t key, T s) const noexcept {
        s = modified_score<A>(row, key, s);
        if constexpr (has_additive_mask) s = A::add(s, bias->values[row * S + key]);
        return s;
    }
};

// Every value of m NaN: the result of a call whose sink is refused (resolved_options::refuses_sink).
template <class T, std::size_t R, std::size_t C> constexpr void fill_with_nan(matrix<T, R, C>& m) noexcept {
    for (T& x : m.values) x = std::numeric_limits<T>::quiet_NaN();
}

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
    resolved.place_queries();
    return resolved;
}

} // namespace detail
} // namespace cxattn

#endif // CXATTN_OPTIONS_HPP
