#!/usr/bin/env python3
"""Interop check: ossguard dev server vs `alibabacloud-oss-v2` (1.4.1).

Runs the list with the SDK default (signature V4), then again with signature_version="v1".
Env: OSSGUARD_READY (ready-line JSON), OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET,
OSSGUARD_BUCKET_PREFIX. Prints "ok - <check>" per check; exits 1 on the first failure.
"""
import sys
from urllib.parse import urlparse

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2.exceptions import OperationError, ServiceError

from interop_common import AK, HZ, KEY_ID, PREFIX, REGIONS, SH, SK, CheckFailed, check, run_passes

DATA = b"hello from alibabacloud-oss-v2 interop"


def service_error(e):
    """The ServiceError inside an OperationError, or None (transport/client errors)."""
    inner = e.unwrap() if isinstance(e, OperationError) else e
    return inner if isinstance(inner, ServiceError) else None


def expect_error(name, fn, status, code):
    try:
        fn()
    except OperationError as e:
        se = service_error(e)
        if se is None:
            raise CheckFailed(f"{name}: want {status} {code}, got a non-service error: {e}")
        check(name, se.status_code == status and se.code == code,
              f"want {status} {code}, got {se.status_code} {se.code!r} fields={se.error_fileds}")
        return se
    raise CheckFailed(f"{name}: want {status} {code}, but the call succeeded")


def rule(alg, key_id=None, data_enc=None):
    return oss.ServerSideEncryptionRule(apply_server_side_encryption_by_default=oss.ApplyServerSideEncryptionByDefault(
        sse_algorithm=alg, kms_master_key_id=key_id, kms_data_encryption=data_enc))


class Pass:
    def __init__(self, sig):
        self.sig = sig
        self.tag = f"ossv2 {sig}"
        self.base = f"{PREFIX}-ossv2-{sig}"
        self.created = []  # (client, bucket, [keys])

    def client(self, region, secret=SK, ak=AK):
        cfg = oss.config.load_default()
        cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ak, secret)
        cfg.region = region
        cfg.endpoint = REGIONS[region]  # IP literal -> the SDK switches to path-style itself
        cfg.signature_version = self.sig
        return oss.Client(cfg)

    def create(self, suffix, region):
        c, name = self.client(region), f"{self.base}-{suffix}"
        c.put_bucket(oss.PutBucketRequest(bucket=name))
        self.created.append((c, name, []))
        return c, name

    def run(self):
        t = self.tag
        # 1. buckets in two regions
        hz, hzb = self.create("hz", HZ)
        check(f"{t}: create bucket {hzb} in {HZ}", True)
        sh, shb = self.create("sh", SH)
        check(f"{t}: create bucket {shb} in {SH} via its own port", True)
        for c, b, region in ((hz, hzb, HZ), (sh, shb, SH)):
            info = c.get_bucket_info(oss.GetBucketInfoRequest(bucket=b)).bucket_info
            check(f"{t}: bucket info location of {region} bucket", info.location == f"oss-{region}",
                  f"got {info.location!r}")
        sse = hz.get_bucket_info(oss.GetBucketInfoRequest(bucket=hzb)).bucket_info.sse_rule
        check(f"{t}: bucket info SSE is None on a fresh bucket",
              sse is None or sse.sse_algorithm in (None, "None"), f"got {vars(sse) if sse else None}")

        # 2. no rule yet
        get_enc = lambda: hz.get_bucket_encryption(oss.GetBucketEncryptionRequest(bucket=hzb))  # noqa: E731
        expect_error(f"{t}: GET encryption on fresh bucket", get_enc, 404, "NoSuchServerSideEncryptionRule")

        # 3. each kind of rule
        kinds = [("AES256", ("AES256", None, None)), ("KMS default key", ("KMS", None, None)),
                 ("KMS with key id", ("KMS", KEY_ID, None)), ("KMS + SM4 data encryption", ("KMS", None, "SM4")),
                 ("SM4", ("SM4", None, None))]
        for label, want in kinds:
            r = hz.put_bucket_encryption(oss.PutBucketEncryptionRequest(bucket=hzb,
                                                                         server_side_encryption_rule=rule(*want)))
            check(f"{t}: put encryption {label} -> 200", r.status_code == 200, f"status {r.status_code}")
            d = get_enc().server_side_encryption_rule.apply_server_side_encryption_by_default
            have = (d.sse_algorithm, d.kms_master_key_id or None, d.kms_data_encryption or None)
            check(f"{t}: get encryption {label}", have == want, f"want {want}, got {have}")
            sse = hz.get_bucket_info(oss.GetBucketInfoRequest(bucket=hzb)).bucket_info.sse_rule
            check(f"{t}: bucket info SSE after {label}", sse is not None and sse.sse_algorithm == want[0],
                  f"got {vars(sse) if sse else None}")
        r = hz.delete_bucket_encryption(oss.DeleteBucketEncryptionRequest(bucket=hzb))
        check(f"{t}: delete encryption -> 204", r.status_code == 204, f"status {r.status_code}")
        expect_error(f"{t}: GET encryption after delete", get_enc, 404, "NoSuchServerSideEncryptionRule")

        # 4. invalid rules
        put = lambda c, *a: c.put_bucket_encryption(  # noqa: E731
            oss.PutBucketEncryptionRequest(bucket=hzb, server_side_encryption_rule=rule(*a)))
        expect_error(f"{t}: PUT encryption DES", lambda: put(hz, "DES"), 400, "InvalidEncryptionAlgorithmError")
        expect_error(f"{t}: PUT encryption AES256 with KMSMasterKeyID", lambda: put(hz, "AES256", KEY_ID),
                     400, "InvalidArgument")

        # 5. bad credentials
        info = lambda c, b: c.get_bucket_info(oss.GetBucketInfoRequest(bucket=b))  # noqa: E731
        expect_error(f"{t}: wrong secret", lambda: info(self.client(HZ, secret=SK + "x"), hzb),
                     403, "SignatureDoesNotMatch")
        expect_error(f"{t}: unknown access key id", lambda: info(self.client(HZ, ak="LTAIunknownkey0000000000"), hzb),
                     403, "InvalidAccessKeyId")

        # 6. cn-shanghai bucket through the cn-hangzhou port, signed for cn-hangzhou
        se = expect_error(f"{t}: {SH} bucket via {HZ} port",
                          lambda: hz.get_bucket_encryption(oss.GetBucketEncryptionRequest(bucket=shb)),
                          403, "AccessDenied")
        check(f"{t}: wrong-region error names an Endpoint", bool((se.error_fileds or {}).get("Endpoint")),
              f"fields={se.error_fileds}")

        # 7. object-level SSE
        keys = self.created[0][2]
        head = lambda k: hz.head_object(oss.HeadObjectRequest(bucket=hzb, key=k))  # noqa: E731
        hz.put_object(oss.PutObjectRequest(bucket=hzb, key="kms.txt", body=DATA, server_side_encryption="KMS"))
        keys.append("kms.txt")
        h = head("kms.txt")
        check(f"{t}: HEAD object put with SSE KMS header", h.server_side_encryption == "KMS",
              f"headers={dict(h.headers)}")
        put(hz, "AES256")
        hz.put_object(oss.PutObjectRequest(bucket=hzb, key="plain.txt", body=DATA))
        keys.append("plain.txt")
        h = head("plain.txt")
        check(f"{t}: HEAD object inherits bucket default AES256", h.server_side_encryption == "AES256",
              f"headers={dict(h.headers)}")
        g = hz.get_object(oss.GetObjectRequest(bucket=hzb, key="kms.txt"))
        body = g.body.read()
        check(f"{t}: GET object body and SSE header", body == DATA and g.server_side_encryption == "KMS",
              f"body={body!r} sse={g.server_side_encryption!r}")
        hz.copy_object(oss.CopyObjectRequest(bucket=hzb, key="copy.txt", source_bucket=hzb, source_key="kms.txt"))
        keys.append("copy.txt")
        h = head("copy.txt")
        check(f"{t}: CopyObject without SSE header gets bucket default AES256", h.server_side_encryption == "AES256",
              f"headers={dict(h.headers)}")

        # 8. ListBuckets pagination through the SDK paginator
        for i in range(1, 4):
            self.create(f"list{i}", HZ)
        mine = sorted(b for _, b, _ in self.created)
        seen, pages = [], 0
        for page in hz.list_buckets_paginator().iter_page(oss.ListBucketsRequest(max_keys=2)):
            pages += 1
            got = page.buckets or []
            check(f"{t}: list page {pages} has at most 2 buckets", len(got) <= 2, f"got {len(got)}")
            if page.is_truncated:
                check(f"{t}: truncated page {pages} has NextMarker", bool(page.next_marker), "empty NextMarker")
            seen.extend(got)
            if pages > 1000:
                raise CheckFailed(f"{t}: ListBuckets never stops paginating")
        names = sorted(b.name for b in seen if b.name.startswith(self.base + "-"))
        check(f"{t}: ListBuckets used more than one page", pages > 1, f"pages={pages}")
        check(f"{t}: every created bucket listed exactly once", names == mine, f"want {mine}, got {names}")
        by_name = {b.name: b for b in seen}
        for name, region in ((hzb, HZ), (shb, SH)):
            b = by_name[name]
            want = (region, f"oss-{region}", urlparse(REGIONS[region]).netloc)
            have = (b.region, b.location, b.extranet_endpoint)
            check(f"{t}: listed region/location/endpoint of {region} bucket", have == want,
                  f"want {want}, got {have}")

        # 9. clean up
        self.cleanup(strict=True)

    def cleanup(self, strict):
        for c, b, keys in reversed(self.created):
            try:
                for k in keys:
                    c.delete_object(oss.DeleteObjectRequest(bucket=b, key=k))
                c.delete_bucket(oss.DeleteBucketRequest(bucket=b))
                if strict:
                    check(f"{self.tag}: delete bucket {b}", True)
            except OperationError as e:
                if strict:
                    raise CheckFailed(f"{self.tag}: cleanup of {b}: {e}")
                print(f"# cleanup of {b} failed: {e}", file=sys.stderr)
        self.created = []
        if strict:
            expect_error(f"{self.tag}: deleted bucket is gone",
                         lambda: self.client(HZ).get_bucket_info(oss.GetBucketInfoRequest(bucket=f"{self.base}-hz")),
                         404, "NoSuchBucket")


def main():
    return run_passes(Pass, ("v4", "v1"), "alibabacloud-oss-v2")


if __name__ == "__main__":
    sys.exit(main())
