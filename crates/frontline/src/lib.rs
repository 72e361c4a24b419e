//! The parts of the `frontline` binary that its integration tests drive directly: the HTTP
//! server (tested without a socket through `server::router`) and the bundled base map, which
//! the map commands and the server's rendered maps share.

pub mod app;
pub mod basemap;
pub mod export;
pub mod gpkg;
pub mod server;
