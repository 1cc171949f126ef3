#!/usr/bin/env python3
"""Sift against ONNX Runtime int8 and llama.cpp, in one run, on the same model shapes,
token counts and thread count: the peer half of `sift-bench models`.

    python3 Benchmarks/peers/peers.py                       # minilm … llama-3.2-1b, 16/64/128/256 tokens
    python3 Benchmarks/peers/peers.py --shapes minilm,bert-base --tokens 16,64 --runs 30
    python3 Benchmarks/peers/peers.py --large --skip-ort --json > peers.jsonl

For every (shape, tokens) point the three engines run back to back (Sift, then ORT, then
each llama.cpp quantization), so a change in the machine's load touches all of them
alike. Each measurement is a fresh subprocess that loads one model, warms up, times
`--runs` calls and exits: one model in memory at a time, load time kept out of the
latency. Built peer models are cached in $SIFT_PEERS_CACHE (default /tmp/sift-peers).
See README.md for what exactly each peer times.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import common  # noqa: E402
import shapes  # noqa: E402

BENCHMARKS = HERE.parent
DEFAULT_SIFT_BENCH = BENCHMARKS / ".build" / "release" / "sift-bench"


def busy_threshold(threads: int) -> float:
    """Other processes' CPU share above which a point is flagged: more than the cores the
    benchmark leaves idle, plus 10% of the machine."""
    cores = os.cpu_count() or 1
    return max(0.0, (cores - threads) / cores) + 0.10


def run_json(cmd: list[str], cwd: Path | None = None, timeout: int = 3600) -> dict:
    """Runs a worker; its last stdout line that parses as a JSON object is the answer."""
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"unavailable": f"timed out after {timeout} s"}
    except OSError as e:
        return {"unavailable": f"could not start {cmd[0]}: {e}"}
    for line in reversed(p.stdout.strip().splitlines()):
        try:
            out = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(out, dict):
            if p.returncode != 0:
                out.setdefault("unavailable", f"exit code {p.returncode}")
            return out
    tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
    return {"unavailable": f"exit code {p.returncode}: {tail[:300]}"}


def worker(script: str, *args: str) -> list[str]:
    return [sys.executable, str(HERE / script), *args]


def sift_point(sift_bench: Path, shape: str, n: int, runs: int, threads: int) -> dict:
    # cwd = Benchmarks/: sift-bench's default --tokenizer path is relative to it.
    out = run_json([str(sift_bench), "models", "--shape", shape, "--tokens", str(n), "--threads", str(threads),
                    "--runs", str(runs), "--json"], cwd=BENCHMARKS, timeout=1800)
    if "p50_ms" not in out:
        out.setdefault("unavailable", "no p50_ms in sift-bench's output")
    return out


def environment() -> dict:
    env = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
           "load_avg_1m": round(os.getloadavg()[0], 2), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    env["cpu"] = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = line.split()
                    env["avx512_vnni"] = "avx512_vnni" in flags
                    break
    except OSError:
        pass
    from importlib import metadata
    for pkg in ("onnxruntime", "llama-cpp-python", "torch", "transformers", "gguf"):
        try:
            env[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            env[pkg] = None
    return env


def fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def table(rows: list[dict], threads: int, runs: int) -> str:
    busy = busy_threshold(threads)
    head = (f"{'shape':13} {'tokens':>6} {'Sift p50':>9} {'ORT int8':>9} {'llama.cpp (best)':>17} "
            f"{'ORT/Sift':>8} {'llama/Sift':>10} {'floor':>7} {'ORT/1.5':>8} {'llama/5':>8} {'other CPU':>9}")
    lines = [f"p50 ms per classification of one text, {threads} threads, {runs} runs per point", head, "-" * len(head)]
    for r in rows:
        best = r.get("llamacpp_best")
        lc = f"{fmt(r['llamacpp'][best]['p50_ms'])} {best}" if best else "-"
        targets = r.get("targets_ms", {})

        def target(key: str) -> str:
            return fmt(targets.get(key)) + ("*" if key in r.get("targets_below_floor", []) else " ")
        lines.append(f"{r['shape']:13} {r['tokens']:>6} {fmt(r['sift'].get('p50_ms')):>9} "
                     f"{fmt(r['ort'].get('p50_ms')):>9} {lc:>17} {fmt(r.get('ort_over_sift')):>8} "
                     f"{fmt(r.get('llamacpp_over_sift')):>10} {fmt(r['sift'].get('floor_ms')):>7} "
                     f"{target('ort_1.5x'):>8} {target('llamacpp_5x'):>8} {r['other_cpu_share']:>8.0%}"
                     + (" !" if r["other_cpu_share"] > busy else ""))
    if any(r.get("targets_below_floor") for r in rows):
        lines.append("* a time issue #5 asks of Sift (ORT/1.5, llama.cpp/5) below the floor: the least time "
                     "the Linear layers alone could take here, at the measured int8 peak or read bandwidth")
    if any(r["other_cpu_share"] > busy for r in rows):
        lines.append(f"! other processes took over {busy:.0%} of the CPUs during the point: its times, "
                     "llama.cpp's most, are inflated")
    lines += ["", "all points, p50/p90 (min) ms:"]
    for r in rows:
        cells = [("Sift", r["sift"]), ("ORT int8", r["ort"])] + [(f"llama.cpp {q}", v) for q, v in r["llamacpp"].items()]
        text = "  ".join(f"{name} {fmt(v.get('p50_ms'))}/{fmt(v.get('p90_ms'))}"
                         + (f" ({fmt(v['min_ms'])})" if "min_ms" in v else "") for name, v in cells if "p50_ms" in v)
        rtt = r["sift"].get("cross_core_round_trip_ns")
        lines.append(f"  {r['shape']:13} {r['tokens']:>4}  {text}" + (f"  (x-core {rtt:.0f} ns before Sift's)" if rtt else ""))
    notes = {}
    for r in rows:
        for name, v in [("Sift", r["sift"]), ("ORT int8", r["ort"])] + [(f"llama.cpp {q}", v) for q, v in r["llamacpp"].items()]:
            if "unavailable" in v and not v.get("skipped"):
                notes.setdefault((name, r["shape"], v["unavailable"]), []).append(str(r["tokens"]))
    if notes:
        lines += ["", "unavailable:"]
        for (name, shape, why), toks in notes.items():
            lines.append(f"  {name} {shape} ({','.join(toks)} tokens): {why}")
    return "\n".join(lines)


def main() -> None:
    intro, _, rest = __doc__.partition("\n\n")
    ap = argparse.ArgumentParser(description=" ".join(intro.split()),
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=rest)
    ap.add_argument("--shapes", default=None, help="comma-separated; default: " +
                    ",".join(n for n, s in shapes.SHAPES.items() if not s.large))
    ap.add_argument("--tokens", default="16,64,128,256")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per point (after --warmup)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--large", action="store_true", help="also llama-3.2-3b and llama-3.1-8b")
    ap.add_argument("--skip-ort", action="store_true")
    ap.add_argument("--skip-llamacpp", action="store_true")
    ap.add_argument("--skip-sift", action="store_true")
    ap.add_argument("--quants", default="F16,Q8_0,Q4_0", help="llama.cpp files to time")
    ap.add_argument("--ort-per-tensor", action="store_true", help="ORT weights with one scale per matrix")
    ap.add_argument("--verify", action="store_true",
                    help="when building, check llama.cpp F16 against transformers on the same weights")
    ap.add_argument("--rebuild", action="store_true", help="rebuild cached peer models")
    ap.add_argument("--sift-bench", default=str(DEFAULT_SIFT_BENCH), help="the sift-bench binary")
    ap.add_argument("--cache", default=None, help="peer models (default $SIFT_PEERS_CACHE or /tmp/sift-peers)")
    ap.add_argument("--json", action="store_true", help="one JSON line per (shape, tokens) instead of a table")
    ap.add_argument("--quiet-wait", type=float, default=60, metavar="SECONDS",
                    help="before each point, wait up to this long for other processes to leave the CPUs "
                         "(with 2 threads on 2 cores: < 15%% busy); 0 to start at once")
    a = ap.parse_args()

    names = a.shapes.split(",") if a.shapes else [n for n, s in shapes.SHAPES.items() if not s.large or a.large]
    if a.large and a.shapes:
        names += [n for n, s in shapes.SHAPES.items() if s.large and n not in names]
    unknown = [n for n in names if n not in shapes.SHAPES]
    if unknown:
        ap.error(f"unknown shape(s) {unknown}; known: {', '.join(shapes.SHAPES)}")
    lengths = [int(t) for t in a.tokens.split(",") if t]
    quants = [q for q in a.quants.split(",") if q]
    cache = str(common.cache_root(a.cache))
    common_args = ["--cache", cache, "--runs", str(a.runs), "--warmup", str(a.warmup), "--threads", str(a.threads)]

    env = environment()
    common.log("peers: " + json.dumps(env))
    if env["load_avg_1m"] > 0.5 * (env["cores"] or 1):
        common.log(f"warning: load average {env['load_avg_1m']} on {env['cores']} cores before starting; "
                   "other work on the machine inflates every engine's times (and the ratios' noise)")
    sift_bench = Path(a.sift_bench)
    run_sift = not a.skip_sift
    if run_sift and not (sift_bench.is_file() and os.access(sift_bench, os.X_OK)):
        common.log(f"Sift skipped: no sift-bench binary at {sift_bench} "
                   "(build it: cd Benchmarks && swift build -c release; or pass --sift-bench PATH)")
        run_sift = False

    rows = []
    for name in names:
        ort_unavailable = llama_unavailable = None
        ort_recipe = {}
        if not a.skip_ort:
            common.log(f"{name}: ONNX Runtime model (export + quantize; cached after the first time)…")
            built = run_json(worker("ort_peer.py", "build", "--shape", name, "--cache", cache,
                                    *(["--per-tensor"] if a.ort_per_tensor else []), *(["--force"] if a.rebuild else [])))
            common.log(f"{name}: ORT {json.dumps(built)}")
            ort_unavailable = built.get("unavailable")
            ort_recipe = {k: built[k] for k in ("exporter", "fusion", "quantization") if k in built}
        if not a.skip_llamacpp:
            common.log(f"{name}: GGUF {','.join(quants)} (cached after the first time)…")
            built = run_json(worker("llamacpp_peer.py", "build", "--shape", name, "--cache", cache, "--quants",
                                    ",".join(quants), *(["--verify"] if a.verify else []),
                                    *(["--force"] if a.rebuild else [])))
            common.log(f"{name}: llama.cpp {json.dumps(built)}")
            llama_unavailable = built.get("unavailable")
        for n in lengths:
            before = (common.wait_for_quiet(a.quiet_wait, busy_threshold(a.threads) + 0.05)
                      if a.quiet_wait > 0 else None)
            other = common.OtherLoad().start()
            row = {"shape": name, "tokens": n, "threads": a.threads}
            row["sift"] = (sift_point(sift_bench, name, n, a.runs, a.threads) if run_sift
                           else {"unavailable": "skipped", "skipped": True})
            if a.skip_ort:
                row["ort"] = {"unavailable": "skipped", "skipped": True}
            elif ort_unavailable:
                row["ort"] = {"unavailable": ort_unavailable}
            else:
                row["ort"] = {**run_json(worker("ort_peer.py", "measure", "--shape", name, "--tokens", str(n), *common_args)),
                              "recipe": ort_recipe}
            row["llamacpp"] = {}
            for q in ([] if a.skip_llamacpp else quants):
                row["llamacpp"][q] = ({"unavailable": llama_unavailable} if llama_unavailable else
                                      run_json(worker("llamacpp_peer.py", "measure", "--shape", name, "--quant", q,
                                                      "--tokens", str(n), *common_args)))
            timed = {q: v for q, v in row["llamacpp"].items() if "p50_ms" in v}
            row["llamacpp_best"] = min(timed, key=lambda q: timed[q]["p50_ms"]) if timed else None
            sift = row["sift"].get("p50_ms")
            if sift:
                if "p50_ms" in row["ort"]:
                    row["ort_over_sift"] = round(row["ort"]["p50_ms"] / sift, 3)
                if row["llamacpp_best"]:
                    row["llamacpp_over_sift"] = round(timed[row["llamacpp_best"]]["p50_ms"] / sift, 3)
            # The times issue #5's ratios ask of Sift at this point, and which of them are below
            # Sift's floor (sift-bench's floor_ms: the Linear layers' int8 work at the measured
            # peak, or their weights at the measured bandwidth), so out of reach on this machine.
            targets = {}
            if "p50_ms" in row["ort"]:
                targets["ort_1.5x"] = round(row["ort"]["p50_ms"] / 1.5, 3)
            if row["llamacpp_best"]:
                targets["llamacpp_5x"] = round(timed[row["llamacpp_best"]]["p50_ms"] / 5, 3)
            if targets:
                row["targets_ms"] = targets
                floor = row["sift"].get("floor_ms")
                if floor:
                    row["targets_below_floor"] = [k for k, v in targets.items() if v < floor]
            # CPU share other processes took while this point ran (0 = a quiet machine): a
            # point above ~0.1 is contaminated, and llama.cpp's spinning barrier suffers most.
            row["other_cpu_share"] = round(other.share(), 3)
            if before is not None:
                row["other_cpu_share_before"] = round(before, 3)
            rows.append(row)
            if a.json:
                print(json.dumps(row), flush=True)
            else:
                best = row["llamacpp_best"]
                common.log(f"{name} {n:>4} tokens: Sift {fmt(sift)}  ORT {fmt(row['ort'].get('p50_ms'))}  "
                           f"llama.cpp {fmt(timed[best]['p50_ms']) + ' ' + best if best else '-'}  "
                           f"(other processes' CPU share {row['other_cpu_share']:.2f})")
    if not a.json:
        print(table(rows, a.threads, a.runs))


if __name__ == "__main__":
    main()
