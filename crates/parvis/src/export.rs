//! `parvis export`: write a space of the configured store as JSON Lines.

use crate::config::StoreArgs;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// Writes the space `space` to `output` (standard output by default), one record a line.
pub(crate) async fn run(
    store_args: &StoreArgs,
    space: String,
    output: Option<PathBuf>,
) -> Result<()> {
    let store = crate::open_configured_store(store_args).await?;
    let space = store
        .space_by_slug(&space)
        .await?
        .with_context(|| format!("no space {space:?} in this store (see `parvis spaces`)"))?;
    let sink: Box<dyn Write> = match &output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = std::io::BufWriter::new(sink);
    let n = store
        .export_space(&space, |record| {
            serde_json::to_writer(&mut sink, &record)?;
            sink.write_all(b"\n")
        })
        .await?;
    sink.flush()?;
    eprintln!("exported {n} records from space {:?}", space.slug);
    Ok(())
}
