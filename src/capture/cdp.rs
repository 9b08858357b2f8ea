//! A small synchronous client of the Chrome DevTools Protocol: JSON messages over one
//! websocket (tungstenite over a plain loopback `TcpStream`), every read bounded by the
//! capture's deadline. Commands to a page go through a flat session (`sessionId`); events that
//! arrive while a command is answered are handed to an [`Events`] handler, which may send
//! commands of its own (their answers are not waited for).

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use super::CaptureError;

/// Whoever handles the events of a session.
pub trait Events {
    fn on_event(&mut self, cdp: &mut Cdp, method: &str, params: &Value)
    -> Result<(), CaptureError>;
}

/// One DevTools connection.
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    deadline: Instant,
}

impl Cdp {
    /// Connects to the browser's DevTools address (loopback only), accepting messages up to
    /// `max_message` bytes (a screenshot comes back as one base64 message).
    pub fn connect(
        ws_url: &str,
        deadline: Instant,
        max_message: usize,
    ) -> Result<Cdp, CaptureError> {
        let url = url::Url::parse(ws_url)
            .map_err(|e| CaptureError::Browser(format!("bad DevTools address {ws_url:?}: {e}")))?;
        let addr = match (url.scheme(), url.host_str(), url.port()) {
            ("ws", Some("127.0.0.1"), Some(port)) => {
                std::net::SocketAddr::from(([127, 0, 0, 1], port))
            }
            _ => {
                return Err(CaptureError::Browser(format!(
                    "the browser's DevTools address {ws_url:?} is not on 127.0.0.1"
                )));
            }
        };
        let stream = TcpStream::connect_timeout(&addr, remaining(deadline)?)
            .map_err(|e| CaptureError::Browser(format!("cannot reach DevTools: {e}")))?;
        stream
            .set_read_timeout(Some(remaining(deadline)?))
            .map_err(io)?;
        stream
            .set_write_timeout(Some(remaining(deadline)?))
            .map_err(io)?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(max_message))
            .max_frame_size(Some(max_message));
        let (ws, _) = tungstenite::client::client_with_config(ws_url, stream, Some(config))
            .map_err(|e| CaptureError::Browser(format!("DevTools handshake failed: {e}")))?;
        Ok(Cdp {
            ws,
            next_id: 1,
            deadline,
        })
    }

    /// Sends a command without waiting for its answer; returns its id.
    pub fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<u64, CaptureError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .map_err(|e| self.failure(e))?;
        Ok(id)
    }

    /// Sends a command and waits for its answer, handing the events that come meanwhile to
    /// `events`.
    pub fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        events: &mut dyn Events,
    ) -> Result<Value, CaptureError> {
        let id = self.send(session, method, params)?;
        loop {
            let message = self.read()?;
            if message.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = message.get("error") {
                    let text = error.get("message").and_then(Value::as_str).unwrap_or("");
                    return Err(CaptureError::Protocol(format!("{method}: {text}")));
                }
                return Ok(message.get("result").cloned().unwrap_or(Value::Null));
            }
            self.dispatch(&message, events)?;
        }
    }

    /// Reads and handles events until `done` says so.
    pub fn wait_until<E: Events>(
        &mut self,
        events: &mut E,
        done: impl Fn(&E) -> bool,
    ) -> Result<(), CaptureError> {
        while !done(events) {
            let message = self.read()?;
            self.dispatch(&message, events)?;
        }
        Ok(())
    }

    fn dispatch(&mut self, message: &Value, events: &mut dyn Events) -> Result<(), CaptureError> {
        if let Some(method) = message.get("method").and_then(Value::as_str) {
            let params = message.get("params").unwrap_or(&Value::Null);
            events.on_event(self, method, params)?;
        }
        // Anything else answers a command sent without waiting: nothing to do.
        Ok(())
    }

    /// The next JSON message, by the deadline.
    fn read(&mut self) -> Result<Value, CaptureError> {
        loop {
            let wait = remaining(self.deadline)?;
            self.ws.get_ref().set_read_timeout(Some(wait)).map_err(io)?;
            let message = self.ws.read().map_err(|e| self.failure(e))?;
            let text = match message {
                Message::Text(text) => text,
                Message::Close(_) => {
                    return Err(self.failure(tungstenite::Error::ConnectionClosed));
                }
                _ => continue,
            };
            return serde_json::from_str(text.as_str())
                .map_err(|e| CaptureError::Protocol(format!("unreadable DevTools message: {e}")));
        }
    }

    /// A connection error: the time limit if it has passed (the watchdog killed the browser,
    /// or the read timed out), else the browser's failure.
    fn failure(&self, e: tungstenite::Error) -> CaptureError {
        if Instant::now() + Duration::from_millis(50) >= self.deadline {
            CaptureError::TimedOut
        } else {
            CaptureError::Browser(format!("DevTools connection lost: {e}"))
        }
    }
}

fn remaining(deadline: Instant) -> Result<Duration, CaptureError> {
    match deadline.checked_duration_since(Instant::now()) {
        Some(left) if !left.is_zero() => Ok(left),
        _ => Err(CaptureError::TimedOut),
    }
}

fn io(e: std::io::Error) -> CaptureError {
    CaptureError::Browser(format!("DevTools connection: {e}"))
}
