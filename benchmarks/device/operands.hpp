// SPDX-License-Identifier: MIT
// The operands of the device benchmark's shapes, which every contender reads: cxattn matrices in
// static storage, one set per shape for the whole program, written by prepare before each contender.
#ifndef CXATTN_DEVICE_BENCHMARK_OPERANDS_HPP
#define CXATTN_DEVICE_BENCHMARK_OPERANDS_HPP

#include <cstddef>

#include <cxattn/matrix.hpp>

#include "shapes.hpp"

namespace device_benchmark {

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> struct operands {
    static inline cxattn::matrix<float, L, Dk> query;
    static inline cxattn::matrix<float, S, Dk> key;
    static inline cxattn::matrix<float, S, Dv> value;
};

template <std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> void prepare(unsigned seed) noexcept {
    using o = operands<L, S, Dk, Dv>;
    fill_operands(seed, o::query.values, L * Dk, o::key.values, S * Dk, o::value.values, S * Dv);
}

} // namespace device_benchmark

#endif // CXATTN_DEVICE_BENCHMARK_OPERANDS_HPP
