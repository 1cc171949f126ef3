#!/usr/bin/env python3
"""llama.cpp (through llama-cpp-python's C bindings): one shape as GGUF in F16, Q8_0 and
Q4_0, and the time of one prefill of N tokens.

    python3 llamacpp_peer.py build   --shape minilm [--quants F16,Q8_0,Q4_0] [--verify]
    python3 llamacpp_peer.py measure --shape minilm --quant Q8_0 --tokens 64 [--runs 20]

Each command prints one JSON line; peers.py runs them as subprocesses.

The F16 file is written here with gguf-py's GGUFWriter, streaming the weights of
shapes.py tensor by tensor (so the 8B shape never has to fit in memory), under llama.cpp's
own tensor names and keys; Q8_0 and Q4_0 come from it through llama_model_quantize with
its default choices (it keeps norms, position and token-type embeddings in F32, and
quantizes the embedding table too). The vocabulary is tokenizer model "none" with the
vocab size: ids go in directly, as they do for every peer.

What one timed run is:
  BERT shapes: llama_encode of the N ids in a context with embeddings on and RANK pooling,
    which ends the graph in the sequence-classification head (tanh(cls · h[CLS]) →
    cls.output, the 7 logits): the same function as BertForSequenceClassification.
  Decoder shapes: llama_decode of the N ids with the output requested for the last token
    only, after llama_memory_clear. llama.cpp's llama/qwen2 graphs end in the LM head, so
    this includes one row of it (vocab × hidden multiply-adds, 1-3% of a 16-token prefill)
    where a classifier has a 7 × hidden head. (Embedding mode with RANK/LAST pooling would
    run the LM head on every token instead, so it is not what is timed.)
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import shapes  # noqa: E402

QUANTS = ["F16", "Q8_0", "Q4_0"]


def gguf_path(cache: Path, s: shapes.Shape, quant: str) -> Path:
    return common.shape_dir(cache, s.name, "gguf") / f"{s.name}.{quant}.gguf"


# --- Writing ------------------------------------------------------------------------------

def _gguf_value(t: shapes.Tensor, s: shapes.Shape, v: np.ndarray) -> np.ndarray:
    if t.to_gguf is not None:
        v = t.to_gguf(v, s)
    # llama.cpp's F16 convention: matrices in F16, vectors in F32; position and token-type
    # embeddings stay F32 (they are added to F32 activations and never quantized).
    keep_f32 = v.ndim == 1 or t.gguf in ("position_embd.weight", "token_types.weight")
    return np.ascontiguousarray(v.astype(np.float32 if keep_f32 else np.float16))


def write_f16(s: shapes.Shape, path: Path) -> None:
    import gguf
    arch = s.family
    w = gguf.GGUFWriter(str(path) + ".part", arch)
    w.add_name(f"sift-peers {s.name} (random weights)")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_context_length(s.positions)
    w.add_embedding_length(s.hidden)
    w.add_block_count(s.layers)
    w.add_feed_forward_length(s.intermediate)
    w.add_head_count(s.heads)
    w.add_head_count_kv(s.kv_heads)
    w.add_vocab_size(s.vocab)
    w.add_tokenizer_model("none")
    if s.encoder:
        w.add_layer_norm_eps(s.norm_eps)
        w.add_causal_attention(False)
        w.add_pooling_type(gguf.PoolingType.CLS)
        w.add_token_type_count(2)
        w.add_classifier_output_labels([f"label{i}" for i in range(s.labels)])
    else:
        w.add_layer_norm_rms_eps(s.norm_eps)
        w.add_rope_freq_base(s.rope_theta)
        w.add_rope_dimension_count(s.head_dim)

    # Two passes over the table: shapes first (the header), then the values, one at a time.
    table = [t for t in shapes.tensors(s) if t.gguf]
    for t in table:
        shape = t.shape(s)
        keep_f32 = len(shape) == 1 or t.gguf in ("position_embd.weight", "token_types.weight")
        dtype = np.dtype(np.float32 if keep_f32 else np.float16)
        w.add_tensor_info(t.gguf, shape, dtype, int(np.prod(shape)) * dtype.itemsize)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    for t in table:
        w.write_tensor_data(_gguf_value(t, s, shapes.value(s, t)))
    w.close()
    os.replace(str(path) + ".part", path)


# --- llama.cpp ----------------------------------------------------------------------------

_log_callback = None
# llama.cpp's own log lines that say how it ran (flash attention resolved, weights repacked
# for the CPU's kernels), kept for the JSON answer.
LOG_NOTES_KEYS = (b"flash_attn", b"REPACK model buffer")
log_notes: list[str] = []


def _llama():
    """The bindings, with llama.cpp's log silenced (errors still reach stderr)."""
    global _log_callback
    import llama_cpp as L
    if _log_callback is None:
        @L.llama_log_callback
        def quiet(level, text, user_data):
            if level == 4:   # GGML_LOG_LEVEL_ERROR (ggml.h: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4)
                sys.stderr.write(text.decode(errors="replace"))
            elif any(k in text for k in LOG_NOTES_KEYS):
                log_notes.append(" ".join(text.decode(errors="replace").split()))
        _log_callback = quiet
        L.llama_log_set(_log_callback, ctypes.c_void_p(0))
        L.llama_backend_init()
    return L


def quantize(src: Path, dst: Path, quant: str, threads: int = 2) -> None:
    L = _llama()
    p = L.llama_model_quantize_default_params()
    p.nthread = threads
    p.ftype = {"Q8_0": L.LLAMA_FTYPE_MOSTLY_Q8_0, "Q4_0": L.LLAMA_FTYPE_MOSTLY_Q4_0}[quant]
    rc = L.llama_model_quantize(str(src).encode(), (str(dst) + ".part").encode(), ctypes.byref(p))
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize {src} → {quant} returned {rc}")
    os.replace(str(dst) + ".part", dst)


class Session:
    """A loaded model and one context set up for classification-style prefill."""

    def __init__(self, path: Path, s: shapes.Shape, threads: int, n_ctx: int, pooling_last: bool = False):
        L = self.L = _llama()
        self.s = s
        mp = L.llama_model_default_params()
        self.model = L.llama_model_load_from_file(str(path).encode(), mp)
        if not self.model:
            raise RuntimeError(f"llama.cpp could not load {path}")
        cp = L.llama_context_default_params()
        cp.n_ctx = cp.n_batch = cp.n_ubatch = n_ctx
        cp.n_seq_max = 1
        cp.n_threads = cp.n_threads_batch = threads
        cp.no_perf = True
        if s.encoder:
            cp.embeddings = True
            cp.pooling_type = L.LLAMA_POOLING_TYPE_RANK
        elif pooling_last:   # --verify only: the final hidden state of the last token
            cp.embeddings = True
            cp.pooling_type = L.LLAMA_POOLING_TYPE_LAST
        self.ctx = L.llama_init_from_model(self.model, cp)
        if not self.ctx:
            raise RuntimeError("llama_init_from_model failed")
        self.embeddings = bool(cp.embeddings)
        self.batch = L.llama_batch_init(n_ctx, 0, 1)

    def prepare(self, ids: np.ndarray) -> None:
        b, n = self.batch, ids.shape[-1]
        b.n_tokens = n
        for i, tok in enumerate(ids.reshape(-1).tolist()):
            b.token[i] = tok
            b.pos[i] = i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = 0
            b.logits[i] = 1 if (i == n - 1 or self.embeddings) else 0
        mem = self.L.llama_get_memory(self.ctx)
        if mem:
            self.L.llama_memory_clear(mem, True)

    def run(self) -> None:
        """The timed part: one forward pass over the prepared batch."""
        rc = (self.L.llama_encode if self.s.encoder else self.L.llama_decode)(self.ctx, self.batch)
        if rc != 0:
            raise RuntimeError(f"llama.cpp returned {rc}")

    def output(self) -> np.ndarray:
        L = self.L
        if self.embeddings:
            n = L.llama_model_n_cls_out(self.model) if self.s.encoder else self.s.hidden
            return np.ctypeslib.as_array(L.llama_get_embeddings_seq(self.ctx, 0), shape=(n,)).copy()
        return np.ctypeslib.as_array(L.llama_get_logits_ith(self.ctx, -1), shape=(self.s.vocab,)).copy()

    def close(self) -> None:
        self.L.llama_batch_free(self.batch)
        self.L.llama_free(self.ctx)
        self.L.llama_model_free(self.model)


def verify(s: shapes.Shape, path: Path) -> dict:
    """llama.cpp F16 against transformers float32 on the same weights and ids: the 7 logits
    for BERT, the final-norm hidden state of the last token for decoders (the input of
    score/LM head). Shows the GGUF means the same model as the ONNX file."""
    import torch
    ids = shapes.token_ids(s, 64)
    sess = Session(path, s, threads=2, n_ctx=512, pooling_last=True)
    sess.prepare(ids)
    sess.run()
    got = sess.output()
    sess.close()
    model = shapes.hf_model(s, attn="eager")
    with torch.no_grad():
        t = torch.from_numpy(ids)
        if s.encoder:
            want = model(input_ids=t, attention_mask=torch.ones_like(t), token_type_ids=torch.zeros_like(t)).logits[0].numpy()
        else:
            want = model.model(input_ids=t, attention_mask=torch.ones_like(t)).last_hidden_state[0, -1].numpy()
    del model
    gc.collect()
    err = float(np.abs(got - want).max())
    scale = float(np.abs(want).max())
    return {"compared": "logits" if s.encoder else "last hidden state", "max_abs_diff": round(err, 5),
            "max_abs_reference": round(scale, 5), "ok": err <= 0.02 * max(scale, 1.0)}


def build(s: shapes.Shape, cache: Path, quants: list[str], check: bool, force: bool) -> dict:
    f16 = gguf_path(cache, s, "F16")
    info_path = f16.parent / "build.json"
    info = json.loads(info_path.read_text()) if info_path.exists() and not force else {}
    need = s.parameters * 2 * (1 + 0.55 * ("Q8_0" in quants) + 0.3 * ("Q4_0" in quants))
    import shutil
    free = shutil.disk_usage(f16.parent).free
    if not f16.exists() or force:
        if need > free:
            return {"shape": s.name, "unavailable": f"needs ~{need / 2**30:.0f} GiB of disk, {free / 2**30:.0f} free"}
        with common.Stopwatch() as t:
            write_f16(s, f16)
        info = {"shape": s.name, "F16_write_s": round(t.seconds, 1)}
    for q in quants:
        if q != "F16" and (not gguf_path(cache, s, q).exists() or force):
            with common.Stopwatch() as t:
                quantize(f16, gguf_path(cache, s, q), q)
            info[f"{q}_quantize_s"] = round(t.seconds, 1)
    for q in quants:
        info[f"{q}_mb"] = round(gguf_path(cache, s, q).stat().st_size / 2**20, 1)
    if check and "verify" not in info:
        info["verify"] = verify(s, f16)
    import llama_cpp
    info["shape"] = s.name
    info["llama_cpp_python"] = llama_cpp.__version__
    info["system_info"] = _llama().llama_print_system_info().decode().strip()
    info_path.write_text(json.dumps(info, indent=1))
    return info


def measure(s: shapes.Shape, cache: Path, quant: str, n: int, runs: int, threads: int, warmup: int) -> dict:
    path = gguf_path(cache, s, quant)
    if not path.exists():
        return {"unavailable": f"no model at {path} (run build first)"}
    with common.Stopwatch() as load:
        sess = Session(path, s, threads, n_ctx=max(512, n))
    ids = shapes.token_ids(s, n)
    for _ in range(warmup):
        sess.prepare(ids)
        sess.run()
    samples = []
    for _ in range(runs):
        sess.prepare(ids)   # fills the batch, clears the KV cache: not timed
        t = time.perf_counter()
        sess.run()
        samples.append((time.perf_counter() - t) * 1e3)
    sess.output()
    sess.close()
    timed = ("llama_encode, RANK pooling → 7 logits" if s.encoder
             else "llama_decode of N tokens, logits of the last one (1 LM-head row)")
    return {**common.summary(samples), "load_s": round(load.seconds, 3), "peak_rss_mb": common.peak_rss_mb(),
            "timed": timed, "llama_log": log_notes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["build", "measure"])
    ap.add_argument("--shape", required=True, choices=sorted(shapes.SHAPES))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--quants", default=",".join(QUANTS), help="build: which files (F16 is always written)")
    ap.add_argument("--quant", default="Q8_0", choices=QUANTS, help="measure: which file")
    ap.add_argument("--verify", action="store_true", help="build: compare F16 outputs with transformers")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--tokens", type=int, default=16)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    s, cache = shapes.SHAPES[a.shape], common.cache_root(a.cache)
    if a.command == "build":
        quants = [q for q in a.quants.split(",") if q]
        common.emit(build(s, cache, quants, a.verify, a.force))
    else:
        common.emit({"peer": f"llama.cpp-{a.quant}", "shape": s.name, "tokens": a.tokens, "threads": a.threads,
                     **measure(s, cache, a.quant, a.tokens, a.runs, a.threads, a.warmup)})


if __name__ == "__main__":
    main()
