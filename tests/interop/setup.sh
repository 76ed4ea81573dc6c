#!/usr/bin/env bash
# Installs the SDKs used by the interop scripts: a Python venv (.venv) with oss2 and
# alibabacloud-oss-v2 and the KMS SDKs from requirements.txt, and ali-oss and @alicloud/pop-core
# from package-lock.json (npm ci).
# Idempotent: each part is redone only when its pin file changed (or the install is missing).
# Works from any directory. Needs python3 (with venv) and node/npm on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

hash_of() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; }

# Python SDKs
py_stamp=.venv/.ossguard-requirements.sha256
py_want="$(hash_of requirements.txt)"
if [[ ! -x .venv/bin/python || "$(cat "$py_stamp" 2>/dev/null)" != "$py_want" ]] \
    || ! .venv/bin/python -c 'import oss2, alibabacloud_oss_v2, alibabacloud_kms20160120, aliyunsdkkms' 2>/dev/null; then
  echo "interop setup: installing Python SDKs into tests/interop/.venv"
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
  echo "$py_want" > "$py_stamp"
fi

# Node SDK (npm ci wipes and reinstalls node_modules, so skip it when nothing changed)
js_stamp=node_modules/.ossguard-lock.sha256
js_want="$(hash_of package-lock.json)"
if [[ "$(cat "$js_stamp" 2>/dev/null)" != "$js_want" ]] \
    || ! node -e 'require("ali-oss"); require("@alicloud/pop-core")' 2>/dev/null; then
  echo "interop setup: installing ali-oss and @alicloud/pop-core into tests/interop/node_modules"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$js_want" > "$js_stamp"
fi

echo "interop setup: ok ($(.venv/bin/python -c 'import oss2, alibabacloud_oss_v2 as v; print("oss2", oss2.__version__ + ", alibabacloud-oss-v2", v.__version__)'), ali-oss $(node -p 'require("ali-oss/package.json").version'))"
