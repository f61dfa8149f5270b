/*
 * Node-API surface of the tunix-rt native kernels. Tensors are addressed as byte offsets into one
 * ArrayBuffer (the tfjs wasm backend's heap), so no data is copied between JavaScript, wasm and C.
 *
 *   gemm(heap, aOff, bOff, cOff, M, N, K, transA, transB, batch, strideA, strideB, strideC)
 *     for i in [0, batch): C_i = op(A_i) · op(B_i), strides in elements (0 broadcasts an operand).
 *   isa() → "avx512" | "avx2" | "scalar"
 *   linearFwd, linearBwd, layerNormFwd, layerNormBwd, attentionFwd, attentionBwd, geluFwd, geluBwd,
 *   crossEntropy: the fused training-step kernels of ops.c (argument order as in ops.h, pointers as
 *   byte offsets into the heap, -1 for an optional pointer left out).
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

#include "gemm.h"
#include "ops.h"

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), "TUNIX_NATIVE", "napi call failed: " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_type_error(env, "TUNIX_NATIVE", "gemm: expected 13 arguments");
    return NULL;
  }
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) {
    napi_throw_type_error(env, "TUNIX_NATIVE", "gemm: heap must be an ArrayBuffer");
    return NULL;
  }
  int64_t v[12];
  for (int i = 0; i < 12; i++) CHECK(env, napi_get_value_int64(env, argv[i + 1], &v[i]));
  const int64_t aOff = v[0], bOff = v[1], cOff = v[2], M = v[3], N = v[4], K = v[5];
  const int ta = v[6] != 0, tb = v[7] != 0;
  const int64_t batch = v[8], sA = v[9], sB = v[10], sC = v[11];
  /* Bounds: every slice of every operand must lie inside the heap. */
  const int64_t len = (int64_t)length;
  const int64_t lastA = aOff + 4 * ((batch - 1) * sA + M * K), lastB = bOff + 4 * ((batch - 1) * sB + K * N);
  const int64_t lastC = cOff + 4 * ((batch - 1) * sC + M * N);
  if (M < 0 || N < 0 || K < 0 || batch < 0 || sA < 0 || sB < 0 || sC < 0 || aOff < 0 || bOff < 0 || cOff < 0 ||
      (aOff | bOff | cOff) % 4 != 0 || (batch > 0 && (lastA > len || lastB > len || lastC > len))) {
    napi_throw_range_error(env, "TUNIX_NATIVE", "gemm: operand outside the heap or bad shape");
    return NULL;
  }
  float *heap = (float *)data;
  for (int64_t i = 0; i < batch; i++) {
    const float *A = heap + aOff / 4 + i * sA;
    const float *B = heap + bOff / 4 + i * sB;
    float *C = heap + cOff / 4 + i * sC;
    if (tunix_sgemm(ta, tb, (long)M, (long)N, (long)K, A, B, C) != 0) {
      napi_throw_error(env, "TUNIX_NATIVE", "gemm: out of memory for packing buffers");
      return NULL;
    }
  }
  return NULL;
}


/* ---- fused ops: every argument after the heap is a number; pointers are byte offsets (-1 = none) -- */

typedef struct {
  napi_env env;
  char *heap;
  int64_t len;
  double v[24];
  size_t n;
  int bad;
} Args;

static int read_args(napi_env env, napi_callback_info info, size_t want, Args *a) {
  napi_value argv[25];
  size_t argc = 25;
  a->env = env, a->bad = 0, a->n = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != want + 1) {
    napi_throw_type_error(env, "TUNIX_NATIVE", "native op: wrong number of arguments");
    return 0;
  }
  void *data = NULL;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) {
    napi_throw_type_error(env, "TUNIX_NATIVE", "native op: heap must be an ArrayBuffer");
    return 0;
  }
  a->heap = (char *)data, a->len = (int64_t)length;
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_double(env, argv[i + 1], &a->v[i]) != napi_ok) {
      napi_throw_type_error(env, "TUNIX_NATIVE", "native op: arguments must be numbers");
      return 0;
    }
  }
  return 1;
}

/* Argument i as a count/dimension (non-negative integer). */
static long dim(Args *a, size_t i) {
  const double d = a->v[i];
  if (!(d >= 0 && d <= 4294967296.0) || d != (double)(long)d) a->bad = 1;
  return (long)d;
}

/* Argument i as a pointer to `count` 4-byte elements inside the heap; -1 gives NULL. */
static void *ptr(Args *a, size_t i, long count) {
  const double d = a->v[i];
  if (d == -1) return NULL;
  if (!(d >= 0) || d != (double)(int64_t)d || ((int64_t)d) % 4 != 0 || (int64_t)d + 4 * (int64_t)count > a->len) {
    a->bad = 1;
    return NULL;
  }
  return a->heap + (int64_t)d;
}

static napi_value finish(Args *a, int rc, const char *name) {
  if (a->bad) napi_throw_range_error(a->env, "TUNIX_NATIVE", "native op: operand outside the heap or bad shape");
  else if (rc == -2) napi_throw_range_error(a->env, "TUNIX_NATIVE", "native op: target id outside the vocabulary");
  else if (rc != 0) napi_throw_error(a->env, "TUNIX_NATIVE", name);
  return NULL;
}

#define REQUIRED(p) \
  if ((p) == NULL) a.bad = 1

static napi_value LinearFwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 8, &a)) return NULL;
  const long N = dim(&a, 4), in = dim(&a, 5), out = dim(&a, 6);
  const int transW = a.v[7] != 0;
  float *x = ptr(&a, 0, N * in), *W = ptr(&a, 1, in * out), *b = ptr(&a, 2, out), *y = ptr(&a, 3, N * out);
  REQUIRED(x); REQUIRED(W); REQUIRED(y);
  return finish(&a, a.bad ? 0 : tunix_linear_fwd(x, W, b, y, N, in, out, transW), "linear forward failed");
}

static napi_value LinearBwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 10, &a)) return NULL;
  const long N = dim(&a, 6), in = dim(&a, 7), out = dim(&a, 8);
  const int transW = a.v[9] != 0;
  float *dy = ptr(&a, 0, N * out), *x = ptr(&a, 1, N * in), *W = ptr(&a, 2, in * out);
  float *dx = ptr(&a, 3, N * in), *dW = ptr(&a, 4, in * out), *db = ptr(&a, 5, out);
  REQUIRED(dy); REQUIRED(x); REQUIRED(W); REQUIRED(dx); REQUIRED(dW);
  return finish(&a, a.bad ? 0 : tunix_linear_bwd(dy, x, W, dx, dW, db, N, in, out, transW), "linear backward failed");
}

static napi_value LayerNormFwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 9, &a)) return NULL;
  const long N = dim(&a, 6), C = dim(&a, 7);
  float *x = ptr(&a, 0, N * C), *g = ptr(&a, 1, C), *b = ptr(&a, 2, C), *y = ptr(&a, 3, N * C);
  float *mean = ptr(&a, 4, N), *rstd = ptr(&a, 5, N);
  REQUIRED(x); REQUIRED(g); REQUIRED(b); REQUIRED(y); REQUIRED(mean); REQUIRED(rstd);
  if (!a.bad) tunix_layernorm_fwd(x, g, b, y, mean, rstd, N, C, (float)a.v[8]);
  return finish(&a, 0, "");
}

static napi_value LayerNormBwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 10, &a)) return NULL;
  const long N = dim(&a, 8), C = dim(&a, 9);
  float *dy = ptr(&a, 0, N * C), *x = ptr(&a, 1, N * C), *g = ptr(&a, 2, C), *mean = ptr(&a, 3, N), *rstd = ptr(&a, 4, N);
  float *dx = ptr(&a, 5, N * C), *dg = ptr(&a, 6, C), *db = ptr(&a, 7, C);
  REQUIRED(dy); REQUIRED(x); REQUIRED(g); REQUIRED(mean); REQUIRED(rstd); REQUIRED(dx); REQUIRED(dg); REQUIRED(db);
  if (!a.bad) tunix_layernorm_bwd(dy, x, g, mean, rstd, dx, dg, db, N, C);
  return finish(&a, 0, "");
}

static napi_value AttentionFwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 9, &a)) return NULL;
  const long B = dim(&a, 5), T = dim(&a, 6), C = dim(&a, 7), H = dim(&a, 8);
  if (H == 0 || C % H != 0) a.bad = 1;
  const long n = B * T * C;
  float *q = ptr(&a, 0, n), *k = ptr(&a, 1, n), *v = ptr(&a, 2, n), *out = ptr(&a, 3, n), *att = ptr(&a, 4, B * H * T * T);
  REQUIRED(q); REQUIRED(k); REQUIRED(v); REQUIRED(out); REQUIRED(att);
  return finish(&a, a.bad ? 0 : tunix_attention_fwd(q, k, v, out, att, B, T, C, H), "attention forward failed");
}

static napi_value AttentionBwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 12, &a)) return NULL;
  const long B = dim(&a, 8), T = dim(&a, 9), C = dim(&a, 10), H = dim(&a, 11);
  if (H == 0 || C % H != 0) a.bad = 1;
  const long n = B * T * C;
  float *dout = ptr(&a, 0, n), *q = ptr(&a, 1, n), *k = ptr(&a, 2, n), *v = ptr(&a, 3, n), *att = ptr(&a, 4, B * H * T * T);
  float *dq = ptr(&a, 5, n), *dk = ptr(&a, 6, n), *dv = ptr(&a, 7, n);
  REQUIRED(dout); REQUIRED(q); REQUIRED(k); REQUIRED(v); REQUIRED(att); REQUIRED(dq); REQUIRED(dk); REQUIRED(dv);
  return finish(&a, a.bad ? 0 : tunix_attention_bwd(dout, q, k, v, att, dq, dk, dv, B, T, C, H), "attention backward failed");
}

static napi_value GeluFwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 3, &a)) return NULL;
  const long n = dim(&a, 2);
  float *x = ptr(&a, 0, n), *y = ptr(&a, 1, n);
  REQUIRED(x); REQUIRED(y);
  if (!a.bad) tunix_gelu_fwd(x, y, n);
  return finish(&a, 0, "");
}

static napi_value GeluBwd(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 4, &a)) return NULL;
  const long n = dim(&a, 3);
  float *dy = ptr(&a, 0, n), *x = ptr(&a, 1, n), *dx = ptr(&a, 2, n);
  REQUIRED(dy); REQUIRED(x); REQUIRED(dx);
  if (!a.bad) tunix_gelu_bwd(dy, x, dx, n);
  return finish(&a, 0, "");
}

static napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 7, &a)) return NULL;
  const long N = dim(&a, 5), V = dim(&a, 6);
  float *logits = ptr(&a, 0, N * V), *weights = ptr(&a, 2, N), *loss = ptr(&a, 3, 1), *dlogits = ptr(&a, 4, N * V);
  int *targets = (int *)ptr(&a, 1, N);
  REQUIRED(logits); REQUIRED(targets); REQUIRED(weights); REQUIRED(loss); REQUIRED(dlogits);
  if (V == 0) a.bad = 1;
  return finish(&a, a.bad ? 0 : tunix_cross_entropy(logits, targets, weights, loss, dlogits, N, V), "cross-entropy failed");
}

static napi_value AdamW(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 17, &a)) return NULL;
  const long n = dim(&a, 7);
  float *p = ptr(&a, 0, n), *g = ptr(&a, 1, n), *m = ptr(&a, 2, n), *v = ptr(&a, 3, n);
  float *po = ptr(&a, 4, n), *mo = ptr(&a, 5, n), *vo = ptr(&a, 6, n);
  REQUIRED(p); REQUIRED(g); REQUIRED(m); REQUIRED(v); REQUIRED(po); REQUIRED(mo); REQUIRED(vo);
  const double *h = a.v + 8; /* gradScale, beta1, beta2, c1, c2, stepScale, invBc2, eps, decayFactor */
  if (!a.bad) tunix_adamw(p, g, m, v, po, mo, vo, n, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]);
  return finish(&a, 0, "");
}

static napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args a;
  if (!read_args(env, info, 2, &a)) return NULL;
  const long n = dim(&a, 1);
  float *x = ptr(&a, 0, n);
  REQUIRED(x);
  if (a.bad) return finish(&a, 0, "");
  napi_value out;
  CHECK(env, napi_create_double(env, tunix_sum_squares(x, n), &out));
  return out;
}

static napi_value Isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, tunix_gemm_isa(), NAPI_AUTO_LENGTH, &out));
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  CHECK(env, napi_create_function(env, "gemm", NAPI_AUTO_LENGTH, Gemm, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "gemm", fn));
  CHECK(env, napi_create_function(env, "isa", NAPI_AUTO_LENGTH, Isa, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "isa", fn));
  static const struct {
    const char *name;
    napi_callback cb;
  } ops[] = {
      {"linearFwd", LinearFwd},       {"linearBwd", LinearBwd},       {"layerNormFwd", LayerNormFwd}, {"layerNormBwd", LayerNormBwd},
      {"attentionFwd", AttentionFwd}, {"attentionBwd", AttentionBwd}, {"geluFwd", GeluFwd},           {"geluBwd", GeluBwd},
      {"crossEntropy", CrossEntropy}, {"adamw", AdamW},               {"sumSquares", SumSquares},
  };
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    CHECK(env, napi_create_function(env, ops[i].name, NAPI_AUTO_LENGTH, ops[i].cb, NULL, &fn));
    CHECK(env, napi_set_named_property(env, exports, ops[i].name, fn));
  }
  return exports;
}
