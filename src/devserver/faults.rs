//! Injected faults: a fail rate that answers 503 or drops the connection.
//!
//! Dropping must look to the client like a real network failure (reset or EOF before any
//! answer byte), decided per request. Handlers have no handle on the socket, so each accepted
//! stream is wrapped in [`FaultyStream`] with a shared [`KillSwitch`]; the handler reaches
//! the switch through a request extension, flips it, and the next write fails: the
//! socket is set to linger 0 (so closing sends RST) and hyper drops the connection without
//! writing a response.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What the fail-rate dice decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    /// Answer 503 ServiceUnavailable.
    Unavailable,
    /// Close the connection without answering.
    Drop,
}

/// With probability `rate` a fault, split evenly between the two kinds.
pub(crate) fn roll(rate: f64) -> Fault {
    if rate <= 0.0 {
        return Fault::None;
    }
    let x: f64 = rand::random();
    if x >= rate {
        Fault::None
    } else if x < rate / 2.0 {
        Fault::Unavailable
    } else {
        Fault::Drop
    }
}

/// Shared between a connection's stream and its requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct KillSwitch(Arc<AtomicBool>);

impl KillSwitch {
    pub fn trigger(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_triggered(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

pub(crate) struct FaultyStream {
    inner: TcpStream,
    kill: KillSwitch,
}

impl FaultyStream {
    pub fn new(inner: TcpStream, kill: KillSwitch) -> Self {
        Self { inner, kill }
    }

    fn killed(&mut self) -> Option<io::Error> {
        if !self.kill.is_triggered() {
            return None;
        }
        // Linger 0: the close that follows sends RST instead of a clean FIN.
        self.inner.set_zero_linger().ok();
        Some(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection dropped by fault injection",
        ))
    }
}

impl AsyncRead for FaultyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, roll};

    #[test]
    fn rates_at_the_edges() {
        assert!((0..100).all(|_| roll(0.0) == Fault::None));
        assert!((0..100).all(|_| roll(1.0) != Fault::None));
        let drops = (0..2000).filter(|_| roll(1.0) == Fault::Drop).count();
        assert!((700..1300).contains(&drops), "{drops}");
    }
}
