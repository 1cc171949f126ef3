#!/usr/bin/env bash
# Builds the libFuzzer targets and runs one (or all) for a time or a number of runs.
#   Fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags]     TARGET: gguf | safetensors |
#   Fuzz/run.sh all [SECONDS]                                 tokenizer-json | tokenize
# Seeds come from the repository's fixtures (Fuzz/seeds.sh); findings go to
# fuzz-artifacts/ (git-ignored). A crash input becomes a regression test in
# Tests/SiftTests/FuzzRegressionTests.swift with the input under Fixtures/fuzz/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
target="${1:?target: gguf, safetensors, tokenizer-json, tokenize or all}"
seconds="${2:-60}"
shift $(( $# > 2 ? 2 : $# ))
# Optimized (-O keeps Swift's bounds and overflow checks) with AddressSanitizer: several
# times the executions per second of a debug build. FUZZ_CONFIG=debug for a debug build.
config="${FUZZ_CONFIG:-release}"
swift build -c "$config" --package-path "$here" --scratch-path "$root/.build-fuzz" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 1>&2
"$here/seeds.sh"
targets=("$target")
[ "$target" = all ] && targets=(gguf safetensors tokenizer-json tokenize)
for t in "${targets[@]}"; do
  mkdir -p "$root/fuzz-artifacts/$t" "$root/.build-fuzz/corpus/$t"
  echo "== fuzz-$t for ${seconds}s" 1>&2
  # -detect_leaks=0 (libFuzzer's checks while fuzzing) and ASAN_OPTIONS=detect_leaks=0 (the
  # check at exit): Swift keeps references with spare bits set, which LeakSanitizer cannot
  # follow, so the tokenizers a target loads once and keeps were reported as leaked at exit
  # (and libFuzzer then saved the empty input as a crash).
  # Model files and tokenizer.json seeds run to hundreds of KB; text inputs stay under
  # 64 KB (tokenization is linear in the input; HostileInputTests cover 10 MB lines), which
  # keeps the tokenize target at many executions a second.
  max_len=1048576
  [ "$t" = tokenize ] && max_len=65536
  ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$root/.build-fuzz/$config/fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len="$max_len" -detect_leaks=0 \
    -artifact_prefix="$root/fuzz-artifacts/$t/" -print_final_stats=1 "$@" \
    "$root/.build-fuzz/corpus/$t" "$root/.build-fuzz/seeds/$t"
done
