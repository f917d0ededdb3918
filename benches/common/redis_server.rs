//! A `redis-server` of its own on a free loopback port, stopped when dropped: for the Redis
//! cache store's bench (`benches/cache.rs`) and its tests
//! (`tests/client/compose_cache_redis.rs`). Include with
//! `#[path = "…/benches/common/redis_server.rs"] mod redis_server;`. Only `std`: it waits
//! for the server by sending `PING` over a plain TCP connection.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server has to answer `PING`.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `redis-server` (no persistence, bound to 127.0.0.1), killed when dropped.
pub struct RedisServer {
    child: Child,
    /// `redis://127.0.0.1:<port>/`.
    pub url: String,
}

impl RedisServer {
    /// Starts `redis-server` on a free loopback port and waits (at most 10 s) until it
    /// answers `PING`. Panics, saying how to install it, when `redis-server` is not on `PATH`.
    pub fn start() -> Self {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| match error.kind() {
                ErrorKind::NotFound => panic!(
                    "redis-server is not on PATH: install it (`apt-get install redis-server`, \
                     `brew install redis`) to run the Redis cache bench and tests"
                ),
                _ => panic!("could not start redis-server: {error}"),
            });
        let mut server = Self {
            child,
            url: format!("redis://127.0.0.1:{port}/"),
        };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("redis-server exited at start ({status}): is port {port} taken?");
            }
            if answers_ping(address) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not answer PING on {address} within {START_TIMEOUT:?}");
    }
}

/// Whether a server at `address` answers `PING` with `+PONG`.
fn answers_ping(address: SocketAddr) -> bool {
    let Ok(mut connection) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = connection.set_read_timeout(Some(Duration::from_secs(1)));
    let mut answer = [0u8; 7];
    connection.write_all(b"PING\r\n").is_ok()
        && connection.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
