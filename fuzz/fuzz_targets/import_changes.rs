//! Fuzz `frontline import changes` on arbitrary bytes (parse and validate; no database).
#![no_main]

use frontline::import::ImportKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    frontline_fuzz::import(ImportKind::Changes, "changes.csv", data);
});
