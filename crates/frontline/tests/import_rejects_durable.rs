//! `--rejects FILE` is on disk before the import is committed: an import that is interrupted
//! between the two (killed, or here: its commit failing because another process holds the
//! database's write lock) still leaves the list of the rows it left out, complete, and no
//! temporary file beside it.

mod common;

use common::*;

#[test]
fn the_rejects_file_is_written_before_the_import_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("frontline.db");
    ok(
        &db,
        &["import", "actors", data("actors.csv").to_str().unwrap()],
    );
    let obs = dir.path().join("obs.csv");
    std::fs::write(
        &obs,
        "key,label,lat,lon,feature,actor,actor2,status,date,precision,source,url,evidence,grading,analyst,note\n\
         ,Tabqa,35.8366,38.5481,town,sdf,,held,2017-05-10,day,SDF,,,,,\n\
         ,X,95.9,39.0,town,sdf,,held,2017-05-10,day,S,,,,,\n",
    )
    .unwrap();
    let rejects = dir.path().join("out").join("rejects.csv");
    std::fs::create_dir(rejects.parent().unwrap()).unwrap();

    // Another process holds the write lock until the import has given up waiting for it.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = frontline(
        &db,
        &[
            "import",
            "observations",
            obs.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    holder.execute_batch("ROLLBACK").unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the commit was expected to fail: {stderr}"
    );
    assert!(stderr.contains("to the database"), "{stderr}");
    let written = std::fs::read_to_string(&rejects).expect("the rejects file exists");
    assert_eq!(written.lines().count(), 2, "{written}");
    assert!(written.starts_with("line,field,reason,row\n"), "{written}");
    assert!(written.contains("3,lat,"), "{written}");
    let names: Vec<_> = std::fs::read_dir(rejects.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["rejects.csv"]);
    assert_eq!(counts(&db).observations, 0);
}
