"""The model shapes the peers are measured on, and the one table that names each weight.

A shape is a real model's sizes with random weights: the work of a forward pass depends
on the sizes, not on the values, so the timings are the real model's. The sizes match
`Benchmarks/Sources/sift-bench/Shapes.swift`.

Every peer gets the same weights: `weights(shape)` yields (role, array) pairs from a seeded
generator, and `TENSORS` says, once per role, what Hugging Face and GGUF call it. The ONNX
model is a transformers model with these weights copied in by name (strictly: a name the
table lacks or the model lacks is an error), and the GGUF file is written from the same
stream.
"""
from __future__ import annotations

import dataclasses
import zlib
from typing import Callable, Iterator

import numpy as np


@dataclasses.dataclass(frozen=True)
class Shape:
    name: str
    family: str            # "bert" | "qwen2" | "llama": which HF class and GGUF architecture
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    vocab: int
    positions: int
    labels: int = 7
    norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    large: bool = False    # only with --large

    @property
    def encoder(self) -> bool:
        return self.family == "bert"

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    @property
    def parameters(self) -> int:
        """Weights the peers store, embeddings included (the GGUF file ties the LM head)."""
        return sum(int(np.prod(t.shape(self))) for t in tensors(self))


SHAPES = {s.name: s for s in [
    Shape("minilm", "bert", 384, 6, 12, 12, 1536, 30522, 512, norm_eps=1e-12),
    Shape("bert-base", "bert", 768, 12, 12, 12, 3072, 30522, 512, norm_eps=1e-12),
    Shape("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, 32768, rope_theta=1e6),
    Shape("llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, 131072, norm_eps=1e-5, rope_theta=5e5),
    Shape("llama-3.2-3b", "llama", 3072, 28, 24, 8, 8192, 128256, 131072, norm_eps=1e-5, rope_theta=5e5, large=True),
    Shape("llama-3.1-8b", "llama", 4096, 32, 32, 8, 14336, 128256, 131072, norm_eps=1e-5, rope_theta=5e5, large=True),
]}


# --- Names --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Tensor:
    """One weight: its HF name (None: GGUF only), its GGUF name (None: HF only), its shape
    in HF's row-major [out, in] order (GGUF stores the same bytes with the dims reversed),
    and how it is initialised."""
    hf: str | None
    gguf: str | None
    shape: Callable[[Shape], tuple[int, ...]]
    init: str                                   # "matrix" | "norm" | "bias" | "zero"
    # HF → GGUF rearrangement of rows (llama.cpp's LLAMA rope rotates adjacent pairs, HF
    # rotates halves: q and k rows are reordered so that both compute the same thing).
    to_gguf: Callable[[np.ndarray, Shape], np.ndarray] | None = None


def _kv(s: Shape) -> int:
    return s.kv_heads * s.head_dim


def _pairs_from_halves(heads_of: Callable[[Shape], int]) -> Callable[[np.ndarray, Shape], np.ndarray]:
    """Rows of each head go from [first halves..., second halves...] to interleaved pairs."""
    def rearrange(w: np.ndarray, s: Shape) -> np.ndarray:
        h = heads_of(s)
        return w.reshape(h, 2, w.shape[0] // h // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)
    return rearrange


H = lambda s: (s.hidden,)                                  # noqa: E731
HH = lambda s: (s.hidden, s.hidden)                        # noqa: E731


def _bert(s: Shape) -> list[Tensor]:
    t = [
        Tensor("bert.embeddings.word_embeddings.weight", "token_embd.weight", lambda s: (s.vocab, s.hidden), "matrix"),
        Tensor("bert.embeddings.position_embeddings.weight", "position_embd.weight", lambda s: (s.positions, s.hidden), "matrix"),
        Tensor("bert.embeddings.token_type_embeddings.weight", "token_types.weight", lambda s: (2, s.hidden), "matrix"),
        Tensor("bert.embeddings.LayerNorm.weight", "token_embd_norm.weight", H, "norm"),
        Tensor("bert.embeddings.LayerNorm.bias", "token_embd_norm.bias", H, "bias"),
    ]
    for i in range(s.layers):
        hf, gg = f"bert.encoder.layer.{i}.", f"blk.{i}."
        for hf_name, gg_name, shape in [
            ("attention.self.query", "attn_q", HH), ("attention.self.key", "attn_k", HH),
            ("attention.self.value", "attn_v", HH), ("attention.output.dense", "attn_output", HH),
            ("intermediate.dense", "ffn_up", lambda s: (s.intermediate, s.hidden)),
            ("output.dense", "ffn_down", lambda s: (s.hidden, s.intermediate)),
        ]:
            t.append(Tensor(hf + hf_name + ".weight", gg + gg_name + ".weight", shape, "matrix"))
            t.append(Tensor(hf + hf_name + ".bias", gg + gg_name + ".bias", lambda s, shape=shape: shape(s)[:1], "bias"))
        for hf_name, gg_name in [("attention.output.LayerNorm", "attn_output_norm"), ("output.LayerNorm", "layer_output_norm")]:
            t.append(Tensor(hf + hf_name + ".weight", gg + gg_name + ".weight", H, "norm"))
            t.append(Tensor(hf + hf_name + ".bias", gg + gg_name + ".bias", H, "bias"))
    t += [
        # BertForSequenceClassification: tanh(pooler(h[CLS])) → classifier; llama.cpp's
        # RANK pooling computes the same with `cls` and `cls.output`.
        Tensor("bert.pooler.dense.weight", "cls.weight", HH, "matrix"),
        Tensor("bert.pooler.dense.bias", "cls.bias", H, "bias"),
        Tensor("classifier.weight", "cls.output.weight", lambda s: (s.labels, s.hidden), "matrix"),
        Tensor("classifier.bias", "cls.output.bias", lambda s: (s.labels,), "bias"),
    ]
    return t


def _decoder(s: Shape) -> list[Tensor]:
    qkv_bias = s.family == "qwen2"
    pair_rows = s.family == "llama"   # qwen2 is NEOX-rope in llama.cpp: HF's order as is
    t = [Tensor("model.embed_tokens.weight", "token_embd.weight", lambda s: (s.vocab, s.hidden), "matrix")]
    for i in range(s.layers):
        hf, gg = f"model.layers.{i}.", f"blk.{i}."
        t += [
            Tensor(hf + "input_layernorm.weight", gg + "attn_norm.weight", H, "norm"),
            Tensor(hf + "self_attn.q_proj.weight", gg + "attn_q.weight", HH, "matrix",
                   _pairs_from_halves(lambda s: s.heads) if pair_rows else None),
            Tensor(hf + "self_attn.k_proj.weight", gg + "attn_k.weight", lambda s: (_kv(s), s.hidden), "matrix",
                   _pairs_from_halves(lambda s: s.kv_heads) if pair_rows else None),
            Tensor(hf + "self_attn.v_proj.weight", gg + "attn_v.weight", lambda s: (_kv(s), s.hidden), "matrix"),
            Tensor(hf + "self_attn.o_proj.weight", gg + "attn_output.weight", HH, "matrix"),
            Tensor(hf + "post_attention_layernorm.weight", gg + "ffn_norm.weight", H, "norm"),
            Tensor(hf + "mlp.gate_proj.weight", gg + "ffn_gate.weight", lambda s: (s.intermediate, s.hidden), "matrix"),
            Tensor(hf + "mlp.up_proj.weight", gg + "ffn_up.weight", lambda s: (s.intermediate, s.hidden), "matrix"),
            Tensor(hf + "mlp.down_proj.weight", gg + "ffn_down.weight", lambda s: (s.hidden, s.intermediate), "matrix"),
        ]
        if qkv_bias:
            t += [
                Tensor(hf + "self_attn.q_proj.bias", gg + "attn_q.bias", H, "bias"),
                Tensor(hf + "self_attn.k_proj.bias", gg + "attn_k.bias", lambda s: (_kv(s),), "bias"),
                Tensor(hf + "self_attn.v_proj.bias", gg + "attn_v.bias", lambda s: (_kv(s),), "bias"),
            ]
    t += [
        Tensor("model.norm.weight", "output_norm.weight", H, "norm"),
        # XForSequenceClassification's head. llama.cpp's llama/qwen2 graphs have no slot for
        # it (they end in the LM head, tied to token_embd here), so it is HF-only.
        Tensor("score.weight", None, lambda s: (s.labels, s.hidden), "matrix"),
    ]
    return t


def tensors(s: Shape) -> list[Tensor]:
    return _bert(s) if s.encoder else _decoder(s)


# --- Values -------------------------------------------------------------------------------

def value(s: Shape, t: Tensor, seed: int = 0) -> np.ndarray:
    """The float32 value of one weight, in HF layout; the same on every call. Matrices are
    N(0, 0.02²) like a trained model's range; norms near 1; biases small."""
    shape = t.shape(s)
    key = t.hf or t.gguf
    rng = np.random.default_rng([seed, zlib.crc32(f"{s.name}/{key}".encode())])
    if t.init == "matrix":
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)
    if t.init == "norm":
        return np.float32(1) + rng.standard_normal(shape, dtype=np.float32) * np.float32(0.05)
    if t.init == "bias":
        return rng.standard_normal(shape, dtype=np.float32) * np.float32(0.01)
    return np.zeros(shape, np.float32)


def weights(s: Shape, seed: int = 0) -> Iterator[tuple[Tensor, np.ndarray]]:
    for t in tensors(s):
        yield t, value(s, t, seed)


def token_ids(s: Shape, n: int) -> np.ndarray:
    """The N input ids every peer is timed on: [1, N] int64, seeded by N, below 30000 so
    they are ordinary ids in every vocabulary here."""
    return np.random.default_rng(1000 + n).integers(1000, 30000, size=(1, n), dtype=np.int64)


# --- Hugging Face -------------------------------------------------------------------------

def hf_config(s: Shape, attn: str):
    import transformers
    common = dict(hidden_size=s.hidden, num_hidden_layers=s.layers, num_attention_heads=s.heads,
                  intermediate_size=s.intermediate, vocab_size=s.vocab, max_position_embeddings=s.positions,
                  num_labels=s.labels, attn_implementation=attn)
    if s.family == "bert":
        return transformers.BertConfig(layer_norm_eps=s.norm_eps, **common)
    cls = transformers.Qwen2Config if s.family == "qwen2" else transformers.LlamaConfig
    # pad_token_id None: with batch 1 the classifier pools the last token, as llama.cpp does.
    return cls(num_key_value_heads=s.kv_heads, rms_norm_eps=s.norm_eps, tie_word_embeddings=True,
               rope_parameters={"rope_type": "default", "rope_theta": s.rope_theta}, use_cache=False,
               pad_token_id=None, **common)


def hf_model(s: Shape, attn: str = "eager", seed: int = 0):
    """XForSequenceClassification in float32 with the table's weights; every parameter must
    be in the table and every table entry with an HF name in the model."""
    import torch
    import transformers
    cls = {"bert": transformers.BertForSequenceClassification,
           "qwen2": transformers.Qwen2ForSequenceClassification,
           "llama": transformers.LlamaForSequenceClassification}[s.family]
    torch.manual_seed(seed)
    model = cls(hf_config(s, attn)).eval()
    params = dict(model.named_parameters())
    table = {t.hf: t for t in tensors(s) if t.hf}
    if set(params) != set(table):
        raise RuntimeError(f"{s.name}: HF parameters not in the table: {sorted(set(params) - set(table))[:5]}; "
                           f"table entries not in the model: {sorted(set(table) - set(params))[:5]}")
    with torch.no_grad():
        for name, p in params.items():
            v = value(s, table[name], seed)
            if tuple(p.shape) != v.shape:
                raise RuntimeError(f"{s.name}: {name} is {tuple(p.shape)} in HF, {v.shape} in the table")
            p.copy_(torch.from_numpy(v))
    return model
