#!/usr/bin/env python3
"""ONNX Runtime int8: one shape's classifier exported from transformers, dynamically
quantized, and timed per call of `session.run`.

    python3 ort_peer.py build   --shape minilm [--cache DIR]
    python3 ort_peer.py measure --shape minilm --tokens 64 [--runs 20 --threads 2]

Each command prints one JSON line. peers.py runs them as subprocesses, one model in memory
at a time.

Recipe (what an ORT user would do for CPU int8; docs: onnxruntime.ai "Quantize ONNX models"
and onnxruntime/python/tools/transformers):
  1. transformers XForSequenceClassification, float32, the weights of shapes.py, eager
     attention, no KV cache; exported by torch.onnx.export (BERT: TorchScript exporter,
     opset 17; decoders: dynamo exporter, opset 18; each falls back to the other) with
     inputs input_ids, attention_mask (+ token_type_ids for BERT) and output logits, the
     sequence axis dynamic.
  2. BERT only: onnxruntime.transformers.optimizer (model_type "bert") fuses embeddings,
     attention, SkipLayerNorm and BiasGelu; the int8 attention kernel then applies.
     There is no such offline fusion for Llama/Qwen2 classifiers; the session's own
     ORT_ENABLE_ALL optimisations still run at load.
  3. quantize_dynamic: int8 weights (QInt8, per output channel), uint8 activations
     quantized per call, every MatMul/Gather/Attention the quantizer knows.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import shapes  # noqa: E402

# Peak memory of a build in multiples of the float32 weights, measured on qwen2.5-0.5b
# (1.98 GB): dynamo export 1.4x, TorchScript export 4.1x (BERT only, small), and
# quantize_dynamic 3.2x (the float model, its int8 copy and the proto being written).
BUILD_MEMORY_FACTOR = 3.4


def input_names(s: shapes.Shape) -> list[str]:
    return ["input_ids", "attention_mask"] + (["token_type_ids"] if s.encoder else [])


def feed(s: shapes.Shape, n: int) -> dict:
    import numpy as np
    ids = shapes.token_ids(s, n)
    f = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if s.encoder:
        f["token_type_ids"] = np.zeros_like(ids)
    return f


def _export(s: shapes.Shape, model, path: Path) -> str:
    """Exports `model` to `path`; returns which exporter did it."""
    import torch

    class Logits(torch.nn.Module):
        """The classifier's forward with tensors in and logits out (no cache, no dict)."""
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            if s.encoder:
                return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits
            return self.m(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits

    wrapped = Logits(model).eval()
    example = tuple(torch.from_numpy(v) for v in feed(s, 16).values())
    names = input_names(s)

    def torchscript():
        torch.onnx.export(wrapped, example, str(path), input_names=names, output_names=["logits"],
                          opset_version=17, dynamo=False, do_constant_folding=True,
                          dynamic_axes={n: {1: "sequence"} for n in names})
        return "torchscript (opset 17)"

    def dynamo():
        seq = torch.export.Dim("sequence", min=2, max=min(s.positions, 4096))
        torch.onnx.export(wrapped, example, str(path), input_names=names, output_names=["logits"],
                          opset_version=18, dynamo=True, external_data=True,
                          dynamic_shapes={n: {1: seq} for n in names})
        return "dynamo (opset 18)"

    # BERT: TorchScript, whose graph the BERT fusions are written for. Decoders: dynamo,
    # which keeps peak memory near the weights' size (TorchScript's constant folding and
    # serialisation hold ~4 copies: 8 GB for qwen2.5-0.5b against 2.8 GB); int8 speed
    # measured the same either way.
    order = [torchscript, dynamo] if s.encoder else [dynamo, torchscript]
    for i, exporter in enumerate(order):
        try:
            with torch.no_grad():
                return exporter()
        except Exception as e:  # noqa: BLE001 — the fallback is the point
            if i == len(order) - 1:
                raise
            common.log(f"{exporter.__name__} export failed ({type(e).__name__}: {str(e)[:200]}); trying the other")
            for f in path.parent.glob(path.name + "*"):
                f.unlink()


def export(s: shapes.Shape, work: Path) -> dict:
    """Step 1, in its own process (so that its peak memory is gone before quantizing):
    the float32 ONNX file and transformers' logits to compare the int8 model with."""
    import numpy as np
    import torch
    torch.set_num_threads(2)
    with common.Stopwatch() as t:
        model = shapes.hf_model(s, attn="eager")
        with torch.no_grad():
            reference = {f"logits_{n}": model(**{k: torch.from_numpy(v) for k, v in feed(s, n).items()}).logits.numpy()
                         for n in (16, 64)}
        np.savez(work / "reference.npz", **reference)
        exporter = _export(s, model, work / "model.onnx")
    return {"exporter": exporter, "torch": torch.__version__, "export_s": round(t.seconds, 1),
            "export_peak_rss_mb": common.peak_rss_mb()}


def build(s: shapes.Shape, cache: Path, per_channel: bool, force: bool) -> dict:
    out_dir = common.shape_dir(cache, s.name, "ort")
    model_path = out_dir / "model.int8.onnx"
    recipe_path = out_dir / "recipe.json"
    if model_path.exists() and recipe_path.exists() and not force:
        recipe = json.loads(recipe_path.read_text())
        if recipe.get("per_channel") == per_channel:
            return {**recipe, "cached": True}

    fp32_bytes = s.parameters * 4
    need, have = fp32_bytes * BUILD_MEMORY_FACTOR, common.mem_available_bytes()
    if need > have:
        return {"shape": s.name, "unavailable": f"float32 export + quantization need ~{need / 2**30:.0f} GiB of memory "
                f"({s.parameters / 1e9:.1f}B parameters); {have / 2**30:.0f} GiB available"}

    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    work = out_dir / "fp32"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "export", "--shape", s.name, "--work", str(work)],
                       capture_output=True, text=True)
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"shape": s.name, "unavailable": f"export failed (exit {p.returncode}): {tail[:300]}"}
    exported = json.loads(lines[-1])

    source, fusion = work / "model.onnx", None
    if s.encoder:
        from onnxruntime.transformers.optimizer import optimize_model
        optimized = optimize_model(str(source), model_type="bert", num_heads=s.heads, hidden_size=s.hidden, opt_level=0)
        stats = optimized.get_fused_operator_statistics()
        fusion = {k: v for k, v in stats.items() if v}
        source = work / "model.fused.onnx"
        optimized.save_model_to_file(str(source))
        del optimized
        gc.collect()

    large = fp32_bytes >= 2**31 - 2**26   # protobuf's 2 GiB limit, with room for the graph
    quantize_dynamic(str(source), str(model_path), weight_type=QuantType.QInt8, per_channel=per_channel,
                     reduce_range=False, use_external_data_format=large,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    reference = dict(np.load(work / "reference.npz"))
    shutil.rmtree(work)
    t_total = time.perf_counter() - t0

    # How far int8 moved the logits from float32 (informative: random weights, not a task).
    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    diffs = {n: float(np.abs(sess.run(["logits"], feed(s, n))[0] - reference[f"logits_{n}"]).max()) for n in (16, 64)}
    del sess
    ops = {}
    for node in onnx.load(str(model_path), load_external_data=False).graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    recipe = {"shape": s.name, **exported, "onnxruntime": ort.__version__,
              "fusion": fusion or "none (decoder: session-level ORT_ENABLE_ALL only)",
              "quantization": "quantize_dynamic QInt8 weights " + ("per-channel" if per_channel else "per-tensor")
              + ", uint8 dynamic activations", "per_channel": per_channel,
              "int8_ops": {k: v for k, v in ops.items() if k in ("MatMulInteger", "DynamicQuantizeMatMul", "QAttention",
                                                                   "DynamicQuantizeLinear", "QGemm", "MatMulIntegerToFloat")},
              "float_matmuls_left": ops.get("MatMul", 0),
              "max_abs_logit_diff_vs_fp32": {str(k): round(v, 5) for k, v in diffs.items()},
              "model_mb": round(sum(p.stat().st_size for p in out_dir.iterdir() if p.name != "recipe.json") / 2**20, 1),
              "build_s": round(t_total, 1), "quantize_peak_rss_mb": common.peak_rss_mb()}
    recipe_path.write_text(json.dumps(recipe, indent=1))
    return recipe


def measure(s: shapes.Shape, cache: Path, n: int, runs: int, threads: int, warmup: int) -> dict:
    import onnxruntime as ort
    model_path = common.shape_dir(cache, s.name, "ort") / "model.int8.onnx"
    if not model_path.exists():
        return {"unavailable": f"no model at {model_path} (run build first)"}
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with common.Stopwatch() as load:
        sess = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    f = feed(s, n)
    for _ in range(warmup):
        sess.run(["logits"], f)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(["logits"], f)
        samples.append((time.perf_counter() - t) * 1e3)
    return {**common.summary(samples), "load_s": round(load.seconds, 3), "peak_rss_mb": common.peak_rss_mb(),
            "timed": "InferenceSession.run on [1, N] int64 ids → [1, 7] logits"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["build", "measure", "export"], help="export: build's first step, alone")
    ap.add_argument("--work", help="export: the folder for model.onnx and reference.npz")
    ap.add_argument("--shape", required=True, choices=sorted(shapes.SHAPES))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--tokens", type=int, default=16)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--per-tensor", action="store_true", help="one weight scale per matrix instead of per channel")
    ap.add_argument("--force", action="store_true", help="rebuild even if cached")
    a = ap.parse_args()
    s, cache = shapes.SHAPES[a.shape], common.cache_root(a.cache)
    if a.command == "export":
        common.emit(export(s, Path(a.work)))
    elif a.command == "build":
        common.emit(build(s, cache, per_channel=not a.per_tensor, force=a.force))
    else:
        common.emit({"peer": "ort-int8", "shape": s.name, "tokens": a.tokens, "threads": a.threads,
                     **measure(s, cache, a.tokens, a.runs, a.threads, a.warmup)})


if __name__ == "__main__":
    main()
