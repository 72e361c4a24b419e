//! The parts of the `frontline` binary that its integration tests and fuzz targets drive
//! directly: the HTTP server (tested without a socket through `server::router`), the importers
//! (whose parse step runs on bytes without a database, see `import::parse_input`) and the
//! bundled base map, which the map commands and the server's rendered maps share.

pub mod app;
pub mod basemap;
pub mod export;
pub mod gpkg;
pub mod import;
pub mod server;
