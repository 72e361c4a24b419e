//! Fuzz `frontline import wiki` (the file in a folder that does not exist, so the bundled
//! marks.csv is the legend) on arbitrary bytes (parse and validate; no database).
#![no_main]

use frontline::import::ImportKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontline_fuzz::import(ImportKind::Wiki, "/nonexistent/wiki_syria.csv", data);
});
