#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the Rust toolchain:
# installs the system packages it needs (apt-get), the SDKs for the interop tests
# (pip into a venv, npm from the committed lockfile), then runs formatting, lint, the
# layering check and every test under a real Secret Service and a virtual X display.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

packages=(xvfb xauth dbus dbus-x11 gnome-keyring imagemagick x11-utils xdotool
          libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6
          python3-venv nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere than Debian (e.g. the machine image): keep those.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
if command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== interop SDKs (venv + npm ci)"
bash tests/interop/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== layering: src/core does no I/O"
if grep -rnE '\b(tokio|reqwest|axum|egui|eframe|std::fs|std::net|Utc::now|SystemTime::now|Instant::now)\b' src/core; then
  echo "src/core must stay pure (no I/O, no clock, no runtime)"; exit 1
fi

echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test (under dbus-run-session with gnome-keyring, and Xvfb)"
# Tests that need the SDKs, the Secret Service or a display fail (never skip) here.
export OSSGUARD_REQUIRE_INTEROP=1 OSSGUARD_REQUIRE_KEYRING=1 OSSGUARD_REQUIRE_DISPLAY=1
# No test may reach the ECS metadata address (it is not on this machine): an ECS-role profile
# that a test does not point at its own stub asks a closed loopback port.
export OSSGUARD_ECS_METADATA_URL=http://127.0.0.1:9
dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME="$(mktemp -d)"
  echo -n ossguard-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" cargo test --locked --all-targets -- --test-threads=2
'
