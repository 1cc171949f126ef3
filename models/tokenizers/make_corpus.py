#!/usr/bin/env python3
"""Writes the tokenizer test corpus (Tests/SiftTokenizersTests/Fixtures/).

    corpus.txt             one input per line (split on byte 0x0A only), >= 2,000 lines
    corpus_categories.txt  the category of each corpus.txt line, same line numbers
    corpus_multiline.jsonl single inputs that contain "\\n" (a JSON string per line)
    corpus_pairs.jsonl     pair inputs, a JSON array [textA, textB] per line

Everything is deterministic: one seeded random.Random per category, no clock, no
environment. The generators are importable: make_tokenizers.py builds its *training* text
from the same generators with other seeds and drops any line that is also a test line.

Rules every corpus.txt line obeys (asserted below, so a reader can split naively on "\\n"):
  - no "\\n" inside a line, and no line is empty (a Swift split would drop empty lines);
  - no line ends with "\\r" (Swift treats "\\r\\n" as one Character, so a string split on
    "\\n" would not split there); "\\r" does occur inside lines;
  - the first line is plain ASCII (so no reader mistakes a U+FEFF for a file BOM);
  - valid UTF-8, no surrogates; U+0085, U+2028 and U+2029 do occur inside lines, so do not
    use a split that treats them as line breaks (Python's str.splitlines, Swift's
    isNewline); split the bytes on 0x0A.
"""
from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_data import (  # noqa: E402
    FIRST_NAMES, LAST_NAMES, PRODUCTS, CARRIERS, BUG_SYMPTOMS,
    BILLING, ACCOUNTS, SHIPPING, COUNTRIES, GREETINGS,
    CLOSINGS, FEELINGS, DEVICES, ACCENT_SENTENCES, COMBINING,
    CJK_SENTENCES, RTL_SENTENCES, INDIC_THAI, EMOJI, CODE,
    TLDS, SPACES, CONTROLS, SPECIALS, CASE_WORDS,
    ASCII_ART)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "SiftTokenizersTests" / "Fixtures"
SEED = 20241122

# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def money(rng: random.Random) -> str:
    amount = rng.choice([4.99, 9.99, 12.5, 19, 29.99, 49, 99.99, 120, 249.5, 1299, 15000])
    style = rng.randrange(6)
    if style == 0:
        return f"${amount:,.2f}"
    if style == 1:
        return f"€{amount:.2f}".replace(".", ",")
    if style == 2:
        return f"£{amount:g}"
    if style == 3:
        return f"{amount:g} USD"
    if style == 4:
        return f"¥{int(amount * 100):,}"
    return f"₹{amount:,.0f}"


def order_no(rng: random.Random) -> str:
    return rng.choice(["#", "", "no. ", "ORD-", "A"]) + str(rng.randrange(10_000, 99_999_999))


def fill(rng: random.Random, template: str) -> str:
    return template.format(
        p=rng.choice(PRODUCTS), inv=f"INV-{rng.randrange(2019, 2026)}-{rng.randrange(1, 9999):04d}",
        money=money(rng), name=rng.choice(FIRST_NAMES), order=order_no(rng),
        track=f"1Z{rng.randrange(10**15, 10**16)}", carrier=rng.choice(CARRIERS),
        country=rng.choice(COUNTRIES), n=rng.randrange(1, 15),
        ver=f"{rng.randrange(1, 12)}.{rng.randrange(0, 30)}.{rng.randrange(0, 9)}")


def vary_case(rng: random.Random, s: str) -> str:
    r = rng.random()
    if r < 0.08:
        return s.upper()
    if r < 0.14:
        return s.lower()
    if r < 0.18:
        return s.title()
    return s


def norm_forms(rng: random.Random, s: str) -> str:
    return unicodedata.normalize(rng.choice(["NFC", "NFC", "NFD"]), s)


# --------------------------------------------------------------------------------------
# Category generators: each takes an rng and a count and returns that many lines.
# --------------------------------------------------------------------------------------


def gen_tickets(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        topic = rng.choice(["billing", "bug", "account", "shipping", "question"])
        parts = [rng.choice(GREETINGS)]
        if topic == "billing":
            core = fill(rng, rng.choice(BILLING))
        elif topic == "bug":
            core = (f"the {rng.choice(PRODUCTS)} {rng.choice(BUG_SYMPTOMS)}"
                    f" on my {rng.choice(DEVICES)}")
        elif topic == "account":
            core = fill(rng, rng.choice(ACCOUNTS))
        elif topic == "shipping":
            core = fill(rng, rng.choice(SHIPPING))
        else:
            core = rng.choice([
                "is there a student discount?", "does the {p} work offline?",
                "can I export my data to Excel?", "what's the difference between Basic and Pro?",
                "do you have an API rate limit?", "is my data stored in the EU?",
                "how do I invite my team?", "where can I download the {p}?"])
            core = fill(rng, core)
        core = core[0].upper() + core[1:] if rng.random() < 0.8 else core
        if not core.endswith(("?", ".", "!")):
            core += rng.choice([".", ".", "!", "!!", "?", "", " :(", "..."])
        parts.append(core)
        for _ in range(rng.randrange(0, 3)):
            parts.append(fill(rng, rng.choice(FEELINGS)))
        if rng.random() < 0.3:
            parts.append(f"Order {order_no(rng)}, placed on {rng.randrange(1, 28)}/"
                         f"{rng.randrange(1, 12)}/{rng.randrange(2021, 2025)}.")
        parts.append(rng.choice(CLOSINGS))
        if rng.random() < 0.5:
            parts.append(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
        line = " ".join(p for p in parts if p)
        out.append(vary_case(rng, line))
    return out


def gen_accents(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        kind = i % 6
        if kind in (0, 1):
            s = rng.choice(ACCENT_SENTENCES)
            out.append(unicodedata.normalize("NFD" if kind == 1 else "NFC", s))
        elif kind == 2:  # mixed NFC/NFD within one line
            words = rng.choice(ACCENT_SENTENCES).split(" ")
            out.append(" ".join(unicodedata.normalize(rng.choice(["NFC", "NFD", "NFKD"]), w)
                                for w in words))
        elif kind == 3:  # stacked combining marks ("zalgo")
            base = rng.choice(["hello", "Zalgo", "abc", "ticket", "ẞig", "ok", "x", "ąę",
                               "ﬁne", "123"])
            out.append("".join(ch + "".join(rng.choice(COMBINING)
                                           for _ in range(rng.randrange(1, 7)))
                               for ch in base) + rng.choice(["", " text", " !!"]))
        elif kind == 4:  # combining marks in odd places
            out.append(rng.choice([
                "\u0301leading combining acute", "space then mark: a \u0301 b",
                "mark on digit 1\u0301 2\u0302 3\u0303", "mark after emoji 😀\u0301",
                "double diacritic o\u0361o t\u035cs", "e\u0301 vs \u00e9 vs e\u0301\u0301",
                "\u212b (U+212B) vs \u00c5 vs A\u030a", "\u2126 ohm vs \u03a9 omega", "\u0344 \u0340 \u0341 \u0343",
                "Hangul NFD: " + unicodedata.normalize("NFD", "한국어 텍스트"),
                "Devanagari nukta: \u0958 vs \u0915\u093c", "ḱ̂ṇ̃ q̣̈ ẍ̌ ŷ̧",
                "cafe\u0301 cafe\u0301 CAFE\u0301", "\u0300\u0301\u0302\u0303\u0304",
                "ǅungla ǈubljana ǋegoš", "ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ", "Ϊ̈ ϓ ϔ ΐ ΰ",
            ]) + rng.choice(["", " end", "."]))
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            s = fill(rng, f"Bonjour, c'est {name}: ma commande {{order}} coûte {{money}}, "
                          f"expédiée à {rng.choice(COUNTRIES)}.")
            out.append(norm_forms(rng, s))
    return out


def gen_cjk(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        s = CJK_SENTENCES[i % len(CJK_SENTENCES)]
        r = rng.random()
        if i >= len(CJK_SENTENCES):
            if r < 0.3:
                s = s + " " + rng.choice(CJK_SENTENCES)
            elif r < 0.5:
                s = f"订单号{order_no(rng)}：" + s
            elif r < 0.65:
                s = s.replace("。", "。 ")
            elif r < 0.8:
                s = "".join(rng.sample(s, len(s)))  # scrambled characters
            else:
                s = f"{rng.choice(FIRST_NAMES)}さん、" + s + f" ({money(rng)})"
        out.append(s)
    return out


def gen_rtl(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        s = RTL_SENTENCES[i % len(RTL_SENTENCES)]
        if i >= len(RTL_SENTENCES):
            r = rng.random()
            if r < 0.3:
                s = s + " " + rng.choice(RTL_SENTENCES)
            elif r < 0.5:
                s = f"{order_no(rng)} " + s + f" {money(rng)}"
            elif r < 0.7:
                s = unicodedata.normalize(rng.choice(["NFD", "NFKC", "NFKD"]), s)
            else:
                s = rng.choice(["\u200f", "\u200e", "\u061c", ""]) + s + rng.choice(["!", "؟", "?", ""])
        out.append(s)
    return out


def gen_indic(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        s = INDIC_THAI[i % len(INDIC_THAI)]
        if i >= len(INDIC_THAI):
            r = rng.random()
            if r < 0.3:
                s = s + " " + rng.choice(INDIC_THAI)
            elif r < 0.55:
                s = f"Order {order_no(rng)}: " + s
            elif r < 0.75:
                s = unicodedata.normalize(rng.choice(["NFD", "NFKC"]), s)
            else:
                s = s.replace(" ", rng.choice(["", "  ", "\u200b", "\u200c"]))
        out.append(s)
    return out


def gen_emoji(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        r = i % 5
        if r == 0:
            out.append(vary_case(rng, rng.choice(["Thanks", "Great support", "Still broken",
                                                  "Order arrived", "Love it", "not happy"]))
                       + " " + "".join(rng.choice(EMOJI) for _ in range(rng.randrange(1, 4))))
        elif r == 1:  # glued between words
            out.append(rng.choice(EMOJI).join(rng.sample(["pay", "ship", "box", "refund",
                                                          "app", "login", "ok"], 3)))
        elif r == 2:  # runs
            e = rng.choice(EMOJI)
            out.append(e * rng.randrange(2, 12))
        elif r == 3:  # sequences shown one by one
            out.append(" ".join(rng.sample(EMOJI, rng.randrange(3, 9))))
        else:
            out.append(rng.choice([
                "keycaps: 0️⃣1️⃣2️⃣3️⃣ #️⃣ *️⃣ and bare 1\u20e3", "flags 🇺🇸🇯🇵🇩🇪 odd RI 🇺🇸🇯",
                "VS15 ☺\ufe0e VS16 ☺\ufe0f bare ☺", "text ❤ vs emoji ❤️ vs ❤\ufe0e",
                "ZWJ family 👨\u200d👩\u200d👧\u200d👦 and broken 👨\u200d", "tags 🏴󠁧󠁢󠁷󠁬󠁳󠁿 wales",
                "skin tone alone 🏽 after space", "emoji+combining 👍\u0301", "😀😀😀😀😀😀😀😀",
                "rate us ⭐⭐⭐⭐☆", "✔️ done ✖️ failed ➡️ next ⬅️ back", "👩‍💻👨‍💻🧑‍💻",
            ]))
    return out


def gen_numbers(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        r = i % 10
        if r == 0:
            out.append(f"Total: {money(rng)} (tax {rng.randrange(0, 25)}%) due "
                       f"{rng.randrange(2020, 2026)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}")
        elif r == 1:
            out.append(rng.choice(["Call +1 (555) 123-4567 or +44 20 7946 0958",
                                   "tel: 555.867.5309 ext. 42", "+49 30 901820, +81-3-1234-5678",
                                   "(02) 9876 5432", "+33 6 12 34 56 78", "1-800-FLOWERS"])
                       + f" #{rng.randrange(100, 999)}")
        elif r == 2:
            out.append(f"Version v{rng.randrange(0, 20)}.{rng.randrange(0, 99)}.{rng.randrange(0, 999)}"
                       + rng.choice(["", "-beta.4", "-rc1", "+build.5521", "a1", ".post3"])
                       + f" (build {rng.randrange(1000, 99999)}) on Python 3.{rng.randrange(6, 14)}")
        elif r == 3:
            out.append(f"{rng.randrange(1, 31)}/{rng.randrange(1, 13)}/{rng.randrange(1990, 2030)} "
                       f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d} "
                       + rng.choice(["UTC", "PST", "CET", "+05:30", "Z", "a.m.", "PM"]))
        elif r == 4:
            out.append(rng.choice(["1,234,567.89", "1.234.567,89", "1 234 567,89", "12,34,567",
                                   "3.14159265358979", "-0.0001", "6.022e23", "1E-9", "0x1F",
                                   "0b1011", "0o777", "1_000_000", "50%", "99.9%", "1/2", "3/4",
                                   "½ ⅓ ¼ ⅞", "x² + y³ = z⁴", "H₂O", "10⁻⁶", "Ⅻ ⅻ Ⅳ", "①②③",
                                   "٣٫١٤", "१२३४", "１２３４", "๑๒๓", "𝟏𝟐𝟑"])
                       + " " + rng.choice(["units", "items", "", "kg", "km/h", "°C", "°F"]))
        elif r == 5:
            out.append(f"{rng.randrange(1, 5)}{rng.choice(['st', 'nd', 'rd', 'th'])} floor, "
                       f"apt {rng.randrange(1, 500)}B, {rng.randrange(1, 9999)} Main St., "
                       f"ZIP {rng.randrange(10000, 99999)}-{rng.randrange(1000, 9999)}")
        elif r == 6:
            out.append(f"IP {rng.randrange(1, 255)}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}."
                       f"{rng.randrange(0, 255)}:{rng.randrange(1, 65535)} and "
                       f"2001:db8::{rng.randrange(1, 65535):x}, MAC 00:1A:2B:3C:4D:5E")
        elif r == 7:
            out.append(f"Card ending {rng.randrange(1000, 9999)}, exp {rng.randrange(1, 13):02d}/"
                       f"{rng.randrange(24, 32)}, ref {rng.randrange(10**11, 10**12)}")
        elif r == 8:
            d = "".join(str(rng.randrange(10)) for _ in range(rng.randrange(4, 40)))
            out.append(rng.choice([d, f"{d}.{d[:3]}", f"{d[:5]} {d[5:]}", f"-{d}", f"{d}th", f"a{d}b"]))
        else:
            out.append(rng.choice(["2024-01-01T00:00:00Z", "Mon, 02 Jan 2006 15:04:05 -0700",
                                   "12 Dec 2023", "Q3 FY24", "'99", "1990s", "24/7", "9-5",
                                   "p.m.", "5pm-7pm", "10:30am", "1h 23m 45s", "3d ago"]))
    return out


def gen_code(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        s = CODE[i % len(CODE)]
        if i >= len(CODE):
            r = rng.random()
            if r < 0.25:
                s = s.replace("; ", ";\t")
            elif r < 0.45:
                s = f"Getting this error: {s}"
            elif r < 0.6:
                s = f"`{s}`"
            elif r < 0.75:
                s = s + " " + rng.choice(CODE)
            elif r < 0.85:
                s = s.replace(" ", "  ")
        out.append(s)
    return out


def gen_urls(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        host = rng.choice(["example", "shop.example", "api.acme", "support.my-company",
                           "docs.python", "files.cdn-01", "münchen", "例え", "xn--mnchen-3ya"])
        url = (rng.choice(["https://", "http://", "ftp://", "", "www."]) + host + "."
               + rng.choice(TLDS) + rng.choice(["", ":8080", ":443"])
               + rng.choice(["/", "/path/to/page", "/v1/users/12345/orders?status=open&page=2",
                             "/search?q=caf%C3%A9+cr%C3%A8me&lang=fr#results",
                             "/a/b/c.html#section-3.2", "/~user/index.php?id=1&x=<y>",
                             "/wiki/Stra%C3%9Fe_(Berlin)", "/download/file%20name.pdf"]))
        email = (rng.choice(["john.doe", "j_smith", "anna+invoices", "support", "no-reply",
                             "Ömer.Şahin", "user.name+tag+sorting", "x"]) + "@"
                 + rng.choice(["example.com", "mail.example.co.uk", "sub.domain.io",
                               "gmail.com", "exämple.de", "[192.168.0.1]"]))
        r = i % 4
        if r == 0:
            out.append(f"Please check {url} and reply to {email}")
        elif r == 1:
            out.append(url)
        elif r == 2:
            out.append(f"<{email}>, mailto:{email}?subject=Order%20{order_no(rng)}")
        else:
            out.append(f"Link ({url}) isn't working—see \"{url}\". Also {email}.")
    return out


def gen_whitespace(rng: random.Random, n: int) -> list[str]:
    words = ["refund", "order", "please", "help", "the", "app", "is", "broken", "Café",
             "naïve", "数据", "123", "ok", "don't", "I'm", "!"]
    out = []
    for i in range(n):
        r = i % 4
        if r == 0:
            w = rng.sample(words, rng.randrange(2, 7))
            out.append("".join(x + rng.choice(SPACES) for x in w[:-1]) + w[-1])
        elif r == 1:
            out.append(rng.choice(SPACES[:9]) * rng.randrange(1, 4) + " ".join(rng.sample(words, 3))
                       + rng.choice([" ", "  ", "\t", "\u00a0", "\u3000", "   \t"]))
        elif r == 2:
            out.append(" ".join(rng.sample(words, 4)) + " " * rng.randrange(2, 30)
                       + " ".join(rng.sample(words, 2)))
        else:
            out.append(rng.choice(["line one\rline two", "CR\rLF written as CR only\r!",
                                   "form\ffeed", "vertical\vtab", "nbsp\u00a0between\u00a0words",
                                   "ideographic\u3000space", "thin\u2009space and hair\u200aspace",
                                   "zero\u200bwidth\u200bspace", "narrow\u202fnbsp 10\u202fkm",
                                   "NEL\u0085next", "LS\u2028PS\u2029end", "ogham\u1680space",
                                   "mongolian\u180evowel sep", "trailing tab\t", "\tleading tab",
                                   " leading space", "trailing space ", "  both  ",
                                   "a \u00a0 b \u3000 c \t d", "tab\tseparated\tvalues\t1\t2"]))
    return out


def gen_whitespace_only(rng: random.Random, n: int) -> list[str]:
    out = [" ", "  ", "\t", "\u00a0", "\u3000", " \t ", "\u2003", "\u200b", "\f", "\v",
           "\u0085", "\u2028", "\u2029", " " * 64, "\t" * 10, "\u00a0 \u00a0", "\u180e",
           "\r ", " \r\t"]
    while len(out) < n:
        out.append("".join(rng.choice(SPACES) for _ in range(rng.randrange(1, 8))))
    out = [s if not s.endswith("\r") else s + " " for s in out]
    return out[:n]


def gen_controls(rng: random.Random, n: int) -> list[str]:
    words = ["account", "pay\u00adment", "re\u00adfund", "data", "user", "null", "éclair",
             "日本", "مرحبا", "test"]
    out = []
    for i in range(n):
        if i < len(CONTROLS):  # every control character at least once, inside words
            c = CONTROLS[i]
            out.append(f"ctl U+{ord(c):04X} before{c}after {c}alone{c}")
        else:
            w = rng.sample(words, 4)
            out.append("".join(x + "".join(rng.choice(CONTROLS) for _ in range(rng.randrange(0, 3)))
                               + " " for x in w).rstrip(" "))
    return [s if not s.endswith("\r") else s + "." for s in out]


def gen_specials(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        if i < len(SPECIALS):
            out.append(SPECIALS[i])
            continue
        r = i % 8
        a, b = rng.sample(SPECIALS, 2)
        w1, w2 = rng.sample(["hello", "world", "refund", "Order", "user", "assistant", "x", "42"], 2)
        if r == 0:
            out.append(f"{a}{w1}{b}{w2}")
        elif r == 1:
            out.append(f"{a} {w1} {b} {w2}")
        elif r == 2:
            out.append(f"{w1}{a}{a}{w2}")
        elif r == 3:
            out.append(f"  {a}  {w1}\t{b}\t")
        elif r == 4:
            out.append(rng.choice([
                "<|im_start|>user Where is my order?<|im_end|><|im_start|>assistant",
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|> hi<|eot_id|>",
                "<s>[INST] Summarize this ticket [/INST] Sure</s>",
                "<bos><start_of_turn>user hello<end_of_turn><start_of_turn>model",
                "[CLS] first sentence [SEP] second sentence [SEP]",
                "<s> A </s></s> B </s>", "The capital of France is <mask>.",
                "The capital of France is<mask>.", "I [MASK] this product",
                "<|endoftext|><|endoftext|>", "<pad><pad><pad>text", "[PAD] [PAD]"]))
        elif r == 5:  # near misses that must not match
            out.append(rng.choice([
                "[cls] lower-case", "[ CLS ]", "<|im_start|", "<|im_start>", "|im_start|>",
                "<<s>>", "< s >", "</s", "<s", "[SEP", "SEP]", "<|endoftext|>>",
                "<|begin_of_text|x>", "<mask >", "<MASK>", "[Mask]", "<|IM_START|>",
                "<unk", "<unk>>", "<|eot_id|>.", "＜s＞", "[CLS]\u0301", "<s>\u200d"]))
        elif r == 6:
            out.append(f"{w1} {a}{rng.choice(['', ' ', '  '])}{rng.choice(['', '!', '.', 'é'])}")
        else:
            out.append(f"{a.lower()} {a.upper()} {a}")
    return out


def gen_long(rng: random.Random, n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = []
    for i in range(n):
        r = i % 12
        if r == 0:
            out.append("".join(rng.choice(letters) for _ in range(rng.randrange(200, 400))))
        elif r == 1:
            out.append("".join(str(rng.randrange(10)) for _ in range(rng.randrange(200, 500))))
        elif r == 2:
            q = "&".join(f"param{k}={rng.randrange(10**9)}" for k in range(rng.randrange(10, 25)))
            out.append(f"https://tracking.example.com/redirect/v2/click?{q}&utm_source=newsletter")
        elif r == 3:
            out.append(rng.choice(["a", "x", "ab", "é", "中", "😀", "-", "=", ".", "0", "ha"])
                       * rng.randrange(100, 400))
        elif r == 4:
            out.append("Pneumonoultramicroscopicsilicovolcanoconiosis" * rng.randrange(4, 8))
        elif r == 5:
            out.append("".join(rng.choice("0123456789abcdef") for _ in range(256)))
        elif r == 6:
            out.append("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                               for _ in range(rng.randrange(200, 420))) + "==")
        elif r == 7:
            out.append("".join(rng.choice("我的订单还没有到请帮查一下物流信息谢谢") for _ in range(220)))
        elif r == 8:
            out.append("Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
                       * rng.randrange(2, 4))
        elif r == 9:
            out.append(" ".join("".join(rng.choice(letters) for _ in range(rng.randrange(90, 130)))
                                for _ in range(2)))
        elif r == 10:
            out.append("".join(rng.choice(["😀", "👍🏽", "🇯🇵", "👨‍👩‍👧", "1️⃣", "❤️"])
                               for _ in range(rng.randrange(60, 120))))
        else:
            out.append("".join(rng.choice(letters + "àéîõüçñ") for _ in range(rng.randrange(201, 260))))
    return out


def gen_case(rng: random.Random, n: int) -> list[str]:
    specials = ["İstanbul ıIiİ", "STRASSE straße ẞ", "ΣΊΣΥΦΟΣ Σίσυφος ΟΔΟΣ οδός", "ǅ ǆ Ǆ ǲ",
                "ﬁ ﬂ ＦＵＬＬ ｗｉｄｔｈ", "𐐀𐐨 (Deseret)", "ᏣᎳᎩ Cherokee", "ÀÉÎÕÜ àéîõü",
                "Ꭰ ꭰ", "Ⓐ ⓐ", "ı̇ i̇", "ŉ ǰ ΐ", "ÆØÅ æøå", "ĲSSELMEER ĳsselmeer"]
    out = []
    for i in range(n):
        r = i % 5
        base = gen_tickets(rng, 1)[0]
        if r == 0:
            out.append(base.upper())
        elif r == 1:
            out.append("".join(c.upper() if rng.random() < 0.5 else c.lower() for c in base))
        elif r == 2:
            out.append(" ".join(rng.sample(CASE_WORDS, rng.randrange(3, 7))))
        elif r == 3:
            out.append(specials[(i // 5) % len(specials)])
        else:
            out.append(base.title())
    return out


def gen_contractions(rng: random.Random, n: int) -> list[str]:
    forms = ["I'm", "you're", "we've", "they'll", "she'd", "it's", "don't", "can't", "won't",
             "I'M", "YOU'RE", "WE'VE", "THEY'LL", "SHE'D", "IT'S", "DON'T", "CAN'T", "Won'T",
             "y'all'd've", "'tis", "rock'n'roll", "o'clock", "the '90s", "Chris'",
             "James's", "I’m", "don’t", "it’s", "WE’LL", "you‘re", "l'homme", "dell'arte",
             "'quoted'", "''double''", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S",
             "'T", "'RE", "'VE", "'M", "'LL", "'D", "x's", "X'S", "' s", "'''"]
    out = []
    for _ in range(n):
        out.append(" ".join(rng.choice(forms) for _ in range(rng.randrange(2, 8)))
                   + rng.choice(["", ".", "?", "!"]))
    return out


def gen_punct(rng: random.Random, n: int) -> list[str]:
    runs = ["!!!", "???", "?!?!", "...", "…", "—", "–", "--", "---", "«»", "“”", "„“", "‘’",
            "¿¡", "!!1!", "***", "###", "@@@", "$$$", "%%%", "^^^", "&&&", "(((", ")))", "[[[",
            "]]]", "{{{", "}}}", "<<<", ">>>", "///", "\\\\\\", "|||", "~~~", "```", "'''",
            "\"\"\"", ";;;", ":::", ",,,", "・・・", "。。。", "、、", "！！", "؟؟", "।।", "॥",
            "¡¡¡", "‼", "⁉", "‽", "※", "§§", "¶", "†‡", "•••", "◆◇", "☆★"]
    out = []
    for _ in range(n):
        out.append(rng.choice(["What", "Why", "no", "OK", "wait", "Refund", "help", ""])
                   + "".join(rng.choice(runs) for _ in range(rng.randrange(1, 5)))
                   + rng.choice(["", " really", " now", "x"]))
    return out


def gen_math(rng: random.Random, n: int) -> list[str]:
    items = ["∑_{i=1}^{n} i = n(n+1)/2", "∫₀^∞ e^{-x²} dx = √π/2", "a ≠ b ≤ c ≥ d ≈ e ≡ f",
             "x ∈ ℝ, y ∉ ℚ, ∀ε>0 ∃δ>0", "A ∪ B ∩ C ⊆ D ⊂ E", "¬p ∧ q ∨ r → s ↔ t",
             "±1 × 2 ÷ 3 − 4 ∓ 5", "∞ ∂ ∇ ∆ ∏ ∐ ∑", "𝐀𝐁𝐂 𝑥𝑦𝑧 𝔄𝔅 𝕏𝕐 𝟘𝟙", "ℎ ℏ ℓ ℘ ℵ",
             "$E = mc^2$", "\\frac{a}{b} + \\sqrt{x}", "f(x) = 3x³ − 2x² + x − 7",
             "α β γ δ ε ζ η θ ι κ λ μ ν ξ ο π ρ σ ς τ υ φ χ ψ ω", "Α Β Γ Δ Ω", "°′″‴",
             "5 ‰ 3 ‱", "⌈x⌉ ⌊y⌋ ⟨u, v⟩ ‖w‖", "1 < 2 > 0 <= 3 >= 4 == 5 != 6", "∛8 = 2, ∜16 = 2",
             "⅟₂ ₀₁₂₃₄₅₆₇₈₉ ⁰¹²³⁴⁵⁶⁷⁸⁹", "√(x² + y²)", "∮ ∯ ∰ ∱", "ϑ ϕ ϖ ϰ ϱ ϵ"]
    out = []
    for i in range(n):
        s = items[i % len(items)]
        if i >= len(items):
            s = s + " " + rng.choice(items) if rng.random() < 0.5 else unicodedata.normalize("NFKC", s)
        out.append(s)
    return out


def gen_ascii_art(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        s = ASCII_ART[i % len(ASCII_ART)]
        if i >= len(ASCII_ART):
            s = rng.choice(["Me when the refund arrives ", "", "status: ", "lol "]) + s + \
                rng.choice(["", " " + rng.choice(ASCII_ART)])
        out.append(s)
    return out


def gen_single_chars(rng: random.Random, n: int) -> list[str]:
    chars = ["a", "Z", "0", "9", "!", "?", ".", ",", "'", "\"", "-", "_", "#", "@", "$", "%",
             "&", "*", "(", ")", "[", "]", "{", "}", "<", ">", "/", "\\", "|", "~", "`", "^",
             "+", "=", ";", ":", "é", "e\u0301", "ß", "ẞ", "İ", "ı", "Σ", "ς", "中", "あ",
             "ア", "ｱ", "한", "ㄱ", "ا", "ש", "क", "ก", "😀", "👍🏽", "🇯🇵", "👨‍👩‍👧‍👦",
             "\u0301", "\u200d", "\u200c", "\ufeff", "\u00ad", "\u00a0", "\t", "\x00", "\x1b",
             "\x7f", "\x85", "\u3000", "\uffff", "\U0010ffff", "\U0001d400", "½", "²", "№",
             "™", "ﬁ", "€", "£", "¥", "₹", "₿", "𠀀", "\ue000", "\u0e33", "\u0f00"]
    return [chars[i % len(chars)] for i in range(n)]


def gen_mixed(rng: random.Random, n: int) -> list[str]:
    pools = [gen_tickets, gen_accents, gen_cjk, gen_rtl, gen_indic, gen_emoji, gen_numbers,
             gen_code, gen_urls, gen_contractions, gen_specials]
    out = []
    for _ in range(n):
        k = rng.randrange(2, 4)
        pieces = [rng.choice(pools)(rng, 1)[0][:80] for _ in range(k)]
        out.append(rng.choice([" ", "", " | ", " — ", "\t"]).join(pieces))
    return out


# (category, generator, count for the test corpus)
CATEGORIES = [
    ("tickets", gen_tickets, 520),
    ("accents", gen_accents, 150),
    ("cjk", gen_cjk, 140),
    ("rtl", gen_rtl, 90),
    ("indic_thai", gen_indic, 90),
    ("emoji", gen_emoji, 120),
    ("numbers", gen_numbers, 140),
    ("code", gen_code, 130),
    ("urls_emails", gen_urls, 100),
    ("whitespace", gen_whitespace, 120),
    ("whitespace_only", gen_whitespace_only, 40),
    ("controls", gen_controls, 110),
    ("special_tokens", gen_specials, 150),
    ("long", gen_long, 72),
    ("case", gen_case, 90),
    ("contractions", gen_contractions, 80),
    ("punctuation", gen_punct, 60),
    ("math", gen_math, 60),
    ("ascii_art", gen_ascii_art, 50),
    ("single_char", gen_single_chars, 90),
    ("mixed", gen_mixed, 90),
]


def category_lines(seed: int, scale: float = 1.0) -> list[tuple[str, str]]:
    """All (category, line) pairs for one seed; scale multiplies every category's count."""
    rows, seen = [], set()
    for idx, (name, gen, count) in enumerate(CATEGORIES):
        rng = random.Random(seed * 1000 + idx)
        want = max(1, int(count * scale))
        # Generate extra and keep the first `want` distinct lines: duplicates would only
        # cost golden bytes.
        lines = [sanitize(line) for line in gen(rng, 3 * want)]
        picked = [line for line in dict.fromkeys(lines) if line not in seen][:want]
        seen.update(picked)
        rows += [(name, line) for line in picked]
    return rows


def sanitize(line: str) -> str:
    """Applies the corpus.txt rules (see module docstring) to one line."""
    line = line.replace("\n", " ")
    if line.endswith("\r"):
        line += "."
    if not line:
        line = "."
    line.encode("utf-8")  # raises on surrogates
    return line


# --------------------------------------------------------------------------------------
# Multi-line singles and pairs (JSONL, so they may contain "\n")
# --------------------------------------------------------------------------------------


def gen_multiline(rng: random.Random, n: int) -> list[str]:
    base = [
        "def f(x):\n    return x + 1\n",
        "line one\nline two\n\nline four",
        "\n\nleading newlines", "trailing newlines\n\n\n", "\n", "\r\n", "a\r\nb\r\nc",
        "Hi,\n\nMy order hasn't arrived.\n\nThanks,\nAnna",
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhere is my refund?<|eot_id|>",
        "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n",
        "```python\nprint('hi')\n```", "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ]\n}",
        "SELECT *\nFROM t\nWHERE x = 1;", "  \n  \n", "\t\n\t", "word\n word\n  word",
        "你好\n世界", "مرحبا\nبالعالم", "😀\n👍🏽", "a\n\u00a0b", "x \n y", "end with space \n",
    ]
    out = list(base)
    while len(out) < n:
        k = rng.randrange(2, 5)
        parts = [rng.choice(category_lines_cache())[1][:120] for _ in range(k)]
        out.append(rng.choice(["\n", "\n\n", " \n", "\r\n", "\n  "]).join(parts))
    return out[:n]


_CACHE: list[tuple[str, str]] = []


def category_lines_cache() -> list[tuple[str, str]]:
    if not _CACHE:
        _CACHE.extend(category_lines(SEED + 7, 0.2))
    return _CACHE


def gen_pairs(rng: random.Random, n: int) -> list[list[str]]:
    pool = category_lines_cache()
    replies = ["Thanks for reaching out! We've issued a refund.", "Could you send us your order number?",
               "We're sorry for the trouble. A replacement is on its way.", "Please try clearing your cache.",
               "Merci pour votre message, nous revenons vers vous rapidement.",
               "ご連絡ありがとうございます。確認いたします。", "感谢您的耐心等待。",
               "شكرا لتواصلك معنا.", "Your ticket #4821 has been escalated to tier 2.", ""]
    out: list[list[str]] = [["", ""], ["", "only B"], ["only A", ""], ["a", "b"],
                            ["[SEP]", "[CLS]"], ["<s>", "</s>"], [" ", " "], ["\n", "\t"],
                            ["Is this spam?", "Buy now!!! 🤑🤑 http://spam.example/win"],
                            ["<mask>", "<mask> "]]
    long_a = " ".join(gen_tickets(rng, 6))
    long_b = " ".join(gen_tickets(rng, 3))
    out += [[long_a, "short"], ["short", long_a], [long_a, long_b], [long_b, long_a],
            [long_a, long_a]]
    while len(out) < n:
        r = rng.random()
        if r < 0.4:
            a = gen_tickets(rng, 1)[0]
            b = rng.choice(replies)
        elif r < 0.7:
            a, b = rng.choice(pool)[1], rng.choice(pool)[1]
        elif r < 0.85:
            a = " ".join(gen_tickets(rng, rng.randrange(2, 5)))
            b = " ".join(x[1] for x in rng.sample(pool, rng.randrange(1, 4)))
        else:
            a = rng.choice(pool)[1] + "\n" + rng.choice(pool)[1]
            b = rng.choice(replies) + "\n\n" + rng.choice(replies)
        out.append([a, b])
    return out[:n]


# --------------------------------------------------------------------------------------


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    rows = category_lines(SEED)
    # A seeded shuffle so the first lines (the ones with golden token strings) cover every
    # category; the first line is then a plain English ticket.
    rng = random.Random(SEED)
    rng.shuffle(rows)
    first = next(i for i, (c, l) in enumerate(rows) if c == "tickets" and l.isascii())
    rows.insert(0, rows.pop(first))
    for c, l in rows:
        assert "\n" not in l and l and not l.endswith("\r"), (c, l)
    (FIXTURES / "corpus.txt").write_bytes("".join(l + "\n" for _, l in rows).encode("utf-8"))
    (FIXTURES / "corpus_categories.txt").write_text("".join(c + "\n" for c, _ in rows),
                                                    encoding="utf-8")

    multi = gen_multiline(random.Random(SEED + 1), 200)
    with open(FIXTURES / "corpus_multiline.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for s in multi:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    pairs = gen_pairs(random.Random(SEED + 2), 240)
    with open(FIXTURES / "corpus_pairs.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")

    counts: dict[str, int] = {}
    for c, _ in rows:
        counts[c] = counts.get(c, 0) + 1
    print(f"corpus.txt: {len(rows)} lines; multiline: {len(multi)}; pairs: {len(pairs)}",
          file=sys.stderr)
    print("  " + ", ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
