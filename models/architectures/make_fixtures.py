#!/usr/bin/env python3
"""Tiny random-weight models of every architecture and head Sift runs, with golden outputs
from transformers (and PEFT for the LoRA adapters).

Writes Tests/SiftTests/Fixtures/models/<name>/:
    config.json, model.safetensors     save_pretrained (fp32, safetensors)
    tokenizer.json, tokenizer_config.json   a small tokenizer of the family (tiny_tokenizers.py)
    golden.json                        inputs, token ids and outputs (format in the README there)
    config.v4.json                     (llama-cls, qwen3-cls, gemma3-cls) the same config with
                                       transformers 4.x's RoPE keys, as hub checkpoints have them
LoRA fixtures hold base/ (the model and tokenizer as above) and adapter/ (PEFT
adapter_config.json + adapter_model.safetensors) instead, golden.json beside them.

Every model: hidden 64, intermediate 128, 4 query heads of 16 (Qwen3: of 32; decoders: 2 KV heads),
2 layers (Gemma 3: 3, sliding/sliding/full), vocabulary 512; fp32, eager attention, eval
mode. Weights are a seeded normal (std 0.08, embeddings 0.1, biases 0.05), and every norm's
weight and bias is its default plus N(0, 0.1), so a wrong norm shows in the outputs.

After writing, each folder is loaded back with from_pretrained (and PeftModel.from_pretrained)
and its cases rerun: the outputs must be identical, and AutoTokenizer must give the same ids.

Run from the repository root (no network; one thread; about 15 seconds):

    python3 models/architectures/make_fixtures.py

Needs torch, transformers, peft, tokenizers, sentencepiece, safetensors, numpy. The output
depends only on the seeds and the library versions written into each golden.json.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import peft
import tokenizers
import torch
import transformers as T
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tiny_tokenizers as tt  # noqa: E402

OUT = tt.ROOT / "Tests" / "SiftTests" / "Fixtures" / "models"
SEED = 1234
STD, EMBED_STD, BIAS_STD, NORM_STD = 0.08, 0.1, 0.05, 0.1

REFERENCE = (f"transformers {T.__version__}, torch {torch.__version__}, peft {peft.__version__}, "
             f"tokenizers {tokenizers.__version__}")

# Cases: short (1-3 tokens), medium, long (> 20 tokens with every tokenizer here; any case
# past 4 tokens crosses Gemma's window), accents, emoji, CJK, numbers (decoders); encoders
# get two pairs instead of the last single (token type ids 1 for BERT).
SINGLE = [
    "help",
    "My card was charged twice",
    "I was charged twice for my subscription this month.",
    "Crème brûlée, naïve Zoë, 12,50 €",
    "Great support 😀👍 thanks!!",
    "我的订单没到。감사합니다",
    "Order #402 arrived empty",
]
PAIRS = [
    ("Reset my password?", "Click \"Forgot password\"."),
    ("Refund please", "Geld zurück, bitte."),
]
ENCODER_CASES = [(t, None) for t in SINGLE[:6]] + PAIRS
DECODER_CASES = [(t, None) for t in SINGLE]

# Zero-shot label scoring for the causal LMs.
SCORING_PROMPTS = [
    "Ticket: I was charged twice this month.\nCategory:",
    "Classify the message. Message: the app keeps crashing on start. Answer:",
]
# In preference order; "the" because with a 512-entry vocabulary few words are one token.
LABEL_CANDIDATES = ["help", "refund", "bug", "billing", "card", "order", "app", "the"]

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------

COMMON_DECODER = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                      max_position_embeddings=128)
COMMON_BERT = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                   num_attention_heads=4, max_position_embeddings=128, hidden_act="gelu")


def labels_kw(names: list[str]) -> dict:
    return dict(id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})


def bert_config(tok, sp, names, **extra):
    return T.BertConfig(vocab_size=tok.get_vocab_size(True), type_vocab_size=2,
                        pad_token_id=sp["pad"], **COMMON_BERT, **labels_kw(names), **extra)


def roberta_config(cls, tok, sp, names):
    # RoBERTa / XLM-R: positions start at pad_token_id + 1, so 2 + 128 rows.
    return cls(vocab_size=tok.get_vocab_size(True), type_vocab_size=1, pad_token_id=sp["pad"],
               bos_token_id=sp["bos"], eos_token_id=sp["eos"], layer_norm_eps=1e-5,
               **{**COMMON_BERT, "max_position_embeddings": 130}, **labels_kw(names))


def distilbert_config(tok, sp, names):
    return T.DistilBertConfig(vocab_size=tok.get_vocab_size(True), dim=64, hidden_dim=128, n_layers=2,
                              n_heads=4, max_position_embeddings=128, activation="gelu",
                              sinusoidal_pos_embds=False, pad_token_id=sp["pad"], **labels_kw(names))


LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 64}


def llama_config(tok, sp, names=(), tie=False, pad=True):
    return T.LlamaConfig(vocab_size=tok.get_vocab_size(True), **COMMON_DECODER, rms_norm_eps=1e-5,
                         rope_theta=10000.0, rope_scaling=dict(LLAMA3_ROPE),
                         bos_token_id=sp["bos"], eos_token_id=sp["eos"],
                         pad_token_id=sp["pad"] if pad else None, tie_word_embeddings=tie,
                         **(labels_kw(list(names)) if names else {}))


def mistral_config(tok, sp, names):
    # pad_token_id null, as in Mistral's own configs: the classifier pools the last token.
    return T.MistralConfig(vocab_size=tok.get_vocab_size(True), **COMMON_DECODER, rms_norm_eps=1e-5,
                           rope_theta=1_000_000.0, sliding_window=None, bos_token_id=sp["bos"],
                           eos_token_id=sp["eos"], pad_token_id=None, tie_word_embeddings=False,
                           **labels_kw(names))


def qwen2_config(tok, sp, names=(), tie=False):
    return T.Qwen2Config(vocab_size=tok.get_vocab_size(True), **COMMON_DECODER, rms_norm_eps=1e-6,
                         rope_theta=1_000_000.0, use_sliding_window=False, bos_token_id=None,
                         eos_token_id=sp["eos"], pad_token_id=sp["pad"], tie_word_embeddings=tie,
                         **(labels_kw(list(names)) if names else {}))


def qwen3_config(tok, sp, names):
    # head_dim 32 with 4 heads of a 64-wide model: q_proj is 64 -> 128, o_proj 128 -> 64.
    return T.Qwen3Config(vocab_size=tok.get_vocab_size(True),
                         **{**COMMON_DECODER, "head_dim": 32}, rms_norm_eps=1e-6,
                         rope_theta=1_000_000.0, use_sliding_window=False, bos_token_id=None,
                         eos_token_id=sp["eos"], pad_token_id=sp["pad"], tie_word_embeddings=False,
                         **labels_kw(names))


GEMMA3_LAYER_TYPES = ["sliding_attention", "sliding_attention", "full_attention"]


def gemma3_config(tok, sp, names):
    return T.Gemma3TextConfig(vocab_size=tok.get_vocab_size(True),
                              **{**COMMON_DECODER, "num_hidden_layers": 3},
                              layer_types=list(GEMMA3_LAYER_TYPES), sliding_window=4,
                              rope_theta=50_000.0, rope_local_base_freq=1_000.0,
                              query_pre_attn_scalar=24, hidden_activation="gelu_pytorch_tanh",
                              rms_norm_eps=1e-6, bos_token_id=sp["bos"], eos_token_id=sp["eos"],
                              pad_token_id=sp["pad"], **labels_kw(names))


TICKET = ["billing", "bug", "account"]

# name -> (tokenizer, model class, config maker, labels, problem type)
SPECS = {
    "bert-cls": ("bert-cased", T.BertForSequenceClassification,
                 lambda t, s: bert_config(t, s, TICKET), TICKET, "single_label_classification"),
    "bert-multilabel": ("bert-cased", T.BertForSequenceClassification,
                        lambda t, s: bert_config(t, s, ["urgent", "refund", "technical", "positive"],
                                                 problem_type="multi_label_classification"),
                        ["urgent", "refund", "technical", "positive"], "multi_label_classification"),
    "roberta-cls": ("roberta", T.RobertaForSequenceClassification,
                    lambda t, s: roberta_config(T.RobertaConfig, t, s, ["negative", "positive"]),
                    ["negative", "positive"], "single_label_classification"),
    "xlm-roberta-cls": ("xlm-roberta", T.XLMRobertaForSequenceClassification,
                        lambda t, s: roberta_config(T.XLMRobertaConfig, t, s, ["de", "en", "fr", "ja"]),
                        ["de", "en", "fr", "ja"], "single_label_classification"),
    "distilbert-cls": ("bert-uncased", T.DistilBertForSequenceClassification,
                       lambda t, s: distilbert_config(t, s, ["ham", "spam"]),
                       ["ham", "spam"], "single_label_classification"),
    "llama-cls": ("llama3", T.LlamaForSequenceClassification,
                  lambda t, s: llama_config(t, s, TICKET), TICKET, "single_label_classification"),
    "mistral-cls": ("mistral", T.MistralForSequenceClassification,
                    lambda t, s: mistral_config(t, s, ["low", "medium", "high", "critical", "spam"]),
                    ["low", "medium", "high", "critical", "spam"], "single_label_classification"),
    "qwen2-cls": ("qwen2", T.Qwen2ForSequenceClassification,
                  lambda t, s: qwen2_config(t, s, TICKET), TICKET, "single_label_classification"),
    "qwen3-cls": ("qwen2", T.Qwen3ForSequenceClassification,
                  lambda t, s: qwen3_config(t, s, ["negative", "neutral", "positive"]),
                  ["negative", "neutral", "positive"], "single_label_classification"),
    "gemma3-cls": ("gemma3", T.Gemma3TextForSequenceClassification,
                   lambda t, s: gemma3_config(t, s, TICKET), TICKET, "single_label_classification"),
    "llama-lm": ("llama3", T.LlamaForCausalLM, lambda t, s: llama_config(t, s, tie=True),
                 [], None),
    "qwen2-lm": ("qwen2", T.Qwen2ForCausalLM, lambda t, s: qwen2_config(t, s, tie=False), [], None),
}
ENCODER_FAMILIES = {"bert-cased", "bert-uncased", "roberta", "xlm-roberta"}
LEGACY_CONFIG = {"llama-cls", "qwen3-cls", "gemma3-cls"}

LORA_SPECS = {
    "llama-lora": ("llama3", T.LlamaForSequenceClassification,
                   lambda t, s: llama_config(t, s, TICKET), TICKET,
                   dict(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"],
                        modules_to_save=["score"], use_rslora=False)),
    "bert-lora": ("bert-cased", T.BertForSequenceClassification,
                  lambda t, s: bert_config(t, s, TICKET), TICKET,
                  dict(r=4, lora_alpha=8, target_modules=["query", "value"],
                       modules_to_save=["classifier"], use_rslora=True)),
}


def is_norm(module: torch.nn.Module) -> bool:
    return isinstance(module, torch.nn.LayerNorm) or "Norm" in type(module).__name__


def randomize(model: torch.nn.Module, seed: int) -> None:
    """Overwrites every parameter: see the module docstring for the distributions."""
    g = torch.Generator().manual_seed(seed)
    done: set[int] = set()
    with torch.no_grad():
        for _, module in model.named_modules():
            for pname, p in module.named_parameters(recurse=False):
                if id(p) in done:  # a tied weight
                    continue
                done.add(id(p))
                noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
                if is_norm(module):
                    # weight: around 1 (LayerNorm, RMSNorm) or 0 (Gemma's 1 + w); bias around 0
                    p.copy_((p if pname == "weight" else 0) + NORM_STD * noise)
                elif pname == "bias":
                    p.copy_(BIAS_STD * noise)
                elif isinstance(module, torch.nn.Embedding):
                    p.copy_(EMBED_STD * noise)
                else:
                    p.copy_(STD * noise)
    total = {id(p) for p in model.parameters()}
    assert total == done, "a parameter was not randomized"


def build(cls, config) -> torch.nn.Module:
    config._attn_implementation = "eager"
    model = cls(config)
    return model.float().eval()


def base_model(model: torch.nn.Module) -> torch.nn.Module:
    """The transformer under a head (BertModel, LlamaModel, ...), through a PeftModel too."""
    if isinstance(model, peft.PeftModel):
        model = model.get_base_model()
    return getattr(model, model.base_model_prefix)


# --------------------------------------------------------------------------------------
# Goldens
# --------------------------------------------------------------------------------------


def f32(t: torch.Tensor) -> list[float]:
    """Row-major float32 values, each as the shortest decimal that reads back to exactly that
    float32 (at most 9 significant digits; the float64 spelling would need 17)."""
    values = t.detach().to(torch.float32).contiguous().view(-1).numpy()
    return [float(np.format_float_scientific(v, unique=True)) for v in values]


def takes_type_ids(config) -> bool:
    return getattr(config, "type_vocab_size", 0) > 1


@torch.no_grad()
def run_case(model, config, tok: Tokenizer, text: str, pair: str | None, lm: bool,
             problem_type: str | None) -> dict:
    enc = tok.encode(text, pair, add_special_tokens=True)
    ids = torch.tensor([enc.ids])
    kw = {"token_type_ids": torch.tensor([enc.type_ids])} if takes_type_ids(config) else {}
    out = model(input_ids=ids, **kw)
    hidden = base_model(model)(input_ids=ids, **kw).last_hidden_state[0]
    case = {"text": text, "text_pair": pair, "ids": enc.ids, "type_ids": enc.type_ids}
    if lm:
        case["next_token_logits"] = f32(out.logits[0, -1])
    else:
        logits = out.logits[0]
        scores = (torch.sigmoid(logits) if problem_type == "multi_label_classification"
                  else torch.softmax(logits, -1))
        case["logits"] = f32(logits)
        case["scores"] = f32(scores)
    case["last_hidden"] = f32(hidden)
    return case


def pick_labels(tok: Tokenizer) -> list[dict]:
    """Label words whose " word" is 1, 2, 3 and 4+ tokens long."""
    by_len: dict[int, list[str]] = {}
    for w in LABEL_CANDIDATES:
        by_len.setdefault(len(tok.encode(" " + w, add_special_tokens=False).ids), []).append(w)
    for n in (1, 2, 3):
        assert by_len.get(n), f"no candidate label of {n} tokens: {by_len}"
    names = [by_len[1][0], by_len[2][0], by_len[3][0],
             next(w for n in sorted(by_len) if n >= 4 for w in by_len[n])]
    return [{"name": w, "ids": tok.encode(" " + w, add_special_tokens=False).ids} for w in names]


@torch.no_grad()
def label_scoring(model, tok: Tokenizer) -> dict:
    labels = pick_labels(tok)
    cases = []
    for prompt in SCORING_PROMPTS:
        p = tok.encode(prompt, add_special_tokens=True).ids
        logprobs = []
        for lab in labels:
            full = p + lab["ids"]
            logp = torch.log_softmax(model(input_ids=torch.tensor([full])).logits[0], -1)
            total = sum(float(logp[len(p) + j - 1, t]) for j, t in enumerate(lab["ids"]))
            logprobs.append(float(np.format_float_scientific(np.float32(total), unique=True)))
        cases.append({"prompt": prompt, "prompt_ids": p, "labels": labels, "logprobs": logprobs})
    return {"cases": cases}


def to_json(v, indent: int = 0) -> str:
    """JSON with objects and lists of objects indented, lists of numbers on one line."""
    pad = " " * indent
    if isinstance(v, dict) and v:
        inner = [f'{pad}  {json.dumps(k)}: {to_json(x, indent + 2)}' for k, x in v.items()]
        return "{\n" + ",\n".join(inner) + "\n" + pad + "}"
    if isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
        inner = [pad + "  " + to_json(x, indent + 2) for x in v]
        return "[\n" + ",\n".join(inner) + "\n" + pad + "]"
    return json.dumps(v, ensure_ascii=False)


def write_json(path: Path, obj) -> None:
    path.write_text(to_json(obj) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------------------


_TOKENIZERS: dict[str, tuple] = {}


def tokenizer(family: str):
    if family not in _TOKENIZERS:
        _TOKENIZERS[family] = tt.BUILDERS[family]()
    return _TOKENIZERS[family]


def save_tokenizer(folder: Path, family: str) -> Tokenizer:
    tok, config, _ = tokenizer(family)
    text = json.dumps(json.loads(tok.to_str()), ensure_ascii=False, separators=(",", ":"))
    (folder / "tokenizer.json").write_text(text, encoding="utf-8")
    write_json(folder / "tokenizer_config.json", config)
    return Tokenizer.from_file(str(folder / "tokenizer.json"))


def save_model(model, folder: Path) -> None:
    model.save_pretrained(folder, safe_serialization=True)
    # generation_config.json is written for causal LMs; it says nothing Sift reads.
    (folder / "generation_config.json").unlink(missing_ok=True)


def legacy_config(config: dict) -> dict:
    """The config as transformers 4.x wrote it: rope_theta / rope_scaling (Gemma 3:
    rope_local_base_freq, and sliding_window_pattern instead of layer_types) instead of
    rope_parameters, torch_dtype instead of dtype."""
    c = {k: v for k, v in config.items() if k not in ("rope_parameters", "dtype", "_sliding_window_pattern")}
    rp = config["rope_parameters"]
    if "full_attention" in rp:  # Gemma 3: per layer type
        glob, local = rp["full_attention"], rp["sliding_attention"]
        assert glob["rope_type"] == local["rope_type"] == "default"
        c["rope_theta"], c["rope_local_base_freq"], c["rope_scaling"] = (
            glob["rope_theta"], local["rope_theta"], None)
        # Early Gemma 3 configs have no layer_types, only the period of the full layers:
        # layer i is full when (i + 1) % sliding_window_pattern == 0.
        types = c.pop("layer_types")
        period = types.index("full_attention") + 1
        assert types == ["full_attention" if (i + 1) % period == 0 else "sliding_attention"
                         for i in range(len(types))]
        c["sliding_window_pattern"] = period
    else:
        c["rope_theta"] = rp["rope_theta"]
        extra = {k: v for k, v in rp.items() if k != "rope_theta"}
        c["rope_scaling"] = None if rp["rope_type"] == "default" else extra
    c["torch_dtype"] = config.get("dtype", "float32")
    return dict(sorted(c.items()))


def check_legacy_config(folder: Path) -> None:
    """transformers must read config.v4.json into the same RoPE settings as config.json."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(folder / "config.v4.json", Path(tmp) / "config.json")
        old = T.AutoConfig.from_pretrained(tmp)
    new = T.AutoConfig.from_pretrained(folder)
    assert old.rope_parameters == new.rope_parameters, (old.rope_parameters, new.rope_parameters)
    assert getattr(old, "layer_types", None) == getattr(new, "layer_types", None)


def check_tokenizer(folder: Path, cases: list[dict]) -> None:
    """AutoTokenizer (what a transformers user gets from the folder) gives the same ids."""
    hf = T.AutoTokenizer.from_pretrained(folder)
    for c in cases:
        enc = hf(c["text"], c["text_pair"], add_special_tokens=True)
        assert enc["input_ids"] == c["ids"], (folder.name, c["text"], enc["input_ids"], c["ids"])


def same(a: list[float], b: list[float], name: str) -> None:
    assert a == b, f"{name}: reloaded model differs (max diff {np.max(np.abs(np.subtract(a, b)))})"


def load(cls, folder: Path):
    return cls.from_pretrained(folder, attn_implementation="eager").float().eval()


def make_model(name: str) -> None:
    family, cls, make_config, labels, problem = SPECS[name]
    tok, _, sp = tokenizer(family)
    lm = problem is None
    model = build(cls, make_config(tok, sp))
    randomize(model, SEED + sorted(SPECS).index(name))
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    save_model(model, folder)
    tok = save_tokenizer(folder, family)
    encoder = family in ENCODER_FAMILIES
    cases_in = ENCODER_CASES if encoder else DECODER_CASES

    # The goldens come from the saved folder, loaded back. (The in-memory model can differ
    # in the last bit: BLAS takes other paths for other buffer alignments.)
    saved = load(cls, folder)
    cases = [run_case(saved, saved.config, tok, t, p, lm, problem) for t, p in cases_in]
    if not encoder:  # the pooled token is the last one: no input holds the pad id
        assert all(saved.config.pad_token_id not in c["ids"] for c in cases)
    golden = {"class": cls.__name__, "reference": REFERENCE, "problem_type": problem,
              "labels": labels}
    golden.update(architecture_notes(name, saved.config))
    if lm:
        golden["label_scoring"] = label_scoring(saved, tok)
    golden["cases"] = cases
    write_json(folder / "golden.json", golden)
    if name in LEGACY_CONFIG:
        config = json.loads((folder / "config.json").read_text())
        write_json(folder / "config.v4.json", legacy_config(config))
        check_legacy_config(folder)

    # A second load reproduces the goldens exactly; the in-memory model within rounding.
    again = load(cls, folder)
    for c, (t, p) in zip(cases, cases_in):
        r = run_case(again, again.config, tok, t, p, lm, problem)
        m = run_case(model, model.config, tok, t, p, lm, problem)
        for k in ("logits", "next_token_logits", "last_hidden"):
            if k in c:
                same(c[k], r[k], f"{name} {k}")
                assert np.allclose(c[k], m[k], rtol=1e-5, atol=1e-5), f"{name} {k}: in-memory model"
    if lm:
        assert label_scoring(again, tok) == golden["label_scoring"]
    check_tokenizer(folder, cases)
    report(name, folder, saved.config)


def architecture_notes(name: str, config) -> dict:
    notes = {}
    if name.startswith("gemma3"):
        notes["layer_types"] = list(config.layer_types)
        notes["sliding_window"] = config.sliding_window
        notes["pooling"] = "rightmost token that is not pad_token_id (GenericForSequenceClassification)"
    elif name.endswith("-cls") and config.model_type in ("llama", "mistral", "qwen2", "qwen3"):
        notes["pooling"] = ("rightmost token that is not pad_token_id; the last token when "
                            "pad_token_id is null (GenericForSequenceClassification)")
    return notes


def make_lora(name: str) -> None:
    family, cls, make_config, labels, lora = LORA_SPECS[name]
    tok, _, sp = tokenizer(family)
    base = build(cls, make_config(tok, sp))
    randomize(base, SEED + 100 + sorted(LORA_SPECS).index(name))
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "base").mkdir(parents=True)
    save_model(base, folder / "base")
    tok = save_tokenizer(folder / "base", family)

    config = peft.LoraConfig(task_type="SEQ_CLS", lora_dropout=0.0, bias="none", **lora)
    model = peft.get_peft_model(base, config)
    # PEFT starts B at zero (a no-op adapter); make A and B random, and move the trained
    # copy of the head away from the base's.
    g = torch.Generator().manual_seed(SEED + 200 + sorted(LORA_SPECS).index(name))
    adapted = []
    with torch.no_grad():
        for mname, module in model.named_modules():
            if isinstance(module, peft.tuners.lora.LoraLayer):
                for part in (module.lora_A["default"], module.lora_B["default"]):
                    part.weight.copy_(0.1 * torch.randn(part.weight.shape, generator=g))
                adapted.append(mname.removeprefix("base_model.model."))
            if isinstance(module, peft.utils.other.ModulesToSaveWrapper):
                for p in module.modules_to_save["default"].parameters():
                    p.add_(0.1 * torch.randn(p.shape, generator=g))
    model.eval()
    model.save_pretrained(folder / "adapter", safe_serialization=True)
    (folder / "adapter" / "README.md").unlink(missing_ok=True)
    # PEFT writes target_modules in set order (it changes with PYTHONHASHSEED) and the base
    # model's absolute path; sort the one and make the other relative to the adapter folder.
    path = folder / "adapter" / "adapter_config.json"
    adapter_config = json.loads(path.read_text())
    adapter_config["target_modules"] = sorted(adapter_config["target_modules"])
    adapter_config["base_model_name_or_path"] = "../base"
    path.write_text(json.dumps(adapter_config, indent=2, sort_keys=True) + "\n")

    cases_in = ENCODER_CASES if family in ENCODER_FAMILIES else DECODER_CASES
    problem = "single_label_classification"

    # Goldens from base/ + adapter/ loaded back (see make_model for why not from memory).
    saved = peft.PeftModel.from_pretrained(load(cls, folder / "base"), folder / "adapter").eval()
    saved_config = saved.get_base_model().config
    cases = [run_case(saved, saved_config, tok, t, p, False, problem) for t, p in cases_in]
    for c in cases:  # the adapter must change every case's logits, relative to their scale
        with torch.no_grad(), saved.disable_adapter():
            kw = {"token_type_ids": torch.tensor([c["type_ids"]])} if takes_type_ids(saved_config) else {}
            plain = f32(saved(input_ids=torch.tensor([c["ids"]]), **kw).logits[0])
        change = np.max(np.abs(np.subtract(plain, c["logits"]))) / np.max(np.abs(c["logits"]))
        assert change > 0.05, f"{name}: the adapter changes {c['text']!r} by only {change}"
    golden = {"class": cls.__name__, "reference": REFERENCE, "problem_type": problem,
              "labels": labels,
              "adapter": {"peft_type": "LORA", "r": lora["r"], "lora_alpha": lora["lora_alpha"],
                          "use_rslora": lora["use_rslora"],
                          "scale": lora["lora_alpha"] / (lora["r"] ** 0.5 if lora["use_rslora"] else lora["r"]),
                          "target_modules": lora["target_modules"],
                          "adapted_modules": sorted(adapted),
                          "modules_to_save": lora["modules_to_save"],
                          "logits_are": "PeftModel (adapter applied, eval mode); base/ alone gives other logits"},
              "cases": cases}
    write_json(folder / "golden.json", golden)

    # Again exactly from disk; within rounding from memory and merged (merge_and_unload).
    again = peft.PeftModel.from_pretrained(load(cls, folder / "base"), folder / "adapter").eval()
    for c, (t, p) in zip(cases, cases_in):
        r = run_case(again, saved_config, tok, t, p, False, problem)
        same(c["logits"], r["logits"], f"{name} logits")
        same(c["last_hidden"], r["last_hidden"], f"{name} last_hidden")
        m = run_case(model, base.config, tok, t, p, False, problem)
        assert np.allclose(c["logits"], m["logits"], rtol=1e-5, atol=1e-5), f"{name}: in-memory model"
    merged = again.merge_and_unload().eval()
    for c, (t, p) in zip(cases, cases_in):
        r = run_case(merged, merged.config, tok, t, p, False, problem)
        assert np.allclose(c["logits"], r["logits"], atol=1e-5), (name, c["logits"], r["logits"])
    check_tokenizer(folder / "base", cases)
    report(name, folder, base.config)


def report(name: str, folder: Path, config) -> None:
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"  {name:16} {size / 1024:6.0f} KB  vocab {config.vocab_size}", file=sys.stderr)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Writing {OUT.relative_to(tt.ROOT)} ({REFERENCE})", file=sys.stderr)
    for name in SPECS:
        make_model(name)
    for name in LORA_SPECS:
        make_lora(name)


if __name__ == "__main__":
    main()
