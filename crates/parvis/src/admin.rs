//! `parvis admin`: administration from the command line (the first admin account).

use crate::DEFAULT_DATABASE_URL;
use crate::config::{Config, ServerArgs, StoreArgs};
use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum AdminCommand {
    /// Create an admin account (the first one, typically) and print a one-time sign-in link.
    Add {
        /// Their email address.
        email: String,
        /// Their display name.
        #[arg(long, default_value = "Admin")]
        name: String,
        /// The public URL to build the sign-in link with (default: as `parvis serve` would
        /// resolve it from PARVIS_PUBLIC_URL, PARVIS_PORT or the configuration file).
        #[arg(long, env = "PARVIS_PUBLIC_URL")]
        public_url: Option<String>,
        /// The port the server listens on, when no public URL is set.
        #[arg(long, env = "PARVIS_PORT")]
        port: Option<u16>,
    },
}

/// Creates or promotes the admin and prints their one-time sign-in link.
pub(crate) async fn run(store_args: &StoreArgs, command: AdminCommand) -> Result<()> {
    let AdminCommand::Add {
        email,
        name,
        public_url,
        port,
    } = command;
    // The link must point where the server really listens: resolve the public URL
    // exactly as `parvis serve` does (flags, environment, configuration file).
    let server = ServerArgs {
        public_url,
        port,
        ..ServerArgs::default()
    };
    let config = Config::resolve(store_args, &server, DEFAULT_DATABASE_URL)?;
    let store = crate::open_configured_store(store_args).await?;
    let (outcome, link) =
        parvis_services::bootstrap_admin(&store, &email, &name, &config.public_url).await?;
    let what = match outcome {
        parvis_services::AdminBootstrap::Created => "created",
        parvis_services::AdminBootstrap::Promoted => "was a member and is now an admin",
        parvis_services::AdminBootstrap::AlreadyAdmin => "is already an admin (new sign-in link)",
    };
    println!(
        "Admin {email} {what}. Sign in once with this link (valid 7 days), then set a password under \"My account\":\n{link}"
    );
    Ok(())
}
