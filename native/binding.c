/*
 * Node-API surface of the tunix-rt native kernels. Tensors are addressed as byte offsets into one
 * ArrayBuffer (the tfjs wasm backend's heap), so no data is copied between JavaScript, wasm and C.
 *
 *   gemm(heap, aOff, bOff, cOff, M, N, K, transA, transB, batch, strideA, strideB, strideC)
 *     for i in [0, batch): C_i = op(A_i) · op(B_i), strides in elements (0 broadcasts an operand).
 *   isa() → "avx512" | "avx2" | "scalar"
 */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

#include "gemm.h"

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
  return exports;
}
