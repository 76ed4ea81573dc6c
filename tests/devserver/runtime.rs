//! Dev server: ports and the ready line, state across restarts, injected latency and faults.

use std::time::{Duration, Instant};

use crate::support::{HZ, Harness, SH, config, http_client, send_raw};
use ossguard::core::ops;
use ossguard::core::sign::SignatureVersion;
use ossguard::core::sse::SseRule;
use ossguard::devserver::{self, DEFAULT_REGIONS};

const V4: SignatureVersion = SignatureVersion::V4;

#[tokio::test]
async fn every_region_has_its_own_port_and_the_ready_line_says_so() {
    let h = Harness::start(|_| {}).await;
    let ready = &h.server.ready;
    let regions: Vec<&str> = ready.regions.0.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(regions, DEFAULT_REGIONS);
    assert_eq!(Some(ready.endpoint.as_str()), ready.regions.get(HZ));
    let mut ports: Vec<u16> = regions
        .iter()
        .map(|r| h.server.region_port(r).expect("port"))
        .collect();
    for (region, url) in &ready.regions.0 {
        let port = h.server.region_port(region).expect("port");
        assert_eq!(url, &format!("http://127.0.0.1:{port}"));
    }
    ports.dedup();
    assert_eq!(ports.len(), 4);
    assert_eq!(h.server.region_port("eu-central-1"), None);
    let line = ready.to_line();
    assert!(!line.contains('\n'));
    let json: serde_json::Value = serde_json::from_str(&line).expect("json");
    assert_eq!(json["access_key_id"], crate::support::AK);
    assert!(!line.contains(crate::support::SK));
    assert_eq!(json["regions"][SH], ready.regions.get(SH).expect("sh"));
}

#[tokio::test]
async fn refuses_to_listen_beyond_loopback() {
    let dir = crate::support::tempdir();
    let mut cfg = config(dir.path());
    cfg.listen = "0.0.0.0:0".parse().expect("addr");
    assert!(devserver::start(cfg).await.is_err());
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = crate::support::tempdir();
    let http = http_client();
    let rule = SseRule::Kms {
        key_id: Some("key-restart0001".into()),
        sm4_data: false,
    };
    {
        let server = devserver::start(config(dir.path())).await.expect("start");
        let url = server.ready.endpoint.clone();
        let send = |mut req: ossguard::core::request::OssRequest| {
            ossguard::core::sign::sign(
                &mut req,
                V4,
                &ossguard::core::sign::Credentials::new(crate::support::AK, crate::support::SK),
                HZ,
                chrono::Utc::now(),
            );
            let (http, url) = (http.clone(), url.clone());
            async move { send_raw(&http, &url, &req, None).await.expect("answer") }
        };
        assert_eq!(send(ops::bucket::create("keep-me")).await.status, 200);
        assert_eq!(
            send(ops::encryption::put("keep-me", &rule)).await.status,
            200
        );
        let put = ops::object::put("keep-me", "obj.txt", b"persisted".to_vec(), None);
        assert_eq!(send(put).await.status, 200);
        server.shutdown().await;
    }
    // Ports change on restart; the data does not.
    let h = {
        let server = devserver::start(config(dir.path())).await.expect("restart");
        Harness { server, dir, http }
    };
    let get = h.send(HZ, ops::encryption::get("keep-me"), V4).await;
    assert_eq!(ops::encryption::parse(&get.body), Ok(rule));
    let obj = ossguard::core::request::OssRequest::new(
        ossguard::core::request::Method::Get,
        Some("keep-me"),
    )
    .with_key("obj.txt");
    let answer = h.send(HZ, obj, V4).await;
    assert_eq!(answer.body, "persisted");
    assert_eq!(answer.header("x-oss-server-side-encryption"), Some("KMS"));
    // Seeding only happens into an empty data dir.
    let dir = h.dir.path().to_owned();
    h.server.shutdown().await;
    let mut cfg = config(&dir);
    cfg.seed_buckets = 5;
    cfg.demo = true;
    let server = devserver::start(cfg).await.expect("restart with seed");
    let list = ops::list_buckets::request(None, None, 1000);
    let mut req = list;
    ossguard::core::sign::sign(
        &mut req,
        V4,
        &ossguard::core::sign::Credentials::new(crate::support::AK, crate::support::SK),
        HZ,
        chrono::Utc::now(),
    );
    let answer = send_raw(&http_client(), &server.ready.endpoint, &req, None)
        .await
        .expect("answer");
    let page = ops::list_buckets::parse(&answer.body).expect("page");
    assert_eq!(page.buckets.len(), 1);
    server.shutdown().await;
}

/// Seeding writes one pack file, so this is fast; the test checks behaviour only:
/// all 10,000 buckets are there, in order, after a restart too.
#[tokio::test]
async fn ten_thousand_seeded_buckets_survive_a_restart() {
    let h = Harness::start(|c| c.seed_buckets = 10_000).await;
    let dir = h.dir;
    h.server.shutdown().await;
    let server = devserver::start(config(dir.path())).await.expect("restart");
    let h = Harness {
        server,
        dir,
        http: http_client(),
    };
    let answer = h
        .send(
            HZ,
            ops::list_buckets::request(Some("seed-0"), None, 1000),
            V4,
        )
        .await;
    let page = ops::list_buckets::parse(&answer.body).expect("page");
    assert_eq!(page.buckets.len(), 1000);
    assert_eq!(page.next_marker.as_deref(), Some("seed-01000"));
    let last = ops::list_buckets::request(None, Some("seed-09999"), 1000);
    let page = ops::list_buckets::parse(&h.send(HZ, last, V4).await.body).expect("page");
    let names: Vec<&str> = page.buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!((names, page.next_marker), (vec!["seed-10000"], None));
}

#[tokio::test]
async fn latency_is_added_to_every_answer() {
    let h = Harness::start(|c| c.latency = Duration::from_millis(150)).await;
    let started = Instant::now();
    let answer = h
        .send(HZ, ops::list_buckets::request(None, None, 10), V4)
        .await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn fail_rate_one_gives_503s_and_dropped_connections() {
    let h = Harness::start(|c| c.fail_rate = 1.0).await;
    let (mut unavailable, mut dropped) = (0, 0);
    for _ in 0..40 {
        // A fresh client each time, so a dropped connection is never reused.
        let mut req = ops::list_buckets::request(None, None, 10);
        ossguard::core::sign::sign(&mut req, V4, &h.creds(), HZ, chrono::Utc::now());
        match send_raw(&http_client(), &h.base_url(HZ), &req, None).await {
            Ok(answer) => {
                assert_eq!(answer.status_code(), (503, "ServiceUnavailable".into()));
                assert!(answer.header("x-oss-request-id").is_some());
                unavailable += 1;
            }
            Err(e) => {
                assert!(!e.is_status() && !e.is_timeout(), "{e:?}");
                dropped += 1;
            }
        }
    }
    assert!(
        unavailable > 0 && dropped > 0,
        "{unavailable} 503s, {dropped} drops"
    );
}
