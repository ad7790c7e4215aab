// SPDX-License-Identifier: MIT
// cxattn/detail/entry_rules.hpp: the rules at the boundary of the attention functions, stated once.
//
// Each entry point checks every rule in its own static_assert, so that the diagnostic prints the
// rule with its shapes and a message that names the function; the macros below spell those
// static_asserts once (a static_assert's message must be a literal, hence macros). The entry point
// then compiles its body only under the one guard rule::attention_operands_valid (or
// rule::attention_options_valid for multi_head_attention, whose operands have rules of their own),
// so that a broken rule is the only error.
#ifndef CXATTN_DETAIL_ENTRY_RULES_HPP
#define CXATTN_DETAIL_ENTRY_RULES_HPP

#include <cstddef>
#include <type_traits>

#include "cxattn/options.hpp"
#include "cxattn/shapes.hpp"

namespace cxattn::rule {

// The option rules of cxattn/options.hpp together, for attention of L queries over S keys with
// element type T.
template <class T, std::size_t L, std::size_t S, class... Options>
inline constexpr bool attention_options_valid = options_valid<T, L, S, Options...>;

// Every rule of scaled_dot_product_attention and streaming_attention: T, U, V are the element types
// of query, key and value; Query, Key, Value their shapes::query/key/value tags.
template <class T, class U, class V, class Query, class Key, class Value, class... Options>
inline constexpr bool attention_operands_valid = false;
template <class T, class U, class V, std::size_t L, std::size_t Dk, std::size_t S, std::size_t Dk2, std::size_t S2,
          std::size_t Dv, class... Options>
inline constexpr bool
    attention_operands_valid<T, U, V, shapes::query<L, Dk>, shapes::key<S, Dk2>, shapes::value<S2, Dv>, Options...> =
        same_element_type<T, U>&& same_element_type<T, V>&&
            query_and_key_head_sizes_agree<shapes::query<L, Dk>, shapes::key<S, Dk2>>&&
                key_and_value_lengths_agree<shapes::key<S, Dk2>, shapes::value<S2, Dv>>&& std::is_floating_point_v<T>&&
                    alibi_needs_heads<Options...>&& per_head_weights_need_heads<Options...>&&
                        sinks_are_numbers<Options...>&& attention_options_valid<T, L, S, Options...>;

// The result a caller passes to be written in place is the function's own result type
// (attention_result<T, L, S, Dv>, or output_into<T, L, Dv> for streaming_attention): Result is the
// type passed, Expected the one the operands give.
template <class Result, class Expected> inline constexpr bool result_type_matches_operands = false;
template <class Expected> inline constexpr bool result_type_matches_operands<Expected, Expected> = true;

} // namespace cxattn::rule

// The option rules of an attention function named `function` (a string literal), whose element
// type is T, L queries over S keys, options Options.
#define CXATTN_DETAIL_CHECK_OPTION_RULES(function, T, L, S, Options)                                                   \
    static_assert(::cxattn::rule::every_option_is_known<Options...>,                                                   \
                  function ": an option is none of causal, causal_lower_right, align_lower_right, a mask "             \
                           "(cxattn::matrix), scale, query_offset, key_offset, sliding_window, key_length, alibi, "    \
                           "alibi_slope, softcap, score_mod, mask_mod, per_head_weights, sink");                       \
    static_assert(::cxattn::rule::no_result_among_options<Options...>,                                                 \
                  function ": a result among the options (pass it right after the operands; an attention_result as "   \
                           "a non-const lvalue)");                                                                     \
    static_assert(::cxattn::rule::each_option_at_most_once<Options...>,                                                \
                  function ": an option is given twice (each kind at most once)");                                     \
    static_assert(::cxattn::rule::one_causal_alignment<Options...>,                                                    \
                  function ": causal and causal_lower_right together (choose one)");                                   \
    static_assert(::cxattn::rule::one_query_placement<Options...>,                                                     \
                  function ": query_offset with causal_lower_right or align_lower_right (they place the queries "      \
                           "at n - L; choose one)");                                                                   \
    static_assert(::cxattn::rule::one_alibi<Options...>, function ": alibi and alibi_slope together (choose one)");    \
    static_assert(::cxattn::rule::modifiers_take_their_arguments<T, Options...>,                                       \
                  function ": a score_mod is not callable as T(T score, std::size_t head, std::ptrdiff_t query, "      \
                           "std::ptrdiff_t key), or a mask_mod as bool(std::size_t head, std::ptrdiff_t query, "       \
                           "std::ptrdiff_t key)");                                                                     \
    static_assert(::cxattn::rule::masks_match_scores<::cxattn::shapes::scores<L, S>, Options...>,                      \
                  function ": a mask is not L x S (query rows x key rows)");                                           \
    static_assert(::cxattn::rule::additive_masks_hold_element_type<T, Options...>,                                     \
                  function ": an additive mask's element type differs from the query's "                               \
                           "(a mask holds bool, or the element type)")

// Every rule of scaled_dot_product_attention and streaming_attention (the terms of
// rule::attention_operands_valid, one static_assert each).
#define CXATTN_DETAIL_CHECK_ATTENTION_RULES(function, T, U, V, L, Dk, S, Dk2, S2, Dv, Options)                         \
    static_assert(::cxattn::rule::same_element_type<T, U>, function ": query and key element types differ");           \
    static_assert(::cxattn::rule::same_element_type<T, V>, function ": query and value element types differ");         \
    static_assert(                                                                                                     \
        ::cxattn::rule::query_and_key_head_sizes_agree<::cxattn::shapes::query<L, Dk>, ::cxattn::shapes::key<S, Dk2>>, \
        function ": query and key head sizes differ (query cols != key cols)");                                        \
    static_assert(                                                                                                     \
        ::cxattn::rule::key_and_value_lengths_agree<::cxattn::shapes::key<S, Dk2>, ::cxattn::shapes::value<S2, Dv>>,   \
        function ": key and value lengths differ (key rows != value rows)");                                           \
    static_assert(std::is_floating_point_v<T>, function ": the element type must be floating point");                  \
    static_assert(::cxattn::rule::alibi_needs_heads<Options...>,                                                       \
                  function ": cxattn::alibi takes its slopes from the heads of multi_head_attention (here give "       \
                           "cxattn::alibi_slope(m))");                                                                 \
    static_assert(::cxattn::rule::per_head_weights_need_heads<Options...>,                                             \
                  function ": per_head_weights is an option of multi_head_attention");                                 \
    static_assert(::cxattn::rule::sinks_are_numbers<Options...>,                                                       \
                  function ": a sink's logit is a floating-point number (a matrix of one logit per head is for "       \
                           "multi_head_attention)");                                                                   \
    CXATTN_DETAIL_CHECK_OPTION_RULES(function, T, L, S, Options)

#endif // CXATTN_DETAIL_ENTRY_RULES_HPP
