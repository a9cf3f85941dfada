//! A small real HTTP server on 127.0.0.1 (axum) standing in for an SMP: it serves canned
//! replies by exact (percent-encoded) path and counts the requests it gets.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

#[derive(Clone)]
pub enum Reply {
    Xml {
        status: u16,
        body: Vec<u8>,
        cache_control: Option<String>,
    },
    /// Accept the request and never answer.
    Hang,
}

impl Reply {
    pub fn ok(body: Vec<u8>) -> Reply {
        Reply::Xml {
            status: 200,
            body,
            cache_control: None,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::Xml {
            status,
            body: b"<error/>".to_vec(),
            cache_control: None,
        }
    }
}

#[derive(Default)]
struct SmpState {
    replies: Mutex<HashMap<String, Reply>>,
    hits: Mutex<Vec<String>>,
}

pub struct TestSmp {
    pub addr: SocketAddr,
    state: Arc<SmpState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestSmp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(s): State<Arc<SmpState>>, uri: Uri) -> Response {
    let path = uri.path().to_owned();
    s.hits.lock().unwrap().push(path.clone());
    let reply = s.replies.lock().unwrap().get(&path).cloned();
    match reply {
        None => (StatusCode::NOT_FOUND, "not here").into_response(),
        Some(Reply::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Reply::Xml {
            status,
            body,
            cache_control,
        }) => {
            let mut r = (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, "application/xml")],
                body,
            )
                .into_response();
            if let Some(cc) = cache_control {
                r.headers_mut()
                    .insert(header::CACHE_CONTROL, cc.parse().unwrap());
            }
            r
        }
    }
}

impl TestSmp {
    pub async fn start() -> TestSmp {
        let state = Arc::new(SmpState::default());
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestSmp { addr, state, task }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.state
            .replies
            .lock()
            .unwrap()
            .insert(path.to_owned(), reply);
    }

    pub fn hits(&self) -> usize {
        self.state.hits.lock().unwrap().len()
    }
}
