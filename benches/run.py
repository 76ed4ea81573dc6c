#!/usr/bin/env python3
"""Runs every benchmark of issue #6 in one go and prints one results table.

Started by scripts/bench.sh (which builds first) with the interop venv's Python, because the
audit baseline needs the official `oss2` SDK. Each figure is a ratio of two things measured
side by side in this same run, because the machine is shared and noisy:

  audit    ossguard buckets vs the sequential oss2 script, and vs the lower bound
           (ListBuckets pages + ceil(N / 32)) x 20 ms, at N = 1,000
  scaling  ossguard buckets at N = 100, 1,000, 10,000: wall time, CPU time, peak RSS
           (from wait4), at 20 ms per request and with no added latency
  rps      cargo bench --bench devserver_rps: dev server req/s vs what the audit needs
  ui       cargo bench --bench ui_frame: frame CPU time and re-filter/re-sort with 10,000 rows
  startup  process start to first frame of the app under Xvfb
  kms      ossguard buckets at N = 1,000 and 20 ms whose rules name 50 distinct existing CMKs,
           with key checks vs with --skip-key-check, interleaved
  accounts (issue #12) 5 profiles of 1,000 buckets each, one through AssumeRole, audited in
           one `ossguard --profile ... buckets` run, vs one profile of 5,000 buckets, at 20 ms

Usage: run.py [--only audit,scaling,rps,ui,startup,kms,accounts] [--update-doc] [--quick]
Writes target/bench/results.json and target/bench/results.md; --update-doc also replaces the
results section of doc/benchmarks.md (between the `bench:results` markers).
Nothing here is a test: no figure is asserted, goals are only reported as met or not.
"""
import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("OSSGUARD_BIN", os.path.join(ROOT, "target", "release", "ossguard"))
OUT = os.path.join(ROOT, "target", "bench")
DOC = os.path.join(ROOT, "doc", "benchmarks.md")
AK = "LTAI5tBenchKey000001"
SK = "bench-secret-not-for-production"
LATENCY_MS = 20
CONCURRENCY = 32  # the CLI default (transport::fanout::DEFAULT_CONCURRENCY)
PAGE = 1000  # ListBuckets max-keys
SIZES = (100, 1000, 10000)
AUDIT_N = 1000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def lower_bound_s(n, latency_ms):
    """Every ListBuckets page, then ceil(N / concurrency) rounds, each one latency long."""
    pages = max(1, math.ceil(n / PAGE))
    return (pages + math.ceil(n / CONCURRENCY)) * latency_ms / 1000.0


def timed(argv, stdout_path, env):
    """Runs argv to completion; wall seconds, CPU seconds and peak RSS (MiB) from wait4."""
    with open(stdout_path, "wb") as out, open(stdout_path + ".err", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        with open(stdout_path + ".err", "rb") as err:
            raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {err.read()[-2000:]!r}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024.0}


class DevServer:
    """`ossguard devserver` as a separate process on a fresh data dir (seeding is milliseconds,
    see doc/benchmarks.md), with its default info log going to a file."""

    def __init__(self, n, latency_ms, workdir, key=(AK, SK), extra=(), tag=""):
        self.data = tempfile.mkdtemp(prefix=f"data-{n}-", dir=workdir)
        self.log = open(os.path.join(workdir, f"devserver-{n}-{latency_ms}ms{tag}.log"), "wb")
        env = dict(os.environ, OSS_ACCESS_KEY_ID=key[0], OSS_ACCESS_KEY_SECRET=key[1])
        env.pop("RUST_LOG", None)
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [BIN, "devserver", "--data", self.data, "--seed-buckets", str(n),
             "--latency-ms", str(latency_ms), *extra],
            stdout=subprocess.PIPE, stderr=self.log, env=env)
        line = self.proc.stdout.readline()
        self.ready_s = time.perf_counter() - started
        if not line:
            raise RuntimeError("the dev server exited before its ready line")
        self.ready = json.loads(line)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


def client_env():
    env = dict(os.environ, OSS_ACCESS_KEY_ID=AK, OSS_ACCESS_KEY_SECRET=SK)
    for name in ("OSS_ENDPOINT", "OSS_REGION", "OSS_SESSION_TOKEN", "RUST_LOG"):
        env.pop(name, None)
    return env


def run_cli(server, out, extra=()):
    argv = [BIN, "buckets", "--format", "json", "--endpoint", server.ready["endpoint"],
            "--region", "cn-hangzhou", *extra]
    return timed(argv, out, client_env())


def rows_of(path):
    with open(path) as f:
        rows = json.load(f)
    keys = ("name", "sse_algorithm", "kms_master_key_id", "kms_data_encryption")
    return [tuple(r[k] for k in keys) for r in rows], sum(1 for r in rows if r.get("error"))


def median_run(runs):
    """The run with the median wall time (its CPU and RSS are reported with it)."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    return dict(ordered[len(ordered) // 2], runs=[round(r["wall_s"], 4) for r in runs])


def cli_runs(server, n, reps, workdir, tag):
    out = os.path.join(workdir, f"cli-{n}-{tag}.json")
    run_cli(server, out)  # warm-up: page cache, connections on the server side
    runs = []
    for _ in range(reps):
        runs.append(run_cli(server, out))
    rows, errors = rows_of(out)
    if len(rows) != n or errors:
        raise RuntimeError(f"ossguard listed {len(rows)} rows with {errors} errors, wanted {n}")
    return runs, rows


def bench_audit_and_scaling(args, results, workdir):
    reps = {100: 5, 1000: 5, 10000: 3}
    if args.quick:
        reps = {100: 3, 1000: 3, 10000: 1}
    do_audit = "audit" in args.only
    do_scaling = "scaling" in args.only
    sizes = SIZES if do_scaling else (AUDIT_N,)
    scaling = {"latency_ms": LATENCY_MS, "concurrency": CONCURRENCY, "sizes": {}}
    for n in sizes:
        log(f"== audit, {n} buckets, {LATENCY_MS} ms per request")
        server = DevServer(n, LATENCY_MS, workdir)
        try:
            runs, rows = cli_runs(server, n, reps[n], workdir, f"{LATENCY_MS}ms")
            entry = median_run(runs)
            entry["lower_bound_s"] = lower_bound_s(n, LATENCY_MS)
            entry["vs_lower_bound"] = entry["wall_s"] / entry["lower_bound_s"]
            entry["seed_ready_s"] = server.ready_s
            if n == AUDIT_N and do_audit:
                log("   oss2 sequential baseline (about 30 s)")
                out = os.path.join(workdir, "oss2.json")
                sdk = timed([args.python, os.path.join(ROOT, "benches", "oss2_sequential.py"),
                             server.ready["endpoint"], "cn-hangzhou", out], out + ".log",
                            client_env())
                sdk_rows, sdk_errors = rows_of(out)
                # more ossguard runs after the SDK, so both sides see the same machine state
                more, _ = cli_runs(server, n, reps[n], workdir, "after")
                runs += more
                entry = dict(median_run(runs), lower_bound_s=entry["lower_bound_s"],
                             seed_ready_s=server.ready_s)
                entry["vs_lower_bound"] = entry["wall_s"] / entry["lower_bound_s"]
                results["audit"] = {
                    "buckets": n, "latency_ms": LATENCY_MS, "concurrency": CONCURRENCY,
                    "ossguard": entry, "oss2_sequential": sdk,
                    "speedup": sdk["wall_s"] / entry["wall_s"],
                    "vs_lower_bound": entry["vs_lower_bound"],
                    "same_rules": sdk_rows == rows and sdk_errors == 0,
                }
            scaling["sizes"][str(n)] = entry
        finally:
            server.stop()
    if not do_scaling:
        return
    # Without added latency the CLI's own CPU cost is what grows with N.
    fast = {}
    for n in SIZES:
        log(f"== audit, {n} buckets, no added latency")
        server = DevServer(n, 0, workdir)
        try:
            runs, _ = cli_runs(server, n, reps[n], workdir, "0ms")
            fast[str(n)] = median_run(runs)
        finally:
            server.stop()
    scaling["no_latency"] = fast
    s = scaling["sizes"]
    scaling["time_ratio_10k_1k"] = s["10000"]["wall_s"] / s["1000"]["wall_s"]
    scaling["lower_bound_ratio_10k_1k"] = s["10000"]["lower_bound_s"] / s["1000"]["lower_bound_s"]
    scaling["no_latency_time_ratio_10k_1k"] = fast["10000"]["wall_s"] / fast["1000"]["wall_s"]
    scaling["no_latency_cpu_ratio_10k_1k"] = fast["10000"]["cpu_s"] / fast["1000"]["cpu_s"]
    results["scaling"] = scaling


def cargo_bench(name, extra=()):
    """Runs one harness-less bench binary and returns its `RESULT {...}` line."""
    argv = ["cargo", "bench", "-q", "--bench", name, "--", "--json", *extra]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise RuntimeError(f"cargo bench --bench {name} failed")
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"cargo bench --bench {name} printed no RESULT line")


def bench_rps(args, results, workdir):
    log("== dev server requests per second")
    extra = ("--requests", "20000") if args.quick else ()
    r = cargo_bench("devserver_rps", extra)
    r["headroom_v4"] = r["v4_rps"] / r["audit_demand_rps"]
    r["headroom_logged"] = r["logged_rps"] / r["audit_demand_rps"]
    r["paced_vs_ideal"] = r["paced_rps"] / r["paced_ideal_rps"]
    results["rps"] = r


def bench_ui(args, results, workdir):
    if not os.path.exists(os.path.join(ROOT, "benches", "ui_frame.rs")):
        log("== ui frame: benches/ui_frame.rs is not there yet, skipped")
        return
    log("== ui frame time with 10,000 buckets")
    results["ui"] = cargo_bench("ui_frame", ("--quick",) if args.quick else ())


def bench_startup(args, results, workdir):
    script = os.path.join(ROOT, "benches", "startup.py")
    if not os.path.exists(script):
        log("== start-up: benches/startup.py is not there yet, skipped")
        return
    log("== start-up to first frame")
    proc = subprocess.run([sys.executable, script, "--json", *(["--quick"] if args.quick else [])],
                          cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(proc.stdout + proc.stderr[-4000:])
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            results["startup"] = json.loads(line[len("RESULT "):])
            return
    log("   start-up: no result")


# ---------------------------------------------------------------- kms: the key checks' cost

KMS_KEYS = 50
KMS_GOAL = 1.25


def kms_rows(path, checked):
    """Checks one `buckets` output of the KMS audit; the distinct (region, key) pairs named."""
    with open(path) as f:
        rows = json.load(f)
    if len(rows) != AUDIT_N or any(r.get("error") for r in rows):
        raise RuntimeError(f"{path}: {len(rows)} rows, some with errors; wanted {AUDIT_N}")
    keys = [r["kms_key"] for r in rows if r["kms_key"] is not None]
    for k in keys:
        if checked and k["usable"] is not True:
            raise RuntimeError(f"{path}: key not usable: {k}")
        if not checked and (k["error"] or {}).get("code") != "KeyCheckSkipped":
            raise RuntimeError(f"{path}: key not skipped: {k}")
    return len(keys), len({(k["region"], k["id"]) for k in keys})


def bench_kms(args, results, workdir):
    reps = 4 if args.quick else 9
    log(f"== audit with key checks: {AUDIT_N} buckets, {KMS_KEYS} CMKs, {LATENCY_MS} ms")
    server = DevServer(AUDIT_N, LATENCY_MS, workdir,
                       extra=("--seed-kms-keys", str(KMS_KEYS)), tag="-kms")
    modes = {"checked": (), "skipped": ("--skip-key-check",)}
    runs = {mode: [] for mode in modes}
    try:
        outs = {mode: os.path.join(workdir, f"kms-{mode}.json") for mode in modes}
        for mode, extra in modes.items():  # warm-up
            run_cli(server, outs[mode], extra)
        for i in range(reps):
            # alternate which goes first, so that neither always meets a busier machine
            order = list(modes) if i % 2 == 0 else list(reversed(list(modes)))
            for mode in order:
                runs[mode].append(run_cli(server, outs[mode], modes[mode]))
        cmk_rows, distinct = kms_rows(outs["checked"], True)
        skipped_rows, _ = kms_rows(outs["skipped"], False)
    finally:
        server.stop()
    checked, skipped = median_run(runs["checked"]), median_run(runs["skipped"])
    paired = sorted(c["wall_s"] / s["wall_s"] for c, s in zip(runs["checked"], runs["skipped"]))
    results["kms"] = {
        "buckets": AUDIT_N, "latency_ms": LATENCY_MS, "cmk_rows": cmk_rows,
        "distinct_keys": distinct, "same_rows_skipped": skipped_rows == cmk_rows,
        "checked": checked, "skipped": skipped,
        "ratio": checked["wall_s"] / skipped["wall_s"],
        "paired_ratio_median": paired[len(paired) // 2], "goal": KMS_GOAL,
    }


# ---------------------------------------------------------------- accounts (several profiles)

ACCOUNTS = 5
ACCOUNT_BUCKETS = 1000
ROLE_ARN = "acs:ram::{uid}:role/bench-auditor"


class SecretService:
    """A throw-away Secret Service for the profile runs, as scripts/test.sh sets one up: a
    private D-Bus session bus and gnome-keyring-daemon, unlocked, keeping its keyring in a
    temporary XDG_DATA_HOME. A profile's secret is read from the OS keyring only."""

    def __init__(self, workdir):
        for tool in ("dbus-daemon", "gnome-keyring-daemon"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} is missing (apt-get install dbus gnome-keyring; "
                                   "scripts/test.sh installs both)")
        home = tempfile.mkdtemp(prefix="keyring-", dir=workdir)
        runtime = os.path.join(home, "run")
        os.mkdir(runtime, 0o700)
        self.bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        address = self.bus.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("dbus-daemon printed no address")
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, XDG_DATA_HOME=home,
                        XDG_RUNTIME_DIR=runtime)
        self.keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=self.env)
        self.keyring.stdin.write(b"ossguard-bench")
        self.keyring.stdin.close()

    def put(self, secrets):
        """Stores {profile: secret} through the app's own KeyringStore (benches/keyring_put.rs);
        retries while the keyring daemon is still starting."""
        lines = "".join(f"{name}\t{secret}\n" for name, secret in secrets.items())
        # Built like the binary under test: a debug OSSGUARD_BIN (a smoke run) needs no
        # release build of the helper.
        cargo_mode = "test" if os.sep + "debug" + os.sep in BIN else "bench"
        for attempt in range(20):
            proc = subprocess.run(["cargo", cargo_mode, "-q", "--bench", "keyring_put", "--", "--put"],
                                  cwd=ROOT, input=lines, capture_output=True, text=True,
                                  env=self.env)
            if proc.returncode == 0:
                return
            time.sleep(0.25)
        raise RuntimeError(f"keyring_put failed: {proc.stderr[-2000:]}")

    def stop(self):
        for proc in (self.keyring, self.bus):
            proc.terminate()
            proc.wait(timeout=20)


def write_profiles(config_dir, profiles):
    """config.toml with [[profile]] tables (values are plain strings and integers)."""
    os.makedirs(config_dir, mode=0o700, exist_ok=True)
    out = []
    for p in profiles:
        out.append("[[profile]]")
        for key, value in p.items():
            out.append(f"{key} = {json.dumps(value)}")
        out.append("")
    path = os.path.join(config_dir, "config.toml")
    with open(path, "w") as f:
        f.write("\n".join(out))
    os.chmod(path, 0o600)


def bench_accounts(args, results, workdir):
    """5 accounts of 1,000 buckets each (one reached through AssumeRole), audited in one run
    with `--profile` x 5, against one account of 5,000 buckets, all at 20 ms per request."""
    reps = 3 if args.quick else 5
    total = ACCOUNTS * ACCOUNT_BUCKETS
    log(f"== accounts: {ACCOUNTS} profiles x {ACCOUNT_BUCKETS:,} buckets vs 1 x {total:,}, "
        f"{LATENCY_MS} ms per request")
    keyring = SecretService(workdir)
    servers = []
    try:
        profiles, secrets, audited = [], {}, []
        for i in range(1, ACCOUNTS + 1):
            ak, sk, uid = f"LTAI5tBenchAcct{i:07d}", f"bench-secret-account-{i}", f"10000000000000{i:02d}"
            role = ROLE_ARN.format(uid=uid)
            last = i == ACCOUNTS
            extra = ["--account-id", uid] + (["--sts-role", f"arn={role}"] if last else [])
            server = DevServer(ACCOUNT_BUCKETS, LATENCY_MS, workdir, key=(ak, sk), extra=extra,
                               tag=f"-account{i}")
            servers.append(server)
            endpoint = server.ready["endpoint"]
            name = f"account{i}"
            key_profile = {"name": name + ("-source" if last else ""), "endpoint": endpoint,
                           "region": "cn-hangzhou", "access_key_id": ak}
            profiles.append(key_profile)
            secrets[key_profile["name"]] = sk
            if last:
                profiles.append({"name": name, "endpoint": endpoint, "region": "cn-hangzhou",
                                 "access_key_id": "", "credential_type": "ram_role",
                                 "source_profile": key_profile["name"], "role_arn": role,
                                 "role_session_name": "ossguard-bench",
                                 "duration_seconds": 3600})
            audited.append(name)
        big = DevServer(total, LATENCY_MS, workdir, key=(AK, SK),
                        extra=["--account-id", "1000000000000099"], tag="-single")
        servers.append(big)
        profiles.append({"name": "single", "endpoint": big.ready["endpoint"],
                         "region": "cn-hangzhou", "access_key_id": AK})
        secrets["single"] = SK
        config_dir = os.path.join(workdir, "accounts-config")
        write_profiles(config_dir, profiles)
        keyring.put(secrets)

        env = dict(client_env(), **{k: keyring.env[k] for k in
                                    ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR")})
        for name in ("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_STS_ENDPOINT"):
            env.pop(name, None)
        env["OSSGUARD_CONFIG_DIR"] = config_dir
        env["OSSGUARD_DATA_DIR"] = os.path.join(workdir, "accounts-data")
        many_argv = [BIN, *[a for n in audited for a in ("--profile", n)], "buckets",
                     "--format", "json"]
        one_argv = [BIN, "--profile", "single", "buckets", "--format", "json"]
        many_out = os.path.join(workdir, "accounts-many.json")
        one_out = os.path.join(workdir, "accounts-one.json")
        timed(many_argv, many_out, env)  # warm-up of both
        timed(one_argv, one_out, env)
        many, one, apart = [], [], []
        for _ in range(reps):  # interleaved, so a busy moment does not land on one side only
            many.append(timed(many_argv, many_out, env))
            one.append(timed(one_argv, one_out, env))
            # For reference: the same profiles one after the other, one run each.
            runs = [timed([BIN, "--profile", n, "buckets", "--format", "json"],
                          os.path.join(workdir, f"accounts-{n}.json"), env) for n in audited]
            apart.append({k: sum(r[k] for r in runs) for k in ("wall_s", "cpu_s")})
        with open(many_out) as f:
            many_rows = json.load(f)
        with open(one_out) as f:
            one_rows = json.load(f)
        accounts = {r.get("profile"): r.get("account_id") for r in many_rows}
        errors = sum(1 for r in many_rows + one_rows if r.get("error"))
        if (len(many_rows) != total or len(one_rows) != total or errors
                or len(set(accounts.values())) != ACCOUNTS):
            raise RuntimeError(f"accounts: {len(many_rows)} and {len(one_rows)} rows, {errors} "
                               f"errors, accounts {accounts}; wanted {total} each")
        m, o = median_run(many), median_run(one)
        results["accounts"] = {
            "profiles": ACCOUNTS, "buckets_each": ACCOUNT_BUCKETS, "latency_ms": LATENCY_MS,
            "concurrency": CONCURRENCY, "assume_role_profiles": 1,
            "accounts": accounts, "many": m, "one": o, "ratio": m["wall_s"] / o["wall_s"],
            "one_after_another": median_run(apart),
            "lower_bound_many_s": lower_bound_s(ACCOUNT_BUCKETS, LATENCY_MS),
            "lower_bound_one_s": lower_bound_s(total, LATENCY_MS),
        }
    finally:
        for server in servers:
            server.stop()
        keyring.stop()


# ---------------------------------------------------------------- report

def fmt_s(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def verdict(ok):
    return "met" if ok else "**not met**"


def render(results):
    m = results["machine"]
    lines = [
        f"Run of {m['date']} on {m['cores']} cores ({m['cpu']}), {m['os']}, "
        f"`{m['command']}`, total {m['total_s']:.0f} s. Medians of the repeated runs; every "
        "ratio compares two figures from this same run.",
        "",
        "| # | figure | measured | goal | |",
        "|---|---|---|---|---|",
    ]
    row = lambda *cells: lines.append("| " + " | ".join(cells) + " |")
    a = results.get("audit")
    if a:
        o, s = a["ossguard"], a["oss2_sequential"]
        row("1", f"audit {a['buckets']:,} buckets: oss2 sequential / ossguard",
            f"{fmt_s(s['wall_s'])} / {fmt_s(o['wall_s'])} = **{a['speedup']:.1f}x**",
            "≥ 15x", verdict(a["speedup"] >= 15))
        row("1", "ossguard / lower bound (1 page + 32 rounds) × 20 ms",
            f"{fmt_s(o['wall_s'])} / {fmt_s(o['lower_bound_s'])} = **{a['vs_lower_bound']:.2f}**",
            "≤ 2", verdict(a["vs_lower_bound"] <= 2))
        row("1", "both read the same 1,000 rules", "yes" if a["same_rules"] else "**no**", "", "")
    sc = results.get("scaling")
    if sc:
        for n in SIZES:
            e = sc["sizes"][str(n)]
            row("2", f"{n:,} buckets at 20 ms: wall / lower bound; peak RSS",
                f"{fmt_s(e['wall_s'])} / {fmt_s(e['lower_bound_s'])} = {e['vs_lower_bound']:.2f}; "
                f"{e['rss_mib']:.1f} MiB", "", "")
        row("2", "time 10,000 / time 1,000 at 20 ms (lower bounds' ratio)",
            f"**{sc['time_ratio_10k_1k']:.1f}** ({sc['lower_bound_ratio_10k_1k']:.1f})",
            "linear", verdict(sc["time_ratio_10k_1k"] <= 1.2 * sc["lower_bound_ratio_10k_1k"]))
        nl = sc["no_latency"]
        per = ", ".join(f"{n:,}: {nl[str(n)]['wall_s'] * 1e6 / n:.0f} µs"
                        for n in SIZES)
        row("2", "no added latency: wall per bucket", per, "", "")
        row("2", "no added latency: time, CPU 10,000 / 1,000",
            f"**{sc['no_latency_time_ratio_10k_1k']:.1f}**, {sc['no_latency_cpu_ratio_10k_1k']:.1f}",
            "linear (≤ 12; 10 = linear)", verdict(sc["no_latency_time_ratio_10k_1k"] <= 12))
        rss = sc["sizes"]["10000"]["rss_mib"]
        row("2", "peak RSS of the CLI at 10,000", f"**{rss:.1f} MiB**", "≤ 120 MB",
            verdict(rss * 1.048576 <= 120))
    r = results.get("rps")
    if r:
        row("5", "dev server GetBucketEncryption at concurrency 32 (V4 / V1 / V4 + info log)",
            f"{r['v4_rps']:,.0f} / {r['v1_rps']:,.0f} / {r['logged_rps']:,.0f} req/s", "", "")
        row("5", "dev server req/s / the audit's need (32 / 20 ms = 1,600 req/s)",
            f"**{r['headroom_logged']:.1f}x** with log ({r['headroom_v4']:.1f}x without)",
            "never limits (> 1x)", verdict(r["headroom_logged"] > 2))
        row("5", "at 20 ms: req/s / ideal in whole rounds",
            f"{r['paced_rps']:,.0f} / {r['paced_ideal_rps']:,.0f} = {r['paced_vs_ideal']:.2f}", "", "")
    u = results.get("ui")
    if u:
        for item in u.get("rows", []):
            goal = item.get("goal_ms")
            row("3", item["name"], item["measured"],
                f"≤ {goal} ms" if goal else "",
                verdict(item["ok"]) if goal else "")
    st = results.get("startup")
    if st:
        for mode, what in (("welcome", "first start (welcome screen)"),
                           ("demo", "straight into the demo (`OSSGUARD_DEMO=1`)")):
            m = st["modes"].get(mode)
            if not m:
                continue
            row("4", f"process start to first frame, {what}; window created at",
                f"**{m['median_ms']:.0f} ms** (max {max(m['runs_ms']):.0f}); "
                f"{m['created_median_ms']:.0f} ms", "≤ 500 ms",
                verdict(max(m["runs_ms"]) <= 500))
    k = results.get("kms")
    if k:
        c, s = k["checked"], k["skipped"]
        row("kms", f"audit {k['buckets']:,} buckets at 20 ms, {k['distinct_keys']} distinct CMKs "
            f"({k['cmk_rows']} rules): with key checks / `--skip-key-check`",
            f"{fmt_s(c['wall_s'])} / {fmt_s(s['wall_s'])} = **{k['ratio']:.2f}** "
            f"(paired runs' median {k['paired_ratio_median']:.2f})",
            f"≤ {k['goal']}", verdict(k["ratio"] <= k["goal"] and k["distinct_keys"] == KMS_KEYS))
        row("kms", "CPU time of the CLI, with / without key checks",
            f"{c['cpu_s'] * 1000:.0f} ms / {s['cpu_s'] * 1000:.0f} ms", "", "")
    ac = results.get("accounts")
    if ac:
        m, o = ac["many"], ac["one"]
        row("accounts", f"{ac['profiles']} profiles x {ac['buckets_each']:,} buckets (one through "
            f"AssumeRole) / 1 profile x {ac['profiles'] * ac['buckets_each']:,}, 20 ms",
            f"{fmt_s(m['wall_s'])} / {fmt_s(o['wall_s'])} = **{ac['ratio']:.2f}**", "≤ 1.3",
            verdict(ac["ratio"] <= 1.3))
        row("accounts", "the same runs / their lower bounds (1 page + 32 rounds; 5 + 157 rounds)",
            f"{m['wall_s'] / ac['lower_bound_many_s']:.2f}; "
            f"{o['wall_s'] / ac['lower_bound_one_s']:.2f}", "", "")
        a = ac["one_after_another"]
        row("accounts", "for reference: the 5 profiles in 5 runs one after another (sum)",
            f"{fmt_s(a['wall_s'])}; CPU {a['cpu_s']:.2f} s against {m['cpu_s']:.2f} s in one run",
            "", "")
    for name in ("ui", "startup"):
        if name not in results:
            lines.append("")
            lines.append(f"_{name}: not measured in this run._")
    return "\n".join(lines) + "\n"


def update_doc(markdown):
    begin, end = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"
    with open(DOC) as f:
        text = f.read()
    if begin not in text or end not in text:
        raise RuntimeError(f"{DOC} has no {begin} ... {end} section")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(DOC, "w") as f:
        f.write(head + begin + "\n" + markdown + end + tail)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="audit,scaling,rps,ui,startup,kms,accounts")
    parser.add_argument("--update-doc", action="store_true")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--python", default=sys.executable, help="a Python with oss2")
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is missing: run `cargo build --release` (scripts/bench.sh does)")
    os.makedirs(OUT, exist_ok=True)
    started = time.perf_counter()
    results = {}
    with tempfile.TemporaryDirectory(prefix="run-", dir=OUT) as workdir:
        if args.only & {"audit", "scaling"}:
            bench_audit_and_scaling(args, results, workdir)
        if "rps" in args.only:
            bench_rps(args, results, workdir)
        if "ui" in args.only:
            bench_ui(args, results, workdir)
        if "startup" in args.only:
            bench_startup(args, results, workdir)
        if "kms" in args.only:
            bench_kms(args, results, workdir)
        if "accounts" in args.only:
            bench_accounts(args, results, workdir)
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    results["machine"] = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(), "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "command": "scripts/bench.sh" + (" --quick" if args.quick else ""),
        "total_s": time.perf_counter() - started,
    }
    markdown = render(results)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(markdown)
    print(markdown)
    if args.update_doc:
        update_doc(markdown)
        log(f"updated {DOC}")


if __name__ == "__main__":
    main()
