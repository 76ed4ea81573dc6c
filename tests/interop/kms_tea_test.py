#!/usr/bin/env python3
"""Interop check: ossguard dev server KMS vs the official `alibabacloud-kms20160120` SDK on
its tea-openapi core, which signs with ACS3-HMAC-SHA256. Needs a `--demo` server.
Env: OSSGUARD_READY, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSSGUARD_BUCKET_PREFIX."""
import sys

import alibabacloud_tea_openapi.client as openapi_client
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi import models as openapi_models

from interop_common import AK, SK
from kms_common import run_all


class Tea:
    def __init__(self, region, url):
        self.region, self.url = region, url
        self.client = self.make(SK)

    def make(self, secret):
        config = openapi_models.Config(
            access_key_id=AK, access_key_secret=secret, region_id=self.region,
            endpoint=self.url.removeprefix("http://"), protocol="http")
        return Client(config)

    def list_keys(self, page, size):
        body = self.client.list_keys(models.ListKeysRequest(page_number=page, page_size=size)).body
        return body.total_count, [k.key_id for k in body.keys.key]

    def describe(self, key):
        request = models.DescribeKeyRequest(key_id=key)
        return self.client.describe_key(request).body.key_metadata.key_state

    def aliases(self):
        body = self.client.list_aliases(models.ListAliasesRequest(page_number=1, page_size=100)).body
        return [(a.alias_name, a.key_id) for a in body.aliases.alias]

    def wrong_secret_list(self):
        self.make("wrong-secret").list_keys(models.ListKeysRequest())

    def list_with_nonce(self, nonce):
        # The SDK draws x-acs-signature-nonce itself; pin it to send the same one twice.
        original = openapi_client.Utils.get_nonce
        openapi_client.Utils.get_nonce = staticmethod(lambda: nonce)
        try:
            self.client.list_keys(models.ListKeysRequest())
        finally:
            openapi_client.Utils.get_nonce = original

    @staticmethod
    def code_of(error):
        return getattr(error, "code", None)


if __name__ == "__main__":
    sys.exit(run_all("tea", Tea, "alibabacloud-kms20160120"))
