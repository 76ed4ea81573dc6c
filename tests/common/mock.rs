//! A scripted HTTP server for fault tests, in the style of object_store's `MockServer`
//! (apache/arrow-rs-object-store, src/client/mock_server.rs): a responder closure picks each
//! answer, and every request is recorded so a test can also prove that nothing was sent.
//!
//! Answers are raw bytes, so a test can send what no real server would (a Content-Length
//! longer than the body, an HTML page, nothing at all). One request per connection; the
//! connection is closed after each answer. The server runs on its own thread and runtime, so
//! both `#[test]` (driving the CLI binary) and `#[tokio::test]` tests can use it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// One request as received.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub method: String,
    /// Path and query, as sent on the request line.
    pub target: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl MockRequest {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The first path segment: the bucket of a path-style request.
    pub fn bucket(&self) -> &str {
        self.path().split('/').nth(1).unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// These bytes, then the connection is closed.
    Raw(Vec<u8>),
    /// Nothing for this long, then the connection is closed.
    Silence(Duration),
}

impl Reply {
    /// A complete answer with `status` (e.g. `"200 OK"`) and a correct Content-Length.
    pub fn with_status(status: &str, content_type: &str, body: &str) -> Self {
        Self::Raw(
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nx-oss-request-id: MOCK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }

    /// 200 with an XML body.
    pub fn ok(body: &str) -> Self {
        Self::with_status("200 OK", "application/xml", body)
    }

    /// OSS's error document with `code`.
    pub fn error(status: &str, code: &str) -> Self {
        let body = format!(
            "<Error><Code>{code}</Code><Message>scripted</Message><RequestId>RID</RequestId></Error>"
        );
        Self::with_status(status, "application/xml", &body)
    }

    /// The headers of an XML answer with `content_length`, then `body` as is (which may be
    /// shorter or longer than announced).
    pub fn announced(content_length: usize, body: &str) -> Self {
        Self::Raw(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nx-oss-request-id: MOCK\r\nContent-Length: {content_length}\r\n\r\n{body}"
            )
            .into_bytes(),
        )
    }

    pub fn not_found() -> Self {
        Self::with_status("404 Not Found", "text/plain", "")
    }
}

type Responder = Arc<dyn Fn(&MockRequest) -> Reply + Send + Sync>;

/// A running mock; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<MockRequest>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl MockServer {
    /// Serves on a free loopback port, answering each request with `responder`.
    pub fn start(responder: impl Fn(&MockRequest) -> Reply + Send + Sync + 'static) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let requests: Arc<Mutex<Vec<MockRequest>>> = Arc::default();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let responder: Responder = Arc::new(responder);
        let recorded = requests.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let accept = async {
                    while let Ok((socket, _)) = listener.accept().await {
                        tokio::spawn(serve(socket, responder.clone(), recorded.clone()));
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stopped => {}
                }
            });
        });
        Self {
            addr,
            requests,
            stop: Some(stop),
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<MockRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

async fn serve(
    mut socket: tokio::net::TcpStream,
    responder: Responder,
    recorded: Arc<Mutex<Vec<MockRequest>>>,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let reply = responder(&request);
    if let Ok(mut all) = recorded.lock() {
        all.push(request);
    }
    match reply {
        Reply::Raw(bytes) => {
            socket.write_all(&bytes).await.ok();
        }
        Reply::Silence(duration) => tokio::time::sleep(duration).await,
    }
    socket.shutdown().await.ok();
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<MockRequest> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap_or_default().split_whitespace();
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    Some(MockRequest {
        method,
        target,
        headers,
        body,
    })
}
