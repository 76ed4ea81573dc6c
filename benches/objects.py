#!/usr/bin/env python3
"""Benchmarks of `ossguard objects` (scan and re-encrypt), run by scripts/bench.sh after
benches/run.py, each figure a ratio measured side by side in the same run:

  scan     `objects scan` of 100,000 objects at 20 ms per request against its lower bound
           (ListObjectsV2 pages + ceil(N / concurrency)) x latency; goal: within 1.3x
  memory   peak RSS (wait4) of `objects scan --out FILE` of 1,000,000 objects; goal: 150 MB
  encrypt  `objects encrypt --yes` of 10,000 small objects at 20 ms against its lower bound
           (pages + ceil(N x 4 / concurrency)) x latency, four requests per object (HEAD,
           GetObjectAcl, CopyObject, HEAD to verify); goal: within 1.5x

Usage: objects.py [--quick] [--bin PATH]. --quick divides every N by 10 (a smoke run).
Writes target/bench/objects.json and prints a Markdown table. Nothing is asserted.
The resume-after-SIGKILL property is a test, not a timing: tests/system/objects_cli.rs.
"""
import argparse
import collections
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as run_py  # noqa: E402  (the shared wait4 timing)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")
AK = "LTAI5tBenchKey000001"
SK = "bench-secret-not-for-production"
CONCURRENCY = 32
PAGE = 1000


def timed(argv, out_path, env):
    """benches/run.py's wait4 timing, plus the JSON report the command printed."""
    result = run_py.timed(argv, out_path, env)
    with open(out_path) as f:
        result["report"] = json.load(f)
    return result


class DevServer:
    """log_requests: the info log (one line per request, counted by `requests()`)."""

    def __init__(self, binary, n, latency_ms, workdir, log_requests=False):
        self.data = tempfile.mkdtemp(prefix=f"objects-{n}-", dir=workdir)
        self.log_path = os.path.join(workdir, f"devserver-objects-{n}.log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, OSS_ACCESS_KEY_ID=AK, OSS_ACCESS_KEY_SECRET=SK,
                   RUST_LOG="info" if log_requests else "warn")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [binary, "devserver", "--data", self.data, "--seed-objects", str(n),
             "--latency-ms", str(latency_ms), "--regions", "cn-hangzhou"],
            stdout=subprocess.PIPE, stderr=self.log, env=env)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the dev server exited before its ready line")
        self.endpoint = json.loads(line)["endpoint"]
        self.seed_s = time.perf_counter() - started

    def requests(self):
        """Requests answered, per operation (from the info log)."""
        with open(self.log_path, errors="replace") as f:
            return dict(collections.Counter(re.findall(r' op="(\w+)"', f.read())))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def run(binary, server, workdir, tag, args):
    env = dict(os.environ, OSS_ACCESS_KEY_ID=AK, OSS_ACCESS_KEY_SECRET=SK,
               OSSGUARD_DATA_DIR=os.path.join(workdir, "client-data"),
               OSSGUARD_CONFIG_DIR=os.path.join(workdir, "client-config"))
    for name in ("OSS_ENDPOINT", "OSS_REGION", "OSS_SESSION_TOKEN", "RUST_LOG"):
        env.pop(name, None)
    argv = [binary, "objects", *args, "--format", "json", "--endpoint", server.endpoint,
            "--region", "cn-hangzhou"]
    load = os.getloadavg()[0]
    result = timed(argv, os.path.join(workdir, f"{tag}.json"), env)
    result["load_before"] = load
    result["load_after"] = os.getloadavg()[0]
    result["seed_s"] = server.seed_s
    return result


def lower_bound_s(n, requests_per_object, latency_ms):
    pages = max(1, math.ceil(n / PAGE))
    return (pages + math.ceil(n * requests_per_object / CONCURRENCY)) * latency_ms / 1000.0


def against_bound(r, n, requests_per_object, goal):
    bound = lower_bound_s(n, requests_per_object, 20)
    return {"n": n, "wall_s": r["wall_s"], "bound_s": bound, "ratio": r["wall_s"] / bound,
            "goal": goal, "rss_mib": r["rss_mib"], "cpu_s": r["cpu_s"],
            "load": (r["load_before"], r["load_after"]), "seed_s": r["seed_s"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "ossguard"))
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    os.makedirs(OUT, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="objects-", dir=OUT) as workdir:
        n = 100_000 // scale
        server = DevServer(args.bin, n, 20, workdir)
        try:
            r = run(args.bin, server, workdir, "scan", ["scan", "seed-objects"])
        finally:
            server.stop()
        assert r["report"]["objects"] == n, r["report"]
        results["scan"] = against_bound(r, n, 1, 1.3)

        n = 1_000_000 // scale
        server = DevServer(args.bin, n, 0, workdir)
        try:
            out = os.path.join(workdir, "scan-1m.jsonl")
            r = run(args.bin, server, workdir, "scan-1m", ["scan", "seed-objects", "--out", out])
        finally:
            server.stop()
        assert r["report"]["objects"] == n, r["report"]
        results["memory"] = {"n": n, "wall_s": r["wall_s"], "rss_mib": r["rss_mib"], "goal_mib": 150,
                             "cpu_s": r["cpu_s"], "load": (r["load_before"], r["load_after"]),
                             "seed_s": r["seed_s"], "out_lines": sum(1 for _ in open(out))}

        n = 10_000 // scale
        server = DevServer(args.bin, n, 20, workdir, log_requests=True)
        try:
            r = run(args.bin, server, workdir, "encrypt", ["encrypt", "seed-objects", "--sse", "AES256", "--yes"])
        finally:
            server.stop()
        assert r["report"]["copied"] == n, r["report"]
        results["encrypt"] = against_bound(r, n, 4, 1.5)
        results["encrypt"]["requests"] = server.requests()
    with open(os.path.join(OUT, "objects.json"), "w") as f:
        json.dump(results, f, indent=2)
    s, m, e = results["scan"], results["memory"], results["encrypt"]
    met = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    load = lambda r: f"{r['load'][0]:.1f} / {r['load'][1]:.1f}"  # noqa: E731
    print("| figure | N | measured | limit / goal | verdict | load before / after |")
    print("|---|---|---|---|---|---|")
    print(f"| scan at 20 ms | {s['n']:,} | {s['wall_s']:.1f} s ({s['ratio']:.2f}x) | {s['bound_s']:.1f} s, 1.3x | {met(s['ratio'] <= 1.3)} | {load(s)} |")
    print(f"| scan peak RSS | {m['n']:,} | {m['rss_mib']:.0f} MiB ({m['wall_s']:.0f} s, {m['out_lines']:,} lines out) | 150 MB | {met(m['rss_mib'] * 1.048576 <= 150)} | {load(m)} |")
    print(f"| re-encrypt at 20 ms | {e['n']:,} | {e['wall_s']:.1f} s ({e['ratio']:.2f}x) | {e['bound_s']:.1f} s, 1.5x | {met(e['ratio'] <= 1.5)} | {load(e)} |")
    per_object = {op: round(c / e["n"], 3) for op, c in sorted(e["requests"].items())}
    print(f"\nre-encrypt requests per object (dev server log): {per_object}")
    print(f"dev server seeding (start to ready line): {s['seed_s']:.1f} s at {s['n']:,}, "
          f"{m['seed_s']:.1f} s at {m['n']:,}; CLI CPU: scan {s['cpu_s']:.1f} s, "
          f"1M scan {m['cpu_s']:.1f} s, re-encrypt {e['cpu_s']:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
