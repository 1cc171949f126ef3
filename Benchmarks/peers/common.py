"""What the peer workers share: the cache layout, percentiles as sift-bench takes them,
memory figures, and the one-JSON-line protocol between a worker and peers.py."""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

# Bump when a recipe changes, so that cached models built the old way are not reused.
CACHE_VERSION = "v1"


def cache_root(override: str | None = None) -> Path:
    return Path(override or os.environ.get("SIFT_PEERS_CACHE") or "/tmp/sift-peers")


def shape_dir(cache: Path, shape: str, peer: str) -> Path:
    d = cache / CACHE_VERSION / shape / peer
    d.mkdir(parents=True, exist_ok=True)
    return d


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as `percentile` in Benchmarks/Sources/sift-bench/Timing.swift."""
    s = sorted(values)
    rank = int(round(p / 100 * (len(s) - 1)))
    return s[min(max(rank, 0), len(s) - 1)]


def summary(samples_ms: list[float]) -> dict:
    return {"p50_ms": round(percentile(samples_ms, 50), 3), "p90_ms": round(percentile(samples_ms, 90), 3),
            "min_ms": round(min(samples_ms), 3), "runs": len(samples_ms)}


def mem_available_bytes() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


class OtherLoad:
    """How much of the machine's CPU time went to processes other than this one and its
    children between `start()` and `share()`: the measure of a point's contamination."""

    @staticmethod
    def _jiffies() -> tuple[int, int]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:8]]
        return sum(v), v[3] + v[4]          # all, idle + iowait

    @staticmethod
    def _ours() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def start(self) -> "OtherLoad":
        self.total, self.idle = self._jiffies()
        self.ours = self._ours()
        return self

    def share(self) -> float:
        total, idle = self._jiffies()
        hz = os.sysconf("SC_CLK_TCK")
        d_total = max(total - self.total, 1)
        busy = d_total - (idle - self.idle)
        return max(0.0, (busy - (self._ours() - self.ours) * hz) / d_total)


def wait_for_quiet(max_seconds: float, threshold: float = 0.15) -> float:
    """Waits (up to `max_seconds`) for a second in which other processes use less than
    `threshold` of the CPUs; returns the last share seen."""
    deadline = time.monotonic() + max_seconds
    while True:
        probe = OtherLoad().start()
        time.sleep(1)
        share = probe.share()
        if share < threshold or time.monotonic() >= deadline:
            return share


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(record: dict) -> None:
    """A worker's answer: one JSON line on stdout (logs go to stderr)."""
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
