{
  "targets": [
    {
      "target_name": "tunix_kernels",
      "sources": ["gemm.c", "ops.c", "binding.c"],
      "cflags": ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-math-errno", "-Wno-psabi"],
      "cflags!": ["-O2", "-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=c11", "-ffp-contract=off"] }
    }
  ]
}
