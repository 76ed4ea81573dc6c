"""What the Python KMS interop scripts share: the demo keys of a `--demo` dev server
(ossguard's devserver/demo_keys.rs) and the checks every SDK must pass against them."""
from interop_common import READY, CheckFailed, check

# kind -> expected KeyState
KINDS = {
    "aes": "Enabled", "sm4": "Enabled", "disabled": "Disabled", "pending": "PendingDeletion",
    "byok": "Enabled", "import": "PendingImport", "hsm": "Enabled", "sign": "Enabled",
}


def key_id(region, kind):
    return f"key-{region.replace('-', '')}-{kind}-demo"


def regions():
    return list(READY["regions"].items())


def expect_error(name, call, code, code_of):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the SDK's own exception type is what is checked
        got = code_of(e)
        check(name, got == code, f"want {code}, got {got} ({type(e).__name__}: {e})")
        return
    check(name, False, f"want {code}, but the call succeeded")


def run_region(tag, region, sdk):
    """`sdk` offers list_keys(page, size) -> (total, ids), describe(key) -> state,
    aliases() -> [(name, key_id)], wrong_secret_list(), list_with_nonce(nonce),
    and code_of(exception)."""
    seen, total = [], 0
    for page in range(1, 11):
        total, ids = sdk.list_keys(page, 3)
        seen.extend(ids)
        if len(seen) >= total or not ids:
            break
    check(f"{tag}: ListKeys across pages", len(seen) == total >= 8 and len(set(seen)) == total,
          f"{len(seen)} of {total}")
    for kind, state in KINDS.items():
        got = sdk.describe(key_id(region, kind))
        check(f"{tag}: DescribeKey {kind} is {state}", got == state, got)
    aliases = sdk.aliases()
    alias = f"alias/prod-data-{region.replace('-', '')}"
    check(f"{tag}: ListAliases", (alias, key_id(region, "aes")) in aliases, aliases)
    expect_error(f"{tag}: unknown key", lambda: sdk.describe("key-unknown00000"),
                 "Forbidden.KeyNotFound", sdk.code_of)
    expect_error(f"{tag}: wrong secret", sdk.wrong_secret_list,
                 getattr(sdk, "WRONG_SECRET_CODE", "SignatureDoesNotMatch"), sdk.code_of)
    nonce = f"{tag}-{region}".replace(" ", "-")
    sdk.list_with_nonce(nonce)
    expect_error(f"{tag}: replayed nonce", lambda: sdk.list_with_nonce(nonce),
                 "SignatureNonceUsed", sdk.code_of)


def run_all(tag, make_sdk, sdk_name):
    """Runs [`run_region`] on every region with `make_sdk(region, url)`; prints `not ok` and
    returns 1 on the first failure."""
    try:
        for region, url in regions():
            run_region(f"{tag} {region}", region, make_sdk(region, url))
    except Exception as e:  # noqa: BLE001 - any failure ends the script
        kind = "" if isinstance(e, CheckFailed) else f"{type(e).__name__}: "
        print(f"not ok - {kind}{e}", flush=True)
        return 1
    print(f"{sdk_name} interop: all checks passed")
    return 0
