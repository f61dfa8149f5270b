/*
 * Fused forward/backward kernels of the GPT training step (one call replaces 5–25 tfjs ops each):
 * linear with bias, LayerNorm, causal multi-head attention on the [B, T, C] layout (no head
 * transposes), tanh-GELU and the token-weighted softmax cross-entropy. Loops run in a fixed order and
 * every product goes through tunix_sgemm_ex, so results are deterministic and the same on every CPU.
 * Shapes and formulas follow nanoGPT / llm.c.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>

#include "gemm.h"

/*
 * exp(x) for float32, Cephes-style, on 8 lanes at a time (GCC vector extensions): x = n·ln2 + r with
 * |r| ≤ ln2/2, a degree-6 polynomial for e^r, then the exponent bits. Max relative error ~2 ulp. Every
 * lane does the same IEEE operations whatever the instruction set (no FMA contraction:
 * -ffp-contract=off), so the AVX-512 / AVX2 / SSE2 clones give identical bits. libm's expf is a
 * scalar call (~10 ns); this is ~1 ns per value.
 */
#define INLINE static inline __attribute__((always_inline))

typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

INLINE v8f v8_splat(float f) { return (v8f){f, f, f, f, f, f, f, f}; }

INLINE v8f v8_select(v8i mask, v8f a, v8f b) { return (v8f)(((v8i)a & mask) | ((v8i)b & ~mask)); }

INLINE v8f exp8(v8f x) {
  x = v8_select(x < v8_splat(-87.0f), v8_splat(-87.0f), x);
  x = v8_select(x > v8_splat(88.0f), v8_splat(88.0f), x);
  const v8f t = x * v8_splat(1.44269504088896341f);
  /* round to nearest (even): adding and subtracting 1.5·2²³ drops the fraction */
  const v8f fn = (t + v8_splat(12582912.0f)) - v8_splat(12582912.0f);
  const v8i n = __builtin_convertvector(fn, v8i);
  v8f r = x - fn * v8_splat(0.693359375f);
  r = r - fn * v8_splat(-2.12194440e-4f);
  v8f p = v8_splat(1.9875691500e-4f);
  p = p * r + v8_splat(1.3981999507e-3f);
  p = p * r + v8_splat(8.3334519073e-3f);
  p = p * r + v8_splat(4.1665795894e-2f);
  p = p * r + v8_splat(1.6666665459e-1f);
  p = p * r + v8_splat(5.0000001201e-1f);
  p = p * r * r + r + v8_splat(1.0f);
  return p * (v8f)((n + 127) << 23);
}

/* Loads up to 8 floats (missing lanes = `fill`) and stores the first n lanes back. */
INLINE v8f v8_load(const float *p, long n, float fill) {
  v8f v = v8_splat(fill);
  for (long i = 0; i < n && i < 8; i++) v[i] = p[i];
  return v;
}
INLINE void v8_store(float *p, v8f v, long n) {
  for (long i = 0; i < n && i < 8; i++) p[i] = v[i];
}

static void exp_shifted(float *row, long n, float shift);

/* row[j] = exp(row[j] - shift) for j < n. */
INLINE void exp_shifted_body(float *row, long n, float shift) {
  long j = 0;
  for (; j + 8 <= n; j += 8) {
    v8f v;
    __builtin_memcpy(&v, row + j, sizeof v);
    v = exp8(v - v8_splat(shift));
    __builtin_memcpy(row + j, &v, sizeof v);
  }
  if (j < n) v8_store(row + j, exp8(v8_load(row + j, n - j, shift) - v8_splat(shift)), n - j);
}

/* ---- linear: y = x·W + b (W [in, out]) or y = x·Wᵀ (+ b) (W [out, in], the tied head) -------------- */

int tunix_linear_fwd(const float *x, const float *W, const float *b, float *y, long N, long in, long out, int transW) {
  return transW ? tunix_sgemm_ex(0, 1, N, out, in, x, in, W, in, y, out, b) : tunix_sgemm_ex(0, 0, N, out, in, x, in, W, out, y, out, b);
}

int tunix_linear_bwd(const float *dy, const float *x, const float *W, float *dx, float *dW, float *db, long N, long in, long out,
                     int transW) {
  int rc;
  if (!transW) {
    rc = tunix_sgemm_ex(0, 1, N, in, out, dy, out, W, out, dx, in, NULL); /* dx = dy·Wᵀ */
    if (rc == 0) rc = tunix_sgemm_ex(1, 0, in, out, N, x, in, dy, out, dW, out, NULL); /* dW = xᵀ·dy */
  } else {
    rc = tunix_sgemm_ex(0, 0, N, in, out, dy, out, W, in, dx, in, NULL); /* dx = dy·W */
    if (rc == 0) rc = tunix_sgemm_ex(1, 0, out, in, N, dy, out, x, in, dW, in, NULL); /* dW = dyᵀ·x */
  }
  if (rc != 0 || db == NULL) return rc;
  for (long j = 0; j < out; j++) db[j] = 0.0f;
  for (long i = 0; i < N; i++) {
    const float *r = dy + i * out;
    for (long j = 0; j < out; j++) db[j] += r[j];
  }
  return 0;
}

/* ---- LayerNorm over the last axis of x [N, C] ------------------------------------------------------ */

void tunix_layernorm_fwd(const float *x, const float *g, const float *b, float *y, float *mean, float *rstd, long N, long C,
                         float eps) {
  for (long i = 0; i < N; i++) {
    const float *xi = x + i * C;
    float m = 0.0f;
    for (long c = 0; c < C; c++) m += xi[c];
    m /= (float)C;
    float v = 0.0f;
    for (long c = 0; c < C; c++) {
      const float d = xi[c] - m;
      v += d * d;
    }
    v /= (float)C;
    const float r = 1.0f / sqrtf(v + eps);
    float *yi = y + i * C;
    for (long c = 0; c < C; c++) yi[c] = (xi[c] - m) * r * g[c] + b[c];
    mean[i] = m;
    rstd[i] = r;
  }
}

void tunix_layernorm_bwd(const float *dy, const float *x, const float *g, const float *mean, const float *rstd, float *dx, float *dg,
                         float *db, long N, long C) {
  for (long c = 0; c < C; c++) dg[c] = 0.0f, db[c] = 0.0f;
  for (long i = 0; i < N; i++) {
    const float *xi = x + i * C, *dyi = dy + i * C;
    const float m = mean[i], r = rstd[i];
    float s1 = 0.0f, s2 = 0.0f; /* Σ dy·g and Σ dy·g·x̂ */
    for (long c = 0; c < C; c++) {
      const float xhat = (xi[c] - m) * r;
      const float dn = dyi[c] * g[c];
      s1 += dn;
      s2 += dn * xhat;
      dg[c] += dyi[c] * xhat;
      db[c] += dyi[c];
    }
    s1 /= (float)C;
    s2 /= (float)C;
    float *dxi = dx + i * C;
    for (long c = 0; c < C; c++) {
      const float xhat = (xi[c] - m) * r;
      dxi[c] = (dyi[c] * g[c] - s1 - xhat * s2) * r;
    }
  }
}

/* ---- causal multi-head attention on [B, T, C] (head h = channels [h·hd, (h+1)·hd)) ----------------- */

static _Thread_local float *scratch = NULL;
static _Thread_local long scratch_len = 0;

static float *scratch_floats(long n) {
  if (n > scratch_len) {
    free(scratch);
    scratch = (float *)aligned_alloc(64, sizeof(float) * (size_t)((n + 15) / 16 * 16));
    scratch_len = scratch == NULL ? 0 : n;
  }
  return scratch;
}

int tunix_attention_fwd(const float *q, const float *k, const float *v, float *out, float *att, long B, long T, long C, long H) {
  const long hd = C / H;
  const float scale = 1.0f / sqrtf((float)hd);
  for (long b = 0; b < B; b++) {
    for (long h = 0; h < H; h++) {
      const long off = b * T * C + h * hd;
      float *P = att + (b * H + h) * T * T;
      if (tunix_sgemm_ex(0, 1, T, T, hd, q + off, C, k + off, C, P, T, NULL) != 0) return -1; /* S = Q·Kᵀ */
      for (long i = 0; i < T; i++) {
        float *row = P + i * T;
        float mx = -INFINITY;
        for (long j = 0; j <= i; j++) {
          row[j] *= scale;
          if (row[j] > mx) mx = row[j];
        }
        exp_shifted(row, i + 1, mx);
        float sum = 0.0f;
        for (long j = 0; j <= i; j++) sum += row[j];
        const float inv = 1.0f / sum;
        for (long j = 0; j <= i; j++) row[j] *= inv;
        for (long j = i + 1; j < T; j++) row[j] = 0.0f;
      }
      if (tunix_sgemm_ex(0, 0, T, hd, T, P, T, v + off, C, out + off, C, NULL) != 0) return -1; /* O = P·V */
    }
  }
  return 0;
}

int tunix_attention_bwd(const float *dout, const float *q, const float *k, const float *v, const float *att, float *dq, float *dk,
                        float *dv, long B, long T, long C, long H) {
  const long hd = C / H;
  const float scale = 1.0f / sqrtf((float)hd);
  float *dS = scratch_floats(T * T);
  if (dS == NULL) return -1;
  for (long b = 0; b < B; b++) {
    for (long h = 0; h < H; h++) {
      const long off = b * T * C + h * hd;
      const float *P = att + (b * H + h) * T * T;
      if (tunix_sgemm_ex(0, 1, T, T, hd, dout + off, C, v + off, C, dS, T, NULL) != 0) return -1; /* dP = dO·Vᵀ */
      for (long i = 0; i < T; i++) {
        const float *p = P + i * T;
        float *d = dS + i * T;
        float dot = 0.0f;
        for (long j = 0; j <= i; j++) dot += p[j] * d[j];
        for (long j = 0; j <= i; j++) d[j] = p[j] * (d[j] - dot) * scale; /* softmax backward, scaled */
        for (long j = i + 1; j < T; j++) d[j] = 0.0f;
      }
      if (tunix_sgemm_ex(0, 0, T, hd, T, dS, T, k + off, C, dq + off, C, NULL) != 0) return -1; /* dQ = dS·K */
      if (tunix_sgemm_ex(1, 0, T, hd, T, dS, T, q + off, C, dk + off, C, NULL) != 0) return -1; /* dK = dSᵀ·Q */
      if (tunix_sgemm_ex(1, 0, T, hd, T, P, T, dout + off, C, dv + off, C, NULL) != 0) return -1; /* dV = Pᵀ·dO */
    }
  }
  return 0;
}

/* ---- GELU, tanh approximation, as x·σ(2u) with u = √(2/π)(x + 0.044715x³) --------------------------- */

#define GELU_K 0.7978845608028654f
#define GELU_C 0.044715f

/* One 8-lane block of GELU: y = x·σ(2u); with dy also the gradient dy·(σ + x·σ(1−σ)·2u'). */
INLINE v8f gelu8(v8f x) {
  const v8f u = v8_splat(GELU_K) * (x + v8_splat(GELU_C) * x * x * x);
  return x / (v8_splat(1.0f) + exp8(v8_splat(-2.0f) * u));
}
INLINE v8f gelu_grad8(v8f x, v8f dy) {
  const v8f u = v8_splat(GELU_K) * (x + v8_splat(GELU_C) * x * x * x);
  const v8f s = v8_splat(1.0f) / (v8_splat(1.0f) + exp8(v8_splat(-2.0f) * u));
  const v8f du = v8_splat(GELU_K) * (v8_splat(1.0f) + v8_splat(3.0f * GELU_C) * x * x);
  return dy * (s + x * s * (v8_splat(1.0f) - s) * v8_splat(2.0f) * du);
}

INLINE void gelu_fwd_body(const float *x, float *y, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    v8f v;
    __builtin_memcpy(&v, x + i, sizeof v);
    v = gelu8(v);
    __builtin_memcpy(y + i, &v, sizeof v);
  }
  if (i < n) v8_store(y + i, gelu8(v8_load(x + i, n - i, 0.0f)), n - i);
}

INLINE void gelu_bwd_body(const float *dy, const float *x, float *dx, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    v8f v, d;
    __builtin_memcpy(&v, x + i, sizeof v);
    __builtin_memcpy(&d, dy + i, sizeof d);
    v = gelu_grad8(v, d);
    __builtin_memcpy(dx + i, &v, sizeof v);
  }
  if (i < n) v8_store(dx + i, gelu_grad8(v8_load(x + i, n - i, 0.0f), v8_load(dy + i, n - i, 0.0f)), n - i);
}

/* ---- AdamW: the same float64 arithmetic, in the same order, as src/train/kernels/adamw-fused.ts -------- */

INLINE void adamw_body(const float *restrict p, const float *restrict g, const float *restrict m, const float *restrict v,
                       float *restrict po, float *restrict mo, float *restrict vo, long n, double gradScale,
                 double beta1, double beta2, double c1, double c2, double stepScale, double invBc2, double eps, double decayFactor) {
  for (long i = 0; i < n; i++) {
    const double gr = (double)g[i] * gradScale;
    const double m1 = beta1 * (double)m[i] + c1 * gr;
    const double v1 = beta2 * (double)v[i] + c2 * gr * gr;
    mo[i] = (float)m1;
    vo[i] = (float)v1;
    po[i] = (float)((double)p[i] * decayFactor - (stepScale * m1) / (sqrt(v1 * invBc2) + eps));
  }
}

/*
 * The vector loops compiled once per instruction set and picked with the GEMM's choice (so
 * TUNIX_RT_GEMM_ISA forces both, and tests can compare the variants bit for bit).
 */
#define VECTOR_VARIANTS(suffix, attr)                                                                                   \
  attr static void exp_shifted_##suffix(float *row, long n, float shift) { exp_shifted_body(row, n, shift); }             \
  attr static void gelu_fwd_##suffix(const float *x, float *y, long n) { gelu_fwd_body(x, y, n); }                        \
  attr static void gelu_bwd_##suffix(const float *dy, const float *x, float *dx, long n) { gelu_bwd_body(dy, x, dx, n); } \
  attr static void adamw_##suffix(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, \
                                  long n, double gs, double b1, double b2, double c1, double c2, double ss, double ib, double eps,  \
                                  double df) {                                                                                   \
    adamw_body(p, g, m, v, po, mo, vo, n, gs, b1, b2, c1, c2, ss, ib, eps, df);                                                   \
  }

VECTOR_VARIANTS(base, )
#if defined(__x86_64__) && defined(__GNUC__)
VECTOR_VARIANTS(avx2, __attribute__((target("avx2"))))
VECTOR_VARIANTS(avx512, __attribute__((target("avx512f"))))
#endif

typedef struct {
  void (*exp_shifted)(float *, long, float);
  void (*gelu_fwd)(const float *, float *, long);
  void (*gelu_bwd)(const float *, const float *, float *, long);
  void (*adamw)(const float *, const float *, const float *, const float *, float *, float *, float *, long, double, double, double,
                double, double, double, double, double, double);
} VectorOps;

static const VectorOps *vector_ops(void) {
  static const VectorOps base = {exp_shifted_base, gelu_fwd_base, gelu_bwd_base, adamw_base};
#if defined(__x86_64__) && defined(__GNUC__)
  static const VectorOps avx2 = {exp_shifted_avx2, gelu_fwd_avx2, gelu_bwd_avx2, adamw_avx2};
  static const VectorOps avx512 = {exp_shifted_avx512, gelu_fwd_avx512, gelu_bwd_avx512, adamw_avx512};
  const char *isa = tunix_gemm_isa();
  if (isa[0] == 'a' && isa[3] == '5') return &avx512;
  if (isa[0] == 'a' && isa[3] == '2') return &avx2;
#endif
  return &base;
}

static void exp_shifted(float *row, long n, float shift) { vector_ops()->exp_shifted(row, n, shift); }

void tunix_gelu_fwd(const float *x, float *y, long n) { vector_ops()->gelu_fwd(x, y, n); }

void tunix_gelu_bwd(const float *dy, const float *x, float *dx, long n) { vector_ops()->gelu_bwd(dy, x, dx, n); }

void tunix_adamw(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, long n, double gradScale,
                 double beta1, double beta2, double c1, double c2, double stepScale, double invBc2, double eps, double decayFactor) {
  vector_ops()->adamw(p, g, m, v, po, mo, vo, n, gradScale, beta1, beta2, c1, c2, stepScale, invBc2, eps, decayFactor);
}

/* ---- Σᵢ wᵢ·CE(logitsᵢ, targetᵢ) and its gradient wᵢ·(softmax − onehot) ------------------------------- */

int tunix_cross_entropy(const float *logits, const int *targets, const float *weights, float *loss, float *dlogits, long N, long V) {
  double total = 0.0;
  for (long i = 0; i < N; i++) {
    const float *l = logits + i * V;
    float *d = dlogits + i * V;
    const float w = weights[i];
    const int t = targets[i];
    if (w == 0.0f) {
      for (long j = 0; j < V; j++) d[j] = 0.0f;
      continue;
    }
    if (t < 0 || t >= V) return -2;
    float mx = l[0];
    for (long j = 1; j < V; j++) mx = l[j] > mx ? l[j] : mx;
    for (long j = 0; j < V; j++) d[j] = l[j];
    exp_shifted(d, V, mx);
    float sum = 0.0f;
    for (long j = 0; j < V; j++) sum += d[j];
    total += (double)(w * (mx + logf(sum) - l[t]));
    const float inv = w / sum;
    for (long j = 0; j < V; j++) d[j] *= inv;
    d[t] -= w;
  }
  *loss = (float)total;
  return 0;
}

double tunix_sum_squares(const float *x, long n) {
  double s = 0.0;
  for (long i = 0; i < n; i++) {
    const double d = (double)x[i];
    s += d * d;
  }
  return s;
}
