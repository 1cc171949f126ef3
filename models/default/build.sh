#!/usr/bin/env bash
# Builds Sift's default model, models/default/sift-intents.q8_0.gguf, from its sources:
# all-MiniLM-L6-v2 fine-tuned on SNIPS intents (see README.md here). From anywhere:
#
#   models/default/build.sh          # ~4 min plus the Swift build, after the assets are fetched
#
# Writes models/default/data/*.jsonl, models/default/results/*.json and the q8_0 GGUF
# (committed); models/assets/default-hf/ and models/assets/sift-intents.f32.gguf (not).
# Needs python3 with torch (CPU), transformers, tokenizers, safetensors; and Swift.
set -euo pipefail
cd "$(dirname "$0")/../.."

source models/lib.sh   # sift, eval_to

models/fetch_assets.sh --with-data > /dev/null   # skips what is already there
python3 models/default/make_data.py
python3 models/default/train_encoder.py

swift build -c release --product sift
sift convert models/assets/default-hf --type q8_0 -o models/default/sift-intents.q8_0.gguf
sift convert models/assets/default-hf --type f32 -o models/assets/sift-intents.f32.gguf

eval_to models/default/results/sift-q8_0.json -m models/default/sift-intents.q8_0.gguf models/default/data/test.jsonl
eval_to models/default/results/sift-f32.json -m models/assets/sift-intents.f32.gguf models/default/data/test.jsonl
echo "done: models/default/sift-intents.q8_0.gguf; accuracies in models/default/results/"
