// SPDX-License-Identifier: MIT
// The stack each entry point needs at run time, measured by painting: a thread runs the call on a
// stack the test owns (pthread_attr_setstack), filled with a pattern first, and the deepest byte
// that no longer holds the pattern is the high-water mark. The calls write into caller-owned
// results in static storage, so the figure is the function's own stack; it must be below the
// formula of docs/semantics.md ("Stack at run time"), for N = 16, 64 and 256 (float, every size N).
// The figures are printed: `build/tests/runtime/test_stack --log_level=message`.
#define BOOST_TEST_MODULE runtime_stack
#include <boost/test/unit_test.hpp>

#include <cxattn/cxattn.hpp>

#include <pthread.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

using cxattn::matrix;

namespace {

constexpr std::size_t stack_bytes = 8u << 20;
alignas(4096) unsigned char stack_memory[stack_bytes];
constexpr unsigned char paint = 0xA5;

template <class F> void* trampoline(void* f) {
    (*static_cast<F*>(f))();
    return nullptr;
}

// The bytes of a stack of `size` bytes that f(), run in a thread on it, touched; this includes the
// thread's start (glibc keeps its descriptor and TLS at the top of a stack it is given), which
// baseline() measures.
template <class F> std::size_t high_water(F f, std::size_t size = stack_bytes) {
    unsigned char* base = stack_memory + (stack_bytes - size);
    std::memset(base, paint, size);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    BOOST_REQUIRE(pthread_attr_setstack(&attr, base, size) == 0);
    pthread_t thread;
    BOOST_REQUIRE(pthread_create(&thread, &attr, &trampoline<F>, &f) == 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
    std::size_t untouched = 0;
    while (untouched < size && base[untouched] == paint) ++untouched;
    return size - untouched;
}

std::size_t baseline() {
    static const std::size_t bytes = high_water([] {});
    return bytes;
}

// Frames along the call chain beyond the arrays of the formulas (the micro-kernel's tile, loop
// state, saved registers): measured below 2 KiB; 4 KiB allowed.
constexpr std::size_t frames = 4096;

template <class T> constexpr std::size_t nr = cxattn::kernels::detail::nr<T>;
template <class T> constexpr std::size_t kc_max = cxattn::kernels::detail::kc_max<T>;
constexpr std::size_t min(std::size_t a, std::size_t b) { return a < b ? a : b; }
constexpr std::size_t max(std::size_t a, std::size_t b) { return a > b ? a : b; }

// The formulas of docs/semantics.md for the run-time kernels, in bytes.
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv> constexpr std::size_t sdpa_bound() {
    return sizeof(T) * nr<T> * min(max(Dk, S), kc_max<T>) + frames; // one packed panel
}
template <class T, std::size_t L, std::size_t S, std::size_t Dk, std::size_t Dv>
constexpr std::size_t streaming_bound() {
    return 32768 + 2 * 8192 + 2 * sizeof(T) * cxattn::kernels::detail::stream_query_block<T> + frames;
}
template <class T, std::size_t L, std::size_t S, std::size_t E, std::size_t H> constexpr std::size_t mha_bound() {
    constexpr std::size_t head_dim = E / H, rows = min(L, 32);
    return sizeof(T) * (2 * S * head_dim + max(rows * (head_dim + S), rows * E)) + 32768 + frames;
}

template <class T, std::size_t N> struct operands {
    matrix<T, N, N> q, k, v;
    cxattn::mha_params<T, N, 4> params;
    matrix<bool, N, N> keep;
    cxattn::attention_result<T, N, N, N> result;
    matrix<T, N, N> output;
    operands() {
        for (std::size_t i = 0; i < N * N; ++i) {
            q.values[i] = T(i % 7) / 7;
            k.values[i] = T(i % 5) / 5;
            v.values[i] = T(i % 3) / 3;
            keep.values[i] = i % 11 != 0;
            params.q_proj.values[i] = params.k_proj.values[i] = params.v_proj.values[i] = params.out_proj.values[i] =
                T(i % 13) / (13 * N);
        }
    }
};

template <std::size_t N> void check_size() {
    using T = float;
    static operands<T, N> o; // static storage: the results are not on the measured stack
    const std::size_t start = baseline();
    const std::size_t sdpa = high_water([] { cxattn::scaled_dot_product_attention(o.q, o.k, o.v, o.result); }) - start;
    const std::size_t sdpa_masked =
        high_water([] { cxattn::scaled_dot_product_attention(o.q, o.k, o.v, o.result, cxattn::causal, o.keep); }) -
        start;
    const std::size_t streaming =
        high_water([] { cxattn::streaming_attention(o.q, o.k, o.v, cxattn::into(o.output)); }) - start;
    const std::size_t streaming_masked =
        high_water([] { cxattn::streaming_attention(o.q, o.k, o.v, cxattn::into(o.output), cxattn::causal, o.keep); }) -
        start;
    const std::size_t mha = high_water([] { cxattn::multi_head_attention(o.q, o.k, o.v, o.params, o.result); }) - start;
    BOOST_TEST_MESSAGE("N = " << N << ": scaled_dot_product_attention " << sdpa << " B (masked " << sdpa_masked
                              << "), streaming_attention " << streaming << " B (masked " << streaming_masked
                              << "), multi_head_attention (4 heads) " << mha << " B; thread start " << start << " B");
    BOOST_TEST(max(sdpa, sdpa_masked) < (sdpa_bound<T, N, N, N, N>()));
    BOOST_TEST(max(streaming, streaming_masked) < (streaming_bound<T, N, N, N, N>()));
    BOOST_TEST(mha < (mha_bound<T, N, N, N, 4>()));
    // The streaming kernel's stack is below what the materialising call needs when it returns its
    // result (output and weights) on the stack.
    BOOST_TEST(max(streaming, streaming_masked) < sizeof(o.result) + sdpa);
}

} // namespace

BOOST_AUTO_TEST_CASE(stack_below_the_documented_formulas) {
    check_size<16>();
    check_size<64>();
    check_size<256>();
}

BOOST_AUTO_TEST_CASE(streaming_n256_in_a_64_kib_thread) {
    static operands<float, 256> o;
    static matrix<float, 256, 256> expected;
    expected = cxattn::scaled_dot_product_attention(o.q, o.k, o.v).output;
    const std::size_t used =
        high_water([] { cxattn::streaming_attention(o.q, o.k, o.v, cxattn::into(o.output)); }, 65536);
    BOOST_TEST_MESSAGE("streaming_attention N = 256 in a 64 KiB thread: " << used << " B of it touched");
    BOOST_TEST(used < 65536u);
    for (std::size_t i = 0; i < 256 * 256; ++i)
        BOOST_TEST(o.output.values[i] == expected.values[i], boost::test_tools::tolerance(1e-5f));
}
