//! Answers that are not OSS, and endpoints that would leave this machine: the CLI binary and
//! the client against the shared scripted mock. Each test also proves what was NOT sent.

use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::mock::{MockServer, Reply};
use ossguard::core::sign::Credentials;
use ossguard::transport::paginate::ListingLimits;
use ossguard::transport::{ClientConfig, Endpoint, OssClient};

const NGINX: &str = "<html><body>Welcome to nginx</body></html>";
const TOKEN: &str = "CAIS-sts-token-that-must-stay-home";

/// The CLI against `mock` as its endpoint, with an STS token, and every proxy variable
/// pointing at the mock too: a request that escaped to another host would arrive there.
fn ossguard(mock: &MockServer, args: &[&str], token: &str) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    ossguard_in(&dir, mock, args, token)
}

/// As [`ossguard`], with its config and data (the change log) under `dir`.
fn ossguard_in(dir: &tempfile::TempDir, mock: &MockServer, args: &[&str], token: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(args)
        .env("OSS_ENDPOINT", mock.url())
        .env("OSS_REGION", "cn-hangzhou")
        .env("OSS_ACCESS_KEY_ID", "STS.ak")
        .env("OSS_ACCESS_KEY_SECRET", "sk")
        .env("OSS_SESSION_TOKEN", token)
        .env("HTTP_PROXY", mock.url())
        .env("http_proxy", mock.url())
        .env("ALL_PROXY", mock.url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("OSSGUARD_CONFIG_DIR", dir.path().join("config"))
        .env("OSSGUARD_DATA_DIR", dir.path().join("data"))
        .output()
        .expect("ossguard runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn listing(extranet_endpoint: &str) -> String {
    format!(
        "<ListAllMyBucketsResult><Buckets><Bucket><Name>logs</Name><Location>oss-cn-hangzhou</Location><ExtranetEndpoint>{extranet_endpoint}</ExtranetEndpoint></Bucket></Buckets></ListAllMyBucketsResult>"
    )
}

#[test]
fn an_html_page_is_an_error_not_zero_buckets() {
    let mock = MockServer::start(|_| Reply::with_status("200 OK", "text/html", NGINX));
    let out = ossguard(
        &mock,
        &[
            "buckets",
            "--fail-on",
            "unencrypted,unknown",
            "--format",
            "json",
        ],
        TOKEN,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "no audit printed: {:?}", out.stdout);
    let err = stderr(&out);
    assert!(
        err.contains("InvalidResponse") && err.contains("<ListAllMyBucketsResult>, got <html>"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_documents_and_other_xml_with_200_are_errors() {
    let mock = MockServer::start(|req| match req.bucket() {
        "other-xml" => Reply::ok("<ListBucketResult><Name>x</Name></ListBucketResult>"),
        "error" => Reply::ok("<Error><Code>AccessDenied</Code></Error>"),
        _ => Reply::ok("<Error><Code>AccessDenied</Code><Message>m</Message></Error>"),
    });
    let client = client_for(&mock, ListingLimits::DEFAULT);
    let err = client
        .list_buckets(None)
        .await
        .expect_err("an <Error> root");
    assert!(err.to_string().contains("got <Error>"), "{err}");
    for name in ["other-xml", "error"] {
        let bucket = ossguard::core::model::Bucket::in_region(
            ossguard::core::model::BucketName::parse(name).expect("name"),
            "cn-hangzhou",
        )
        .with_endpoint(&mock.host());
        let err = client.get_encryption(&bucket).await.expect_err(name);
        assert_eq!(err.code(), "InvalidResponse", "{name}: {err}");
        let err = client.get_bucket_info(&bucket).await.expect_err(name);
        assert_eq!(err.code(), "InvalidResponse", "{name}: {err}");
    }
}

fn client_for(mock: &MockServer, limits: ListingLimits) -> OssClient {
    let mut config = ClientConfig::new(Endpoint::parse(&mock.url()).expect("url"), "cn-hangzhou");
    config.listing_limits = limits;
    config.timeout = Duration::from_secs(5);
    OssClient::new(config, Credentials::new("ak", "sk")).expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_listing_stops_at_the_limits() {
    // Every page names a new bucket and a NextMarker past it: it never cycles, never ends.
    let pages = Arc::new(AtomicUsize::new(0));
    let served = pages.clone();
    let mock = MockServer::start(move |_| {
        let n = served.fetch_add(1, Ordering::SeqCst);
        let bucket = |i: usize| {
            format!(
                "<Bucket><Name>b{n:06}-{i:03}</Name><Location>oss-cn-hangzhou</Location></Bucket>"
            )
        };
        Reply::ok(&format!(
            "<ListAllMyBucketsResult><IsTruncated>true</IsTruncated><NextMarker>b{n:06}-999</NextMarker><Buckets>{}</Buckets></ListAllMyBucketsResult>",
            (0..10).map(bucket).collect::<String>()
        ))
    });
    let by_pages = client_for(
        &mock,
        ListingLimits {
            max_pages: 7,
            max_buckets: 1_000,
        },
    );
    let err = by_pages.list_buckets(None).await.expect_err("stops");
    assert!(err.to_string().contains("past 7 pages"), "{err}");
    assert_eq!(pages.load(Ordering::SeqCst), 7, "no page after the limit");

    pages.store(0, Ordering::SeqCst);
    let by_buckets = client_for(
        &mock,
        ListingLimits {
            max_pages: 1_000,
            max_buckets: 45,
        },
    );
    let err = by_buckets.list_buckets(None).await.expect_err("stops");
    assert!(err.to_string().contains("past 45 buckets"), "{err}");
    assert_eq!(pages.load(Ordering::SeqCst), 5);
    assert_eq!(
        ListingLimits::DEFAULT,
        ListingLimits {
            max_pages: 1_000,
            max_buckets: 100_000
        },
        "the documented defaults"
    );
}

#[test]
fn a_bucket_endpoint_with_user_info_is_refused_before_anything_is_sent() {
    let mock = MockServer::start(|_| Reply::ok(""));
    let out = ossguard(
        &mock,
        &[
            "get",
            "logs",
            "--bucket-region",
            "cn-hangzhou",
            "--bucket-endpoint",
            "[::1]@vm:18021",
        ],
        TOKEN,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected host[:port]"),
        "{}",
        stderr(&out)
    );
    assert!(mock.requests().is_empty(), "sent: {:?}", mock.requests());
}

#[test]
fn a_listed_endpoint_that_leaves_loopback_gets_no_request_and_no_token() {
    for listed in ["[::1]@vm:18021", "vm:18021", "127.0.0.1:1/../x"] {
        let body = listing(listed);
        let mock = MockServer::start(move |req| {
            if req.target.starts_with("/?") || req.target == "/" {
                Reply::ok(&body)
            } else {
                Reply::ok(
                    "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
                )
            }
        });
        let out = ossguard(&mock, &["get", "logs"], TOKEN);
        assert_eq!(out.status.code(), Some(1), "{listed}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("ConfigError"),
            "{listed}: {}",
            stderr(&out)
        );
        let requests = mock.requests();
        assert!(
            requests.iter().all(|r| r.target.starts_with("/?")),
            "{listed}: only ListBuckets reached the mock, not the bucket call (directly or \
             through the proxy): {requests:?}"
        );
    }
}

#[test]
fn a_token_with_a_line_break_is_refused_up_front() {
    let mock = MockServer::start(|_| Reply::ok(""));
    let out = ossguard(&mock, &["buckets"], "CAIS\nsecond-line");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("STS token contains a line break"),
        "{}",
        stderr(&out)
    );
    assert!(mock.requests().is_empty());
}

#[test]
fn control_characters_from_oss_never_reach_the_terminal() {
    let hostile = "x\u{1b}]0;pwned\u{7}\u{1b}[2J\nhint: run rm -rf\r";
    let body = format!(
        "<Error><Code>AccessDenied</Code><Message>{hostile}</Message><RequestId>R\u{1b}[1m</RequestId></Error>"
    );
    let mock =
        MockServer::start(move |_| Reply::with_status("403 Forbidden", "application/xml", &body));
    let args = ["get", "logs", "--bucket-region", "cn-hangzhou"];
    let endpoint = ["--bucket-endpoint", &mock.host()];
    for format in ["table", "csv", "json"] {
        let mut all = args.to_vec();
        all.extend(endpoint);
        all.extend(["--format", format]);
        let out = ossguard(&mock, &all, TOKEN);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\r'),
            "{format}: {shown:?}"
        );
        let hint_lines = stderr(&out)
            .lines()
            .filter(|l| l.starts_with("hint:"))
            .count();
        assert_eq!(hint_lines, 1, "{format}: no forged hint line: {shown}");
    }
}

#[test]
fn the_change_log_is_shown_without_control_characters() {
    let body = "<Error><Code>AccessDenied</Code><Message>no\u{1b}]0;pwned\u{7}\nhint: forged</Message></Error>";
    let mock = MockServer::start(move |req| match req.method.as_str() {
        "GET" => Reply::error("404 Not Found", "NoSuchServerSideEncryptionRule"),
        _ => Reply::with_status("403 Forbidden", "application/xml", body),
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let host = mock.host();
    let set = [
        "set",
        "logs",
        "--sse",
        "AES256",
        "--bucket-region",
        "cn-hangzhou",
        "--bucket-endpoint",
        &host,
    ];
    let out = ossguard_in(&dir, &mock, &set, TOKEN);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = std::fs::read_to_string(dir.path().join("data/changes.jsonl")).expect("log");
    assert!(
        log.contains("\\u001b]0;pwned"),
        "the log keeps the message as sent: {log}"
    );
    for format in ["table", "csv"] {
        let out = ossguard_in(&dir, &mock, &["log", "--format", format], TOKEN);
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(shown.contains("pwned"), "{shown}");
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert_eq!(shown.lines().count(), 2, "a header and one change: {shown}");
    }
}
