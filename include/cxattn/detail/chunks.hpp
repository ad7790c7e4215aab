// SPDX-License-Identifier: MIT
// cxattn/detail/chunks.hpp: a row of any length as consecutive chunks of at most fold_chunk
// elements, so that the constexpr algorithms write a fold expression per chunk, not per row.
//
// A fold expression over n terms nests n deep, and Clang refuses one deeper than 256
// (-fbracket-depth) even when it is only instantiated for run-time use. Clang charges one step of
// its constexpr budget per fold expression whatever its length, so a row of fold_chunk elements or
// fewer stays one fold (one step); a longer row costs a few steps per chunk. 240: the longest fold
// that stays below the limit with the expression around it. Chunks of 64 cost Clang so many steps
// past 64 terms that its largest attention under the default limits fell from N = 131 to below 110.
#ifndef CXATTN_DETAIL_CHUNKS_HPP
#define CXATTN_DETAIL_CHUNKS_HPP

#include <cstddef>
#include <utility>

#include "cxattn/config.hpp"

namespace cxattn::detail {

inline constexpr std::size_t fold_chunk = 240;

// f(first, std::make_index_sequence<n>{}) for the chunks [first, first + n) that cover [Begin, End)
// in order, each of Chunk elements but the last, which holds the rest. A loop, not a recursion, so
// neither the nesting nor the instantiation depth grows with the length.
template <std::size_t Begin, std::size_t End, std::size_t Chunk = fold_chunk, class F>
constexpr void for_each_chunk(F f) noexcept {
    constexpr std::size_t whole_end = Begin + (End - Begin) / Chunk * Chunk;
    for (std::size_t first = Begin; first < whole_end; first += Chunk) f(first, std::make_index_sequence<Chunk>{});
    if constexpr (whole_end != End) f(whole_end, std::make_index_sequence<End - whole_end>{});
}

// Whether pred(first, std::make_index_sequence<n>{}) holds for every chunk of [0, End), as
// for_each_chunk visits them; stops at the first chunk where it does not.
template <std::size_t End, class Pred> [[nodiscard]] constexpr bool all_chunks(Pred pred) noexcept {
    constexpr std::size_t whole_end = End / fold_chunk * fold_chunk;
    for (std::size_t first = 0; first < whole_end; first += fold_chunk)
        if (!pred(first, std::make_index_sequence<fold_chunk>{})) return false;
    if constexpr (whole_end != End)
        return pred(whole_end, std::make_index_sequence<End - whole_end>{});
    else
        return true;
}

} // namespace cxattn::detail

#endif // CXATTN_DETAIL_CHUNKS_HPP
