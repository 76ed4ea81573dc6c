#!/usr/bin/env bash
# Reruns every benchmark of issue #6 and prints one results table (doc/benchmarks.md explains
# each figure). About 1.5 minutes on 2 cores once the release build is done (a release build
# from scratch takes about 8 minutes there), plus about 4.5 minutes for `objects`.
#
#   scripts/bench.sh                 build, run everything, print the table
#   scripts/bench.sh --update-doc    also rewrite the results section of doc/benchmarks.md
#   scripts/bench.sh --quick         fewer repetitions (a smoke run, about 1 minute)
#   scripts/bench.sh --only audit,scaling,rps,ui,startup,kms,accounts,objects
#
# Results also land in target/bench/results.{json,md}. Nothing is asserted: the figures are
# ratios measured side by side in the same run, which is all a shared machine allows.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo build --release, cargo bench --no-run" >&2
cargo build --release --quiet
cargo bench --quiet --no-run

# The audit baseline uses the official oss2 SDK from the interop venv.
if [ ! -x tests/interop/.venv/bin/python ] || ! tests/interop/.venv/bin/python -c 'import oss2' 2>/dev/null; then
  echo "== setting up tests/interop/.venv (oss2)" >&2
  bash tests/interop/setup.sh
fi

# The start-up figure opens the real window on a virtual X display.
if ! command -v Xvfb >/dev/null; then
  echo "warning: Xvfb is missing, the start-up figure is skipped (apt-get install xvfb; scripts/test.sh installs it)" >&2
fi

# The accounts figure reads profile secrets from a throw-away Secret Service it starts.
if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-daemon >/dev/null; then
  echo "warning: dbus-daemon or gnome-keyring-daemon is missing, the accounts figure fails (apt-get install dbus gnome-keyring; scripts/test.sh installs them)" >&2
fi

# `--only`: run.py's items, and `objects` for benches/objects.py (no --only: all of them).
only=""
prev=""
quick=()
for a in "$@"; do
  [ "$prev" = "--only" ] && only="$a"
  case "$a" in --only=*) only="${a#--only=}" ;; --quick) quick=(--quick) ;; esac
  prev="$a"
done
if [ "$only" != "objects" ]; then
  tests/interop/.venv/bin/python benches/run.py "$@"
fi

# `ossguard objects` (scan and re-encrypt); --quick divides every N by 10. Its figures are
# not part of --update-doc: doc/benchmarks.md's objects section is written by hand.
if [ -z "$only" ] || [[ ",$only," == *",objects,"* ]]; then
  echo "== objects: scan 100,000 / RSS of 1,000,000 / re-encrypt 10,000 (benches/objects.py)" >&2
  python3 benches/objects.py "${quick[@]}"
fi
