//! The parts of the `frontline` binary that its integration tests drive directly: the HTTP
//! server (tested without a socket through `server::router`).

pub mod server;
