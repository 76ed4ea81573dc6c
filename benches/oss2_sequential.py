#!/usr/bin/env python3
"""Issue #6, item 1 baseline: the bucket audit written the obvious way with the official SDK.

ListBuckets page by page (1,000 per page), then GetBucketEncryption for each bucket, one after
the other, through the bucket's own ExtranetEndpoint and region. Same signature version as
`ossguard buckets` (V4) and one shared HTTP session (kept-alive connections), which makes this
the strongest sequential baseline, so the speed-up is not flattered.

Usage: oss2_sequential.py ENDPOINT REGION OUT.json   (credentials: OSS_ACCESS_KEY_ID/SECRET)
Writes [{name, region, sse_algorithm, kms_master_key_id, kms_data_encryption, error}] to OUT.json
so that benches/run.py can check it read the same rules as ossguard.
"""
import json
import os
import sys

import oss2
from oss2.exceptions import NoSuchServerSideEncryptionRule, OssError


def main():
    endpoint, region, out = sys.argv[1:4]
    auth = oss2.AuthV4(os.environ["OSS_ACCESS_KEY_ID"], os.environ["OSS_ACCESS_KEY_SECRET"])
    session = oss2.Session()
    service = oss2.Service(auth, endpoint, session=session, region=region)
    buckets, marker = [], ""
    while True:
        page = service.list_buckets(max_keys=1000, marker=marker)
        buckets.extend(page.buckets)
        if not page.is_truncated:
            break
        marker = page.next_marker
    rows = []
    for b in buckets:
        row = {"name": b.name, "region": b.region, "sse_algorithm": None,
               "kms_master_key_id": None, "kms_data_encryption": None, "error": None}
        bucket = oss2.Bucket(auth, "http://" + b.extranet_endpoint, b.name,
                             session=session, region=b.region)
        try:
            rule = bucket.get_bucket_encryption()
            row["sse_algorithm"] = rule.sse_algorithm
            row["kms_master_key_id"] = rule.kms_master_keyid or None
            row["kms_data_encryption"] = rule.kms_data_encryption or None
        except NoSuchServerSideEncryptionRule:
            pass
        except OssError as e:
            row["error"] = e.code
        rows.append(row)
    with open(out, "w") as f:
        json.dump(rows, f)


if __name__ == "__main__":
    main()
