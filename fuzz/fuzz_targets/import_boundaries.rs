//! Fuzz `frontline import boundaries` on arbitrary bytes (parse and validate; no database).
#![no_main]

use frontline::import::ImportKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontline_fuzz::import(ImportKind::Boundaries, "areas.geojson", data);
});
