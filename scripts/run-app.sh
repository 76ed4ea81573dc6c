#!/usr/bin/env bash
# Runs the desktop app on a fresh Debian machine with the Rust toolchain. Installs the
# runtime libraries a window needs (OpenGL, xkbcommon), then starts ossguard. With no
# profile yet, the app opens on the embedded dev server's demo account.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
packages=(libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 gnome-keyring)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cargo build --release --locked
# No saved profile yet: open straight into the embedded dev server's demo account.
config="${OSSGUARD_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/ossguard}/config.toml"
if [ ! -f "$config" ]; then export OSSGUARD_DEMO="${OSSGUARD_DEMO:-1}"; fi
exec ./target/release/ossguard "$@"
