//! Accepting connections from the open internet. Unlike `axum::serve`, a connection
//! here has a deadline for its request head (which, on a kept-alive connection, is also
//! how long it may sit idle between requests), and one client address may hold only so
//! many connections at once: a slow or idle client cannot pin the server's sockets.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How much of the server one connection, and one client, may hold.
#[derive(Clone, Debug)]
pub struct Limits {
    /// From a connection's start (or its previous response) to the end of the next
    /// request's head; then the connection is closed.
    pub header_read_timeout: Duration,
    /// Connections open at once from one address; more are closed as they arrive.
    /// Trusted proxies, which carry many clients, are exempt.
    pub connections_per_client: usize,
    pub trusted_proxies: Arc<[IpNet]>,
}

impl Limits {
    pub fn from_args(args: &crate::config::ServeArgs) -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(args.header_timeout.max(1)),
            connections_per_client: args.connections_per_client.max(1),
            trusted_proxies: args.trusted_proxies.clone().into(),
        }
    }
}

/// The open connections of each client address.
#[derive(Clone, Default)]
struct Census(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One counted connection; counted out when dropped.
struct Slot {
    census: Census,
    ip: IpAddr,
}

impl Census {
    fn enter(&self, ip: IpAddr, limit: usize) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Slot { census: self.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.census.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the open requests
/// finish. Handlers see the peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    // HTTP/1.1: browsers speak HTTP/2 only over TLS, which a proxy in front of Hark ends;
    // and sniffing for HTTP/2 (hyper-util's `auto`) waits for a first byte with no deadline.
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let census = Census::default();
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, or a connection reset before it was taken:
                    // wait a little rather than spin.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = if limits.trusted_proxies.iter().any(|net| net.contains(&peer.ip())) {
            None
        } else {
            match census.enter(peer.ip(), limits.connections_per_client) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(%peer, "connection refused: too many from this address");
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone().map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request.map(axum::body::Body::new)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::trace!(%err, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
