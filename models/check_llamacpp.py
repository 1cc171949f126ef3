#!/usr/bin/env python3
"""Checks that GGUF files written by `sift convert` read in gguf-py and run in llama.cpp
(llama-cpp-python), giving transformers' next-token logits for plain decoders.

    pip install gguf llama-cpp-python numpy
    swift build && python3 models/check_llamacpp.py

It converts the llama-lm (Q/K permuted for llama.cpp's RoPE, Q8_0) and qwen2-lm (F16)
fixtures with the built `sift`, then compares llama.cpp's logits with the fixtures'
goldens from transformers.
"""
import json
import os
import subprocess
import sys
import tempfile

import gguf
import numpy as np
from llama_cpp import Llama

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sift = os.path.join(root, ".build", "debug", "sift")
failures = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, kind, tolerance in [("llama-lm", "q8_0", 0.05), ("qwen2-lm", "f16", 0.005)]:
        folder = os.path.join(root, "Tests", "SiftTests", "Fixtures", "models", name)
        path = os.path.join(tmp, f"{name}.{kind}.gguf")
        subprocess.run([sift, "convert", folder, "--type", kind, "-o", path], check=True, stdout=subprocess.DEVNULL)
        reader = gguf.GGUFReader(path)
        print(f"gguf-py: {name}.{kind}.gguf has {len(reader.fields)} fields and {len(reader.tensors)} tensors")
        golden = json.load(open(os.path.join(folder, "golden.json")))
        llm = Llama(model_path=path, n_ctx=128, n_threads=2, logits_all=True, verbose=False)
        for case in golden["cases"]:
            llm.reset()
            llm.eval(case["ids"])
            got = np.array(llm.scores[len(case["ids"]) - 1])
            want = np.array(case["next_token_logits"])
            error = float(np.abs(got - want).max() / np.abs(want).max())
            ok = got.argmax() == want.argmax() and error <= tolerance
            failures += not ok
            print(f"llama.cpp {name} {kind}: {len(case['ids'])} tokens, top {got.argmax()} (transformers {want.argmax()}), "
                  f"error {error:.4f} of the largest logit {'ok' if ok else 'FAIL'}")
sys.exit(1 if failures else 0)
