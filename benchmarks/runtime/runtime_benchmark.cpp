// SPDX-License-Identifier: MIT
// Run-time speed of cxattn's attention against Eigen 3.4's fixed-size matrices and against a direct
// loop translation of the seed notebook, with the core's peak measured in the same run.
//
//   meson setup build-bench -Dbenchmarks=enabled && meson compile -C build-bench runtime_benchmark &&
//   taskset -c 1 build-bench/benchmarks/runtime/runtime_benchmark
//
// Every benchmark is repeated (--benchmark_repetitions, default 15) and the repetitions of all of
// them are run in one random interleaved order (--benchmark_enable_random_interleaving), so that a
// slow phase of a shared machine spreads over all the contenders instead of hitting one; the table
// at the end compares medians. FLOP counts are those of the two matrix products, 2 L S Dk + 2 L S Dv
// (softmax is not counted), for every implementation alike.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <cxattn/cxattn.hpp>
#include <cxattn/kernels.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using cxattn::matrix;

// ---- the contenders ---------------------------------------------------------------------------

// The shape of one case and whether it is causal (query i sees keys j <= i, PyTorch's is_causal).
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv, bool Causal = false> struct shape {
    using type = T;
    static constexpr std::size_t l = L, s = S, dk = Dk, dv = Dv;
    static constexpr bool causal = Causal;
    static constexpr double flops = 2.0 * L * S * Dk + 2.0 * L * S * Dv;
};

template <class Shape> struct inputs {
    using T = typename Shape::type;
    matrix<T, Shape::l, Shape::dk> q;
    matrix<T, Shape::s, Shape::dk> k;
    matrix<T, Shape::s, Shape::dv> v;

    // Uniform in [-1, 1), the same for every contender of a case.
    static inputs& get() {
        static inputs in = [] {
            inputs r;
            std::mt19937_64 rng(42);
            std::uniform_real_distribution<T> u(T(-1), T(1));
            for (T& x : r.q.values) x = u(rng);
            for (T& x : r.k.values) x = u(rng);
            for (T& x : r.v.values) x = u(rng);
            return r;
        }();
        return in;
    }
};

template <class T, std::size_t R, std::size_t C>
using eigen_matrix = Eigen::Matrix<T, static_cast<int>(R), static_cast<int>(C), Eigen::RowMajor>;

// The same algorithm with Eigen's fixed-size row-major matrices: Q K^T, row max, .array().exp(),
// row sums, times V.
template <class Shape> struct eigen_attention {
    using T = typename Shape::type;
    eigen_matrix<T, Shape::l, Shape::dk> q;
    eigen_matrix<T, Shape::s, Shape::dk> k;
    eigen_matrix<T, Shape::s, Shape::dv> v;
    eigen_matrix<T, Shape::l, Shape::s> w;
    eigen_matrix<T, Shape::l, Shape::dv> out;

    static eigen_attention& get() {
        static eigen_attention e = [] {
            eigen_attention r;
            const auto& in = inputs<Shape>::get();
            for (std::size_t i = 0; i < in.q.size(); ++i) r.q.data()[i] = in.q.values[i];
            for (std::size_t i = 0; i < in.k.size(); ++i) r.k.data()[i] = in.k.values[i];
            for (std::size_t i = 0; i < in.v.size(); ++i) r.v.data()[i] = in.v.values[i];
            return r;
        }();
        return e;
    }

    void run() {
        const T scale = T(1) / std::sqrt(static_cast<T>(Shape::dk));
        w.noalias() = q * k.transpose();
        w *= scale;
        if constexpr (Shape::causal)
            w.template triangularView<Eigen::StrictlyUpper>().setConstant(-std::numeric_limits<T>::infinity());
        const Eigen::Matrix<T, static_cast<int>(Shape::l), 1> max = w.rowwise().maxCoeff();
        w = (w.colwise() - max).array().exp();
        const Eigen::Matrix<T, static_cast<int>(Shape::l), 1> sum = w.rowwise().sum();
        w.array().colwise() /= sum.array();
        out.noalias() = w * v;
    }
};

// The notebook's functions translated loop for loop (np.dot, np.max, np.exp, np.sum), in the
// element type, with std::exp.
template <class Shape>
void naive_attention(const inputs<Shape>& in, matrix<typename Shape::type, Shape::l, Shape::dv>& out,
                     matrix<typename Shape::type, Shape::l, Shape::s>& w) {
    using T = typename Shape::type;
    constexpr std::size_t L = Shape::l, S = Shape::s, Dk = Shape::dk, Dv = Shape::dv;
    const T sqrt_dk = std::sqrt(static_cast<T>(Dk));
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j < S; ++j) {
            T dot = 0;
            for (std::size_t d = 0; d < Dk; ++d) dot += in.q.values[i * Dk + d] * in.k.values[j * Dk + d];
            w.values[i * S + j] = Shape::causal && j > i ? -std::numeric_limits<T>::infinity() : dot / sqrt_dk;
        }
    for (std::size_t i = 0; i < L; ++i) {
        T max = w.values[i * S];
        for (std::size_t j = 1; j < S; ++j) max = std::max(max, w.values[i * S + j]);
        T sum = 0;
        for (std::size_t j = 0; j < S; ++j) sum += (w.values[i * S + j] = std::exp(w.values[i * S + j] - max));
        for (std::size_t j = 0; j < S; ++j) w.values[i * S + j] /= sum;
    }
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t d = 0; d < Dv; ++d) {
            T acc = 0;
            for (std::size_t j = 0; j < S; ++j) acc += w.values[i * S + j] * in.v.values[j * Dv + d];
            out.values[i * Dv + d] = acc;
        }
}

// ---- the benchmarks ---------------------------------------------------------------------------

// cxattn's public call, whatever path it takes at run time.
template <class Shape> void bm_cxattn(benchmark::State& state) {
    auto& in = inputs<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        if constexpr (Shape::causal) {
            auto r = cxattn::scaled_dot_product_attention(in.q, in.k, in.v, cxattn::causal);
            benchmark::DoNotOptimize(r);
        } else {
            auto r = cxattn::scaled_dot_product_attention(in.q, in.k, in.v);
            benchmark::DoNotOptimize(r);
        }
    }
}

// cxattn's run-time kernels called directly (what the public call runs once integrated).
template <class Shape> void bm_kernels(benchmark::State& state) {
    using T = typename Shape::type;
    auto& in = inputs<Shape>::get();
    const T scale = T(1) / std::sqrt(static_cast<T>(Shape::dk));
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        matrix<T, Shape::l, Shape::dv> out;
        matrix<T, Shape::l, Shape::s> w;
        if constexpr (Shape::causal)
            cxattn::kernels::attention(in.q, in.k, in.v, scale, out, w, cxattn::kernels::causal_mask<0>{});
        else
            cxattn::kernels::attention(in.q, in.k, in.v, scale, out, w);
        benchmark::DoNotOptimize(out);
        benchmark::DoNotOptimize(w);
    }
}

// cxattn's streaming_attention (the online softmax), the public call.

template <class Shape> void bm_streaming(benchmark::State& state) {
    using T = typename Shape::type;
    auto& in = inputs<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        matrix<T, Shape::l, Shape::dv> out;
        if constexpr (Shape::causal)
            out = cxattn::streaming_attention(in.q, in.k, in.v, cxattn::causal);
        else
            out = cxattn::streaming_attention(in.q, in.k, in.v);
        benchmark::DoNotOptimize(out);
    }
}

// The run-time streaming kernel called directly.
template <class Shape> void bm_kernels_streaming(benchmark::State& state) {
    using T = typename Shape::type;
    auto& in = inputs<Shape>::get();
    const T scale = T(1) / std::sqrt(static_cast<T>(Shape::dk));
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        matrix<T, Shape::l, Shape::dv> out;
        if constexpr (Shape::causal)
            cxattn::kernels::streaming_attention(in.q, in.k, in.v, scale, out, cxattn::kernels::causal_mask<0>{});
        else
            cxattn::kernels::streaming_attention(in.q, in.k, in.v, scale, out);
        benchmark::DoNotOptimize(out);
    }
}

template <class Shape> void bm_eigen(benchmark::State& state) {
    auto& e = eigen_attention<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(e);
        e.run();
        benchmark::DoNotOptimize(e.out);
        benchmark::DoNotOptimize(e.w);
    }
}

template <class Shape> void bm_naive(benchmark::State& state) {
    using T = typename Shape::type;
    auto& in = inputs<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        matrix<T, Shape::l, Shape::dv> out;
        matrix<T, Shape::l, Shape::s> w;
        naive_attention<Shape>(in, out, w);
        benchmark::DoNotOptimize(out);
        benchmark::DoNotOptimize(w);
    }
}

// The single-core peak: independent multiply-add chains on the widest vectors the flags allow
// (cxattn::kernels::detail::vector_bytes: 64 with AVX-512), more chains than the FMA pipes' latency
// times their count (2 x 4 on AVX-512 cores), all in registers. GCC/Clang vector types rather than
// plain loops: this loop must compile to exactly that, and Clang 14 vectorises a plain version
// across the chains with gathers.
template <class T> struct peak {
    typedef T vector __attribute__((vector_size(cxattn::kernels::detail::vector_bytes)));
    static constexpr std::size_t lanes = cxattn::kernels::detail::vector_bytes / sizeof(T);
    static constexpr std::size_t chains = 16;
    static constexpr std::size_t steps = 4096;
    static constexpr double flops = 2.0 * lanes * chains * steps;
};

template <class T> void bm_peak(benchmark::State& state) {
    using vector = typename peak<T>::vector;
    T mul = T(0.999999), add = T(1e-7);
    vector acc[peak<T>::chains];
    for (std::size_t c = 0; c < peak<T>::chains; ++c) acc[c] = vector{} + static_cast<T>(c);
    for (auto _ : state) {
        benchmark::DoNotOptimize(mul);
        benchmark::DoNotOptimize(add);
        for (std::size_t step = 0; step < peak<T>::steps; ++step)
            for (std::size_t c = 0; c < peak<T>::chains; ++c) acc[c] = acc[c] * mul + add;
        benchmark::DoNotOptimize(acc);
    }
}

// ---- the table --------------------------------------------------------------------------------

struct case_info {
    std::string name;
    double flops;
    bool is_float;
};

std::vector<case_info>& cases() {
    static std::vector<case_info> c;
    return c;
}

template <class Shape> void add_case(const std::string& name, bool naive) {
    const std::string prefix = "attention/" + name + "/";
    cases().push_back({name, Shape::flops, std::is_same_v<typename Shape::type, float>});
    benchmark::RegisterBenchmark((prefix + "cxattn").c_str(), bm_cxattn<Shape>);
    benchmark::RegisterBenchmark((prefix + "kernels").c_str(), bm_kernels<Shape>);
    benchmark::RegisterBenchmark((prefix + "streaming").c_str(), bm_streaming<Shape>);
    benchmark::RegisterBenchmark((prefix + "kernels_streaming").c_str(), bm_kernels_streaming<Shape>);
    benchmark::RegisterBenchmark((prefix + "eigen").c_str(), bm_eigen<Shape>);
    if (naive) benchmark::RegisterBenchmark((prefix + "naive").c_str(), bm_naive<Shape>);
}

// Prints the console report and, at the end, the medians side by side: times, cxattn/Eigen and the
// fraction of the measured peak.
class table_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs)
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
                median_ns_[run.run_name.function_name] = run.GetAdjustedCPUTime() * to_ns(run.time_unit);
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        auto& out = GetOutputStream();
        const double peak_float = gflops("peak/float", peak<float>::flops);
        const double peak_double = gflops("peak/double", peak<double>::flops);
        char line[512];
        out << "\nMedians of CPU time (ns per call). cxattn: the public call; kernels, k_stream: cxattn::kernels\n"
               "called directly; ratio = cxattn / eigen; kern/e = kernels / eigen; str/fst = streaming / the\n"
               "faster of cxattn and kernels; kst/k = k_stream / kernels; peak, k_peak: GFLOP/s of cxattn and of\n"
               "kernels (2 L S Dk + 2 L S Dv per call) over the measured single-core peak of the element type\n";
        std::snprintf(line, sizeof line,
                      "single-core peak: float %.1f GFLOP/s, double %.1f GFLOP/s (%zu-lane FMA, %zu chains)\n",
                      peak_float, peak_double, peak<float>::lanes, peak<float>::chains);
        out << line;
        std::snprintf(line, sizeof line, "%-22s %10s %10s %10s %10s %10s %10s %7s %7s %7s %7s %7s %7s\n", "case",
                      "cxattn", "kernels", "streaming", "k_stream", "eigen", "naive", "ratio", "kern/e", "str/fst",
                      "kst/k", "peak", "k_peak");
        out << line;
        for (const case_info& c : cases()) {
            const std::string p = "attention/" + c.name + "/";
            const double api = get(p + "cxattn"), kern = get(p + "kernels"), stream = get(p + "streaming"),
                         kstream = get(p + "kernels_streaming"), eig = get(p + "eigen"), naive = get(p + "naive");
            const double fastest = std::fmin(api, kern);
            const double peak_of_type = c.is_float ? peak_float : peak_double;
            std::snprintf(line, sizeof line,
                          "%-22s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %7.3f %7.3f %7.3f %7.3f %6.1f%% %6.1f%%\n",
                          c.name.c_str(), api, kern, stream, kstream, eig, naive, api / eig, kern / eig,
                          stream / fastest, kstream / kern, 100.0 * c.flops / api / peak_of_type,
                          100.0 * c.flops / kern / peak_of_type);
            out << line;
        }
    }

private:
    static double to_ns(benchmark::TimeUnit unit) {
        switch (unit) {
        case benchmark::kNanosecond:
            return 1;
        case benchmark::kMicrosecond:
            return 1e3;
        case benchmark::kMillisecond:
            return 1e6;
        case benchmark::kSecond:
            return 1e9;
        }
        return 1;
    }
    double get(const std::string& name) const {
        const auto it = median_ns_.find(name);
        return it == median_ns_.end() ? std::nan("") : it->second;
    }
    double gflops(const std::string& name, double flops) const { return flops / get(name); }

    std::map<std::string, double> median_ns_;
};

} // namespace

int main(int argc, char** argv) {
    // Defaults that the command line can override (a later flag wins).
    std::string defaults[] = {"--benchmark_repetitions=15", "--benchmark_enable_random_interleaving=true",
                              "--benchmark_min_time=0.05", "--benchmark_report_aggregates_only=true"};
    std::vector<char*> args{argv[0]};
    for (std::string& d : defaults) args.push_back(d.data());
    args.insert(args.end(), argv + 1, argv + argc);
    int count = static_cast<int>(args.size());

    add_case<shape<float, 4, 4, 4, 4>>("float N=4", true);
    add_case<shape<float, 16, 16, 16, 16>>("float N=16", true);
    add_case<shape<float, 64, 64, 64, 64>>("float N=64", true);
    add_case<shape<float, 128, 128, 128, 128>>("float N=128", true);
    add_case<shape<double, 4, 4, 4, 4>>("double N=4", true);
    add_case<shape<double, 16, 16, 16, 16>>("double N=16", true);
    add_case<shape<double, 64, 64, 64, 64>>("double N=64", true);
    add_case<shape<float, 16, 128, 64, 64>>("float L=16 S=128 D=64", false);
    add_case<shape<float, 64, 64, 64, 64, true>>("float N=64 causal", false);
    benchmark::RegisterBenchmark("peak/float", bm_peak<float>);
    benchmark::RegisterBenchmark("peak/double", bm_peak<double>);

    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
