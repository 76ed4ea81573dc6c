#!/usr/bin/env python3
"""Interop check: ossguard dev server KMS vs the official `aliyun-python-sdk-kms` SDK on
aliyun-python-sdk-core, which signs with RPC signature V1. Needs a `--demo` server.
Env: OSSGUARD_READY, OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSSGUARD_BUCKET_PREFIX."""
import json
import sys

from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.utils import parameter_helper
from aliyunsdkkms.request.v20160120.DescribeKeyRequest import DescribeKeyRequest
from aliyunsdkkms.request.v20160120.ListAliasesRequest import ListAliasesRequest
from aliyunsdkkms.request.v20160120.ListKeysRequest import ListKeysRequest

from interop_common import AK, SK
from kms_common import run_all


class Core:
    # aliyun-python-sdk-core turns SignatureDoesNotMatch into InvalidAccessKeySecret when the
    # server's string to sign (quoted in the Message) equals its own: the secret is wrong, not
    # the signing. So this code proves the dev server's message matches the SDK's signing.
    WRONG_SECRET_CODE = "InvalidAccessKeySecret"

    def __init__(self, region, url):
        self.region, self.host = region, url.removeprefix("http://")
        self.client = AcsClient(AK, SK, region, auto_retry=False)

    def send(self, request, client=None):
        request.set_endpoint(self.host)
        request.set_protocol_type("http")
        return json.loads((client or self.client).do_action_with_exception(request))

    def list_keys(self, page, size):
        request = ListKeysRequest()
        request.set_PageNumber(page)
        request.set_PageSize(size)
        answer = self.send(request)
        return answer["TotalCount"], [k["KeyId"] for k in answer["Keys"]["Key"]]

    def describe(self, key):
        request = DescribeKeyRequest()
        request.set_KeyId(key)
        return self.send(request)["KeyMetadata"]["KeyState"]

    def aliases(self):
        request = ListAliasesRequest()
        request.set_PageSize(100)
        return [(a["AliasName"], a["KeyId"]) for a in self.send(request)["Aliases"]["Alias"]]

    def wrong_secret_list(self):
        self.send(ListKeysRequest(), AcsClient(AK, "wrong-secret", self.region, auto_retry=False))

    def list_with_nonce(self, nonce):
        # The SDK draws SignatureNonce itself; pin it to send the same one twice.
        original = parameter_helper.get_uuid
        parameter_helper.get_uuid = lambda: nonce
        try:
            self.send(ListKeysRequest())
        finally:
            parameter_helper.get_uuid = original

    @staticmethod
    def code_of(error):
        return error.get_error_code() if hasattr(error, "get_error_code") else None


if __name__ == "__main__":
    sys.exit(run_all("core", Core, "aliyun-python-sdk-kms"))
