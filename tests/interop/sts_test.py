"""STS interop: the official Python STS SDKs (alibabacloud-sts20150401 on tea-openapi, and
aliyun-python-sdk-sts on aliyun-python-sdk-core) assume a role on the dev server, then oss2
uses the temporary credentials they return; after the short duration the dev server runs
with, OSS refuses them with 403 SecurityTokenExpired and STS with 400
InvalidSecurityToken.Expired."""
import datetime
import json
import os
import sys
import time

import oss2
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import utils_models as openapi_models
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdksts.request.v20150401.AssumeRoleRequest import AssumeRoleRequest
from aliyunsdksts.request.v20150401.GetCallerIdentityRequest import GetCallerIdentityRequest

from interop_common import AK, PREFIX, READY, SK, check

ROLE_ARN = os.environ["OSSGUARD_ROLE_ARN"]
ROLE_ACCOUNT = ROLE_ARN.split(":")[3]
ENDPOINT = READY["endpoint"]
HOST = ENDPOINT.split("://", 1)[1]


def parse_expiration(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc
    )


def tea_client(ak, sk, token=None):
    config = openapi_models.Config(
        access_key_id=ak,
        access_key_secret=sk,
        security_token=token,
        endpoint=HOST,
        protocol="http",
        region_id="cn-hangzhou",
    )
    return StsClient(config)


def core_client(ak, sk):
    return AcsClient(ak, sk, "cn-hangzhou")


def core_request(request):
    request.set_endpoint(HOST)
    request.set_protocol_type("http")
    request.set_accept_format("JSON")
    return request


def assume_with_tea():
    answer = tea_client(AK, SK).assume_role(
        sts_models.AssumeRoleRequest(
            role_arn=ROLE_ARN, role_session_name="tea-sdk", duration_seconds=900
        )
    )
    creds = answer.body.credentials
    check("tea: AssumeRole answers STS credentials", creds.access_key_id.startswith("STS."), creds.access_key_id)
    check("tea: with a SecurityToken", bool(creds.security_token))
    check("tea: and an Expiration", parse_expiration(creds.expiration) > datetime.datetime.now(datetime.timezone.utc))
    check("tea: AssumedRoleUser names the role", "role/" in answer.body.assumed_role_user.arn, answer.body.assumed_role_user.arn)
    who = tea_client(creds.access_key_id, creds.access_key_secret, creds.security_token).get_caller_identity()
    check("tea: GetCallerIdentity with the role is the role's account", who.body.account_id == ROLE_ACCOUNT, who.body.account_id)
    return creds.access_key_id, creds.access_key_secret, creds.security_token, creds.expiration


def assume_with_core():
    request = core_request(AssumeRoleRequest())
    request.set_RoleArn(ROLE_ARN)
    request.set_RoleSessionName("core-sdk")
    request.set_DurationSeconds(900)
    answer = json.loads(core_client(AK, SK).do_action_with_exception(request))
    creds = answer["Credentials"]
    check("core: AssumeRole answers STS credentials", creds["AccessKeyId"].startswith("STS."), creds["AccessKeyId"])
    check("core: with a SecurityToken", bool(creds["SecurityToken"]))
    check("core: and an Expiration", bool(parse_expiration(creds["Expiration"])))
    who = json.loads(core_client(AK, SK).do_action_with_exception(core_request(GetCallerIdentityRequest())))
    check("core: GetCallerIdentity of the key is its own account", who["AccountId"] != ROLE_ACCOUNT and who["AccountId"].isdigit(), who["AccountId"])
    return creds["AccessKeyId"], creds["AccessKeySecret"], creds["SecurityToken"], creds["Expiration"]


def use_with_oss2(name, creds, bucket_name):
    ak, sk, token, _ = creds
    auth = oss2.StsAuth(ak, sk, token, auth_version=oss2.AUTH_VERSION_4)
    service = oss2.Service(auth, ENDPOINT, region="cn-hangzhou")
    names = [b.name for b in oss2.BucketIterator(service)]
    check(f"{name}: oss2 lists buckets with the credentials", isinstance(names, list))
    bucket = oss2.Bucket(auth, READY["regions"]["cn-hangzhou"], bucket_name, region="cn-hangzhou")
    bucket.create_bucket()
    bucket.put_object("probe.txt", b"sts")
    check(f"{name}: oss2 writes and reads an object", bucket.get_object("probe.txt").read() == b"sts")
    bucket.delete_object("probe.txt")
    bucket.delete_bucket()


def wait_until(expiration):
    remaining = (parse_expiration(expiration) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    time.sleep(max(0.0, remaining) + 1.2)


def refused_after_expiry(creds):
    ak, sk, token, expiration = creds
    wait_until(expiration)
    auth = oss2.StsAuth(ak, sk, token, auth_version=oss2.AUTH_VERSION_4)
    service = oss2.Service(auth, ENDPOINT, region="cn-hangzhou")
    try:
        service.list_buckets()
        check("oss2: expired credentials refused", False, "accepted")
    except oss2.exceptions.OssError as e:
        check("oss2: expired credentials refused with 403 SecurityTokenExpired", (e.status, e.code) == (403, "SecurityTokenExpired"), f"{e.status} {e.code}")
    try:
        tea_client(ak, sk, token).get_caller_identity()
        check("tea: expired credentials refused", False, "accepted")
    except Exception as e:  # noqa: BLE001 - the tea SDK raises its own exception types
        code = getattr(e, "code", "")
        status = (
            getattr(e, "status_code", None)
            or getattr(e, "statusCode", None)
            or (getattr(e, "data", None) or {}).get("statusCode")
        )
        check("tea: expired credentials refused with 400 InvalidSecurityToken.Expired", (status, code) == (400, "InvalidSecurityToken.Expired"), f"{type(e).__name__} {status} {code}")


def refused_role():
    request = core_request(AssumeRoleRequest())
    request.set_RoleArn(ROLE_ARN.replace("role/", "role/locked"))
    request.set_RoleSessionName("core-sdk")
    try:
        core_client(AK, SK).do_action_with_exception(request)
        check("core: unknown role refused", False, "accepted")
    except ServerException as e:
        check("core: an unknown role is refused", e.get_http_status() in (403, 404), f"{e.get_http_status()} {e.get_error_code()}")


def main():
    try:
        tea = assume_with_tea()
        core = assume_with_core()
        use_with_oss2("tea", tea, f"{PREFIX}-tea")
        use_with_oss2("core", core, f"{PREFIX}-core")
        refused_role()
        refused_after_expiry(core)
    except Exception as e:  # noqa: BLE001 - any failure ends the script
        print(f"not ok - {type(e).__name__}: {e}", flush=True)
        return 1
    print("sts interop: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
