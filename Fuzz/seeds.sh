#!/usr/bin/env bash
# Seed corpora from the repository's own fixtures (real and generated files).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seeds="$root/.build-fuzz/seeds"
mkdir -p "$seeds"/{gguf,safetensors,tokenizer-json,tokenize}
cp "$root"/Tests/SiftTests/Fixtures/formats/*.gguf "$seeds/gguf/"
find "$root/Tests/SiftTests/Fixtures/quant" -name '*.gguf' -exec cp {} "$seeds/gguf/" \; 2>/dev/null || true
cp "$root"/Tests/SiftTests/Fixtures/formats/*.safetensors "$seeds/safetensors/"
find "$root/Tests/SiftTests/Fixtures/formats/sharded" -name '*.safetensors' -exec cp {} "$seeds/safetensors/" \;
for d in "$root"/Tests/SiftTests/Fixtures/models/*/; do
  n="$(basename "$d")"
  [ -f "$d/tokenizer.json" ] && cp "$d/tokenizer.json" "$seeds/tokenizer-json/$n.json"
  [ -f "$d/model.safetensors" ] && [ "$(stat -c %s "$d/model.safetensors")" -lt 1000000 ] && cp "$d/model.safetensors" "$seeds/safetensors/$n.safetensors"
done
for d in "$root"/Tests/SiftTokenizersTests/Fixtures/tokenizers/*/; do
  n="$(basename "$d")"
  [ "$(stat -c %s "$d/tokenizer.json")" -lt 600000 ] && cp "$d/tokenizer.json" "$seeds/tokenizer-json/$n.json"
done
# One corpus line per seed file (the corpus covers scripts, emoji, controls, long words).
split -l 1 -a 4 "$root/Tests/SiftTokenizersTests/Fixtures/corpus.txt" "$seeds/tokenize/line-"
