// SPDX-License-Identifier: MIT
// Fuzz target: multi_head_attention at run time (float and double; E = 4 with 2 query heads over
// 1 key/value head, i.e. grouped-query, and cross-attention from KDim = 3, VDim = 2), checked
// against a long double reference written from torch.nn.MultiheadAttention's definition, with an
// error bound propagated through the projections, the scores, the weights and the output
// projection. Inputs are decoded into [-1, 1), where such bounds are tight enough to mean
// something; a flags byte adds a causal option, a bool mask, and NaN or inf in one key/value row,
// which must not reach the outputs of the queries that do not attend to it. In cases of their own
// (Mechanisms, read after the rest), a second byte adds cxattn::alibi (each head's slope), a
// sliding_window's left bound, key_length and per-head sinks.
#include <cstdint>

#include <cxattn/multi_head.hpp>

#include "oracle.hpp"

namespace {

constexpr std::size_t L = 3, S = 4, E = 4, H = 2, G = 1, KDim = 3, VDim = 2, Dh = E / H;

template <class T> T bounded(fuzz::input& in) {
    return static_cast<T>(static_cast<double>(in.next<std::int16_t>()) / 32768.0);
}
template <class T, std::size_t R, std::size_t C> cxattn::matrix<T, R, C> bounded_matrix(fuzz::input& in) {
    cxattn::matrix<T, R, C> m;
    for (T& v : m.values) v = bounded<T>(in);
    return m;
}

// y = x W^T + b, exactly (long double), with the magnitude |x| |W|^T + |b| that bounds the error.
template <class T, std::size_t R, std::size_t In, std::size_t Out>
void project(const cxattn::matrix<T, R, In>& x, const cxattn::matrix<T, Out, In>& w, const cxattn::matrix<T, 1, Out>& b,
             long double (&y)[R][Out], long double (&magnitude)[R][Out]) {
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t o = 0; o < Out; ++o) {
            y[r][o] = b(0, o);
            magnitude[r][o] = std::fabs(static_cast<long double>(b(0, o)));
            for (std::size_t i = 0; i < In; ++i) {
                y[r][o] += static_cast<long double>(x(r, i)) * w(o, i);
                magnitude[r][o] += std::fabs(static_cast<long double>(x(r, i)) * w(o, i));
            }
        }
}

template <class T, bool Mechanisms = false> void check(fuzz::input& in) {
    const auto query = bounded_matrix<T, L, E>(in);
    auto key = bounded_matrix<T, S, KDim>(in);
    auto value = bounded_matrix<T, S, VDim>(in);
    cxattn::mha_params<T, E, H, KDim, VDim, G> p{
        bounded_matrix<T, E, E>(in),      bounded_matrix<T, G * Dh, KDim>(in), bounded_matrix<T, G * Dh, VDim>(in),
        bounded_matrix<T, E, E>(in),      bounded_matrix<T, 1, E>(in),         bounded_matrix<T, 1, G * Dh>(in),
        bounded_matrix<T, 1, G * Dh>(in), bounded_matrix<T, 1, E>(in)};
    cxattn::matrix<bool, L, S> keep;
    for (bool& b : keep.values) b = (in.next<std::uint8_t>() & 1u) != 0;
    const unsigned flags = in.next<std::uint8_t>();
    const bool causal = flags & 1u, masked = flags & 2u;
    // (flags >> 2) % 4: 0 nothing, 1 NaN, 2 +inf, 3 -inf in key and value row (flags >> 4) % S.
    const std::size_t poisoned = (flags >> 4) % S;
    constexpr T special[] = {0, std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                             -std::numeric_limits<T>::infinity()};
    if ((flags >> 2) % 4 != 0) {
        key(poisoned, 0) = special[(flags >> 2) % 4];
        value(poisoned, 0) = special[(flags >> 2) % 4];
    }

    // The mechanisms' byte: 1 alibi; 2 a window of (more >> 2) % 4 keys before the query's own (no
    // right bound); more >> 4: key_length ((more >> 4) % (S + 1)) unless 8 bits 0, then S. Sinks:
    // one logit per head in [-8, 8), or -inf (none) when the first is below -4.
    unsigned more = 0;
    cxattn::matrix<T, 1, H> sinks;
    if constexpr (Mechanisms) {
        more = in.next<std::uint8_t>();
        for (T& z : sinks.values) z = 8 * bounded<T>(in);
        if (sinks(0, 0) < T(-4))
            for (T& z : sinks.values) z = -std::numeric_limits<T>::infinity();
    }
    const bool alibi = more & 1u, windowed = more & 2u;
    const std::size_t left = windowed ? (more >> 2) % 4 : std::numeric_limits<std::size_t>::max();
    const std::size_t n = more >> 4 == 0 ? S : (more >> 4) % (S + 1);

    cxattn::attention_result<T, L, S, E> got;
    if constexpr (Mechanisms) {
        const auto window = cxattn::sliding_window(left, std::numeric_limits<std::size_t>::max());
        const auto call = [&](const auto&... o) {
            if (alibi)
                got = cxattn::multi_head_attention(query, key, value, p, o..., window, cxattn::key_length(n),
                                                   cxattn::sink(sinks), cxattn::alibi);
            else
                got = cxattn::multi_head_attention(query, key, value, p, o..., window, cxattn::key_length(n),
                                                   cxattn::sink(sinks));
        };
        if (causal && masked)
            call(cxattn::causal, keep);
        else if (causal)
            call(cxattn::causal);
        else if (masked)
            call(keep);
        else
            call();
    } else if (causal && masked)
        got = cxattn::multi_head_attention(query, key, value, p, cxattn::causal, keep);
    else if (causal)
        got = cxattn::multi_head_attention(query, key, value, p, cxattn::causal);
    else if (masked)
        got = cxattn::multi_head_attention(query, key, value, p, keep);
    else
        got = cxattn::multi_head_attention(query, key, value, p);

    // The reference, with its error bounds.
    static long double q[L][E], qm[L][E], k[S][Dh], km[S][Dh], v[S][Dh], vm[S][Dh];
    project(query, p.q_proj, p.q_bias, q, qm);
    project(key, p.k_proj, p.k_bias, k, km);
    project(value, p.v_proj, p.v_bias, v, vm);
    const long double u = std::numeric_limits<T>::epsilon() / 2.0L, inf = std::numeric_limits<long double>::infinity();
    const long double scale = 1.0L / std::sqrt(static_cast<long double>(Dh));
    const long double eq = fuzz::gamma<T>(E + 1), ek = fuzz::gamma<T>(KDim + 1), ev = fuzz::gamma<T>(VDim + 1);
    auto attends = [&](std::size_t i, std::size_t j) {
        return (!causal || j <= i) && (!masked || keep(i, j)) && j < n && (left > i || i - left <= j);
    };

    long double concat[L][E], concat_error[L][E], weight_sum[L][S] = {}, weight_sum_error[L][S] = {};
    bool row_poisoned[L] = {};
    for (std::size_t i = 0; i < L; ++i) row_poisoned[i] = (flags >> 2) % 4 != 0 && attends(i, poisoned);
    for (std::size_t h = 0; h < H; ++h) {
        const std::size_t c0 = h * Dh; // query head h's columns; its key/value head is h / (H / G) = 0
        // ALiBi's slope of head h (exact: a power of two for H = 2), and the head's sink (-inf: none).
        const long double slope = alibi ? cxattn::detail::alibi_head_slope<T>(h, H) : T(0);
        const long double sink = Mechanisms ? static_cast<long double>(sinks(0, h)) : -inf;
        for (std::size_t i = 0; i < L; ++i) {
            fuzz::score_row<S + 1> scores; // the last: the sink's logit, exact
            scores.error_bound = 0;
            for (std::size_t j = 0; j < S; ++j) {
                long double dot = 0, error = 0;
                for (std::size_t d = 0; d < Dh; ++d) {
                    dot += q[i][c0 + d] * k[j][d];
                    error += eq * qm[i][c0 + d] * std::fabs(k[j][d]) + ek * km[j][d] * std::fabs(q[i][c0 + d]) +
                             eq * qm[i][c0 + d] * ek * km[j][d] +
                             fuzz::gamma<T>(Dh + 1) * std::fabs(q[i][c0 + d] * k[j][d]) * 1.01L;
                }
                const long double bias = slope * (static_cast<long double>(j) - static_cast<long double>(i));
                scores.exact[j] = attends(i, j) ? dot * scale + bias : -inf;
                if (attends(i, j)) // (ALiBi's bias is exact; adding it rounds once more)
                    scores.error_bound = std::fmax(scores.error_bound, error * scale + u * std::fabs(dot * scale) +
                                                                           u * std::fabs(dot * scale + bias));
            }
            scores.exact[S] = sink;
            if (row_poisoned[i]) continue; // NaN or inf reached this row's scores and values
            // The per-head weights are only visible averaged over the heads: accumulate the exact
            // ones and their error bounds.
            long double max = -inf, w[S + 1] = {}, weight_error[S] = {};
            for (std::size_t j = 0; j <= S; ++j) max = std::fmax(max, scores.exact[j]);
            if (max != -inf) {
                const long double relative = fuzz::weight_bounds<T>(scores, max, w);
                for (std::size_t j = 0; j < S; ++j)
                    weight_error[j] = w[j] * relative + 8.0L * std::numeric_limits<T>::denorm_min();
            }
            for (std::size_t j = 0; j < S; ++j) {
                weight_sum[i][j] += w[j] / H;
                weight_sum_error[i][j] += weight_error[j] / H;
            }
            for (std::size_t d = 0; d < Dh; ++d) {
                long double o = 0, error = 0;
                for (std::size_t j = 0; j < S; ++j) {
                    if (!attends(i, j)) continue;
                    o += w[j] * v[j][d];
                    error += weight_error[j] * std::fabs(v[j][d]) + w[j] * ev * vm[j][d] +
                             fuzz::gamma<T>(S + 1) * w[j] * std::fabs(v[j][d]);
                }
                concat[i][c0 + d] = o;
                concat_error[i][c0 + d] = error;
            }
        }
    }
    for (std::size_t i = 0; i < L; ++i) {
        bool any = false;
        for (std::size_t j = 0; j < S; ++j) {
            any = any || attends(i, j);
            if (!attends(i, j))
                FUZZ_CHECK(got.weights(i, j) == 0, "row %zu: masked position %zu has weight %Lg", i, j,
                           static_cast<long double>(got.weights(i, j)));
        }
        if (row_poisoned[i]) continue;
        for (std::size_t j = 0; j < S; ++j)
            FUZZ_CHECK(std::fabs(got.weights(i, j) - weight_sum[i][j]) <=
                           weight_sum_error[i][j] + fuzz::gamma<T>(H + 1) * weight_sum[i][j],
                       "averaged weight (%zu, %zu) is %.9Lg, exact %.9Lg", i, j,
                       static_cast<long double>(got.weights(i, j)), weight_sum[i][j]);
        for (std::size_t o = 0; o < E; ++o) {
            long double want = p.out_bias(0, o), magnitude = std::fabs(static_cast<long double>(p.out_bias(0, o))),
                        error = 0;
            for (std::size_t c = 0; c < E; ++c) {
                const long double term = any ? concat[i][c] : 0;
                want += term * p.out_proj(o, c);
                magnitude += std::fabs(term * p.out_proj(o, c));
                error += (any ? concat_error[i][c] : 0) * std::fabs(static_cast<long double>(p.out_proj(o, c)));
            }
            error += fuzz::gamma<T>(E + 1) * magnitude;
            const long double got_o = got.output(i, o);
            FUZZ_CHECK(std::fabs(got_o - want) <= error + u * std::fabs(want),
                       "output (%zu, %zu) is %.9Lg, exact %.9Lg, bound %.3Lg (flags %u)", i, o, got_o, want, error,
                       flags);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::input in(data, size);
    check<float>(in);
    check<double>(in);
    check<float, true>(in);
    check<double, true>(in);
    return 0;
}
