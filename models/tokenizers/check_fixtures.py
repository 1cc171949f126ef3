#!/usr/bin/env python3
"""Sanity checks over the tokenizer fixtures, and the summary quoted in Fixtures/README.md.

Fails (exit 1) if a golden file has the wrong number of lines, an encoding is empty, or the
fixtures exceed 25 MB. Prints, for information: each tokenizer's components, how often the
unknown token occurs, decode round trips, and how much the subtle options matter
(ignore_merges, Metaspace prepend_scheme, the two XLM-R serializations, SmolLM2's
pre-tokenizer variants).
"""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

from tokenizers import Tokenizer, pre_tokenizers

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_goldens as mg  # noqa: E402

FIX = mg.FIXTURES
failures: list[str] = []


def goldens(name: str, kind: str = "") -> list[dict]:
    path = mg.GOLDENS / f"{name}{kind}.jsonl"
    return [json.loads(l) for l in open(path, encoding="utf-8")]


def kind_of(node) -> str:
    if node is None:
        return "-"
    t = node["type"]
    if t == "Sequence":
        inner = node.get("normalizers") or node.get("pretokenizers") or node.get("processors") \
            or node.get("decoders")
        return "Seq[" + ", ".join(kind_of(n) for n in inner) + "]"
    if t == "Metaspace":
        scheme = node.get("prepend_scheme", "legacy add_prefix_space")
        return f"Metaspace({scheme}, split={node.get('split', True)})"
    if t == "Split":
        return "Split(" + ("regex" if "Regex" in node["pattern"] else repr(node["pattern"]["String"])) \
            + f", {node['behavior']})"
    if t == "ByteLevel":
        return f"ByteLevel(prefix={node['add_prefix_space']}, regex={node['use_regex']})"
    if t == "Replace":
        p = node["pattern"]
        return f"Replace({json.dumps(p.get('String', p.get('Regex')), ensure_ascii=False)})"
    if t == "BertNormalizer":
        return f"Bert(lower={node['lowercase']}, strip_accents={node['strip_accents']})"
    if t == "Strip":
        return f"Strip({'L' if node.get('strip_left') else ''}{'R' if node.get('strip_right') else ''})" \
            if "strip_left" in node else "Strip(dec)"
    return t


def component_table(names: list[str]) -> None:
    print("\n| name | vocab | normalizer | pre-tokenizer | model | post-processor | decoder |")
    print("|---|---|---|---|---|---|---|")
    for n in names:
        if n in mg.VARIANTS:
            continue
        j = json.load(open(mg.TOKENIZERS / n / "tokenizer.json", encoding="utf-8"))
        m = j["model"]
        opts = []
        if m["type"] == "BPE":
            opts = [k for k in ("byte_fallback", "fuse_unk", "ignore_merges") if m.get(k)]
        elif m["type"] == "WordPiece":
            opts = [f"max_chars={m['max_input_chars_per_word']}"]
        elif m["type"] == "Unigram":
            opts = [f"unk_id={m['unk_id']}"]
        model = m["type"] + (f" ({', '.join(opts)})" if opts else "")
        size = Tokenizer.from_file(str(mg.TOKENIZERS / n / "tokenizer.json")).get_vocab_size()
        print(f"| {n} | {size} | {kind_of(j['normalizer'])} | {kind_of(j['pre_tokenizer'])} | {model} "
              f"| {kind_of(j['post_processor'])} | {kind_of(j['decoder'])} |")


def roundtrip(name: str, corpus: list[str]) -> None:
    tok = mg.load(name)
    bad = []
    for s in corpus:
        ids = tok.encode(s, add_special_tokens=False).ids
        want = unicodedata.normalize("NFC", s) if name == "qwen2.5" else s
        if tok.decode(ids, skip_special_tokens=False) != want:
            bad.append(s)
    print(f"  {name}: decode(encode(x)) == x for {len(corpus) - len(bad)}/{len(corpus)} lines"
          + (f"; e.g. {bad[0][:60]!r}" if bad else ""))


def byte_chars() -> list[str]:
    """GPT-2's byte -> printable character table, indexed by byte."""
    printable = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return [table[b] for b in range(256)]


def differs(a: list[dict], b: list[dict]) -> int:
    return sum(1 for x, y in zip(a, b) if x["ids"] != y["ids"])


def main() -> None:
    corpus, multi, pairs = mg.read_inputs()
    names = mg.names()
    n_trunc = 2 * (len(mg.trunc_lines(corpus)) + len(pairs))
    for n in names:
        for kind, want in (("", len(corpus)), (".multiline", len(multi)), (".pairs", len(pairs)),
                           (".trunc", n_trunc), (".tokens", mg.TOKENS_LINES)):
            rows = goldens(n, kind)
            if len(rows) != want:
                failures.append(f"{n}{kind}: {len(rows)} rows, want {want}")
            for k, r in enumerate(rows):
                if kind == ".tokens" or r["ids"]:
                    continue
                # Only an empty input may encode to nothing (tokenizers without specials).
                is_pair = kind == ".pairs" or (kind == ".trunc" and r["input"] == "pair")
                i = r["line"] if kind == ".trunc" else k
                if not (is_pair and pairs[i] == ["", ""]):
                    failures.append(f"{n}{kind}: empty ids in row {k}")
    total = sum(f.stat().st_size for f in FIX.rglob("*") if f.is_file())
    print(f"fixtures: {total / 1e6:.1f} MB in {sum(1 for f in FIX.rglob('*') if f.is_file())} files")
    if total > 25e6:
        failures.append("fixtures exceed 25 MB")

    component_table(names)

    print("\nunknown-token ids in the corpus goldens:")
    for n in names:
        tok = mg.load(n)
        j = json.loads(tok.to_str())["model"]
        unk = j.get("unk_token")
        unk_id = j.get("unk_id") if j["type"] == "Unigram" else (tok.token_to_id(unk) if unk else None)
        count = sum(r["ids"].count(unk_id) for r in goldens(n)) if unk_id is not None else 0
        print(f"  {n}: {count}" + ("" if unk_id is not None else " (no unknown token)"))

    print("\nround trips (add_special_tokens=False, skip_special_tokens=False):")
    for n in ("roberta", "llama3", "qwen2.5", "smollm2", "llama2", "mistral", "gemma"):
        roundtrip(n, corpus)

    print("\nhow much the subtle options matter (corpus lines whose ids differ):")
    j = json.load(open(mg.TOKENIZERS / "llama3" / "tokenizer.json", encoding="utf-8"))
    j["model"]["ignore_merges"] = False
    t = Tokenizer.from_str(json.dumps(j))
    flipped = sum(1 for s, r in zip(corpus, goldens("llama3"))
                  if t.encode(s, add_special_tokens=True).ids != r["ids"])
    print(f"  llama3 with ignore_merges=false: {flipped}")
    j = json.load(open(mg.TOKENIZERS / "mistral" / "tokenizer.json", encoding="utf-8"))
    j["pre_tokenizer"]["prepend_scheme"] = "always"
    t = Tokenizer.from_str(json.dumps(j))
    flipped = sum(1 for s, r in zip(corpus, goldens("mistral"))
                  if t.encode(s, add_special_tokens=True).ids != r["ids"])
    print(f"  mistral with prepend_scheme=always instead of first: {flipped}")
    print(f"  xlm-roberta vs xlm-roberta-v5: {differs(goldens('xlm-roberta'), goldens('xlm-roberta-v5'))}"
          f" (+{differs(goldens('xlm-roberta', '.multiline'), goldens('xlm-roberta-v5', '.multiline'))}"
          " multiline)")

    # SmolLM2: transformers' GGUF loader (the reference) uses ByteLevel's GPT-2 regex alone;
    # llama.cpp splits \\p{N} first (goldens smollm2-digits). tokenizers' Digits
    # (individual_digits=true) + ByteLevel, the form of SmolLM's hub tokenizer.json, must
    # give the same ids as llama.cpp's split.
    inputs = corpus + multi
    digits = goldens("smollm2-digits") + goldens("smollm2-digits", ".multiline")
    plain = goldens("smollm2") + goldens("smollm2", ".multiline")
    print(f"  smollm2 vs smollm2-digits: {differs(plain, digits)} of {len(inputs)} inputs")
    t = mg.load("smollm2")
    t.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    n = sum(1 for s, r in zip(inputs, digits) if t.encode(s).ids != r["ids"])
    print(f"  smollm2 with Digits(individual)+ByteLevel vs smollm2-digits: {n}")
    if n:
        failures.append("Digits(individual) and Split(\\p{N}) disagree")
    vocab = t.get_vocab()
    missing = [b for b, c in zip(range(256), byte_chars()) if c not in vocab]
    print(f"  smollm2 vocabulary lacks the byte-level symbols of bytes "
          f"{', '.join(f'0x{b:02X}' for b in missing)}: BPE without unk_token drops them")

    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
