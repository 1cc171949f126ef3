"""Small (~512 entries) tokenizers in the configuration of each model family, for the tiny
random-weight models of make_fixtures.py.

They are trained on the first TRAIN_LINES lines of the SiftTokenizers test corpus (split on
b"\\n" only). Each one has the components of its family (normalizer, pre-tokenizer, model
options, post-processor, added tokens); the vocabularies are small, not the real ones.
Every builder is deterministic: tokenizers' BpeTrainer with a fixed initial alphabet,
single-threaded sentencepiece, and a WordPiece vocabulary learned here in plain Python
(tokenizers' WordPieceTrainer numbers its "##" alphabet in hash-map order).

Each builder returns (tokenizer, tokenizer_config dict, specials) where specials maps a
role ("bos", "eos", "pad", ...) to the token id, for the model config.
"""
from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import sentencepiece as spm
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors, trainers

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "Tests" / "SiftTokenizersTests" / "Fixtures" / "corpus.txt"
TRAIN_LINES = 1000
VOCAB = 512  # total, added tokens (and Gemma's 256 byte-fallback tokens) included

# The split patterns of Llama 3 and Qwen2 (the same regexes as their real tokenizer.json).
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def training_lines() -> list[str]:
    raw = CORPUS.read_bytes().split(b"\n")
    return [l.decode("utf-8") for l in raw[:TRAIN_LINES] if l]


def special(content: str, **flags) -> AddedToken:
    flags.setdefault("normalized", False)
    return AddedToken(content, special=True, **flags)


# --------------------------------------------------------------------------------------
# WordPiece (BERT, DistilBERT)
# --------------------------------------------------------------------------------------


def learn_wordpiece_vocab(words: Counter, size: int, alphabet_size: int = 100) -> list[str]:
    """A WordPiece vocabulary by BPE merges over word counts, "##" marking word-inner
    pieces. Ties go to the lexicographically smallest pair, so the result depends only on
    the counts. Words with a character outside the kept alphabet are left out (they
    tokenize to [UNK] at run time, as in BERT)."""
    chars = Counter()
    for w, c in words.items():
        for ch in w:
            chars[ch] += c
    alphabet = sorted(chars, key=lambda ch: (-chars[ch], ch))[:alphabet_size]
    keep = set(alphabet)
    vocab = list(alphabet) + ["##" + ch for ch in alphabet]
    seqs = [([w[0]] + ["##" + ch for ch in w[1:]], c)
            for w, c in sorted(words.items()) if all(ch in keep for ch in w)]
    while len(vocab) < size:
        pairs = Counter()
        for s, c in seqs:
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        (a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merged = a + b[2:]
        vocab.append(merged)
        for i, (s, c) in enumerate(seqs):
            if len(s) < 2:
                continue
            out, j = [], 0
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    out.append(merged)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            seqs[i] = (out, c)
    return list(dict.fromkeys(vocab))[:size]


def bert(lowercase: bool):
    """BERT / DistilBERT: BertNormalizer, BertPreTokenizer, WordPiece, [CLS] $A [SEP]
    (pair: [CLS] $A [SEP] $B:1 [SEP]:1). Specials at ids 0..4 ([PAD] [UNK] [CLS] [SEP]
    [MASK]), not bert-base's 0/100..103, so that hard-coded ids fail."""
    norm = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                      strip_accents=None, lowercase=lowercase)
    pre = pre_tokenizers.BertPreTokenizer()
    words = Counter()
    for line in training_lines():
        for w, _ in pre.pre_tokenize_str(norm.normalize_str(line)):
            words[w] += 1
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    entries = specials + learn_wordpiece_vocab(words, VOCAB - len(specials))
    vocab = {t: i for i, t in enumerate(entries)}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]",
                                     continuing_subword_prefix="##", max_input_chars_per_word=100))
    tok.normalizer = norm
    tok.pre_tokenizer = pre
    tok.add_special_tokens([special(t) for t in specials])
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "do_lower_case": lowercase,
              "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
              "cls_token": "[CLS]", "mask_token": "[MASK]", "model_max_length": 128}
    return tok, config, {"pad": vocab["[PAD]"], "cls": vocab["[CLS]"], "sep": vocab["[SEP]"]}


# --------------------------------------------------------------------------------------
# Byte-level BPE (RoBERTa, Llama 3, Mistral (Tekken-like), Qwen2/Qwen3)
# --------------------------------------------------------------------------------------


def train_byte_level(pre, size: int, normalizer=None, leading_specials=()) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    trainer = trainers.BpeTrainer(vocab_size=size, min_frequency=2, show_progress=False,
                                  special_tokens=list(leading_specials),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(training_lines(), trainer)
    return tok


def rebuild_bpe(trained: Tokenizer, **options) -> Tokenizer:
    """A fresh BPE model from a trained one's vocab and merges, with explicit options."""
    m = json.loads(trained.to_str())["model"]
    merges = [tuple(x) if isinstance(x, list) else tuple(x.split(" ")) for x in m["merges"]]
    return Tokenizer(models.BPE(vocab=m["vocab"], merges=merges, dropout=None, **options))


def roberta():
    """RoBERTa: ByteLevel pre-tokenizer (GPT-2 regex), <s>=0 <pad>=1 </s>=2 <unk>=3,
    <mask> last, RobertaProcessing (<s> A </s></s> B </s>)."""
    firsts = ["<s>", "<pad>", "</s>", "<unk>"]
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    trained = train_byte_level(pre, VOCAB - 1, leading_specials=firsts)
    tok = rebuild_bpe(trained, fuse_unk=False)
    tok.pre_tokenizer = pre
    tok.add_special_tokens([special(t, normalized=True) for t in firsts])
    tok.add_special_tokens([special("<mask>", lstrip=True)])
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                      add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
              "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
              "mask_token": "<mask>", "model_max_length": 128}
    return tok, config, {"bos": 0, "pad": 1, "eos": 2}


LLAMA_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                  "<|end_header_id|>", "<|eot_id|>", "<|finetune_right_pad_id|>"]


def llama3():
    """Llama 3: Split(Llama 3 regex) + ByteLevel, ignore_merges, specials after the
    vocabulary, a TemplateProcessing post-processor that prepends <|begin_of_text|>."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    trained = train_byte_level(pre, VOCAB - len(LLAMA_SPECIALS))
    tok = rebuild_bpe(trained, fuse_unk=False, byte_fallback=False, ignore_merges=True)
    tok.pre_tokenizer = pre
    tok.add_special_tokens([special(t) for t in LLAMA_SPECIALS])
    ids = {t: tok.token_to_id(t) for t in LLAMA_SPECIALS}
    bos = ids["<|begin_of_text|>"]
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
        processors.TemplateProcessing(
            single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
            special_tokens=[("<|begin_of_text|>", bos)])])
    tok.decoder = decoders.ByteLevel()
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|begin_of_text|>",
              "eos_token": "<|eot_id|>", "pad_token": "<|finetune_right_pad_id|>",
              "model_max_length": 128}
    return tok, config, {"bos": bos, "eos": ids["<|eot_id|>"],
                         "pad": ids["<|finetune_right_pad_id|>"]}


MISTRAL_SPECIALS = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"]


def mistral():
    """Mistral's Tekken-style tokenizer: byte-level BPE with its control tokens first
    (<unk>=0 <s>=1 </s>=2 [INST] [/INST]) and <s> prepended by TemplateProcessing."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    trained = train_byte_level(pre, VOCAB, leading_specials=MISTRAL_SPECIALS)
    tok = rebuild_bpe(trained, fuse_unk=False, byte_fallback=False)
    tok.pre_tokenizer = pre
    tok.add_special_tokens([special(t) for t in MISTRAL_SPECIALS])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A $B:1", special_tokens=[("<s>", 1)])
    tok.decoder = decoders.ByteLevel()
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
              "unk_token": "<unk>", "model_max_length": 128}
    return tok, config, {"bos": 1, "eos": 2, "pad": 2}


QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def qwen2():
    """Qwen2 / Qwen2.5 / Qwen3: NFC, Split(Qwen2 regex) + ByteLevel, no BOS."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    trained = train_byte_level(pre, VOCAB - len(QWEN_SPECIALS), normalizer=normalizers.NFC())
    tok = rebuild_bpe(trained, fuse_unk=False, byte_fallback=False)
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre
    tok.add_special_tokens([special(t) for t in QWEN_SPECIALS])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False,
                                              use_regex=False)
    tok.decoder = decoders.ByteLevel()
    ids = {t: tok.token_to_id(t) for t in QWEN_SPECIALS}
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": None,
              "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "model_max_length": 128}
    return tok, config, {"bos": None, "eos": ids["<|im_end|>"], "pad": ids["<|endoftext|>"]}


# --------------------------------------------------------------------------------------
# SentencePiece-style models (XLM-R Unigram, Gemma 3 BPE with byte fallback)
# --------------------------------------------------------------------------------------


def xlm_roberta():
    """XLM-R: a sentencepiece Unigram model in fairseq's id layout (<s>=0 <pad>=1 </s>=2
    <unk>=3, pieces from 4, <mask> last), Metaspace(prepend always), <s> A </s> (pair
    <s> A </s></s> B </s>). Without XLM-R's Precompiled charsmap (NFKC-like; it would be
    ~300 KB); spaces are collapsed as its Replace(" {2,}") does."""
    # sentencepiece keeps every character of 98%+ coverage as a piece; the corpus has ~1,500
    # distinct characters, so train on the lines written with the 250 most frequent ones.
    lines = training_lines()
    chars = Counter(ch for line in lines for ch in line)
    common = set(sorted(chars, key=lambda ch: (-chars[ch], ch))[:250])
    lines = [l for l in lines if set(l) <= common]
    with tempfile.TemporaryDirectory() as work:
        prefix = str(Path(work) / "xlmr")
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines), model_prefix=prefix, model_type="unigram",
            vocab_size=VOCAB - 4, character_coverage=0.9995, num_threads=1, minloglevel=2,
            normalization_rule_name="identity", add_dummy_prefix=True,
            remove_extra_whitespaces=False, split_digits=False, byte_fallback=False,
            unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, shuffle_input_sentence=False,
            max_sentence_length=8192, seed_sentencepiece_size=20000, hard_vocab_limit=True)
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(1, sp.get_piece_size())]
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + pieces + [("<mask>", 0.0)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always",
                                                 split=True)
    tok.add_special_tokens([special(t) for t in ["<s>", "<pad>", "</s>", "<unk>"]])
    tok.add_special_tokens([special("<mask>", lstrip=True)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
              "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
              "mask_token": "<mask>", "model_max_length": 128}
    return tok, config, {"bos": 0, "pad": 1, "eos": 2}


GEMMA_SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", "<start_of_turn>", "<end_of_turn>"]


def gemma3():
    """Gemma 3: spaces replaced by "▁" (no dummy prefix), the Split(" ") pre-tokenizer of
    the real file (a no-op after that normalizer: BPE sees the whole text), BPE with
    byte_fallback over <0x00>..<0xFF>, <bos> prepended. Ids: <pad>=0 <eos>=1 <bos>=2
    <unk>=3 ..., then the 256 byte tokens, then the learned pieces. The learned alphabet is
    limited, so rarer characters (CJK, emoji) come out as byte tokens."""
    meta = normalizers.Replace(" ", "\u2581")
    train = Tokenizer(models.BPE(unk_token="<unk>"))
    train.normalizer = meta
    # Training only: words are "▁"-initial pieces, so no merge crosses a word boundary.
    train.pre_tokenizer = pre_tokenizers.Split("\u2581", behavior="merged_with_next")
    learned = VOCAB - len(GEMMA_SPECIALS) - 256
    trainer = trainers.BpeTrainer(vocab_size=learned, min_frequency=2, show_progress=False,
                                  limit_alphabet=80)
    train.train_from_iterator(training_lines(), trainer)
    m = json.loads(train.to_str())["model"]
    merges = [tuple(x) if isinstance(x, list) else tuple(x.split(" ")) for x in m["merges"]]
    entries = GEMMA_SPECIALS + [f"<0x{b:02X}>" for b in range(256)]
    entries += [t for t, _ in sorted(m["vocab"].items(), key=lambda kv: kv[1]) if t not in entries]
    vocab = {t: i for i, t in enumerate(entries)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, dropout=None, unk_token="<unk>",
                               fuse_unk=True, byte_fallback=True))
    tok.normalizer = meta
    tok.pre_tokenizer = pre_tokenizers.Split(" ", behavior="merged_with_previous", invert=False)
    tok.add_special_tokens([special(t) for t in GEMMA_SPECIALS])
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A", pair="<bos> $A <bos>:1 $B:1", special_tokens=[("<bos>", vocab["<bos>"])])
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(),
                                     decoders.Fuse()])
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<bos>", "eos_token": "<eos>",
              "unk_token": "<unk>", "pad_token": "<pad>", "model_max_length": 128}
    return tok, config, {"bos": vocab["<bos>"], "eos": vocab["<eos>"], "pad": vocab["<pad>"]}


BUILDERS = {
    "bert-cased": lambda: bert(lowercase=False),
    "bert-uncased": lambda: bert(lowercase=True),
    "roberta": roberta,
    "xlm-roberta": xlm_roberta,
    "llama3": llama3,
    "mistral": mistral,
    "qwen2": qwen2,
    "gemma3": gemma3,
}
