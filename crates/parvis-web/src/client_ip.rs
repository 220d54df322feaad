//! Who is calling: the peer's address, or, behind a reverse proxy that is trusted, the
//! address that proxy saw (`X-Forwarded-For`). The sign-in rate limits count by this address,
//! so a header anyone can send must not decide it: it is read only when the peer is one of
//! the trusted proxies (`--trusted-proxies`, CIDRs), and then from the right, skipping the
//! trusted hops, so a client cannot slip a made-up address in front.

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// The reverse proxies whose `X-Forwarded-For` is believed. Empty by default: the header is
/// ignored and the peer's address counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parse CIDRs or single addresses separated by commas or spaces, e.g.
    /// `127.0.0.1/32, 10.0.0.0/8, ::1`. The error names the entry at fault.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for entry in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|e| !e.is_empty())
        {
            let (addr, len) = match entry.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (entry, None),
            };
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| format!("{entry:?} is not an IP address or CIDR (e.g. 10.0.0.0/8)"))?;
            let ip = ip.to_canonical();
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len =
                match len {
                    Some(l) => l.parse::<u8>().ok().filter(|l| *l <= max).ok_or_else(|| {
                        format!("{entry:?}: the prefix length must be 0 to {max}")
                    })?,
                    None => max,
                };
            out.push((ip, len));
        }
        Ok(Self(out))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|(net, len)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
                u32::from(*n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(*len)).unwrap_or(0);
                u128::from(*n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the
    /// right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let parsed = hop
                .parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()));
            let Some(ip) = parsed else {
                // Garbage in the chain: stop at the last address a trusted proxy vouched for.
                return client;
            };
            client = ip.to_canonical();
            if !self.contains(client) {
                return client;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(none.client(peer, &headers("1.2.3.4")), peer);
        let local = TrustedProxies::parse("127.0.0.1/32, 10.0.0.0/8 ::1").unwrap();
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            local.client(proxy, &headers("198.51.100.7")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A client-supplied address in front is not believed: the right-most untrusted hop is.
        assert_eq!(
            local.client(proxy, &headers("6.6.6.6, 198.51.100.7, 10.1.2.3")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Not trusted: the header is ignored.
        assert_eq!(local.client(peer, &headers("198.51.100.7")), peer);
        // No header, or garbage: the proxy itself.
        assert_eq!(local.client(proxy, &HeaderMap::new()), proxy);
        assert_eq!(local.client(proxy, &headers("nonsense")), proxy);
        let v6: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(
            local.contains(v6),
            "IPv4-mapped addresses match their IPv4 network"
        );
    }

    #[test]
    fn bad_lists_name_the_entry() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        let e = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(e.contains("proxy.local"), "{e}");
        let e = TrustedProxies::parse("10.0.0.0/33").unwrap_err();
        assert!(e.contains("0 to 32"), "{e}");
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
    }
}
