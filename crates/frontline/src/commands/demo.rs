//! `frontline demo`: a fresh database from the bundled real data.

use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder for the files the demo writes.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

pub fn run(_db: &Path, _args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("demo: being built (issue 2)")
}
