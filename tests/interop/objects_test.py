#!/usr/bin/env python3
"""Interop check: the dev server's object calls (what `ossguard objects` relies on) vs the
official SDKs: oss2 (list_objects_v2 with URL-encoded keys, copy_object onto itself with
SSE and if-match, multipart copy with upload_part_copy, object tagging, restore, append) and
alibabacloud-oss-v2 (the ListObjectsV2 paginator and the Copier, single and multipart).

Env: OSSGUARD_READY, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSSGUARD_BUCKET_PREFIX.
Prints "ok - <check>" per check; exits 1 on the first failure.
"""
import sys

import alibabacloud_oss_v2 as oss
import oss2
from oss2.exceptions import OssError

from interop_common import AK, HZ, PREFIX, REGIONS, SK, CheckFailed, check, run_passes

KEYS = ["dir/a.txt", "dir/b c+d.txt", "dir/z.bin", "dir/\u4e2d\u6587.txt", "other/x"]  # in key order
BIG = bytes(range(256)) * 1200  # 307,200 bytes: three parts of 128 KiB at most


class Pass:
    def __init__(self, sig):
        self.sig = sig
        self.tag = f"objects {sig}"
        self.name = f"{PREFIX}-obj-{sig}"
        auth = oss2.Auth(AK, SK) if sig == "v1" else oss2.AuthV4(AK, SK)
        self.b = oss2.Bucket(auth, REGIONS[HZ], self.name, region=HZ)

    def v2(self):
        cfg = oss.config.load_default()
        cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK)
        cfg.region = HZ
        cfg.endpoint = REGIONS[HZ]
        cfg.signature_version = self.sig
        return oss.Client(cfg)

    def run(self):
        t, b = self.tag, self.b
        b.create_bucket()
        for key in KEYS:
            b.put_object(key, b"data of " + key.encode(), headers={"x-oss-meta-owner": "alice"})
        # oss2: list_objects_v2 pages (encoding-type=url by default) with decoded keys.
        seen, token, pages = [], "", 0
        while True:
            page = b.list_objects_v2(prefix="dir/", continuation_token=token, max_keys=2)
            pages += 1
            seen += [o.key for o in page.object_list]
            if not page.is_truncated:
                break
            token = page.next_continuation_token
        check(f"{t}: oss2 list_objects_v2 pages", pages == 2 and seen == KEYS[:4], f"{pages} {seen}")
        listed = [o.key for o in oss2.ObjectIteratorV2(b, prefix="dir/", max_keys=3)]
        check(f"{t}: oss2 ObjectIteratorV2 decodes keys", listed == KEYS[:4], f"{listed}")

        # oss2: copy onto itself with SSE, if-match, metadata kept.
        key = KEYS[1]
        etag = b.head_object(key).etag
        try:
            b.copy_object(self.name, key, key, headers={
                "x-oss-copy-source-if-match": '"0000"', "x-oss-server-side-encryption": "AES256"})
            raise CheckFailed(f"{t}: copy with a stale ETag succeeded")
        except OssError as e:
            check(f"{t}: oss2 copy_object with a stale if-match is 412", e.status == 412 and e.code == "PreconditionFailed", f"{e.status} {e.code}")
        b.copy_object(self.name, key, key, headers={
            "x-oss-copy-source-if-match": f'"{etag}"', "x-oss-metadata-directive": "COPY",
            "x-oss-server-side-encryption": "KMS", "x-oss-server-side-data-encryption": "SM4"})
        head = b.head_object(key)
        check(f"{t}: oss2 copy_object onto itself re-encrypts", head.headers.get("x-oss-server-side-encryption") == "KMS"
              and head.headers.get("x-oss-server-side-data-encryption") == "SM4", f"{head.headers}")
        check(f"{t}: oss2 copy_object keeps the metadata", head.headers.get("x-oss-meta-owner") == "alice")

        # oss2: tagging.
        tagging = oss2.models.Tagging(oss2.models.TaggingRule())
        tagging.tag_set.add("team", "a b")
        b.put_object_tagging(KEYS[0], tagging)
        tags = b.get_object_tagging(KEYS[0]).tag_set.tagging_rule
        check(f"{t}: oss2 object tagging round-trips", tags == {"team": "a b"}, f"{tags}")

        # oss2: multipart copy with upload_part_copy.
        b.put_object("big.bin", BIG)
        upload = b.init_multipart_upload("big.bin", headers={"x-oss-server-side-encryption": "SM4"}).upload_id
        parts, size, n, start = [], len(BIG), 1, 0
        while start < size:
            end = min(start + 128 * 1024, size) - 1
            r = b.upload_part_copy(self.name, "big.bin", (start, end), "big.bin", upload, n)
            parts.append(oss2.models.PartInfo(n, r.etag))
            n, start = n + 1, end + 1
        b.complete_multipart_upload("big.bin", upload, parts)
        head = b.head_object("big.bin")
        check(f"{t}: oss2 multipart copy keeps the size and sets SSE",
              head.content_length == size and head.headers.get("x-oss-server-side-encryption") == "SM4", f"{head.headers}")
        check(f"{t}: oss2 multipart copy keeps the bytes", b.get_object("big.bin").read() == BIG)

        # oss2: archive restore and append.
        b.put_object("cold", b"frozen", headers={"x-oss-storage-class": "Archive"})
        b.restore_object("cold")
        check(f"{t}: oss2 restore_object then head shows it", "ongoing-request" in b.head_object("cold").headers.get("x-oss-restore", ""))
        r = b.append_object("log", 0, b"abc")
        r = b.append_object("log", r.next_position, b"de")
        check(f"{t}: oss2 append_object", r.next_position == 5 and b.head_object("log").object_type == "Appendable")

        # alibabacloud-oss-v2: the paginator and the Copier.
        c = self.v2()
        keys = []
        for page in c.list_objects_v2_paginator(limit=2).iter_page(oss.ListObjectsV2Request(bucket=self.name, prefix="dir/", encoding_type="url")):
            keys += [o.key for o in page.contents or []]
        check(f"{t}: v2 ListObjectsV2 paginator", keys == KEYS[:4], f"{keys}")
        copier = c.copier()
        copier.copy(oss.CopyObjectRequest(bucket=self.name, key="copy-small", source_bucket=self.name, source_key=KEYS[0]))
        small = c.head_object(oss.HeadObjectRequest(bucket=self.name, key="copy-small"))
        check(f"{t}: v2 Copier single copy", small.content_length == len(b"data of " + KEYS[0].encode()))
        copier.copy(oss.CopyObjectRequest(bucket=self.name, key="copy-big", source_bucket=self.name, source_key="big.bin",
                                          server_side_encryption="AES256"),
                    part_size=128 * 1024, multipart_copy_threshold=200 * 1024)
        big = c.head_object(oss.HeadObjectRequest(bucket=self.name, key="copy-big"))
        check(f"{t}: v2 Copier multipart copy", big.content_length == len(BIG) and big.server_side_encryption == "AES256"
              and (big.etag or "").endswith('-3"'), f"{big.etag} {big.server_side_encryption}")

    def cleanup(self, strict=True):
        try:
            for o in oss2.ObjectIteratorV2(self.b):
                self.b.delete_object(o.key)
            self.b.delete_bucket()
        except Exception:  # noqa: BLE001
            if strict:
                raise


if __name__ == "__main__":
    sys.exit(run_passes(Pass, ["v4", "v1"], "objects"))
