//! What the fuzz targets share: the lookups the importers resolve names against (the bundled
//! actors, a gazetteer excerpt and map labels, parsed once without a database) and one call
//! that parses arbitrary bytes as a given kind of file, as `frontline import` would before
//! writing to the store.

use chrono::NaiveDate;
use frontline::import::{parse_input, ImportKind, ImportOptions, Input, Lookups, RejectMode};
use std::sync::OnceLock;

const ACTORS: &str = include_str!("../../data/actors.csv");
const GAZETTEER: &str = include_str!("../../crates/frontline/tests/fixtures/geonames_dump_sample.txt");
const WIKI: &str = include_str!("../../crates/frontline/tests/fixtures/wiki_iraq_sample.csv");

fn options() -> ImportOptions {
    ImportOptions {
        // Collect: the good rows and the reasons of the bad ones are both worked out.
        rejects: RejectMode::Collect,
        today: NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date"),
        progress: false,
        ..ImportOptions::default()
    }
}

fn parse_bundled(kind: ImportKind, name: &str, text: &str, lookups: &Lookups) -> frontline::import::Parsed {
    let input = Input::from_bytes(name, text.as_bytes().to_vec()).expect("bundled input");
    parse_input(kind, &input, &options(), lookups).expect("bundled file parses")
}

/// The bundled actors, the gazetteer fixture and the labels of the Iraq snapshot fixture.
pub fn lookups() -> &'static Lookups {
    static LOOKUPS: OnceLock<Lookups> = OnceLock::new();
    LOOKUPS.get_or_init(|| {
        let empty = Lookups::default();
        let actors = parse_bundled(ImportKind::Actors, "actors.csv", ACTORS, &empty).batch.actors;
        let places = parse_bundled(ImportKind::Gazetteer, "geonames.txt", GAZETTEER, &empty).batch.places;
        let with_actors = Lookups::from_values(&actors, &[], []);
        let labels = parse_bundled(ImportKind::Wiki, "/nonexistent/wiki_iraq.csv", WIKI, &with_actors)
            .batch
            .observations;
        Lookups::from_values(&actors, &places, labels)
    })
}

/// Parse `data` as a file called `name` of `kind`; any outcome but a panic or a hang is fine.
pub fn import(kind: ImportKind, name: &str, data: &[u8]) {
    let Ok(input) = Input::from_bytes(name, data.to_vec()) else {
        return;
    };
    let _ = parse_input(kind, &input, &options(), lookups());
}
