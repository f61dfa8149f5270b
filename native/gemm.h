/* Single-precision GEMM used by the tunix-rt native kernels (see gemm.c). */
#ifndef TUNIX_GEMM_H
#define TUNIX_GEMM_H

/*
 * C[M,N] = op(A) · op(B), all row-major float32. op(A) is [M,K]: A is stored [M,K] (ta = 0) or [K,M]
 * (ta = 1). op(B) is [K,N]: B is stored [K,N] (tb = 0) or [N,K] (tb = 1). C is overwritten.
 * Returns 0, or -1 when the packing buffers cannot be allocated.
 */
int tunix_sgemm(int ta, int tb, long M, long N, long K, const float *A, const float *B, float *C);

/*
 * General form: leading dimensions (row strides, in elements) of the stored A, B and C, and an optional
 * bias[N] added to every row of C (NULL for none). tunix_sgemm is this with packed leading dimensions.
 */
int tunix_sgemm_ex(int ta, int tb, long M, long N, long K, const float *A, long lda, const float *B, long ldb, float *C, long ldc,
                   const float *bias);

/* The micro-kernel in use: "avx512", "avx2" or "scalar". */
const char *tunix_gemm_isa(void);

#endif
