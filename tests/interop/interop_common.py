"""What every Python interop script shares: the environment it is given, the check
helpers, and the driver that runs one pass per signature version and cleans up."""
import json
import os
import sys


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"not ok - environment variable {name} is not set")
    return value


READY = json.loads(env("OSSGUARD_READY"))
AK = env("OSS_ACCESS_KEY_ID")
SK = env("OSS_ACCESS_KEY_SECRET")
PREFIX = env("OSSGUARD_BUCKET_PREFIX")
REGIONS = READY["regions"]
HZ, SH = "cn-hangzhou", "cn-shanghai"
KEY_ID = "9468da86-3509-4f8d-a61e-6eab1eac0001"


class CheckFailed(Exception):
    pass


def check(name, cond, detail=""):
    if not cond:
        raise CheckFailed(f"{name}: {detail}")
    print(f"ok - {name}", flush=True)


def run_passes(make_pass, signatures, sdk_name):
    """Runs `make_pass(sig).run()` for each signature version; on the first failure prints
    `not ok`, cleans up what that pass created, and returns 1."""
    for sig in signatures:
        p = make_pass(sig)
        try:
            p.run()
        except Exception as e:  # noqa: BLE001 - any failure ends the script
            kind = "" if isinstance(e, CheckFailed) else f"{type(e).__name__}: "
            print(f"not ok - {kind}{e}", flush=True)
            p.cleanup(strict=False)
            return 1
    print(f"{sdk_name} interop: all checks passed")
    return 0
