/* Fused training-step kernels (see ops.c). All tensors row-major float32; returns 0 on success. */
#ifndef TUNIX_OPS_H
#define TUNIX_OPS_H

/* y[N,out] = x[N,in]·W + b, W [in,out]; transW: W is [out,in] and y = x·Wᵀ. b may be NULL. */
int tunix_linear_fwd(const float *x, const float *W, const float *b, float *y, long N, long in, long out, int transW);
/* dx = dy·op(W)ᵀ, dW (W's stored shape), db = Σ_rows dy (db may be NULL). */
int tunix_linear_bwd(const float *dy, const float *x, const float *W, float *dx, float *dW, float *db, long N, long in, long out,
                     int transW);

void tunix_layernorm_fwd(const float *x, const float *g, const float *b, float *y, float *mean, float *rstd, long N, long C, float eps);
void tunix_layernorm_bwd(const float *dy, const float *x, const float *g, const float *mean, const float *rstd, float *dx, float *dg,
                         float *db, long N, long C);

/* Causal attention, q/k/v/out [B,T,C] with H heads; att [B,H,T,T] receives the probabilities. */
int tunix_attention_fwd(const float *q, const float *k, const float *v, float *out, float *att, long B, long T, long C, long H);
int tunix_attention_bwd(const float *dout, const float *q, const float *k, const float *v, const float *att, float *dq, float *dk,
                        float *dv, long B, long T, long C, long H);

void tunix_gelu_fwd(const float *x, float *y, long n);
void tunix_gelu_bwd(const float *dy, const float *x, float *dx, long n);

/* loss = Σᵢ wᵢ·CE(logitsᵢ, tᵢ); dlogits = wᵢ·(softmax − onehot). Returns -2 for a target outside [0, V). */
int tunix_cross_entropy(const float *logits, const int *targets, const float *weights, float *loss, float *dlogits, long N, long V);

/* One AdamW update (outputs may not alias inputs); float64 arithmetic identical to the JS fused kernel. */
void tunix_adamw(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, long n, double gradScale,
                 double beta1, double beta2, double c1, double c2, double stepScale, double invBc2, double eps, double decayFactor);
/* Σ x², accumulated in float64 in index order. */
double tunix_sum_squares(const float *x, long n);

#endif
