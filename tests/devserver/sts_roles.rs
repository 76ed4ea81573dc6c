//! Dev server STS on the wire: AssumeRole's parameter checks and refusals with STS's codes,
//! roles from the data folder, and the issued credentials on the OSS side (token required,
//! a wrong token refused).

use chrono::Utc;
use ossguard::core::ops;
use ossguard::core::rpc::STS;
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::devserver::sts_state::ROLES_FILE;

use crate::support::{AK, HZ, Harness, rand_nonce};

const ROLE: &str = "acs:ram::2222333344445555:role/auditor";

async fn harness() -> Harness {
    Harness::start(|c| {
        std::fs::create_dir_all(&c.data_dir).expect("data dir");
        let roles = serde_json::json!({"roles": [
            {"arn": ROLE, "trusted_access_key_ids": [AK], "max_duration_seconds": 1800}
        ]});
        std::fs::write(c.data_dir.join(ROLES_FILE), roles.to_string()).expect("roles file");
    })
    .await
}

async fn list_as(
    h: &Harness,
    creds: &Credentials,
    version: SignatureVersion,
) -> crate::support::Answer {
    let request = ops::list_buckets::request(None, None, 10);
    h.send_as(HZ, HZ, request, version, creds, Utc::now()).await
}

async fn assume(h: &Harness, params: &[(&str, &str)]) -> crate::support::RpcAnswer {
    let mut call = STS.call("AssumeRole");
    for (name, value) in params {
        call = call.param(name, *value);
    }
    h.rpc_v1(HZ, "POST", &call, &h.creds(), Utc::now(), &rand_nonce())
        .await
}

#[tokio::test]
async fn assume_role_checks_its_parameters_like_sts() {
    let h = harness().await;
    type Case<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);
    let cases: [Case; 6] = [
        (&[("RoleSessionName", "s1")], 400, "MissingParameter"),
        (
            &[("RoleArn", "auditor"), ("RoleSessionName", "s1")],
            400,
            "InvalidParameter.RoleArn",
        ),
        (
            &[("RoleArn", ROLE), ("RoleSessionName", "x")],
            400,
            "InvalidParameter.RoleSessionName",
        ),
        (
            &[
                ("RoleArn", ROLE),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "60"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            &[
                ("RoleArn", ROLE),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "3600"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            &[
                ("RoleArn", "acs:ram::2222333344445555:role/none"),
                ("RoleSessionName", "s1"),
            ],
            404,
            "EntityNotExist.Role",
        ),
    ];
    for (params, status, code) in cases {
        let answer = assume(&h, params).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{params:?}");
    }
    let ok = assume(
        &h,
        &[
            ("RoleArn", ROLE),
            ("RoleSessionName", "s1"),
            ("DurationSeconds", "1800"),
        ],
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.json);
    assert!(
        ok.json["Credentials"]["AccessKeyId"]
            .as_str()
            .is_some_and(|id| id.starts_with("STS."))
    );
    assert_eq!(
        ok.json["AssumedRoleUser"]["Arn"],
        "acs:ram::2222333344445555:assumed-role/auditor/s1"
    );
}

#[tokio::test]
async fn issued_credentials_need_their_own_token_on_oss() {
    let h = harness().await;
    let ok = assume(&h, &[("RoleArn", ROLE), ("RoleSessionName", "s1")]).await;
    assert_eq!(ok.status, 400, "3600 s is above this role's 1800 s maximum");
    let ok = assume(
        &h,
        &[
            ("RoleArn", ROLE),
            ("RoleSessionName", "s1"),
            ("DurationSeconds", "900"),
        ],
    )
    .await;
    let c = &ok.json["Credentials"];
    let (id, secret, token) = (
        c["AccessKeyId"].as_str().expect("id"),
        c["AccessKeySecret"].as_str().expect("secret"),
        c["SecurityToken"].as_str().expect("token"),
    );
    let good = Credentials::new(id, secret).with_security_token(Some(token));
    let answer = list_as(&h, &good, SignatureVersion::V4).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let wrong = Credentials::new(id, secret).with_security_token(Some("not-the-token"));
    let answer = list_as(&h, &wrong, SignatureVersion::V4).await;
    assert_eq!(answer.status_code(), (403, "InvalidSecurityToken".into()));
    let missing = Credentials::new(id, secret);
    let answer = list_as(&h, &missing, SignatureVersion::V1).await;
    assert_eq!(answer.status_code(), (403, "InvalidAccessKeyId".into()));
    // Temporary credentials do not assume roles here (no chaining).
    let chained = h
        .rpc_v1(
            HZ,
            "POST",
            &STS.call("AssumeRole")
                .param("RoleArn", ROLE)
                .param("RoleSessionName", "s2")
                .param("DurationSeconds", "900"),
            &good,
            Utc::now(),
            &rand_nonce(),
        )
        .await;
    assert_eq!((chained.status, chained.code()), (403, "NoPermission"));
}
