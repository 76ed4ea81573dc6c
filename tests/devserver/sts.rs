//! Dev server: STS credentials (right token, wrong or missing token, expired token).

use crate::support::{AK, HZ, Harness, SK, VERSIONS};
use chrono::{Duration, Utc};
use ossguard::core::ops;
use ossguard::core::sign::{Credentials, SignatureVersion};

const V4: SignatureVersion = SignatureVersion::V4;

#[tokio::test]
async fn sts_tokens() {
    let token = "sts-token-for-tests";
    let h = Harness::with_buckets(|c| c.sts_token = Some(token.into())).await;
    let sts_ak = format!("STS.{AK}");
    for version in VERSIONS {
        let good = Credentials::new(&sts_ak, SK).with_security_token(Some(token));
        let answer = h
            .send_with(ops::bucket::get_info("auth-hz"), version, &good)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let wrong = Credentials::new(&sts_ak, SK).with_security_token(Some("other-token"));
        let answer = h
            .send_with(ops::bucket::get_info("auth-hz"), version, &wrong)
            .await;
        assert_eq!(answer.status_code(), (403, "InvalidSecurityToken".into()));
        let missing = Credentials::new(&sts_ak, SK);
        let answer = h
            .send_with(ops::bucket::get_info("auth-hz"), version, &missing)
            .await;
        // Without its token an STS AccessKey is unknown, as OSS answers ("Error responses":
        // https://www.alibabacloud.com/help/en/oss/developer-reference/error-responses).
        assert_eq!(answer.status_code(), (403, "InvalidAccessKeyId".into()));
    }
    // The long-term key keeps working.
    assert_eq!(
        h.send(HZ, ops::bucket::get_info("auth-hz"), V4)
            .await
            .status,
        200
    );

    let expired = Harness::with_buckets(|c| {
        c.sts_token = Some(token.into());
        c.sts_expires_at = Some(Utc::now() - Duration::minutes(1));
    })
    .await;
    let good = Credentials::new(&sts_ak, SK).with_security_token(Some(token));
    for version in VERSIONS {
        let answer = expired
            .send_as(
                HZ,
                HZ,
                ops::bucket::get_info("auth-hz"),
                version,
                &good,
                Utc::now(),
            )
            .await;
        assert_eq!(answer.status_code(), (403, "SecurityTokenExpired".into()));
        assert_eq!(answer.error().ec.as_deref(), Some("0002-00000007"));
    }
    // Without STS configured, an STS key is simply unknown.
    let plain = Harness::with_buckets(|_| {}).await;
    let answer = plain
        .send_as(
            HZ,
            HZ,
            ops::bucket::get_info("auth-hz"),
            V4,
            &good,
            Utc::now(),
        )
        .await;
    assert_eq!(answer.status_code(), (403, "InvalidAccessKeyId".into()));
}
