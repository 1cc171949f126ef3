// sk_gemm_q8_0 for the AVX-VNNI level: AVX2 with VPDPBUSD on 256 bits (VEX-encoded), which
// Intel cores without AVX-512 have from Alder Lake on (and the Sierra Forest Xeons), and AMD's
// from Zen 5. Where AVX2's kernel needs four operations for 32 multiply-adds (gemm_avx2.c),
// this takes one. The kernel is gemm_dpbusd8.h.
//
// This project's Zen 4 has AVX-512 VNNI but not AVX-VNNI, and QEMU 7.2 does not emulate
// AVX-VNNI either, so the same source is also built with VPDPBUSD in its AVX-512 VL
// encoding (same operation on the same 256-bit registers): sk_gemm_q8_0_avxvnni_evex, which
// CrossCheck compares with the scalar reference bit for bit. One thread, data in cache, C
// harness, GOP/s on the Zen 4 (2026-12-01), that build against the AVX2 and VNNI kernels:
// see README ("Choosing the instruction set").
#if defined(__x86_64__)

#include "kernels_avx2.h"

#define SK_DP8_TARGET __attribute__((target("avx2,fma,f16c,avxvnni")))
#define SK_DP8(acc, u8, s8) _mm256_dpbusd_avx_epi32(acc, u8, s8)
#define SK_DP8_NAME(name) name##_avxvnni
#include "gemm_dpbusd8.h"
#undef SK_DP8_TARGET
#undef SK_DP8
#undef SK_DP8_NAME

#define SK_DP8_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")))
#define SK_DP8(acc, u8, s8) _mm256_dpbusd_epi32(acc, u8, s8)
#define SK_DP8_NAME(name) name##_avxvnni_evex
#include "gemm_dpbusd8.h"
#undef SK_DP8_TARGET
#undef SK_DP8
#undef SK_DP8_NAME

#endif
