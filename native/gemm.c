/*
 * Single-precision GEMM for the trainer's matmuls: C = op(A) · op(B), row-major, with op = identity or
 * transpose. Goto/BLIS structure: B is packed in KC×NR panels, A in MR×KC panels, and a register-blocked
 * micro-kernel accumulates an MR×NR tile with fused multiply-adds.
 *
 * Determinism: every element is computed the same way on every code path — for each KC block of k, in
 * order, an FMA chain starting at 0, then added to C — so the AVX-512, AVX2 and scalar (fmaf) paths give
 * bit-identical results, independent of M/N tiling and of the CPU.
 */
#include "gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The vector micro-kernels use GCC/Clang target attributes and CPU detection (gcc, clang; not MSVC). */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TUNIX_X86 1
#endif

enum { KC = 256, MC = 120, NC = 512, MAX_MR = 8, MAX_NR = 32 };

/* Per-thread packing buffers (worker_threads share the process and this library). */
static _Thread_local float *pack_a = NULL;
static _Thread_local float *pack_b = NULL;

static int ensure_buffers(void) {
  if (pack_a == NULL) pack_a = (float *)aligned_alloc(64, sizeof(float) * (MC + MAX_MR) * KC);
  if (pack_b == NULL) pack_b = (float *)aligned_alloc(64, sizeof(float) * (NC + MAX_NR) * KC);
  return pack_a != NULL && pack_b != NULL;
}

/* Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-row panels: panel r holds kc groups of MR values (zero-padded). */
static void pack_a_block(const float *A, int ta, long lda, long i0, long mc, long p0, long kc, int MR, float *dst) {
  for (long ip = 0; ip < mc; ip += MR) {
    const long rows = mc - ip < MR ? mc - ip : MR;
    for (long k = 0; k < kc; k++) {
      float *d = dst + k * MR;
      long r = 0;
      if (!ta) {
        for (; r < rows; r++) d[r] = A[(i0 + ip + r) * lda + p0 + k];
      } else {
        const float *src = A + (p0 + k) * lda + i0 + ip;
        for (; r < rows; r++) d[r] = src[r];
      }
      for (; r < MR; r++) d[r] = 0.0f;
    }
    dst += (long)MR * kc;
  }
}

/* Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-column panels: panel j holds kc rows of NR values (zero-padded). */
static void pack_b_block(const float *B, int tb, long ldb, long p0, long kc, long j0, long nc, int NR, float *dst) {
  for (long jp = 0; jp < nc; jp += NR) {
    const long cols = nc - jp < NR ? nc - jp : NR;
    for (long k = 0; k < kc; k++) {
      float *d = dst + k * NR;
      long c = 0;
      if (!tb) {
        const float *src = B + (p0 + k) * ldb + j0 + jp;
        for (; c < cols; c++) d[c] = src[c];
      } else {
        for (; c < cols; c++) d[c] = B[(j0 + jp + c) * ldb + p0 + k];
      }
      for (; c < NR; c++) d[c] = 0.0f;
    }
    dst += (long)NR * kc;
  }
}

/*
 * Writes an MR×NR accumulator tile (row stride NR) into C: on the first k block C = acc (+ bias[j]),
 * afterwards C += acc.
 */
static inline void store_tile(const float *acc, int NR, float *C, long ldc, long rows, long cols, int first, const float *bias) {
  for (long r = 0; r < rows; r++) {
    float *c = C + r * ldc;
    const float *s = acc + r * NR;
    if (first && bias != NULL) {
      for (long j = 0; j < cols; j++) c[j] = s[j] + bias[j];
    } else if (first) {
      for (long j = 0; j < cols; j++) c[j] = s[j];
    } else {
      for (long j = 0; j < cols; j++) c[j] += s[j];
    }
  }
}

/* ---- micro-kernels: acc[MR][NR] = Σ_k Ap[k][r] · Bp[k][c] (FMA chain from 0) ---------------------- */

static void kernel_scalar(long kc, const float *Ap, const float *Bp, float *acc) {
  enum { MR = 4, NR = 8 };
  for (int i = 0; i < MR * NR; i++) acc[i] = 0.0f;
  for (long k = 0; k < kc; k++) {
    for (int r = 0; r < MR; r++) {
      const float a = Ap[k * MR + r];
      for (int c = 0; c < NR; c++) acc[r * NR + c] = fmaf(a, Bp[k * NR + c], acc[r * NR + c]);
    }
  }
}

#ifdef TUNIX_X86
__attribute__((target("avx2,fma"))) static void kernel_avx2(long kc, const float *Ap, const float *Bp, float *acc) {
  /* MR = 6, NR = 16: 12 ymm accumulators. */
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (long k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(Bp + k * 16), b1 = _mm256_load_ps(Bp + k * 16 + 8);
    const float *a = Ap + k * 6;
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00), c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10), c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20), c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30), c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40), c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50), c51 = _mm256_fmadd_ps(av, b1, c51);
  }
  _mm256_storeu_ps(acc + 0, c00), _mm256_storeu_ps(acc + 8, c01);
  _mm256_storeu_ps(acc + 16, c10), _mm256_storeu_ps(acc + 24, c11);
  _mm256_storeu_ps(acc + 32, c20), _mm256_storeu_ps(acc + 40, c21);
  _mm256_storeu_ps(acc + 48, c30), _mm256_storeu_ps(acc + 56, c31);
  _mm256_storeu_ps(acc + 64, c40), _mm256_storeu_ps(acc + 72, c41);
  _mm256_storeu_ps(acc + 80, c50), _mm256_storeu_ps(acc + 88, c51);
}

__attribute__((target("avx512f,fma"))) static void kernel_avx512(long kc, const float *Ap, const float *Bp, float *acc) {
  /* MR = 8, NR = 32: 16 zmm accumulators. */
  __m512 c[8][2];
  for (int r = 0; r < 8; r++) c[r][0] = _mm512_setzero_ps(), c[r][1] = _mm512_setzero_ps();
  for (long k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_load_ps(Bp + k * 32), b1 = _mm512_load_ps(Bp + k * 32 + 16);
    const float *a = Ap + k * 8;
#pragma GCC unroll 8
    for (int r = 0; r < 8; r++) {
      const __m512 av = _mm512_set1_ps(a[r]);
      c[r][0] = _mm512_fmadd_ps(av, b0, c[r][0]);
      c[r][1] = _mm512_fmadd_ps(av, b1, c[r][1]);
    }
  }
  for (int r = 0; r < 8; r++) _mm512_storeu_ps(acc + r * 32, c[r][0]), _mm512_storeu_ps(acc + r * 32 + 16, c[r][1]);
}
#endif

typedef void (*kernel_fn)(long, const float *, const float *, float *);

static kernel_fn kernel = NULL;
static int kernel_mr = 0, kernel_nr = 0;
static const char *kernel_isa = "scalar";

static void select_kernel(void) {
  if (kernel != NULL) return;
  kernel = kernel_scalar, kernel_mr = 4, kernel_nr = 8, kernel_isa = "scalar";
#ifdef TUNIX_X86
  const char *force = getenv("TUNIX_RT_GEMM_ISA");
  __builtin_cpu_init();
  const int want512 = force == NULL || strcmp(force, "avx512") == 0;
  const int want256 = force == NULL || strcmp(force, "avx2") == 0 || want512;
  if (want512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) {
    kernel = kernel_avx512, kernel_mr = 8, kernel_nr = 32, kernel_isa = "avx512";
  } else if (want256 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernel = kernel_avx2, kernel_mr = 6, kernel_nr = 16, kernel_isa = "avx2";
  }
#endif
}

const char *tunix_gemm_isa(void) {
  select_kernel();
  return kernel_isa;
}

int tunix_sgemm_ex(int ta, int tb, long M, long N, long K, const float *A, long lda, const float *B, long ldb, float *C, long ldc,
                   const float *bias) {
  select_kernel();
  if (M <= 0 || N <= 0) return 0;
  if (K <= 0) {
    for (long i = 0; i < M; i++) {
      for (long j = 0; j < N; j++) C[i * ldc + j] = bias != NULL ? bias[j] : 0.0f;
    }
    return 0;
  }
  if (!ensure_buffers()) return -1;
  const int MR = kernel_mr, NR = kernel_nr;
  float acc[MAX_MR * MAX_NR] __attribute__((aligned(64)));
  for (long jc = 0; jc < N; jc += NC) {
    const long nc = N - jc < NC ? N - jc : NC;
    for (long pc = 0; pc < K; pc += KC) {
      const long kc = K - pc < KC ? K - pc : KC;
      pack_b_block(B, tb, ldb, pc, kc, jc, nc, NR, pack_b);
      for (long ic = 0; ic < M; ic += MC) {
        const long mc = M - ic < MC ? M - ic : MC;
        pack_a_block(A, ta, lda, ic, mc, pc, kc, MR, pack_a);
        for (long jr = 0; jr < nc; jr += NR) {
          const float *Bp = pack_b + (jr / NR) * NR * kc;
          const long cols = nc - jr < NR ? nc - jr : NR;
          for (long ir = 0; ir < mc; ir += MR) {
            const float *Ap = pack_a + (ir / MR) * MR * kc;
            const long rows = mc - ir < MR ? mc - ir : MR;
            kernel(kc, Ap, Bp, acc);
            store_tile(acc, NR, C + (ic + ir) * ldc + jc + jr, ldc, rows, cols, pc == 0, bias != NULL ? bias + jc + jr : NULL);
          }
        }
      }
    }
  }
  return 0;
}

int tunix_sgemm(int ta, int tb, long M, long N, long K, const float *A, const float *B, float *C) {
  return tunix_sgemm_ex(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, C, N, NULL);
}
