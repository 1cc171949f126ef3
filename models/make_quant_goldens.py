#!/usr/bin/env python3
"""Golden quantization fixtures for Sift's Quantization module, produced by gguf-py.

gguf-py's numpy code (gguf/quants.py) is the reference: Sift's Swift dequantizers must
reproduce these files bit for bit, and its Swift quantizers (F16, BF16, Q8_0) must
reproduce the quantized bytes exactly. Nothing here is ever produced by Sift itself.

What it writes, into Tests/SiftTests/Fixtures/quant/ (file names use ggml's type names,
the same strings as Swift's `GGMLType.description`):

  For the types gguf-py can quantize (f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1):
    <type>.input.f32    ROWS x COLS fp32, little-endian, row-major: a deterministic mix
                        of block kinds (see `block_kinds`), including exact ties
    <type>.quant.bin    gguf.quants.quantize(input, type): ROWS x (COLS / block * bytes)
    <type>.dequant.f32  gguf.quants.dequantize(quant.bin, type): ROWS x COLS fp32
  For the K-quants gguf-py can only dequantize (q4_K, q5_K, q6_K):
    <type>.quant.bin    N_SUPER random super-blocks (256 elements each) with finite fp16
                        scales and random other bytes
    <type>.dequant.f32  gguf.quants.dequantize(quant.bin, type): N_SUPER x 256 fp32
  README.md             a manifest: files, shapes, sizes, this command, the gguf version

How to run, from the repository root:

    python3 models/make_quant_goldens.py

Needs numpy and gguf (gguf-py). The output depends only on SEED and the library versions
recorded in the manifest; rerunning with the same versions rewrites identical bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import gguf
from gguf import GGMLQuantizationType as T
from gguf import GGML_QUANT_SIZES
from gguf import quants

SEED = 20240531
ROWS, COLS = 4, 512          # 2048 elements per quantizable type: 64 blocks of 32
N_SUPER = 8                  # K-quant super-blocks per type
OUT = Path(__file__).resolve().parent.parent / "Tests" / "SiftTests" / "Fixtures" / "quant"

QUANTIZABLE = [T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1]
DEQUANT_ONLY = [T.Q4_K, T.Q5_K, T.Q6_K]

# ggml's type names, as printed by llama.cpp and by Sift's GGMLType.description.
NAMES = {
    T.F16: "f16", T.BF16: "bf16", T.Q8_0: "q8_0", T.Q4_0: "q4_0", T.Q4_1: "q4_1",
    T.Q5_0: "q5_0", T.Q5_1: "q5_1", T.Q4_K: "q4_K", T.Q5_K: "q5_K", T.Q6_K: "q6_K",
}


# ---------------------------------------------------------------------------------------
# Inputs for quantizable types: 32-element blocks of different kinds
# ---------------------------------------------------------------------------------------

def tie_block(qtype: T, rng: np.random.Generator) -> np.ndarray:
    """32 values that land exactly on a rounding tie of `qtype`'s quantizer.

    Scales are powers of two so that x * id is exact and the tie really is a tie.
    """
    if qtype == T.Q8_0:
        # amax = 127/8 -> d = 1/8, id = 8; x = m/16 -> x*id = m/2: odd m are .5 ties that
        # round half away from zero.
        m = rng.integers(-254, 255, size=32)
        x = m / 16.0
        x[rng.integers(32)] = rng.choice([-1.0, 1.0]) * 127.0 / 8.0
    elif qtype == T.Q4_0:
        # max (signed, largest |x|) = -1 -> d = 1/8, id = 8; x*id + 8.5 hits integers.
        x = rng.integers(-15, 16, size=32) / 16.0
        x[rng.integers(32)] = -1.0
    elif qtype == T.Q5_0:
        # max = -2 -> d = 2/16 = 1/8.
        x = rng.integers(-31, 32, size=32) / 16.0
        x[rng.integers(32)] = -2.0
    elif qtype == T.Q4_1:
        # min = 0, max = 15/8 -> d = 1/8; (x - min)*id + 0.5 hits integers and halves.
        x = rng.integers(0, 31, size=32) / 16.0
        x[0], x[1] = 0.0, 15.0 / 8.0
    elif qtype == T.Q5_1:
        # min = -1, max = -1 + 31/8 -> d = 1/8.
        x = -1.0 + rng.integers(0, 63, size=32) / 16.0
        x[0], x[1] = -1.0, -1.0 + 31.0 / 8.0
    elif qtype == T.F16:
        # Midpoints between adjacent fp16 values (normal and subnormal), exact in fp32.
        lo = rng.integers(0x0001, 0x7BFF, size=32).astype(np.uint16)
        lo[:4] = [0x0000, 0x0001, 0x03FF, 0x3BFF]    # 0|min sub, max sub|min normal, 1-ulp|1
        a = lo.view(np.float16).astype(np.float64)
        b = (lo + 1).view(np.float16).astype(np.float64)
        x = (a + b) / 2 * rng.choice([-1.0, 1.0], size=32)
    elif qtype == T.BF16:
        # Low 16 bits exactly 0x8000: halfway between two bf16 values, even and odd.
        hi = rng.integers(0x0001, 0x7F7F, size=32).astype(np.uint32)
        bits = (hi << 16) | 0x8000
        bits |= rng.integers(0, 2, size=32).astype(np.uint32) << 31
        return bits.view(np.float32)
    else:
        raise ValueError(qtype)
    return x.astype(np.float32)


def special_block(qtype: T) -> np.ndarray:
    """Non-finite and range-edge values; only for the plain float types."""
    f32 = np.finfo(np.float32)
    if qtype == T.F16:
        vals = [np.inf, -np.inf, np.nan, -0.0, 65504.0, 65519.99, 65520.0, -65520.0,
                70000.0, 1e6, 2.0**-24, 2.0**-25, 2.0**-25 * 1.0001, 3 * 2.0**-25,
                2.0**-14, 2.0**-14 - 2.0**-25, 1e-45, 1e-30, -6.0e-8, 5.96e-8,
                1.0, -1.0, 0.5, 1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 2048.0 + 1.0,
                2048.0 + 3.0, 1.0 / 3.0, -2.0 / 3.0, 3.14159265]
    else:  # BF16
        vals = [np.inf, -np.inf, np.nan, -0.0, f32.max, -f32.max, f32.tiny, 1e-45,
                -1e-40, 3.0e38, 3.3895e38, 1.0, -1.0, 0.1, 1.0 / 3.0, 65504.0, 1e-30,
                np.float32(1.0) + np.float32(2.0**-8), np.float32(1.0) + np.float32(3 * 2.0**-8),
                np.float32(1.0) + np.float32(2.0**-8 + 2.0**-23),
                np.float32(1.0) + np.float32(2.0**-8 - 2.0**-23), 2.0**-126 * 1.5,
                3.14159265, -2.718281828, -1e-10, 12345.678, 1e-38,
                255.5, 256.5, 257.5]
    # Two signaling NaNs, set by bit pattern (a Python float would arrive quieted). numpy
    # keeps them signaling in fp16 (payload >> 13, never 0); gguf-py's bf16 forces quiet.
    snans = np.array([0x7FA00000, 0xFF800001], dtype=np.uint32).view(np.float32)
    x = np.concatenate([np.array(vals, dtype=np.float32), snans])
    assert x.shape == (32,)
    return x


def make_block(kind: str, qtype: T, rng: np.random.Generator) -> np.ndarray:
    n = 32
    if kind == "normal":
        x = rng.standard_normal(n)
    elif kind == "zeros":
        x = np.zeros(n)
    elif kind == "large":
        x = rng.standard_normal(n) * 1000.0          # Q8_0 d ~ 25
    elif kind == "small":
        x = rng.standard_normal(n) * 1e-4            # fp16 d is subnormal
    elif kind == "tiny":
        x = rng.standard_normal(n) * 1e-7            # fp16 d flushes to 0 or min subnormal
    elif kind == "constant":
        x = np.full(n, 0.75)                         # q4_1/q5_1: max == min, d = 0
    elif kind == "positive":
        x = rng.uniform(0.25, 2.0, n)                # min > 0 for q4_1/q5_1
    elif kind == "negmax":
        x = rng.standard_normal(n)
        x[rng.integers(n)] = -6.0                    # signed max for q4_0/q5_0 is negative
    elif kind == "outlier":
        x = rng.standard_normal(n)
        x[rng.integers(n)] *= 100.0
    elif kind == "wide":
        x = rng.standard_normal(n) * 10.0 ** rng.uniform(-4, 3, n)
    elif kind == "ties":
        return tie_block(qtype, rng)
    elif kind == "special":
        return special_block(qtype)
    else:
        raise ValueError(kind)
    return x.astype(np.float32)


def block_kinds(qtype: T) -> list[str]:
    kinds = ["normal", "zeros", "ties", "large", "small", "tiny", "constant", "positive",
             "negmax", "outlier", "wide", "ties"]
    if qtype in (T.F16, T.BF16):
        kinds.append("special")      # inf / nan / overflow only where they are meaningful
    return kinds


def make_input(qtype: T, rng: np.random.Generator) -> np.ndarray:
    kinds = block_kinds(qtype)
    n_blocks = ROWS * COLS // 32
    blocks = [make_block(kinds[i % len(kinds)], qtype, rng) for i in range(n_blocks)]
    return np.concatenate(blocks).astype(np.float32).reshape(ROWS, COLS)


# ---------------------------------------------------------------------------------------
# Random K-quant super-blocks
# ---------------------------------------------------------------------------------------

def random_fp16(rng: np.random.Generator, n: int) -> np.ndarray:
    """n finite fp16 scales of moderate magnitude (1e-4 .. 1), either sign, as uint16."""
    mag = 10.0 ** rng.uniform(-4, 0, n)
    sign = rng.choice([-1.0, 1.0], size=n, p=[0.2, 0.8])
    return (mag * sign).astype(np.float16).view(np.uint16)


def make_k_blocks(qtype: T, rng: np.random.Generator) -> np.ndarray:
    """N_SUPER x type_size bytes: random payload, fp16 scale fields replaced by sane values."""
    _, type_size = GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(N_SUPER, type_size), dtype=np.uint8)
    if qtype in (T.Q4_K, T.Q5_K):
        # Layout: d (fp16) | dmin (fp16) | scales[12] | (qh[32] for q5_K) | qs[128]
        d = random_fp16(rng, N_SUPER)
        dmin = random_fp16(rng, N_SUPER)
        d[0] = 0x0123        # a subnormal d: exercises the fp16 -> fp32 subnormal path
        dmin[1] = 0x0000     # dmin = 0
        raw[:, 0:2] = d.reshape(-1, 1).view(np.uint8)
        raw[:, 2:4] = dmin.reshape(-1, 1).view(np.uint8)
    elif qtype == T.Q6_K:
        # Layout: ql[128] | qh[64] | scales[16] (int8) | d (fp16)
        d = random_fp16(rng, N_SUPER)
        d[0] = 0x0123
        raw[:, type_size - 2:] = d.reshape(-1, 1).view(np.uint8)
    else:
        raise ValueError(qtype)
    return raw


# ---------------------------------------------------------------------------------------

def write(path: Path, data: np.ndarray) -> None:
    path.write_bytes(np.ascontiguousarray(data).tobytes())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    manifest: list[tuple[str, str, int]] = []   # (file, shape/description, bytes)

    for qtype in QUANTIZABLE:
        name = NAMES[qtype]
        block, type_size = GGML_QUANT_SIZES[qtype]
        x = make_input(qtype, rng)
        assert x.dtype == np.float32 and x.shape == (ROWS, COLS)
        with np.errstate(over="ignore", invalid="ignore"):
            q = quants.quantize(x, qtype)
        qbytes = np.ascontiguousarray(q).view(np.uint8).reshape(ROWS, -1)
        assert qbytes.shape[1] == COLS // block * type_size
        y = quants.dequantize(qbytes, qtype).astype("<f4", copy=False)
        assert y.shape == (ROWS, COLS)

        write(OUT / f"{name}.input.f32", x.astype("<f4"))
        write(OUT / f"{name}.quant.bin", qbytes)
        write(OUT / f"{name}.dequant.f32", y)
        manifest += [
            (f"{name}.input.f32", f"fp32 [{ROWS}, {COLS}]", x.nbytes),
            (f"{name}.quant.bin", f"{name} [{ROWS}, {COLS}] = {ROWS} x {qbytes.shape[1]} bytes",
             qbytes.nbytes),
            (f"{name}.dequant.f32", f"fp32 [{ROWS}, {COLS}]", y.nbytes),
        ]

    for qtype in DEQUANT_ONLY:
        name = NAMES[qtype]
        block, type_size = GGML_QUANT_SIZES[qtype]
        raw = make_k_blocks(qtype, rng)
        y = quants.dequantize(raw, qtype).astype("<f4", copy=False).reshape(N_SUPER, block)
        write(OUT / f"{name}.quant.bin", raw)
        write(OUT / f"{name}.dequant.f32", y)
        manifest += [
            (f"{name}.quant.bin", f"{name} [{N_SUPER}, {block}] = {N_SUPER} x {type_size} bytes",
             raw.nbytes),
            (f"{name}.dequant.f32", f"fp32 [{N_SUPER}, {block}]", y.nbytes),
        ]

    write_manifest(manifest)
    total = sum(size for _, _, size in manifest)
    print(f"wrote {len(manifest)} fixtures ({total} bytes) to {OUT}")


def write_manifest(manifest: list[tuple[str, str, int]]) -> None:
    kinds = ", ".join(dict.fromkeys(block_kinds(T.F16)))
    lines = [
        "# Quantization goldens",
        "",
        "Generated by `python3 models/make_quant_goldens.py` (run from the repository root)",
        f"with gguf-py {gguf_version()} and numpy {np.__version__}, seed {SEED}. Do not edit by hand;",
        "do not regenerate from Sift's output. All files are raw little-endian arrays, row-major.",
        "",
        "- `<type>.input.f32`: fp32 input. 32-element blocks cycle through the kinds",
        f"  {kinds}.",
        "  `special` (inf, nan, overflow, subnormals) is only in f16 and bf16; `ties` are",
        "  exact rounding ties for that type's quantizer.",
        "- `<type>.quant.bin`: `gguf.quants.quantize(input, type)` bytes; for q4_K/q5_K/q6_K,",
        "  random super-blocks with finite fp16 scales (block 0 has a subnormal d).",
        "- `<type>.dequant.f32`: `gguf.quants.dequantize(quant.bin, type)`.",
        "",
        "| file | shape | bytes |",
        "|---|---|---|",
    ]
    lines += [f"| `{f}` | {shape} | {size} |" for f, shape, size in manifest]
    lines.append("")
    (OUT / "README.md").write_text("\n".join(lines))


def gguf_version() -> str:
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:  # noqa: BLE001 - metadata is optional; the manifest just says so
        return "unknown"


if __name__ == "__main__":
    main()
