#!/usr/bin/env python3
"""Interop check: ossguard dev server vs the official `oss2` SDK (2.19.1).

Runs every check twice: signature V1 (oss2.Auth) and V4 (oss2.AuthV4 + region).
Env: OSSGUARD_READY (ready-line JSON), OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET,
OSSGUARD_BUCKET_PREFIX. Prints "ok - <check>" per check; exits 1 on the first failure.
"""
import sys
from urllib.parse import urlparse

import oss2
from oss2.exceptions import OssError
from oss2.models import ServerSideEncryptionRule as Rule

from interop_common import AK, HZ, KEY_ID, PREFIX, REGIONS, SH, SK, CheckFailed, check, run_passes

DATA = b"hello from oss2 interop"


def expect_error(name, fn, status, code):
    """fn() must raise OssError with this HTTP status and OSS error Code."""
    try:
        fn()
    except OssError as e:
        check(name, e.status == status and e.code == code,
              f"want {status} {code}, got {e.status} {e.code!r} details={e.details}")
        return e
    raise CheckFailed(f"{name}: want {status} {code}, but the call succeeded")


class Pass:
    """One run of the whole list with one signature version."""

    def __init__(self, sig):
        self.sig = sig
        self.tag = f"oss2 {sig}"
        self.created = []  # (Bucket, [keys]) in creation order
        self.base = f"{PREFIX}-oss2-{sig}"

    def auth(self, secret=SK, ak=AK):
        return oss2.Auth(ak, secret) if self.sig == "v1" else oss2.AuthV4(ak, secret)

    def bucket(self, name, region, auth=None):
        # Endpoint is an IP literal, so oss2 uses path-style addressing by itself.
        return oss2.Bucket(auth or self.auth(), REGIONS[region], name, region=region)

    def service(self):
        return oss2.Service(self.auth(), REGIONS[HZ], region=HZ)

    def create(self, suffix, region):
        b = self.bucket(f"{self.base}-{suffix}", region)
        b.create_bucket()
        self.created.append((b, []))
        return b

    def run(self):
        t = self.tag
        # 1. create buckets in two regions
        hz = self.create("hz", HZ)
        check(f"{t}: create bucket {hz.bucket_name} in {HZ}", True)
        sh = self.create("sh", SH)
        check(f"{t}: create bucket {sh.bucket_name} in {SH} via its own port", True)
        for b, region in ((hz, HZ), (sh, SH)):
            info = b.get_bucket_info()
            check(f"{t}: bucket info location of {region} bucket", info.location == f"oss-{region}",
                  f"got {info.location!r}")
        rule = hz.get_bucket_info().bucket_encryption_rule
        check(f"{t}: bucket info SSE is None on a fresh bucket",
              rule is None or rule.sse_algorithm is None, f"got {vars(rule) if rule else None}")

        # 2. no rule yet
        expect_error(f"{t}: GET encryption on fresh bucket", hz.get_bucket_encryption,
                     404, "NoSuchServerSideEncryptionRule")

        # 3. each kind of rule: put, get, bucket info
        kinds = [
            ("AES256", Rule("AES256")),
            ("KMS default key", Rule("KMS")),
            ("KMS with key id", Rule("KMS", KEY_ID)),
            ("KMS + SM4 data encryption", Rule("KMS", kms_data_encryption="SM4")),
            ("SM4", Rule("SM4")),
        ]
        for label, rule in kinds:
            hz.put_bucket_encryption(rule)
            got = hz.get_bucket_encryption()
            want = (rule.sse_algorithm, rule.kms_master_keyid or None, rule.kms_data_encryption)
            have = (got.sse_algorithm, got.kms_master_keyid or None, got.kms_data_encryption)
            check(f"{t}: put+get encryption {label}", have == want, f"want {want}, got {have}")
            info_rule = hz.get_bucket_info().bucket_encryption_rule
            check(f"{t}: bucket info SSE after {label}",
                  info_rule is not None and info_rule.sse_algorithm == rule.sse_algorithm,
                  f"got {vars(info_rule) if info_rule else None}")
        hz.delete_bucket_encryption()
        check(f"{t}: delete encryption", True)
        expect_error(f"{t}: GET encryption after delete", hz.get_bucket_encryption,
                     404, "NoSuchServerSideEncryptionRule")

        # 4. invalid rules
        expect_error(f"{t}: PUT encryption DES", lambda: hz.put_bucket_encryption(Rule("DES")),
                     400, "InvalidEncryptionAlgorithmError")
        expect_error(f"{t}: PUT encryption AES256 with KMSMasterKeyID",
                     lambda: hz.put_bucket_encryption(Rule("AES256", KEY_ID)), 400, "InvalidArgument")

        # 5. bad credentials
        bad = self.bucket(hz.bucket_name, HZ, auth=self.auth(secret=SK + "x"))
        expect_error(f"{t}: wrong secret", bad.get_bucket_info, 403, "SignatureDoesNotMatch")
        bad = self.bucket(hz.bucket_name, HZ, auth=self.auth(ak="LTAIunknownkey0000000000"))
        expect_error(f"{t}: unknown access key id", bad.get_bucket_info, 403, "InvalidAccessKeyId")

        # 6. cn-shanghai bucket through the cn-hangzhou port (signed for cn-hangzhou)
        wrong = self.bucket(sh.bucket_name, HZ)
        e = expect_error(f"{t}: {SH} bucket via {HZ} port", wrong.get_bucket_encryption, 403, "AccessDenied")
        check(f"{t}: wrong-region error names an Endpoint", bool(e.details.get("Endpoint")),
              f"details={e.details}")

        # 7. object-level SSE
        keys = self.created[0][1]
        hz.put_object("kms.txt", DATA, headers={"x-oss-server-side-encryption": "KMS"})
        keys.append("kms.txt")
        h = hz.head_object("kms.txt")
        check(f"{t}: HEAD object put with SSE KMS header",
              h.headers.get("x-oss-server-side-encryption") == "KMS", f"headers={dict(h.headers)}")
        hz.put_bucket_encryption(Rule("AES256"))
        hz.put_object("plain.txt", DATA)
        keys.append("plain.txt")
        h = hz.head_object("plain.txt")
        check(f"{t}: HEAD object inherits bucket default AES256",
              h.headers.get("x-oss-server-side-encryption") == "AES256", f"headers={dict(h.headers)}")
        g = hz.get_object("kms.txt")
        body = g.read()
        check(f"{t}: GET object body and SSE header",
              body == DATA and g.headers.get("x-oss-server-side-encryption") == "KMS",
              f"body={body!r} headers={dict(g.headers)}")
        hz.copy_object(hz.bucket_name, "kms.txt", "copy.txt")
        keys.append("copy.txt")
        h = hz.head_object("copy.txt")
        check(f"{t}: CopyObject without SSE header gets bucket default AES256",
              h.headers.get("x-oss-server-side-encryption") == "AES256", f"headers={dict(h.headers)}")

        # 8. pagination of ListBuckets
        for i in range(1, 4):
            self.create(f"list{i}", HZ)
        mine = {b.bucket_name for b, _ in self.created}
        svc, seen, pages, marker = self.service(), [], 0, ""
        while True:
            res = svc.list_buckets(marker=marker, max_keys=2)
            pages += 1
            check(f"{t}: list page {pages} has at most 2 buckets", len(res.buckets) <= 2,
                  f"got {len(res.buckets)}")
            seen.extend(res.buckets)
            if not res.is_truncated:
                break
            check(f"{t}: truncated page {pages} has NextMarker", bool(res.next_marker), "empty NextMarker")
            marker = res.next_marker
            if pages > 1000:
                raise CheckFailed(f"{t}: ListBuckets never stops paginating")
        names = [b.name for b in seen if b.name.startswith(self.base + "-")]
        check(f"{t}: ListBuckets used more than one page", pages > 1, f"pages={pages}")
        check(f"{t}: every created bucket listed exactly once", sorted(names) == sorted(mine),
              f"want {sorted(mine)}, got {sorted(names)}")
        by_name = {b.name: b for b in seen}
        for name, region in ((hz.bucket_name, HZ), (sh.bucket_name, SH)):
            b = by_name[name]
            want = (region, f"oss-{region}", urlparse(REGIONS[region]).netloc)
            have = (b.region, b.location, b.extranet_endpoint)
            check(f"{t}: listed region/location/endpoint of {region} bucket", have == want,
                  f"want {want}, got {have}")
        it_names = [b.name for b in oss2.BucketIterator(svc, max_keys=2) if b.name.startswith(self.base + "-")]
        check(f"{t}: BucketIterator(max_keys=2) lists each created bucket once",
              sorted(it_names) == sorted(mine), f"got {sorted(it_names)}")

        # 9. clean up
        self.cleanup(strict=True)

    def cleanup(self, strict):
        for b, keys in reversed(self.created):
            try:
                for k in keys:
                    b.delete_object(k)
                b.delete_bucket()
                if strict:
                    check(f"{self.tag}: delete bucket {b.bucket_name}", True)
            except OssError as e:
                if strict:
                    raise CheckFailed(f"{self.tag}: cleanup of {b.bucket_name}: {e}")
                print(f"# cleanup of {b.bucket_name} failed: {e}", file=sys.stderr)
        self.created = []
        if strict:
            try:
                self.bucket(f"{self.base}-hz", HZ).get_bucket_info()
                raise CheckFailed(f"{self.tag}: deleted bucket still answers GetBucketInfo")
            except OssError as e:
                check(f"{self.tag}: deleted bucket is gone", e.status == 404 and e.code == "NoSuchBucket",
                      f"got {e.status} {e.code}")


def main():
    return run_passes(Pass, ("v1", "v4"), "oss2")


if __name__ == "__main__":
    sys.exit(main())
