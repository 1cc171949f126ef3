#!/usr/bin/env python3
"""Golden outputs of the two real models Sift's optional tests run, from transformers.

The weights are not committed: models/fetch_assets.sh puts them in models/assets/. This
writes, into Tests/SiftTests/Fixtures/real/:

  minilm.json          all-MiniLM-L6-v2 (BertModel, hidden 384) on 5 texts: ids and type ids
                       from its tokenizer.json (padding disabled), last_hidden_state
                       (row-major [tokens * 384]), pooler_output [384], and the
                       sentence-transformers embedding (mean over tokens, L2-normalized)
  smollm2.json         SmolLM2-135M-Instruct.Q4_1.gguf loaded by transformers' GGUF loader
                       (dequantized to fp32) on 4 prompts: prompts, ids, vocab size, top-10
                       next tokens, final hidden state norm at the last position
  smollm2.logits.f32   the full next-token logits at each prompt's last position: raw
                       little-endian float32, [4 * 49152], prompts in order

Run from the repository root, after models/fetch_assets.sh (no network; one thread, ~40 s):

    python3 models/architectures/make_real_goldens.py

Needs torch, transformers, tokenizers, gguf, numpy.
"""
from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import numpy as np
import tokenizers
import torch
import transformers as T
from tokenizers import Tokenizer

import gguf  # noqa: F401  (transformers' GGUF loader needs it)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import f32, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "models" / "assets"
MINILM = ASSETS / "minilm"
SMOLLM2 = ASSETS / "smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
OUT = ROOT / "Tests" / "SiftTests" / "Fixtures" / "real"

REFERENCE = (f"transformers {T.__version__}, torch {torch.__version__}, "
             f"tokenizers {tokenizers.__version__}, gguf {importlib.metadata.version('gguf')}")

MINILM_TEXTS = [
    "Hi, I was charged twice for my March invoice. Can you refund the duplicate payment?",
    "How do I change the email address on my account?",
    "Crème brûlée à la façade: naïve Zoë paid 12,50 € in São Paulo.",
    "我的订单还没有到，请帮我查一下物流。ありがとうございます。",
    "The mobile app crashes every time I open the settings page after the latest update, "
    "and reinstalling it did not help. I am on an iPhone 15 with iOS 17.4, and the problem "
    "started on Tuesday morning. Could you please look into it and tell me whether there is "
    "a workaround until the fix ships?",
]

SMOLLM2_PROMPTS = [
    ("text", "The capital of France is"),
    ("text", "Ticket: I was charged twice this month.\nCategory:"),
    ("text", "Crème brûlée, naïve Zoë — 我的订单 😀"),
    ("chat", [{"role": "user", "content": "Is this message about billing or a bug? "
                                          "\"The app crashes when I log in.\""}]),
]

torch.set_num_threads(1)


@torch.no_grad()
def minilm() -> None:
    tok = Tokenizer.from_file(str(MINILM / "tokenizer.json"))
    tok.no_padding()  # the file pads to 128
    model = T.BertModel.from_pretrained(MINILM, attn_implementation="eager").float().eval()
    cases = []
    for text in MINILM_TEXTS:
        enc = tok.encode(text)
        assert len(enc.ids) < 128, "truncated"
        out = model(input_ids=torch.tensor([enc.ids]), token_type_ids=torch.tensor([enc.type_ids]))
        hidden = out.last_hidden_state[0]  # [tokens, 384]
        mean = hidden.mean(0)
        cases.append({"text": text, "ids": enc.ids, "type_ids": enc.type_ids,
                      "last_hidden": f32(hidden), "pooler_output": f32(out.pooler_output[0]),
                      "mean_pooled_normalized": f32(mean / mean.norm())})
    print(f"  minilm: tokens {[len(c['ids']) for c in cases]}", file=sys.stderr)
    write_json(OUT / "minilm.json", {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (models/assets/minilm)",
        "class": "BertModel", "reference": REFERENCE, "hidden_size": model.config.hidden_size,
        "tokenizer": "tokenizer.json of the model folder, padding disabled (no truncation occurs)",
        "cases": cases})


@torch.no_grad()
def smollm2() -> None:
    tok = T.AutoTokenizer.from_pretrained(SMOLLM2, gguf_file=SMOLLM2_GGUF)
    model = T.AutoModelForCausalLM.from_pretrained(SMOLLM2, gguf_file=SMOLLM2_GGUF,
                                                   dtype=torch.float32,
                                                   attn_implementation="eager").eval()
    vocab = model.config.vocab_size
    cases, logits_all = [], []
    for kind, prompt in SMOLLM2_PROMPTS:
        if kind == "chat":
            text = tok.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
            ids = tok(text, add_special_tokens=False)["input_ids"]
        else:
            text = prompt
            ids = tok(text)["input_ids"]  # add_special_tokens as the GGUF says (no BOS)
        out = model(input_ids=torch.tensor([ids]))
        final = model.model(input_ids=torch.tensor([ids])).last_hidden_state[0, -1]  # after the final norm
        logits = out.logits[0, -1].to(torch.float32)
        assert logits.shape == (vocab,)
        logits_all.append(logits.numpy().astype("<f4"))
        top = torch.topk(logits, 10)
        cases.append({"kind": kind, "messages": prompt if kind == "chat" else None, "prompt": text,
                      "ids": ids,
                      "top10_ids": top.indices.tolist(), "top10_logits": f32(top.values),
                      "top10_tokens": tok.convert_ids_to_tokens(top.indices.tolist()),
                      "final_hidden_norm": float(np.float32(final.norm()))})
    (OUT / "smollm2.logits.f32").write_bytes(np.concatenate(logits_all).tobytes())
    print(f"  smollm2: tokens {[len(c['ids']) for c in cases]}, top1 "
          f"{[c['top10_tokens'][0] for c in cases]}", file=sys.stderr)
    write_json(OUT / "smollm2.json", {
        "model": f"SmolLM2-135M-Instruct Q4_1 GGUF (models/assets/smollm2/{SMOLLM2_GGUF})",
        "class": type(model).__name__, "reference": REFERENCE,
        "loading": "transformers GGUF loader, dequantized to fp32; tokenizer built by "
                   "transformers from the GGUF; chat prompts via its chat template with "
                   "add_generation_prompt, encoded without adding special tokens",
        "vocab_size": vocab,
        "config": {k: getattr(model.config, k) for k in (
            "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "head_dim", "rms_norm_eps", "rope_parameters",
            "tie_word_embeddings", "bos_token_id", "eos_token_id")},
        "logits_file": "smollm2.logits.f32: little-endian float32, [cases x vocab_size], "
                       "next-token logits at each prompt's last position",
        "final_hidden_norm": "L2 norm of the base model's last_hidden_state at the last position (after the final RMSNorm)",
        "cases": cases})


def main() -> None:
    for f in (MINILM / "model.safetensors", SMOLLM2 / SMOLLM2_GGUF):
        if not f.exists():
            sys.exit(f"missing {f.relative_to(ROOT)}: run models/fetch_assets.sh first")
    OUT.mkdir(parents=True, exist_ok=True)
    minilm()
    smollm2()


if __name__ == "__main__":
    main()
