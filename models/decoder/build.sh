#!/usr/bin/env bash
# Builds the decoder-path intent model: SmolLM2-135M-Instruct with a LoRA adapter and a
# score head, merged and quantized by Sift (see README.md here), and the zero-shot
# baseline of the same model. From anywhere:
#
#   models/decoder/build.sh          # ~12 min plus the Swift build, after the assets are fetched
#
# Writes models/decoder/results/*.json (committed); models/assets/smollm2-hf/,
# models/assets/smollm2-intents-lora/, models/assets/smollm2-intents.{q8_0,f32}.gguf and the
# zero-shot run's inputs and outputs (not).
# Uses the data split of models/default (make_data.py is rerun; it is deterministic).
# Needs python3 with torch (CPU), transformers, peft, tokenizers, gguf, safetensors; and Swift.
set -euo pipefail
cd "$(dirname "$0")/../.."

source models/lib.sh   # sift, eval_to

models/fetch_assets.sh --with-data > /dev/null   # skips what is already there
python3 models/default/make_data.py
python3 models/decoder/train_lora.py
python3 models/decoder/zero_shot.py

swift build -c release --product sift
sift convert models/assets/smollm2-hf --lora models/assets/smollm2-intents-lora --type q8_0 \
  -o models/assets/smollm2-intents.q8_0.gguf
sift convert models/assets/smollm2-hf --lora models/assets/smollm2-intents-lora --type f32 \
  -o models/assets/smollm2-intents.f32.gguf

eval_to models/decoder/results/sift-q8_0.json -m models/assets/smollm2-intents.q8_0.gguf models/default/data/test.jsonl
eval_to models/decoder/results/sift-f32.json -m models/assets/smollm2-intents.f32.gguf models/default/data/test.jsonl

# Zero-shot, no fine-tuning: the instruct model choosing among the labels as words
# (sift eval matches "get weather" to the data's "get_weather").
eval_to models/decoder/results/sift-zeroshot.json -m models/assets/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \
  --labels "add to playlist,book restaurant,get weather,play music,rate book,search creative work,search screening event" \
  models/default/data/test.jsonl

echo "done: models/assets/smollm2-intents.q8_0.gguf; accuracies in models/decoder/results/"
