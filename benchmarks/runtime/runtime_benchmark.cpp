// SPDX-License-Identifier: MIT
// Run-time speed of cxattn's attention against the same algorithm with Eigen 3.4's fixed-size
// matrices, with OpenBLAS's cblas_?gemm (one thread), and against a direct loop translation of the
// seed notebook, with the core's peak measured in the same run.
//
//   meson setup build-bench -Dbenchmarks=enabled && meson compile -C build-bench runtime-benchmark
//
// Every benchmark is repeated (--benchmark_repetitions, default 15) and the repetitions of all of
// them are run in one random interleaved order (--benchmark_enable_random_interleaving), so that a
// slow phase of a shared machine spreads over all the contenders instead of hitting one; the table
// at the end compares medians. FLOP counts are those of the matrix products, 2 L S Dk + 2 L S Dv
// (and the four projections in the multi-head case; softmax is not counted), for every
// implementation alike. The "peak" column divides by the peak of the vectors the flags target, so
// it means the fraction of the machine's peak with -march=native only.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cblas.h>

#include <cxattn/cxattn.hpp>
#include <cxattn/kernels.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <sstream>
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

// Eigen's row softmax: row maxCoeff, .array().exp() of the differences, row sums, division.
template <class W> void eigen_softmax(W& w) {
    using T = typename W::Scalar;
    const Eigen::Matrix<T, W::RowsAtCompileTime, 1> max = w.rowwise().maxCoeff();
    w = (w.colwise() - max).array().exp();
    const Eigen::Matrix<T, W::RowsAtCompileTime, 1> sum = w.rowwise().sum();
    w.array().colwise() /= sum.array();
}

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
        eigen_softmax(w);
        out.noalias() = w * v;
    }
};

// The row softmax of the OpenBLAS contender, as a numerical user writes it around two gemm calls:
// max-subtracted, std::exp, plain loops.
template <class T> void softmax_rows_plain(T* w, std::size_t rows, std::size_t cols) {
    for (std::size_t i = 0; i < rows; ++i) {
        T* row = w + i * cols;
        T max = row[0];
        for (std::size_t j = 1; j < cols; ++j) max = std::max(max, row[j]);
        T sum = 0;
        for (std::size_t j = 0; j < cols; ++j) sum += (row[j] = std::exp(row[j] - max));
        for (std::size_t j = 0; j < cols; ++j) row[j] /= sum;
    }
}

// C (M x N, row stride ldc) = alpha A B + beta C, row-major, B transposed if asked: OpenBLAS's
// cblas_sgemm or cblas_dgemm.
template <class T>
void gemm(bool b_transposed, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, std::size_t lda,
          const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    const auto tb = b_transposed ? CblasTrans : CblasNoTrans;
    const auto i = [](std::size_t x) { return static_cast<blasint>(x); };
    if constexpr (std::is_same_v<T, float>)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, tb, i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c, i(ldc));
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, tb, i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c, i(ldc));
}

// The same algorithm with OpenBLAS: gemm for Q K^T (the scale as its alpha), the plain row softmax,
// gemm for P V.
template <class Shape>
void blas_attention(const inputs<Shape>& in, matrix<typename Shape::type, Shape::l, Shape::dv>& out,
                    matrix<typename Shape::type, Shape::l, Shape::s>& w) {
    using T = typename Shape::type;
    constexpr std::size_t L = Shape::l, S = Shape::s, Dk = Shape::dk, Dv = Shape::dv;
    const T scale = T(1) / std::sqrt(static_cast<T>(Dk));
    gemm<T>(true, L, S, Dk, scale, in.q.values, Dk, in.k.values, Dk, T(0), w.values, S);
    if constexpr (Shape::causal)
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t j = i + 1; j < S; ++j) w.values[i * S + j] = -std::numeric_limits<T>::infinity();
    softmax_rows_plain(w.values, L, S);
    gemm<T>(false, L, Dv, S, T(1), w.values, S, in.v.values, Dv, T(0), out.values, Dv);
}

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

template <class Shape> void bm_eigen(benchmark::State& state) {
    auto& e = eigen_attention<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(e);
        e.run();
        benchmark::DoNotOptimize(e.out);
        benchmark::DoNotOptimize(e.w);
    }
}

template <class Shape> void bm_openblas(benchmark::State& state) {
    using T = typename Shape::type;
    auto& in = inputs<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        matrix<T, Shape::l, Shape::dv> out;
        matrix<T, Shape::l, Shape::s> w;
        blas_attention<Shape>(in, out, w);
        benchmark::DoNotOptimize(out);
        benchmark::DoNotOptimize(w);
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

// ---- multi-head attention ---------------------------------------------------------------------

// torch.nn.MultiheadAttention's computation (need_weights, averaged weights): E columns, H heads,
// L queries and S keys, query, key and value L x E, S x E, S x E. Weights uniform in
// [-1/sqrt(E), 1/sqrt(E)), inputs in [-1, 1).
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t H> struct mha_shape {
    using type = T;
    static constexpr std::size_t l = L, s = S, e = E, heads = H, head_dim = E / H;
    // The products: four projections and, per head, Q K^T and P V.
    static constexpr double flops = 2.0 * (2 * L + 2 * S) * E * E + 4.0 * L * S * E;
};

template <class Shape> struct mha_inputs {
    using T = typename Shape::type;
    static constexpr std::size_t L = Shape::l, S = Shape::s, E = Shape::e;
    matrix<T, L, E> q;
    matrix<T, S, E> k, v;
    cxattn::mha_params<T, E, Shape::heads> params;

    static mha_inputs& get() {
        static mha_inputs in = [] {
            mha_inputs r;
            std::mt19937_64 rng(42);
            std::uniform_real_distribution<T> u(T(-1), T(1));
            const T bound = T(1) / std::sqrt(static_cast<T>(E));
            for (T& x : r.q.values) x = u(rng);
            for (T& x : r.k.values) x = u(rng);
            for (T& x : r.v.values) x = u(rng);
            for (auto* m : {&r.params.q_proj, &r.params.k_proj, &r.params.v_proj, &r.params.out_proj})
                for (T& x : m->values) x = bound * u(rng);
            for (auto* m : {&r.params.q_bias, &r.params.k_bias, &r.params.v_bias, &r.params.out_bias})
                for (T& x : m->values) x = bound * u(rng);
            return r;
        }();
        return in;
    }
};

template <class Shape> struct eigen_multi_head {
    using T = typename Shape::type;
    static constexpr std::size_t L = Shape::l, S = Shape::s, E = Shape::e, D = Shape::head_dim;
    eigen_matrix<T, L, E> q, qp, heads, out;
    eigen_matrix<T, S, E> k, v, kp, vp;
    eigen_matrix<T, E, E> wq, wk, wv, wo;
    eigen_matrix<T, 1, E> bq, bk, bv, bo;
    eigen_matrix<T, L, S> w, weights;

    static eigen_multi_head& get() {
        static eigen_multi_head e = [] {
            eigen_multi_head r;
            const auto& in = mha_inputs<Shape>::get();
            const auto copy = [](auto& to, const auto& from) {
                for (std::size_t i = 0; i < from.size(); ++i) to.data()[i] = from.values[i];
            };
            copy(r.q, in.q), copy(r.k, in.k), copy(r.v, in.v);
            copy(r.wq, in.params.q_proj), copy(r.wk, in.params.k_proj), copy(r.wv, in.params.v_proj);
            copy(r.wo, in.params.out_proj), copy(r.bq, in.params.q_bias), copy(r.bk, in.params.k_bias);
            copy(r.bv, in.params.v_bias), copy(r.bo, in.params.out_bias);
            return r;
        }();
        return e;
    }

    void run() {
        const T scale = T(1) / std::sqrt(static_cast<T>(D));
        qp.noalias() = q * wq.transpose();
        qp.rowwise() += bq;
        kp.noalias() = k * wk.transpose();
        kp.rowwise() += bk;
        vp.noalias() = v * wv.transpose();
        vp.rowwise() += bv;
        weights.setZero();
        for (std::size_t h = 0; h < Shape::heads; ++h) {
            const auto c = static_cast<Eigen::Index>(h * D);
            w.noalias() = qp.template middleCols<D>(c) * kp.template middleCols<D>(c).transpose();
            w *= scale;
            eigen_softmax(w);
            heads.template middleCols<D>(c).noalias() = w * vp.template middleCols<D>(c);
            weights += w;
        }
        weights /= static_cast<T>(Shape::heads);
        out.noalias() = heads * wo.transpose();
        out.rowwise() += bo;
    }
};

// The same with OpenBLAS: y = x W^T + b as gemm onto rows of b, the heads as strided gemm calls.
template <class Shape> struct blas_multi_head {
    using T = typename Shape::type;
    static constexpr std::size_t L = Shape::l, S = Shape::s, E = Shape::e, D = Shape::head_dim;
    matrix<T, L, E> qp, heads, out;
    matrix<T, S, E> kp, vp;
    matrix<T, L, S> w, weights;

    template <std::size_t Rows>
    static void project(const matrix<T, Rows, E>& x, const matrix<T, E, E>& weight, const matrix<T, 1, E>& bias,
                        matrix<T, Rows, E>& y) {
        for (std::size_t i = 0; i < Rows; ++i)
            for (std::size_t o = 0; o < E; ++o) y.values[i * E + o] = bias.values[o];
        gemm<T>(true, Rows, E, E, T(1), x.values, E, weight.values, E, T(1), y.values, E);
    }

    void run(const mha_inputs<Shape>& in) {
        const T scale = T(1) / std::sqrt(static_cast<T>(D));
        project(in.q, in.params.q_proj, in.params.q_bias, qp);
        project(in.k, in.params.k_proj, in.params.k_bias, kp);
        project(in.v, in.params.v_proj, in.params.v_bias, vp);
        for (T& x : weights.values) x = T(0);
        for (std::size_t h = 0; h < Shape::heads; ++h) {
            gemm<T>(true, L, S, D, scale, qp.values + h * D, E, kp.values + h * D, E, T(0), w.values, S);
            softmax_rows_plain(w.values, L, S);
            gemm<T>(false, L, D, S, T(1), w.values, S, vp.values + h * D, E, T(0), heads.values + h * D, E);
            for (std::size_t i = 0; i < L * S; ++i) weights.values[i] += w.values[i];
        }
        for (T& x : weights.values) x /= static_cast<T>(Shape::heads);
        project(heads, in.params.out_proj, in.params.out_bias, out);
    }
};

template <class Shape> void bm_mha_cxattn(benchmark::State& state) {
    auto& in = mha_inputs<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        auto r = cxattn::multi_head_attention(in.q, in.k, in.v, in.params);
        benchmark::DoNotOptimize(r);
    }
}

template <class Shape> void bm_mha_eigen(benchmark::State& state) {
    auto& e = eigen_multi_head<Shape>::get();
    for (auto _ : state) {
        benchmark::DoNotOptimize(e);
        e.run();
        benchmark::DoNotOptimize(e.out);
        benchmark::DoNotOptimize(e.weights);
    }
}

template <class Shape> void bm_mha_openblas(benchmark::State& state) {
    auto& in = mha_inputs<Shape>::get();
    static blas_multi_head<Shape> b;
    for (auto _ : state) {
        benchmark::DoNotOptimize(in);
        b.run(in);
        benchmark::DoNotOptimize(b.out);
        benchmark::DoNotOptimize(b.weights);
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

const std::string contenders[] = {"cxattn", "streaming", "eigen", "openblas", "naive"};

template <class Shape> void add_case(const std::string& name, bool naive) {
    const std::string prefix = "attention/" + name + "/";
    cases().push_back({name, Shape::flops, std::is_same_v<typename Shape::type, float>});
    benchmark::RegisterBenchmark((prefix + "cxattn").c_str(), bm_cxattn<Shape>);
    benchmark::RegisterBenchmark((prefix + "streaming").c_str(), bm_streaming<Shape>);
    benchmark::RegisterBenchmark((prefix + "eigen").c_str(), bm_eigen<Shape>);
    benchmark::RegisterBenchmark((prefix + "openblas").c_str(), bm_openblas<Shape>);
    if (naive) benchmark::RegisterBenchmark((prefix + "naive").c_str(), bm_naive<Shape>);
}

template <class Shape> void add_multi_head_case(const std::string& name) {
    const std::string prefix = "attention/" + name + "/";
    cases().push_back({name, Shape::flops, std::is_same_v<typename Shape::type, float>});
    benchmark::RegisterBenchmark((prefix + "cxattn").c_str(), bm_mha_cxattn<Shape>);
    benchmark::RegisterBenchmark((prefix + "eigen").c_str(), bm_mha_eigen<Shape>);
    benchmark::RegisterBenchmark((prefix + "openblas").c_str(), bm_mha_openblas<Shape>);
}

// The machine, the compiler and the vector registers the flags target: printed with the table,
// since its times hold for that processor only.
std::string machine() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line, model = "unknown", flags;
    while (std::getline(cpuinfo, line)) {
        const auto value = [&] { return line.substr(line.find(':') + 2); };
        if (line.rfind("model name", 0) == 0 && model == "unknown") model = value();
        if (line.rfind("flags", 0) == 0 && flags.empty()) flags = value();
    }
    std::string simd;
    std::istringstream words(flags);
    for (std::string w; words >> w;)
        if (w == "sse2" || w == "avx" || w == "avx2" || w == "fma" || w.rfind("avx512", 0) == 0) simd += " " + w;
#if defined(__AVX512F__)
    const char* target = "AVX-512";
#elif defined(__AVX2__)
    const char* target = "AVX2";
#elif defined(__AVX__)
    const char* target = "AVX";
#else
    const char* target = "SSE2";
#endif
#if defined(__clang__)
    const std::string compiler = "Clang " __clang_version__;
#else
    const std::string compiler = "GCC " __VERSION__;
#endif
    return "processor: " + model + "\nprocessor flags (SIMD):" + simd + "\ncompiler: " + compiler + "; code for " +
           target + " (" + std::to_string(cxattn::kernels::detail::vector_bytes) + "-byte vectors); OpenBLAS " +
           openblas_get_config() + "\n";
}

// Prints the console report and, at the end, the machine and the medians side by side: times, the
// ratios of cxattn to its peers and the fraction of the measured peak.
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
        out << "\n" << machine();
        out << "Medians of CPU time (ns per call). c/eigen = cxattn / eigen; c/blas = cxattn / openblas;\n"
               "str/c = streaming / cxattn; peak: cxattn's GFLOP/s (the matrix products' flops) over the\n"
               "single-core peak of the element type measured in this run\n";
        std::snprintf(line, sizeof line,
                      "single-core peak: float %.1f GFLOP/s, double %.1f GFLOP/s (%zu-lane FMA, %zu chains)\n",
                      peak_float, peak_double, peak<float>::lanes, peak<float>::chains);
        out << line;
        std::snprintf(line, sizeof line, "%-24s %10s %10s %10s %10s %10s %7s %7s %7s %7s\n", "case", "cxattn",
                      "streaming", "eigen", "openblas", "naive", "c/eigen", "c/blas", "str/c", "peak");
        out << line;
        for (const case_info& c : cases()) {
            const std::string p = "attention/" + c.name + "/";
            const double api = get(p + "cxattn"), stream = get(p + "streaming"), eig = get(p + "eigen"),
                         blas = get(p + "openblas"), naive = get(p + "naive");
            const double peak_of_type = c.is_float ? peak_float : peak_double;
            std::snprintf(line, sizeof line, "%-24s %10.1f %10.1f %10.1f %10.1f %10.1f %7.3f %7.3f %7.3f %6.1f%%\n",
                          c.name.c_str(), api, stream, eig, blas, naive, api / eig, api / blas, stream / api,
                          100.0 * c.flops / api / peak_of_type);
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

    openblas_set_num_threads(1); // one core, as every other contender
    add_case<shape<float, 4, 4, 4, 4>>("float N=4", true);
    add_case<shape<float, 8, 8, 8, 8>>("float N=8", true);
    add_case<shape<float, 16, 16, 16, 16>>("float N=16", true);
    add_case<shape<float, 32, 32, 32, 32>>("float N=32", true);
    add_case<shape<float, 64, 64, 64, 64>>("float N=64", true);
    add_case<shape<float, 128, 128, 128, 128>>("float N=128", true);
    add_case<shape<double, 4, 4, 4, 4>>("double N=4", true);
    add_case<shape<double, 16, 16, 16, 16>>("double N=16", true);
    add_case<shape<double, 64, 64, 64, 64>>("double N=64", true);
    add_case<shape<float, 16, 128, 64, 64>>("float L=16 S=128 D=64", false);
    add_case<shape<float, 64, 64, 64, 64, true>>("float N=64 causal", false);
    add_multi_head_case<mha_shape<float, 64, 64, 64, 4>>("float MHA E=64 H=4 N=64");
    benchmark::RegisterBenchmark("peak/float", bm_peak<float>);
    benchmark::RegisterBenchmark("peak/double", bm_peak<double>);

    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    table_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
