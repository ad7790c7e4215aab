// SPDX-License-Identifier: MIT
// The cost of a sliding window at run time: cxattn::streaming_attention over L = S = 2048 keys, float,
// Dk = Dv = 64, causal, with sliding_window(w - 1) for w = 32 ... 1024 against the full causal call,
// interleaved in one process (medians of repetitions). The kernels skip the blocks of keys outside
// every row's window, so the time grows with w + B (B: the kernels' block of query rows), not with S:
// the table prints each time as a fraction of the full causal one, and the model's fraction: the
// blocks of keys the kernel computes with the window over those it computes without.
//
//   meson compile -C BUILD window-benchmark     (with -Dbenchmarks=enabled; docs/benchmarks.md)
#include <benchmark/benchmark.h>

#include <cxattn/cxattn.hpp>

#include <cstddef>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::size_t L = 2048, S = 2048, D = 64;
using T = float;

struct operands {
    cxattn::matrix<T, L, D> q;
    cxattn::matrix<T, S, D> k;
    cxattn::matrix<T, S, D> v;
    cxattn::matrix<T, L, D> out;
};
operands in; // static storage: 2 MiB

void fill() {
    std::mt19937 rng(42);
    std::uniform_real_distribution<T> u(T(-1), T(1));
    for (T& x : in.q.values) x = u(rng);
    for (T& x : in.k.values) x = u(rng);
    for (T& x : in.v.values) x = u(rng);
}

void bm_full(benchmark::State& state) {
    for (auto _ : state) {
        cxattn::streaming_attention(in.q, in.k, in.v, cxattn::into(in.out), cxattn::causal);
        benchmark::DoNotOptimize(in.out.values[0]);
        benchmark::ClobberMemory();
    }
}

void bm_window(benchmark::State& state) {
    const auto w = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        cxattn::streaming_attention(in.q, in.k, in.v, cxattn::into(in.out), cxattn::causal,
                                    cxattn::sliding_window(w - 1));
        benchmark::DoNotOptimize(in.out.values[0]);
        benchmark::ClobberMemory();
    }
}

// Keeps each benchmark's median time.
class median_reporter : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> medians;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs)
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
                medians[run.run_name.function_name + (run.run_name.args.empty() ? "" : "/" + run.run_name.args)] =
                    run.GetAdjustedRealTime();
        ConsoleReporter::ReportRuns(runs);
    }
};

} // namespace

int main(int argc, char** argv) {
    fill();
    const std::size_t widths[] = {32, 64, 128, 256, 512, 1024};
    benchmark::RegisterBenchmark("full causal", bm_full)
        ->Repetitions(9)
        ->ReportAggregatesOnly(true)
        ->Unit(benchmark::kMillisecond);
    for (std::size_t w : widths)
        benchmark::RegisterBenchmark("window", bm_window)
            ->Arg(static_cast<std::int64_t>(w))
            ->Repetitions(9)
            ->ReportAggregatesOnly(true)
            ->Unit(benchmark::kMillisecond);
    benchmark::Initialize(&argc, argv);
    median_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    constexpr std::size_t B = cxattn::kernels::detail::stream_query_block<T>;
    constexpr std::size_t SB = cxattn::kernels::detail::stream_key_block<T>;
    // The blocks of SB keys that the blocks of B query rows compute: from the block that holds the
    // first row's first key to the one that holds the last row's last (causal) key.
    const auto blocks = [](std::size_t w) {
        std::size_t count = 0;
        for (std::size_t i0 = 0; i0 < L; i0 += B) {
            const std::size_t first = i0 + 1 > w ? i0 + 1 - w : 0, last = i0 + B - 1;
            count += last / SB - first / SB + 1;
        }
        return static_cast<double>(count);
    };
    const double full = reporter.medians["full causal"];
    std::printf(
        "\nstreaming_attention, float, L = S = %zu, Dk = Dv = %zu, causal; blocks of %zu query rows by %zu keys\n", L,
        D, B, SB);
    std::printf("%8s %12s %10s %10s\n", "w", "time (ms)", "/ full", "model");
    std::printf("%8s %12.3f %10.3f %10.3f\n", "full", full, 1.0, 1.0);
    for (std::size_t w : widths) {
        const double t = reporter.medians["window/" + std::to_string(w)];
        const double model = blocks(w) / blocks(S);
        std::printf("%8zu %12.3f %10.3f %10.3f\n", w, t, t / full, model);
    }
}
