//! The dev server under unauthenticated load: no body is read before the signature is
//! checked, idle and trickling connections are closed, the number of connections is bounded,
//! and over-long URLs and header sections get OSS error documents.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{HZ, Harness};
use ossguard::devserver::ConnectionLimits;

fn connect(h: &Harness) -> TcpStream {
    let url = h.base_url(HZ);
    let stream = TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    stream
}

/// Reads until the server closes the connection (or the read timeout passes).
fn read_to_close(stream: &mut TcpStream) -> (String, bool) {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&all).into_owned(), true),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&all).into_owned(), true);
            }
            Err(_) => return (String::from_utf8_lossy(&all).into_owned(), false),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_upload_is_refused_before_its_body_is_read() {
    let h = Harness::with_buckets(|_| {}).await;
    let mut stream = connect(&h);
    tokio::task::spawn_blocking(move || {
        // 15 MiB announced; only the head and 64 KiB are sent, then the client waits.
        let head = "PUT /auth-hz/big.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 15728640\r\n\r\n";
        stream.write_all(head.as_bytes()).expect("head");
        stream.write_all(&[b'x'; 64 * 1024]).expect("some body");
        let (answer, closed) = read_to_close(&mut stream);
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert!(answer.contains("<Code>AccessDenied</Code>"), "{answer}");
        assert!(
            closed,
            "the server closes instead of draining the body: {answer}"
        );
    })
    .await
    .expect("client");
    // A signed rule document announcing 15 MiB is refused from its declared length: a
    // rule is a document, and documents are capped far below object data.
    let mut req =
        ossguard::core::ops::encryption::put("auth-hz", &ossguard::core::sse::SseRule::Aes256);
    ossguard::core::sign::sign(
        &mut req,
        ossguard::core::sign::SignatureVersion::V4,
        &h.creds(),
        HZ,
        chrono::Utc::now(),
    );
    let mut head = "PUT /auth-hz/?encryption HTTP/1.1\r\nHost: x\r\n".to_owned();
    for (name, value) in &req.headers {
        if !name.eq_ignore_ascii_case("content-length") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("Content-Length: 15728640\r\n\r\n");
    let mut stream = connect(&h);
    let answer = tokio::task::spawn_blocking(move || {
        stream.write_all(head.as_bytes()).expect("head");
        read_to_close(&mut stream).0
    })
    .await
    .expect("client");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<Code>EntityTooLarge</Code>"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_trickling_connections_are_closed() {
    let h = Harness::start(|c| {
        c.connection_limits.idle_timeout = Duration::from_millis(300);
    })
    .await;
    let mut idle = connect(&h);
    let mut trickle = connect(&h);
    let result = tokio::task::spawn_blocking(move || {
        let (answer, closed) = read_to_close(&mut idle);
        assert!(closed && answer.is_empty(), "idle: {answer:?}");
        // A head sent one byte every 50 ms never completes: closed all the same.
        let start = Instant::now();
        let mut cut_off = false;
        for byte in b"GET / HTTP/1.1\r\nx-oss-meta-slow: ".iter().cycle() {
            if trickle.write_all(&[*byte]).is_err() {
                cut_off = true;
                break;
            }
            if start.elapsed() > Duration::from_secs(10) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        cut_off
    })
    .await
    .expect("client");
    assert!(result, "a trickling head was still accepted after 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_bound_wait_until_one_closes() {
    let h = Harness::start(|c| {
        c.connection_limits = ConnectionLimits {
            max_connections: 2,
            ..ConnectionLimits::default()
        };
    })
    .await;
    let held = [connect(&h), connect(&h)];
    let mut third = connect(&h);
    let answered = tokio::task::spawn_blocking(move || {
        third
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("request");
        third
            .set_read_timeout(Some(Duration::from_millis(700)))
            .expect("timeout");
        let mut buf = [0u8; 64];
        let early = matches!(third.read(&mut buf), Ok(n) if n > 0);
        drop(held);
        third
            .set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        let (answer, _) = read_to_close(&mut third);
        (early, answer)
    })
    .await
    .expect("client");
    assert!(!answered.0, "served while two connections held the bound");
    assert!(answered.1.starts_with("HTTP/1.1 403"), "{}", answered.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_urls_and_headers_get_oss_errors() {
    let h = Harness::start(|_| {}).await;
    let base = h.base_url(HZ);
    let long_url = format!("{base}/b/{}", "k".repeat(20_000));
    let answer = h.http.get(&long_url).send().await.expect("answer");
    assert_eq!(answer.status().as_u16(), 414);
    let body = answer.text().await.expect("body");
    let doc = ossguard::core::xml::error::parse(&body).expect("OSS error XML");
    assert_eq!(doc.code, "RequestURITooLong");
    let answer = h
        .http
        .get(format!("{base}/"))
        .header("x-oss-meta-big", "v".repeat(100_000))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 431);
    let body = answer.text().await.expect("body");
    let doc = ossguard::core::xml::error::parse(&body).expect("OSS error XML");
    assert_eq!(doc.code, "RequestHeaderTooLarge");
}
