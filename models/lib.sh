# shellcheck shell=bash
# What the model recipes' build.sh scripts share; they source it after their cd to the
# repository root (the paths here and in their steps are relative to it). Not run by itself.

# The CLI, built in release by the package at the root.
sift() { swift run -c release sift "$@"; }
# eval_to OUT ARGS...: `sift eval ARGS --json` into OUT. Results go through a temporary file,
# so a failed step leaves no half-written JSON.
eval_to() { local out="$1"; shift; sift eval "$@" --json > "$out.tmp" && mv "$out.tmp" "$out"; }
