//! `frontline import <kind> <file>`.

use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    pub kind: String,
    /// The file to import.
    pub file: PathBuf,
}

pub fn run(_db: &Path, _args: ImportArgs) -> anyhow::Result<()> {
    anyhow::bail!("import: being built (issue 2)")
}
