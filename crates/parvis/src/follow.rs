//! `parvis follow`: add, list and remove the feeds `parvis serve` polls.

use crate::config::StoreArgs;
use crate::setup;
use anyhow::Result;
use clap::Subcommand;
use parvis_services::{Mailer, ServiceConfig, Services};

#[derive(Subcommand, Debug)]
pub(crate) enum FollowCommand {
    /// Follow an RSS/Atom feed or a Mastodon account's public outbox URL.
    Add {
        url: String,
        /// The space to import into.
        #[arg(long)]
        space: String,
        /// `rss` (RSS and Atom) or `mastodon`; guessed from the URL by default.
        #[arg(long)]
        format: Option<String>,
    },
    /// List followed feeds with their last poll.
    List,
    /// Stop following a feed (by the id `follow list` shows).
    Remove { id: i64 },
}

/// Adds, lists or removes a followed feed in the configured store.
pub(crate) async fn run(store_args: &StoreArgs, command: FollowCommand) -> Result<()> {
    let store = crate::open_configured_store(store_args).await?;
    let services = Services::new(store.clone(), Mailer::Log, ServiceConfig::default());
    match command {
        FollowCommand::Add { url, space, format } => {
            setup::require_space(&store, &space).await?;
            let id = services.follow(&space, &url, format.as_deref()).await?;
            println!("following {url} into space {space:?} (id {id}); `parvis serve` polls it");
        }
        FollowCommand::List => {
            for s in store.followed_sources(None).await? {
                let last = s
                    .last_polled_at
                    .map(parvis_domain::rfc3339)
                    .unwrap_or_else(|| "never".into());
                let error = s
                    .last_error
                    .map(|e| format!("\terror: {e}"))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}\tlast poll {}\t{} items{}",
                    s.id, s.format, s.url, last, s.items_imported, error
                );
            }
        }
        FollowCommand::Remove { id } => {
            if !store.unfollow(id).await? {
                anyhow::bail!("no followed feed with id {id} (see `parvis follow list`)");
            }
            println!("feed {id} no longer followed");
        }
    }
    Ok(())
}
