//! The commands an operator needs to start an instance from the shell, before anyone can
//! sign in through the web: spaces and topics, and which store a command opened.
//!
//! The operator who can open the store file (or the database URL) already holds every right
//! over it, so these commands act without a signed-in actor; they go through the same
//! services (and so the same validation) as the admin pages.

use anyhow::{Context, Result};
use clap::Subcommand;
use parvis_services::Services;
use parvis_store::Store;

#[derive(Subcommand, Debug)]
pub enum SpaceCommand {
    /// Create a space: `parvis space create blog --name "Our blog"`.
    Create {
        /// Its URL name: lower-case letters, digits and dashes (e.g. `forum-alliance`).
        slug: String,
        /// Its display name (default: the slug).
        #[arg(long)]
        name: Option<String>,
        /// One paragraph saying what the space is for.
        #[arg(long, default_value = "")]
        description: String,
        /// The IANA time zone in which its sessions and challenge deadlines are entered and
        /// shown (e.g. `America/Montreal`; default Europe/Paris).
        #[arg(long)]
        time_zone: Option<String>,
    },
    /// List the spaces of the store (URL name, then display name).
    List,
}

#[derive(Subcommand, Debug)]
pub enum TopicCommand {
    /// Create a topic in a space: `parvis topic create --space blog "Customer experience"
    /// --keywords "nps,satisfaction"`. Messages that mention a keyword are tagged with it.
    Create {
        /// The topic's title.
        title: String,
        /// The space (see `parvis space list`).
        #[arg(long)]
        space: String,
        /// Its URL name (default: made from the title).
        #[arg(long)]
        slug: Option<String>,
        /// Comma-separated keywords that tag messages with this topic.
        #[arg(long, default_value = "")]
        keywords: String,
        /// One paragraph saying what the topic covers.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Tag the space's existing messages again with one topic's keywords (or every topic's):
    /// after editing keywords, or if a server stopped while tagging in the background.
    Retag {
        /// The space (see `parvis space list`).
        #[arg(long)]
        space: String,
        /// Only this topic (its URL name, see `parvis topic list`).
        #[arg(long)]
        topic: Option<String>,
    },
    /// List the topics of a space (URL name, title, thread count).
    List {
        /// The space (see `parvis space list`).
        #[arg(long)]
        space: String,
    },
}

/// The line every CLI command prints first on standard error, so that nobody works on one
/// store believing it is another (the demo's file differs from the default one). Passwords
/// in database URLs are masked.
pub fn describe_store(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            format!("store: {u}")
        }
        _ => format!("store: {url}"),
    }
}

/// When the default store is empty but the demo's file exists, say how to reach the demo's
/// data, since that is the usual reason for an empty answer right after `parvis demo`.
pub async fn hint_if_demo_elsewhere(store: &Store, url: &str) {
    let default_store = url == crate::DEFAULT_DATABASE_URL;
    let demo = std::path::Path::new("parvis-data/demo.db");
    if default_store && demo.exists() && store.list_spaces().await.is_ok_and(|s| s.is_empty()) {
        eprintln!(
            "note: this store is empty; the demo's store is parvis-data/demo.db \
             (add --database-url sqlite://parvis-data/demo.db to work on it)"
        );
    }
}

/// Say what to do when a command names a space that does not exist.
pub async fn require_space(store: &Store, slug: &str) -> Result<()> {
    if store.space_by_slug(slug).await?.is_some() {
        return Ok(());
    }
    let known: Vec<String> = store
        .list_spaces()
        .await?
        .into_iter()
        .map(|s| s.slug)
        .collect();
    let listing = if known.is_empty() {
        "this store has no space yet".to_string()
    } else {
        format!("its spaces are: {}", known.join(", "))
    };
    anyhow::bail!(
        "space {slug:?} not found in this store ({listing}); create it with \
         `parvis space create {slug} --name \"…\"`"
    )
}

pub async fn space(services: &Services, command: SpaceCommand) -> Result<()> {
    match command {
        SpaceCommand::Create {
            slug,
            name,
            description,
            time_zone,
        } => {
            let name = name.unwrap_or_else(|| slug.clone());
            let space = services
                .operator_create_space_in_zone(&slug, &name, &description, time_zone.as_deref())
                .await
                .with_context(|| format!("cannot create space {slug:?}"))?;
            println!(
                "space {:?} created ({}, time zone {}); add topics with `parvis topic create --space {} \"Title\"`",
                space.slug, space.name, space.time_zone, space.slug
            );
        }
        SpaceCommand::List => {
            let spaces = services.store().list_spaces().await?;
            if spaces.is_empty() {
                eprintln!(
                    "no space yet: create one with `parvis space create SLUG --name \"Name\"`"
                );
            }
            for s in spaces {
                println!("{}\t{}", s.slug, s.name);
            }
        }
    }
    Ok(())
}

/// Tags the space's existing messages with `topic` (or all its topics), showing progress on a
/// terminal, and says how many messages now carry it.
async fn tag_with_progress(
    services: &Services,
    space: &parvis_domain::Space,
    topic: Option<&parvis_domain::Topic>,
) -> Result<()> {
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} tagging existing messages: {pos} read ({per_sec})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let summary = services
        .tag_existing_messages(space, topic.map(|t| t.id), |n| {
            if let Some(bar) = &bar {
                bar.set_position(n);
            }
        })
        .await
        .context("cannot tag the existing messages (run `parvis topic retag` again)")?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "{} existing message{} read, {} tag{} written",
        summary.messages_read,
        if summary.messages_read == 1 { "" } else { "s" },
        summary.tags,
        if summary.tags == 1 { "" } else { "s" }
    );
    Ok(())
}

pub async fn topic(services: &Services, command: TopicCommand) -> Result<()> {
    match command {
        TopicCommand::Create {
            title,
            space,
            slug,
            keywords,
            description,
        } => {
            require_space(services.store(), &space).await?;
            let space = services.space(&space).await?;
            let keywords: Vec<String> = keywords.split(',').map(str::to_string).collect();
            let topic = services
                .operator_create_topic(&space, slug.as_deref(), &title, &description, &keywords)
                .await
                .with_context(|| format!("cannot create topic {title:?}"))?;
            println!(
                "topic {:?} created in space {:?} ({} keyword{})",
                topic.slug,
                space.slug,
                topic.keywords.len(),
                if topic.keywords.len() == 1 { "" } else { "s" }
            );
            tag_with_progress(services, &space, Some(&topic)).await?;
        }
        TopicCommand::Retag { space, topic } => {
            require_space(services.store(), &space).await?;
            let space = services.space(&space).await?;
            let topic = match topic {
                Some(slug) => Some(services.topic(&space, &slug).await.with_context(|| {
                    format!(
                        "see the topics with `parvis topic list --space {}`",
                        space.slug
                    )
                })?),
                None => None,
            };
            tag_with_progress(services, &space, topic.as_ref()).await?;
        }
        TopicCommand::List { space } => {
            require_space(services.store(), &space).await?;
            let space = services.space(&space).await?;
            let topics = services.topics(&space).await?;
            if topics.is_empty() {
                eprintln!(
                    "no topic yet in {:?}: create one with `parvis topic create --space {} \"Title\"`",
                    space.slug, space.slug
                );
            }
            for t in topics {
                println!("{}\t{}\t{}", t.slug, t.title, t.thread_count);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_masked() {
        let line = describe_store("postgres://parvis:s3cret@db.example/parvis");
        assert!(!line.contains("s3cret"), "{line}");
        assert!(line.contains("db.example/parvis"), "{line}");
        assert_eq!(
            describe_store("sqlite://parvis-data/parvis.db"),
            "store: sqlite://parvis-data/parvis.db"
        );
    }
}
