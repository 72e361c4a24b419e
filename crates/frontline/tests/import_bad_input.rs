//! Bad input of every kind: the error names file, line and field, and the database is left
//! exactly as it was; with `--rejects` the good rows go in and the bad ones are written out.

mod common;

use common::*;

struct Case {
    name: &'static str,
    kind: &'static str,
    file: &'static str,
    content: Vec<u8>,
    args: &'static [&'static str],
    /// Text the error must contain (e.g. ":3: field `colour`").
    expect: &'static str,
}

fn case(
    name: &'static str,
    kind: &'static str,
    file: &'static str,
    content: &str,
    expect: &'static str,
) -> Case {
    Case {
        name,
        kind,
        file,
        content: content.as_bytes().to_vec(),
        args: &[],
        expect,
    }
}

const OBS_HEADER: &str = "key,label,lat,lon,feature,actor,actor2,status,date,precision,source,url,evidence,grading,analyst,note\n";
const CHANGES_HEADER: &str = "date,precision,place,country,lat,lon,new_controller,previous_controller,change,source_url,quote\n";
const UCDP_HEADER: &str = "id,year,dyad_name,longitude,latitude,where_prec,priogrid_gid,country,country_id,deaths_a,deaths_b,deaths_battle,deaths_civilians,deaths_unknown,side_a_new_id,side_a,side_b_new_id,side_b\n";
const ACLED_HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n";

fn cases() -> Vec<Case> {
    let good_obs = ",Tabqa,35.8366,38.5481,town,sdf,,held,2017-05-10,day,SDF,,,,,\n";
    vec![
        case("bad colour", "actors", "actors.csv",
            "id,name,aliases,colour,coalition\ntest-actor,Test,,#ffd92f,\nis,IS,,black,\n", ":3: field `colour`"),
        case("unknown actor", "observations", "obs.csv",
            &format!("{OBS_HEADER}{good_obs},X,35.9,39.0,town,wagner,,held,2017-05-10,day,S,,,,,\n"), ":3: field `actor`: unknown actor \"wagner\""),
        Case { args: &["--today", "2017-06-01"], ..case("future date", "observations", "obs.csv",
            &format!("{OBS_HEADER}{good_obs},X,35.9,39.0,town,sdf,,held,2017-07-10,day,S,,,,,\n"), ":3: field `date`: date 2017-07-10 is in the future (today is 2017-06-01)") },
        case("bad grading", "observations", "obs.csv",
            &format!("{OBS_HEADER}{good_obs},X,35.9,39.0,town,sdf,,held,2017-05-10,day,S,,,Z9,,\n"), ":3: field `grading`"),
        case("latitude out of range", "observations", "obs.csv",
            &format!("{OBS_HEADER}{good_obs},X,95.9,39.0,town,sdf,,held,2017-05-10,day,S,,,,,\n"), ":3: field `lat`: latitude 95.9 is out of range"),
        case("geojson feature with a bad status", "observations", "obs.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"actor":"sdf","status":"held","date":"2017-05-10"},"geometry":{"type":"Point","coordinates":[38.5,35.8]}},{"type":"Feature","properties":{"actor":"sdf","status":"captured","date":"2017-05-10"},"geometry":{"type":"Point","coordinates":[38.5,35.8]}}]}"#,
            "obs.geojson:2: field `status`"),
        case("truncated geojson", "observations", "obs.geojson",
            "{\"type\":\"FeatureCollection\",\n\"features\":[{\"type\":\"Feature\",\n", "obs.geojson:3: not valid JSON"),
        case("wiki latitude not a number", "wiki", "wiki_syria.csv",
            "lat,long,mark,label\n36.1,37.2,m.gov,A\n36,x37.2,m.gov,B\n", ":3: field `long`"),
        case("wiki unknown mark", "wiki", "wiki_syria.csv",
            "lat,long,mark,label\n36.1,37.2,m.gov,A\n36.2,37.2,m.gov_IS,B\n", ":3: field `mark`: unknown mark \"m.gov_IS\" for the syria module"),
        case("wiki-lua mark without long", "wiki-lua", "iraq.lua",
            "{\n { lat = 36.35, long = 43.155, mark = m.gov, label = \"[[Mosul]]\" },\n { lat = 36.4, mark = m.gov, label = \"X\" },\n}\n", ":3: field `long`: is missing"),
        case("changes unknown change", "changes", "changes.csv",
            &format!("{CHANGES_HEADER}2015-01-26,day,Kobani,SYR,36.89,38.35,YPG,Islamic State,siege_broken,http://x,q\n2015-01-27,day,Kobani,SYR,36.89,38.35,YPG,Islamic State,liberated,http://x,q\n"), ":3: field `change`"),
        case("changes unknown controller", "changes", "changes.csv",
            &format!("{CHANGES_HEADER}2015-01-26,day,Kobani,SYR,36.89,38.35,YPG,Islamic State,siege_broken,http://x,q\n2015-01-27,day,Kobani,SYR,36.89,38.35,Wagner Group,Islamic State,captured,http://x,q\n"), ":3: field `new_controller`: unknown actor \"Wagner Group\""),
        case("boundaries feature without geometry", "boundaries", "b.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},{"type":"Feature","properties":{"name":"B"},"geometry":null}]}"#,
            "b.geojson:2: field `geometry`: is missing"),
        case("gazetteer bad population", "gazetteer", "g.csv",
            "geonameid,name,latitude,longitude,countrycode,admin1code,population,timezone,n_alternatenames\n1,A,36,38,SY,01,100,Asia/Damascus,0\n2,B,36,38,SY,01,lots,Asia/Damascus,0\n", ":3: field `population`"),
        case("gazetteer unknown country", "gazetteer", "g.csv",
            "geonameid,name,latitude,longitude,countrycode,admin1code,population,timezone,n_alternatenames\n1,A,36,38,SY,01,100,Asia/Damascus,0\n2,B,36,38,XX,01,5,Asia/Damascus,0\n", ":3: field `countrycode`"),
        case("ucdp bad where_prec", "ucdp", "u.csv",
            &format!("{UCDP_HEADER}1,2015,d,38.0,35.0,1,0,Syria,652,1,0,1,0,0,1,Government of Syria,2,IS\n2,2015,d,38.0,35.0,9,0,Syria,652,1,0,1,0,0,1,Government of Syria,2,IS\n"), ":3: field `where_prec`"),
        Case { args: &["--today", "2016-06-01"], ..case("ucdp future year", "ucdp", "u.csv",
            &format!("{UCDP_HEADER}1,2015,d,38.0,35.0,1,0,Syria,652,1,0,1,0,0,1,Government of Syria,2,IS\n2,2017,d,38.0,35.0,1,0,Syria,652,1,0,1,0,0,1,Government of Syria,2,IS\n"), ":3: field `year`: date 2017-01-01 is in the future") },
        case("acled unknown event type", "acled", "a.csv",
            &format!("{ACLED_HEADER}S1,2017-06-06,2017,1,PV,Battles,Armed clash,SDF,,2,IS,,2,22,,760,ME,Syria,R,R,R,Raqqa,35.95,39.01,1,SOHR,Other,n,1,,1\nS2,2017-06-07,2017,1,PV,Skirmish,Armed clash,SDF,,2,IS,,2,22,,760,ME,Syria,R,R,R,Raqqa,35.95,39.01,1,SOHR,Other,n,1,,1\n"), ":3: field `event_type`"),
        case("airstrikes bad count", "airstrikes", "s.csv",
            "date,location,lat,lon,strikes\n2014-10-01,Kobane,36.89,38.35,3\n2014-10-02,Kobane,36.89,38.35,three\n", ":3: field `strikes`"),
        // Whole-file problems.
        case("empty file", "wiki", "wiki_syria.csv", "", "wiki_syria.csv: the file is empty"),
        case("header only", "changes", "changes.csv", CHANGES_HEADER, "changes.csv: the file has a header but no data rows"),
        case("missing columns in the header", "ucdp", "u.csv", "id,year\n1,2015\n", "u.csv: the header lacks column(s)"),
        case("truncated row", "airstrikes", "s.csv",
            "date,location,lat,lon,strikes\n2014-10-01,Kobane,36.89,38.35,3\n2014-10-02,Kobane,36.8", ":3: field `lon`: missing: the row ends after 3 of 5 fields"),
        case("unterminated quote", "wiki", "wiki_syria.csv",
            "lat,long,mark,label\n36.1,37.2,m.gov,\"A\n36.2,37.3,m.gov,B\n", ":2: field `label`: contains a line break: an unterminated quote?"),
        Case { content: b"lat,long,mark,label\n36.1,37.2,m.gov,A\n36.2,37.3,m.gov,Ham\xe2m\n".to_vec(), ..case("latin-1 bytes", "wiki", "wiki_syria.csv", "", "wiki_syria.csv: line 3: byte 0xe2 is not valid UTF-8") },
        Case { content: [&[0xffu8, 0xfe][..], &"lat,long".encode_utf16().flat_map(|u| u.to_le_bytes()).collect::<Vec<u8>>()].concat(), ..case("utf-16", "wiki", "wiki_syria.csv", "", "UTF-16") },
        Case { content: gzip(b"lat,long,mark,label\n36.1,37.2,m.gov,A\n")[..20].to_vec(), ..case("truncated gzip", "wiki", "wiki_syria.csv.gz", "", "not a complete gzip file") },
    ]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn each_bad_input_names_file_line_and_field_and_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let before = counts(&db);
    for c in cases() {
        let path = write(&dir, c.file, &c.content);
        let mut args = vec!["import", c.kind, p(&path)];
        args.extend_from_slice(c.args);
        let err = fails(&db, &args);
        assert!(
            err.contains(c.expect),
            "{}: expected {:?} in:\n{err}",
            c.name,
            c.expect
        );
        assert!(
            err.contains(c.file),
            "{}: the file is not named in:\n{err}",
            c.name
        );
        assert_eq!(counts(&db), before, "{}: the database changed", c.name);
    }
}

#[test]
fn with_rejects_the_good_rows_are_imported_and_the_bad_ones_written_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    // Every row-level case has one good row before its bad one.
    for c in cases()
        .into_iter()
        .filter(|c| c.expect.starts_with(':') && c.expect.contains("field"))
    {
        let before = counts(&db);
        let path = write(&dir, c.file, &c.content);
        let rejects = dir
            .path()
            .join(format!("{}.rejects.csv", c.name.replace(' ', "_")));
        let mut args = vec!["import", c.kind, p(&path), "--rejects", p(&rejects)];
        args.extend_from_slice(c.args);
        let out = ok(&db, &args);
        assert!(
            out.contains("1 rejected"),
            "{}: {out}\n{}",
            c.name,
            std::fs::read_to_string(&rejects).unwrap_or_default()
        );
        let after = counts(&db);
        // The import is logged if its good row changed the database (some cases share a good
        // row with an earlier case: importing it again changes nothing and is not logged).
        let wrote = !(out.contains(": 0 inserted, ") && out.contains(" 0 superseded"));
        assert_eq!(
            after.imports,
            before.imports + u64::from(wrote),
            "{}: {out}",
            c.name
        );
        let written = std::fs::read_to_string(&rejects).unwrap();
        let line = c.expect[1..].split(':').next().unwrap();
        let field = c.expect.split('`').nth(1).unwrap();
        assert!(
            written
                .lines()
                .nth(1)
                .unwrap()
                .starts_with(&format!("{line},{field},")),
            "{}: {written}",
            c.name
        );
    }
}

#[test]
fn the_real_wiki_file_reports_kharab_suluq_out_of_range_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_with_actors(&dir);
    let before = counts(&db);
    let err = fails(
        &db,
        &["import", "wiki", p(&data("control/wiki_syria_2017.csv"))],
    );
    assert!(
        err.contains("wiki_syria_2017.csv:1238: field `long`: longitude 366514 is out of range"),
        "{err}"
    );
    assert_eq!(counts(&db), before);
}

#[test]
fn observations_need_the_actors_imported_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let err = fails(
        &db,
        &["import", "wiki", p(&fixture("wiki_iraq_sample.csv"))],
    );
    assert!(err.contains("unknown actor \"iraqi-government\""), "{err}");
}
