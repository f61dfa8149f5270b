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
        float sum = 0.0f;
        for (long j = 0; j <= i; j++) {
          row[j] = expf(row[j] - mx);
          sum += row[j];
        }
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

void tunix_gelu_fwd(const float *x, float *y, long n) {
  for (long i = 0; i < n; i++) {
    const float xi = x[i];
    const float u = GELU_K * (xi + GELU_C * xi * xi * xi);
    y[i] = xi / (1.0f + expf(-2.0f * u));
  }
}

void tunix_gelu_bwd(const float *dy, const float *x, float *dx, long n) {
  for (long i = 0; i < n; i++) {
    const float xi = x[i];
    const float u = GELU_K * (xi + GELU_C * xi * xi * xi);
    const float s = 1.0f / (1.0f + expf(-2.0f * u));
    const float du = GELU_K * (1.0f + 3.0f * GELU_C * xi * xi);
    dx[i] = dy[i] * (s + xi * s * (1.0f - s) * 2.0f * du);
  }
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
    float sum = 0.0f;
    for (long j = 0; j < V; j++) {
      d[j] = expf(l[j] - mx);
      sum += d[j];
    }
    total += (double)(w * (mx + logf(sum) - l[t]));
    const float inv = w / sum;
    for (long j = 0; j < V; j++) d[j] *= inv;
    d[t] -= w;
  }
  *loss = (float)total;
  return 0;
}
