//! Per-client, per-site submission limits (GCRA, from `governor`). The state is per
//! instance: behind a load balancer each instance allows the configured rate.

use crate::config::Config;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

type Key = (String, IpAddr);

#[derive(Clone)]
pub struct SubmissionLimiter {
    limiter: Option<Arc<DefaultKeyedRateLimiter<Key>>>,
    trusted_proxies: Arc<[IpNet]>,
}

impl SubmissionLimiter {
    pub fn new(config: &Config) -> Self {
        let limiter = NonZeroU32::new(config.rate_limit).map(|per_minute| {
            let limiter = Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute)));
            forget_idle_clients(Arc::downgrade(&limiter));
            limiter
        });
        SubmissionLimiter { limiter, trusted_proxies: config.trusted_proxies.clone().into() }
    }

    /// `Err(wait)` when this client has used up its allowance for `site_key`.
    pub fn check(&self, site_key: &str, peer: PeerAddr, headers: &HeaderMap) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        let client = client_ip(peer.0, headers, &self.trusted_proxies);
        limiter
            .check_key(&(site_key.to_owned(), client))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The socket peer's address, when the server was started with connection info (in
/// tests on the bare router there is none).
#[derive(Clone, Copy, Debug)]
pub struct PeerAddr(pub Option<IpAddr>);

impl PeerAddr {
    pub fn of<B>(request: &axum::http::Request<B>) -> Self {
        PeerAddr(request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// The client a request is from ([`client_ip`] of its peer and headers), which sign-ins
/// are throttled by.
#[derive(Clone, Copy, Debug)]
pub struct Client(pub IpAddr);

impl FromRequestParts<crate::AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &crate::AppState) -> Result<Self, Self::Rejection> {
        let peer = PeerAddr::from_request_parts(parts, state).await?;
        Ok(Client(client_ip(peer.0, &parts.headers, &state.config.trusted_proxies)))
    }
}

/// Drops the state of clients that are back to a full allowance, so memory follows the
/// number of recently active clients, not every client ever seen.
fn forget_idle_clients(limiter: std::sync::Weak<DefaultKeyedRateLimiter<Key>>) {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let Some(limiter) = limiter.upgrade() else { return };
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    });
}

/// The client's address: the socket's peer, unless the peer is a trusted proxy, in which
/// case the right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().unwrap());
        headers
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let spoofed = headers("1.1.1.1, 203.0.113.7");
        assert_eq!(client_ip(Some(proxy), &spoofed, &trusted), "203.0.113.7".parse::<IpAddr>().unwrap());
        let chained = headers("203.0.113.7, 10.0.0.9");
        assert_eq!(client_ip(Some(proxy), &chained, &trusted), "203.0.113.7".parse::<IpAddr>().unwrap());
        let direct: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(Some(direct), &spoofed, &trusted), direct, "an untrusted peer cannot claim an address");
        assert_eq!(client_ip(Some(proxy), &HeaderMap::new(), &trusted), proxy);
    }
}
