//! A real DNS server on 127.0.0.1 (hickory-server, in process, ephemeral UDP + TCP port) serving
//! one zone from memory, counting the queries it receives.

use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_server::net::runtime::{Time, TokioRuntimeProvider};
use hickory_server::proto::rr::rdata::{A, CNAME, NAPTR, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use hickory_server::Server;

/// Negative-answer TTL in the test zone's SOA.
pub const SOA_MINIMUM: u32 = 300;

pub struct TestDns {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<(String, RecordType)>>>,
    _server: Server<Counting>,
}

pub struct Counting {
    catalog: Catalog,
    log: Arc<Mutex<Vec<(String, RecordType)>>>,
}

#[async_trait::async_trait]
impl RequestHandler for Counting {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        if let Ok(info) = request.request_info() {
            self.log.lock().unwrap().push((
                info.query.name().to_string().to_ascii_lowercase(),
                info.query.query_type(),
            ));
        }
        self.catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

pub fn name(s: &str) -> Name {
    Name::from_str(&format!("{}.", s.trim_end_matches('.'))).unwrap()
}

pub fn naptr(owner: &str, ttl: u32, service: &str, regexp: &str) -> Record {
    Record::from_rdata(
        name(owner),
        ttl,
        RData::NAPTR(NAPTR::new(
            100,
            10,
            b"U".to_vec().into_boxed_slice(),
            service.as_bytes().to_vec().into_boxed_slice(),
            regexp.as_bytes().to_vec().into_boxed_slice(),
            Name::root(),
        )),
    )
}

pub fn cname(owner: &str, ttl: u32, target: &str) -> Record {
    Record::from_rdata(name(owner), ttl, RData::CNAME(CNAME(name(target))))
}

pub fn a(owner: &str, ttl: u32, ip: Ipv4Addr) -> Record {
    Record::from_rdata(name(owner), ttl, RData::A(A(ip)))
}

impl TestDns {
    /// Serves `zone` with an SOA and `records`.
    pub async fn start(zone: &str, records: Vec<Record>) -> TestDns {
        let origin = name(zone);
        let mut handler = InMemoryZoneHandler::<TokioRuntimeProvider>::empty(
            origin.clone(),
            ZoneType::Primary,
            AxfrPolicy::Deny,
        );
        let soa = SOA::new(
            name(&format!("ns.{zone}")),
            name(&format!("hostmaster.{zone}")),
            1,
            3600,
            600,
            86400,
            SOA_MINIMUM,
        );
        assert!(handler.upsert_mut(Record::from_rdata(origin.clone(), 3600, RData::SOA(soa)), 1));
        for r in records {
            assert!(handler.upsert_mut(r, 1));
        }
        let mut catalog = Catalog::new();
        catalog.upsert(LowerName::new(&origin), vec![Arc::new(handler)]);
        let log = Arc::new(Mutex::new(Vec::new()));
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        // TCP on the same port, for truncated answers; ignore the rare case it is taken.
        let tcp = tokio::net::TcpListener::bind(addr).await.ok();
        let mut server = Server::new(Counting {
            catalog,
            log: log.clone(),
        });
        server.register_socket(udp);
        if let Some(tcp) = tcp {
            server.register_listener(tcp, Duration::from_secs(5), 64);
        }
        TestDns {
            addr,
            log,
            _server: server,
        }
    }

    /// All queries so far, as (lower-case name with trailing dot, type).
    pub fn queries(&self) -> Vec<(String, RecordType)> {
        self.log.lock().unwrap().clone()
    }

    pub fn query_count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

/// A UDP + TCP "DNS server" that reads queries and never answers.
pub struct SilentDns {
    pub addr: SocketAddr,
    _udp: Arc<tokio::net::UdpSocket>,
    _tcp: Option<tokio::net::TcpListener>,
}

impl SilentDns {
    pub async fn start() -> SilentDns {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        let tcp = tokio::net::TcpListener::bind(addr).await.ok();
        SilentDns {
            addr,
            _udp: Arc::new(udp),
            _tcp: tcp,
        }
    }
}
