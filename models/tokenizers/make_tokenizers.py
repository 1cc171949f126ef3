#!/usr/bin/env python3
"""Builds the tokenizer.json fixtures in Tests/SiftTokenizersTests/Fixtures/tokenizers/<name>/.

Each synthetic tokenizer has the exact component configuration (normalizer, pre-tokenizer,
model options, post-processor, decoder, added tokens and their flags) of a real model family,
with a small vocabulary trained here on generated text (make_corpus.py's generators with
other seeds; any line that is also a test input is dropped). Two tokenizers are real:

    minilm   all-MiniLM-L6-v2's tokenizer.json, copied as is (from models/assets/minilm)
    smollm2  vocab.gguf: every general.* and tokenizer.* key of SmolLM2-135M-Instruct.Q4_1.gguf
             and no tensors; tokenizer.json: what transformers rebuilds from that GGUF

Needs models/fetch_assets.sh to have run. Trained intermediates (sentencepiece .model
files, training text) live in a temporary folder and are not kept.
"""
from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

import sentencepiece as spm
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors, trainers

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # noqa: E402

ROOT = make_corpus.ROOT
FIXTURES = make_corpus.FIXTURES
OUT = FIXTURES / "tokenizers"
ASSETS = ROOT / "models" / "assets"
SMOLLM2_GGUF = ASSETS / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"

# The split patterns, verbatim from the real tokenizer.json files.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

VOCAB = 4000  # model vocabulary size of every trained tokenizer (before added tokens)


# --------------------------------------------------------------------------------------
# Training text
# --------------------------------------------------------------------------------------


def training_lines() -> list[str]:
    """~25k generated lines, none of them a test input (corpus, multiline or pairs)."""
    test = set(open(FIXTURES / "corpus.txt", "rb").read().decode("utf-8").split("\n"))
    for line in open(FIXTURES / "corpus_multiline.jsonl", encoding="utf-8"):
        test.add(json.loads(line))
    for line in open(FIXTURES / "corpus_pairs.jsonl", encoding="utf-8"):
        test.update(json.loads(line))
    out = []
    for k in range(10):
        out += [l for _, l in make_corpus.category_lines(make_corpus.SEED + 101 + k)]
    # A few full sentences per script so that small vocabularies still learn them.
    for s in (make_corpus.ACCENT_SENTENCES + make_corpus.CJK_SENTENCES
              + make_corpus.RTL_SENTENCES + make_corpus.INDIC_THAI):
        out += [s + " " + s, "(" + s + ")"]
    out = [l for l in out if l not in test and l.strip()]
    random.Random(make_corpus.SEED + 100).shuffle(out)
    return out


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def model_json(tok: Tokenizer) -> dict:
    return json.loads(tok.to_str())["model"]


def bpe_vocab_merges(tok: Tokenizer) -> tuple[dict[str, int], list[tuple[str, str]]]:
    m = model_json(tok)
    merges = [tuple(x) if isinstance(x, list) else tuple(x.split(" ")) for x in m["merges"]]
    return m["vocab"], merges


def train_byte_level_bpe(lines, pre_tokenizer, normalizer=None, specials=()) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, min_frequency=2, show_progress=False,
                                  special_tokens=list(specials),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    return tok


def save(name: str, tok: Tokenizer, config: dict | None = None, legacy_merges: bool = False,
         edit=None) -> None:
    """Writes tokenizer.json (+ tokenizer_config.json). `legacy_merges` writes merges as
    "a b" strings, the form of files saved by tokenizers < 0.20 (most hub files); `edit`
    may rewrite the JSON further. The saved file is reloaded to prove tokenizers reads it."""
    d = OUT / name
    d.mkdir(parents=True, exist_ok=True)
    j = json.loads(tok.to_str())
    if legacy_merges:
        assert all(" " not in a and " " not in b for a, b in j["model"]["merges"])
        j["model"]["merges"] = [f"{a} {b}" for a, b in j["model"]["merges"]]
    if edit is not None:
        edit(j)
    text = json.dumps(j, ensure_ascii=False, indent=None, separators=(",", ":"))
    (d / "tokenizer.json").write_text(text, encoding="utf-8")
    Tokenizer.from_file(str(d / "tokenizer.json"))
    if config is not None:
        (d / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False)
                                                 + "\n", encoding="utf-8")
    print(f"  {name}: vocab {tok.get_vocab_size(with_added_tokens=True)}", file=sys.stderr)


def special(content: str, **flags) -> AddedToken:
    flags.setdefault("normalized", False)
    return AddedToken(content, special=True, **flags)


# --------------------------------------------------------------------------------------
# WordPiece (BERT)
# --------------------------------------------------------------------------------------


def train_wordpiece(lines, lowercase: bool, strip_accents, work: Path) -> dict[str, int]:
    """A WordPiece vocabulary, made deterministic: tokenizers' WordPieceTrainer numbers its
    "##" alphabet in hash-map order, so two runs give different vocabularies. Instead, the
    training text is normalized and pre-tokenized exactly as BERT does, sentencepiece learns
    BPE pieces on those words, and each piece maps to WordPiece form: "▁abc" (word-initial)
    -> "abc", "abc" (inside a word) -> "##abc"; every kept character gets both forms."""
    norm = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                      strip_accents=strip_accents, lowercase=lowercase)
    pre = pre_tokenizers.BertPreTokenizer()
    words = [" ".join(w for w, _ in pre.pre_tokenize_str(norm.normalize_str(l))) for l in lines]
    model = train_spm([w for w in words if w], work, f"wordpiece_{int(lowercase)}", model_type="bpe",
                      normalization_rule_name="identity", add_dummy_prefix=True,
                      remove_extra_whitespaces=True, split_digits=False, byte_fallback=False)
    sp = spm.SentencePieceProcessor(model_file=str(model))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())
              if not (sp.is_control(i) or sp.is_unknown(i))]
    chars = [p for p in pieces if len(p) == 1 and p != "\u2581"]
    merged = [p for p in pieces if len(p.lstrip("\u2581")) > 1]
    # bert-base-*'s id layout: [PAD]=0, [unused1..99]=1..99, [UNK]=100, [CLS]=101,
    # [SEP]=102, [MASK]=103. The [unusedN] are plain vocabulary entries, not added tokens.
    head = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    body = chars + ["##" + c for c in chars] + [
        p[1:] if p.startswith("\u2581") else "##" + p for p in merged]
    entries = list(dict.fromkeys(head + body))[:VOCAB]
    return {t: i for i, t in enumerate(entries)}


def build_bert(lines, work: Path, name: str, lowercase: bool, strip_accents,
               bert_processing: bool) -> None:
    vocab = train_wordpiece(lines, lowercase, strip_accents, work)
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", continuing_subword_prefix="##",
                                     max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                strip_accents=strip_accents, lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.add_special_tokens([special(t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]])
    if bert_processing:
        tok.post_processor = processors.BertProcessing(("[SEP]", 102), ("[CLS]", 101))
    else:
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
            special_tokens=[("[CLS]", 101), ("[SEP]", 102)])
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    save(name, tok, {"tokenizer_class": "BertTokenizer", "do_lower_case": lowercase,
                     "strip_accents": strip_accents, "tokenize_chinese_chars": True,
                     "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                     "cls_token": "[CLS]", "mask_token": "[MASK]", "model_max_length": 512})


# --------------------------------------------------------------------------------------
# Byte-level BPE (RoBERTa, Llama 3, Qwen2.5)
# --------------------------------------------------------------------------------------


def build_roberta(lines) -> None:
    # roberta-base: <s>=0 <pad>=1 </s>=2 <unk>=3 ... <mask>=last.
    trained = train_byte_level_bpe(lines, pre_tokenizers.ByteLevel(add_prefix_space=False),
                                   specials=["<s>", "<pad>", "</s>", "<unk>"])
    vocab, merges = bpe_vocab_merges(trained)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, dropout=None, continuing_subword_prefix="",
                               end_of_word_suffix="", fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True,
                                                 use_regex=True)
    # As in roberta-base's tokenizer.json: the four specials are normalized=true (moot: there
    # is no normalizer) and <mask> has lstrip=true, so "a <mask>" absorbs the space.
    tok.add_special_tokens([special(t, normalized=True) for t in ["<s>", "<pad>", "</s>", "<unk>"]])
    tok.add_special_tokens([special("<mask>", lstrip=True)])
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                      add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    save("roberta", tok, {"tokenizer_class": "RobertaTokenizer", "add_prefix_space": False,
                          "trim_offsets": True, "bos_token": "<s>", "eos_token": "</s>",
                          "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
                          "pad_token": "<pad>", "mask_token": "<mask>", "model_max_length": 512},
         legacy_merges=True)


LLAMA3_NAMED = {0: "<|begin_of_text|>", 1: "<|end_of_text|>", 4: "<|finetune_right_pad_id|>",
                6: "<|start_header_id|>", 7: "<|end_header_id|>", 8: "<|eom_id|>", 9: "<|eot_id|>",
                10: "<|python_tag|>"}


def llama3_specials() -> list[str]:
    """Llama 3.1's 256 special tokens (128000..128255), in order."""
    out, reserved = [], 0
    for i in range(256):
        if i in LLAMA3_NAMED:
            out.append(LLAMA3_NAMED[i])
        else:
            out.append(f"<|reserved_special_token_{reserved}|>")
            reserved += 1
    return out


def build_llama3(lines) -> None:
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    trained = train_byte_level_bpe(lines, pre)
    vocab, merges = bpe_vocab_merges(trained)
    # ignore_merges=true looks a whole pre-token up in the vocabulary before merging. A
    # trained vocabulary is closed under its merges, so that lookup would change nothing;
    # the real Llama 3 vocabulary (converted from tiktoken ranks) is not. Append frequent
    # test-corpus words that the merges do not reach, with no merges of their own, so that
    # an implementation that ignores the flag fails the goldens.
    extra = llama3_unreachable_words(pre, vocab)
    for w in extra:
        vocab[w] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, dropout=None, fuse_unk=False,
                               byte_fallback=False, ignore_merges=True))
    tok.pre_tokenizer = pre
    specials = llama3_specials()
    tok.add_special_tokens([special(t) for t in specials])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
        processors.TemplateProcessing(
            single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
            special_tokens=[("<|begin_of_text|>", bos)])])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    save("llama3", tok, {"tokenizer_class": "PreTrainedTokenizerFast",
                         "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
                         "model_max_length": 131072,
                         "_sift_note": f"{len(extra)} whole-word vocab entries without merges "
                                       "appended after the trained vocab (see make_tokenizers.py)"})


def llama3_unreachable_words(pre, vocab: dict[str, int], count: int = 24) -> list[str]:
    probe = Tokenizer(models.BPE(vocab=vocab, merges=[]))  # only for its pre-tokenizer
    probe.pre_tokenizer = pre
    freq: dict[str, int] = {}
    for line in open(FIXTURES / "corpus.txt", encoding="utf-8", newline="").read().split("\n"):
        for piece, _ in probe.pre_tokenizer.pre_tokenize_str(line):
            if len(piece) >= 5 and piece not in vocab:
                freq[piece] = freq.get(piece, 0) + 1
    return [w for w, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


QWEN_ADDED = [("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True),
              ("<|object_ref_start|>", True), ("<|object_ref_end|>", True), ("<|box_start|>", True),
              ("<|box_end|>", True), ("<|quad_start|>", True), ("<|quad_end|>", True),
              ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
              ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False),
              ("</tool_call>", False), ("<|fim_prefix|>", False), ("<|fim_middle|>", False),
              ("<|fim_suffix|>", False), ("<|fim_pad|>", False), ("<|repo_name|>", False),
              ("<|file_sep|>", False)]


def build_qwen25(lines) -> None:
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    trained = train_byte_level_bpe(lines, pre, normalizer=normalizers.NFC())
    vocab, merges = bpe_vocab_merges(trained)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, dropout=None, unk_token=None,
                               continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False,
                               byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre
    # Qwen2.5: the tool-call and FIM tokens are added tokens but not special ones.
    tok.add_tokens([AddedToken(t, special=s, normalized=False) for t, s in QWEN_ADDED])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False,
                                              use_regex=False)
    tok.decoder = decoders.ByteLevel()

    def real_decoder_flags(j: dict) -> None:
        # Python's decoders.ByteLevel() takes no options; Qwen2.5's file spells them out
        # (they do not change decoding).
        j["decoder"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                        "use_regex": False}

    save("qwen2.5", tok, {"tokenizer_class": "Qwen2Tokenizer", "bos_token": None,
                          "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                          "unk_token": None, "errors": "replace", "model_max_length": 131072},
         legacy_merges=True, edit=real_decoder_flags)


# --------------------------------------------------------------------------------------
# SentencePiece models converted by transformers (Llama 2, Mistral, Gemma, XLM-R, DeBERTa-v3)
# --------------------------------------------------------------------------------------


def train_spm(lines, workdir: Path, prefix: str, **kw) -> Path:
    common = dict(vocab_size=VOCAB, character_coverage=0.9995, num_threads=1, minloglevel=2,
                  max_sentence_length=8192, shuffle_input_sentence=False)
    common.update(kw)
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines),
                                   model_prefix=str(workdir / prefix), **common)
    return workdir / f"{prefix}.model"


# Llama 2's trainer_spec (from its tokenizer.model), scaled down.
LLAMA2_SPM = dict(model_type="bpe", split_digits=True, byte_fallback=True, add_dummy_prefix=True,
                  remove_extra_whitespaces=False, normalization_rule_name="identity",
                  allow_whitespace_only_pieces=True, max_sentencepiece_length=16,
                  split_by_unicode_script=True, unk_surface=" \u2047 ", unk_id=0, bos_id=1,
                  eos_id=2, pad_id=-1)


class Slow:
    """Stands in for the slow (sentencepiece) tokenizer that transformers' converters read:
    they only look at vocab_file and a few attributes."""

    def __init__(self, vocab_file: Path, ids: dict[str, int], **attrs):
        self.vocab_file = str(vocab_file)
        self._ids = ids
        self.__dict__.update(attrs)

    def convert_tokens_to_ids(self, t: str) -> int:
        return self._ids[t]

    def convert_ids_to_tokens(self, i: int) -> str:
        return {v: k for k, v in self._ids.items()}[i]


def converters():
    """transformers' SpmConverter subclasses, with the 4.x SentencePieceExtractor. In 5.x the
    extractor's extract() changed signature but SpmConverter.tokenizer still calls it the 4.x
    way for BPE models; the merges computation (generate_merges) is unchanged."""
    import transformers.convert_slow_tokenizer as cst

    class CompatExtractor(cst.SentencePieceExtractor):
        def __init__(self, model: str):
            self.sp = spm.SentencePieceProcessor(model_file=model)

        def extract(self, vocab_scores=None):
            vocab = {self.sp.id_to_piece(i): i for i in range(self.sp.GetPieceSize())}
            return vocab, cst.generate_merges(vocab, vocab_scores)

    class CompatGemmaExtractor(cst.GemmaSentencePieceExtractor):
        def __init__(self, model: str):
            self.sp = spm.SentencePieceProcessor(model_file=model)

    class Llama(cst.LlamaConverter):
        SpmExtractor = CompatExtractor

    class Gemma(cst.GemmaConverter):
        SpmExtractor = CompatGemmaExtractor

    return Llama, Gemma, cst.XLMRobertaConverter, cst.DebertaV2Converter


def llama_template(tok: Tokenizer, bos: str) -> processors.TemplateProcessing:
    # LlamaTokenizerFast / GemmaTokenizerFast.update_post_processor with add_bos_token=True,
    # add_eos_token=False: "<s>:0 $A:0" and "<s>:0 $A:0 <s>:1 $B:1".
    return processors.TemplateProcessing(single=f"{bos}:0 $A:0", pair=f"{bos}:0 $A:0 {bos}:1 $B:1",
                                         special_tokens=[(bos, tok.token_to_id(bos))])


def build_llama2_and_mistral(lines, work: Path) -> None:
    Llama, _, _, _ = converters()
    ids = {"<unk>": 0, "<s>": 1, "</s>": 2}

    # Llama 2 (legacy=True): normalizer Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer.
    model = train_spm(lines, work, "llama2", **LLAMA2_SPM)
    tok = Llama(Slow(model, ids, legacy=True, add_prefix_space=True)).converted()
    tok.add_special_tokens([special(t) for t in ids])
    tok.post_processor = llama_template(tok, "<s>")
    save("llama2", tok, {"tokenizer_class": "LlamaTokenizer", "legacy": True, "add_bos_token": True,
                         "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                         "unk_token": "<unk>", "pad_token": None, "model_max_length": 4096})

    # Mistral v0.3 style (legacy=False): no normalizer, Metaspace(prepend_scheme="first",
    # split=false); its [INST]-family tokens are sentencepiece control symbols.
    controls = ["[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
                "[TOOL_RESULTS]", "[/TOOL_RESULTS]"]
    model = train_spm(lines, work, "mistral", control_symbols=controls, **LLAMA2_SPM)
    tok = Llama(Slow(model, ids, legacy=False, add_prefix_space=True)).converted()
    tok.add_special_tokens([special(t) for t in ids])
    tok.post_processor = llama_template(tok, "<s>")
    save("mistral", tok, {"tokenizer_class": "LlamaTokenizer", "legacy": False,
                          "add_bos_token": True, "add_eos_token": False, "bos_token": "<s>",
                          "eos_token": "</s>", "unk_token": "<unk>", "model_max_length": 32768})


def build_gemma(lines, work: Path) -> None:
    _, Gemma, _, _ = converters()
    # Gemma's trainer_spec: pad=0 eos=1 bos=2 unk=3, identity normalization, no dummy
    # prefix, split digits, byte fallback; <mask> and [@BOS@] are control symbols and the
    # turn markers user-defined ones (GemmaConverter makes those two special anyway).
    model = train_spm(lines, work, "gemma", model_type="bpe", pad_id=0, eos_id=1, bos_id=2,
                      unk_id=3, pad_piece="<pad>", eos_piece="<eos>", bos_piece="<bos>",
                      unk_piece="<unk>", control_symbols=["<mask>", "[@BOS@]"],
                      user_defined_symbols=["<start_of_turn>", "<end_of_turn>", "<unused0>",
                                            "<unused1>", "<table>", "<tr>", "<td>"],
                      add_dummy_prefix=False, remove_extra_whitespaces=False,
                      normalization_rule_name="identity", split_digits=True, byte_fallback=True,
                      allow_whitespace_only_pieces=True, split_by_unicode_script=True)
    ids = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
    tok = Gemma(Slow(model, ids, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>")).converted()
    tok.add_special_tokens([special(t) for t in ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>",
                                                 "<start_of_turn>", "<end_of_turn>"]])
    tok.post_processor = llama_template(tok, "<bos>")
    save("gemma", tok, {"tokenizer_class": "GemmaTokenizer", "add_bos_token": True,
                        "add_eos_token": False, "bos_token": "<bos>", "eos_token": "<eos>",
                        "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>",
                        "additional_special_tokens": ["<start_of_turn>", "<end_of_turn>"],
                        "model_max_length": 8192})


def legacy_metaspace(j: dict) -> None:
    """Rewrites Metaspace to its pre-0.14 serialization ({"add_prefix_space": true}, no
    prepend_scheme/split), the form many hub files still have; tokenizers reads it as
    prepend_scheme "always", split true."""
    for key in ("pre_tokenizer", "decoder"):
        node = j[key]
        assert node["type"] == "Metaspace" and node["prepend_scheme"] == "always", node
        j[key] = {"type": "Metaspace", "replacement": node["replacement"], "add_prefix_space": True}


def build_xlmr(lines, work: Path) -> None:
    _, _, XLMR, _ = converters()
    # XLM-R's sentencepiece model: unigram, nmt_nfkc (so a real Precompiled charsmap),
    # unk=0 <s>=1 </s>=2; the converter re-lays ids fairseq-style (<s> <pad> </s> <unk>).
    model = train_spm(lines, work, "xlmr", model_type="unigram",
                      normalization_rule_name="nmt_nfkc")
    ids = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    tok = XLMR(Slow(model, ids)).converted()
    tok.add_special_tokens([special(t) for t in ids])
    tok.add_special_tokens([special("<mask>", lstrip=True)])
    cfg = {"tokenizer_class": "XLMRobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>",
           "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
           "mask_token": "<mask>", "model_max_length": 512}
    save("xlm-roberta", tok, cfg, edit=legacy_metaspace)

    # The same sentencepiece model as transformers 5 loads it (XLMRobertaTokenizer from a
    # folder holding sentencepiece.bpe.model): Precompiled alone as normalizer, then
    # WhitespaceSplit + Metaspace, and <mask> without lstrip.
    from transformers import XLMRobertaTokenizer
    d = work / "xlmr_v5"
    d.mkdir()
    shutil.copy(model, d / "sentencepiece.bpe.model")
    v5 = XLMRobertaTokenizer.from_pretrained(str(d))
    save("xlm-roberta-v5", v5.backend_tokenizer, cfg)


def build_deberta_v3(lines, work: Path) -> None:
    _, _, _, Deberta = converters()
    # deberta-v3's spm.model: unigram, nmt_nfkc, [PAD]=0 [CLS]=1 [SEP]=2 [UNK]=3; [MASK] is
    # added after the sentencepiece vocabulary.
    model = train_spm(lines, work, "deberta", model_type="unigram",
                      normalization_rule_name="nmt_nfkc", pad_id=0, bos_id=1, eos_id=2, unk_id=3,
                      pad_piece="[PAD]", bos_piece="[CLS]", eos_piece="[SEP]", unk_piece="[UNK]")
    ids = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3}
    tok = Deberta(Slow(model, ids, do_lower_case=False, split_by_punct=False)).converted()
    tok.add_special_tokens([special(t) for t in ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"]])
    save("deberta-v3", tok, {"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": False,
                             "split_by_punct": False, "bos_token": "[CLS]", "eos_token": "[SEP]",
                             "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                             "cls_token": "[CLS]", "mask_token": "[MASK]", "model_max_length": 512})


# --------------------------------------------------------------------------------------
# Real tokenizers
# --------------------------------------------------------------------------------------


def copy_minilm() -> None:
    d = OUT / "minilm"
    d.mkdir(parents=True, exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(ASSETS / "minilm" / f, d / f)
    print("  minilm: copied", file=sys.stderr)


def write_vocab_gguf(src: Path, dst: Path) -> None:
    """A GGUF with the source's general.* and tokenizer.* keys (same order, same types)
    and no tensors."""
    from gguf import GGUFReader, GGUFValueType, GGUFWriter

    r = GGUFReader(str(src))
    w = GGUFWriter(str(dst), arch=r.fields["general.architecture"].contents())
    for key, f in r.fields.items():
        if key == "general.architecture" or not key.startswith(("general.", "tokenizer.")):
            continue
        vtype = f.types[0]
        if vtype == GGUFValueType.ARRAY:
            w.add_key_value(key, f.contents(), vtype, sub_type=f.types[-1])
        else:
            w.add_key_value(key, f.contents(), vtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # Same keys, same values, same types, nothing else.
    a, b = r, GGUFReader(str(dst))
    keys = [k for k in a.fields if k.startswith(("general.", "tokenizer."))]
    assert [k for k in b.fields if not k.startswith("GGUF.")] == keys, "key order"
    for k in keys:
        assert a.fields[k].types == b.fields[k].types and a.fields[k].contents() == b.fields[k].contents(), k
    assert len(b.tensors) == 0


def smollm2_reference(gguf_path: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)


def build_smollm2() -> None:
    d = OUT / "smollm2"
    d.mkdir(parents=True, exist_ok=True)
    write_vocab_gguf(SMOLLM2_GGUF, d / "vocab.gguf")
    ref = smollm2_reference(SMOLLM2_GGUF)
    with tempfile.TemporaryDirectory() as tmp:
        ref.save_pretrained(tmp)
        # save_pretrained indents tokenizer.json (3.5 MB); the same JSON written compactly
        # by tokenizers itself is a third smaller.
        saved = Tokenizer.from_file(str(Path(tmp) / "tokenizer.json"))
        assert saved.to_str() == ref.backend_tokenizer.to_str()
        (d / "tokenizer.json").write_text(saved.to_str(), encoding="utf-8")
        shutil.copy(Path(tmp) / "tokenizer_config.json", d / "tokenizer_config.json")
    # transformers must rebuild exactly the same tokenizer from the vocab-only file.
    again = smollm2_reference(d / "vocab.gguf")
    assert again.backend_tokenizer.to_str() == ref.backend_tokenizer.to_str(), "vocab.gguf differs"
    print(f"  smollm2: vocab {ref.backend_tokenizer.get_vocab_size()}", file=sys.stderr)


# --------------------------------------------------------------------------------------


def main() -> None:
    if not SMOLLM2_GGUF.exists() or not (ASSETS / "minilm" / "tokenizer.json").exists():
        sys.exit("models/assets/ is missing: run models/fetch_assets.sh first")
    OUT.mkdir(parents=True, exist_ok=True)
    lines = training_lines()
    print(f"training text: {len(lines)} lines", file=sys.stderr)
    copy_minilm()
    build_roberta(lines)
    build_llama3(lines)
    build_qwen25(lines)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build_bert(lines, work, "bert-cased", lowercase=False, strip_accents=None,
                   bert_processing=False)
        build_bert(lines, work, "bert-uncased-keep-accents", lowercase=True, strip_accents=False,
                   bert_processing=True)
        build_llama2_and_mistral(lines, work)
        build_gemma(lines, work)
        build_xlmr(lines, work)
        build_deberta_v3(lines, work)
    build_smollm2()


if __name__ == "__main__":
    main()
