//! `parvis serve` and `parvis demo`: bind the listener, build the services and the web app,
//! start the background workers, and run until Ctrl-C or SIGTERM.

use crate::config::Config;
use anyhow::{Context, Result};
use parvis_services::{Mailer, ServiceConfig, Services};
use std::io::Write;

/// Serves `config`'s store; with `demo`, loads the demo ecosystem into it first.
pub(crate) async fn run(mut config: Config, demo: bool) -> Result<()> {
    tracing::debug!(?config, "configuration");
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} (is another server using it? try --port)",
                config.host, config.port
            )
        })?;
    let addr = listener.local_addr()?;
    // `--port 0` (tests, scripts) picks a free port: the links Parvis writes (oEmbed frames,
    // calls to action, sign-in mails) must name it, not port 0.
    if config.port == 0 && config.public_url.ends_with(":0") {
        config.public_url = format!("http://{addr}");
    }
    let store = crate::open_store(&config.database_url).await?;
    let where_ = store
        .sqlite_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| parvis_store::redact_url(&config.database_url));
    let demo_summary = if demo {
        Some(parvis_services::demo::load(&store).await?)
    } else {
        None
    };
    let mailer = match &config.mail_dir {
        Some(dir) => Mailer::to_dir(dir, &config.mail_from)?,
        None => Mailer::from_url(config.smtp_url.as_deref(), &config.mail_from)?,
    };
    let services = Services::new(
        store.clone(),
        mailer,
        ServiceConfig {
            public_url: config.public_url.clone(),
            thread_cache: config.thread_cache,
            reminder_minutes: config.reminder_minutes.clone(),
            ..Default::default()
        },
    );
    let redis = match config.redis_url.as_deref() {
        Some(url) => Some(
            parvis_services::live_redis::RedisBroker::connect(url)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("--redis-url {}: {e}", parvis_store::redact_url(url))
                })?,
        ),
        None => None,
    };
    let services = match &redis {
        Some(broker) => {
            services.with_live_broker(broker.clone(), parvis_services::live::LiveConfig::default())
        }
        None => services,
    };
    if let Some(broker) = &redis {
        broker.subscribe(services.live().clone());
        tracing::info!("live rooms shared through redis");
    }
    let web = parvis_web::WebConfig {
        secure_cookies: config.public_url.starts_with("https://"),
        site_name: config.site_name.clone(),
        trusted_proxies: parvis_web::TrustedProxies::parse(&config.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?,
        ..Default::default()
    };
    let index = parvis_search::SearchIndex::open(&config.search_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot open the search index at {}: {e}. Only one running Parvis may use an index directory: give each instance its own --search-dir",
            config.search_dir.display()
        )
    })?;
    let services = services
        .with_search(std::sync::Arc::new(index))
        .with_feed_dir(config.feed_dir.clone());
    if let Some(demo) = demo_summary.as_ref().filter(|d| d.loaded) {
        // The demo is written straight to the store: tag its messages with its topics, so
        // that its activity page shows real activity.
        let space = services.space(&demo.space_slug).await?;
        services.tag_existing_messages(&space, None, |_| {}).await?;
    }
    services.spawn_indexer(std::time::Duration::from_secs(2));
    services.spawn_cache_watch(std::time::Duration::from_secs(1));
    // Webhooks are queued in the store as events happen and sent from here.
    services.spawn_webhook_worker();
    // Session mails and reminders (the job table survives restarts).
    services.spawn_job_worker(std::time::Duration::from_secs(5));
    {
        // The measures dashboards are computed once now, in the background, so that the
        // first admin who opens one does not wait for it.
        let services = services.clone();
        tokio::spawn(async move {
            match services.warm_dashboards().await {
                Ok(n) => tracing::debug!(spaces = n, "measures: dashboards computed"),
                Err(e) => {
                    tracing::warn!(error = %e, "measures: computing the dashboards at start-up failed")
                }
            }
        });
    }
    // Feed engines are built now, in the background, and kept current: the first
    // "Pour vous" does not wait for a build.
    services.spawn_feed_engines(std::time::Duration::from_secs(5));
    crate::heap::spawn_trimmer();
    services.spawn_follower(
        std::time::Duration::from_secs(config.poll_interval_secs),
        std::time::Duration::from_secs(config.poll_interval_secs.min(30)),
    );
    let app = parvis_web::build(services, web);
    let url = if config.port == 0 {
        format!("http://{addr}")
    } else {
        config.public_url.clone()
    };
    println!("Parvis {} is running at {url}", env!("CARGO_PKG_VERSION"));
    println!("  store: {} ({})", where_, store.backend().name());
    println!("  search index: {}", config.search_dir.display());
    println!("  feed engines: {}", config.feed_dir.display());
    if let Some(d) = &demo_summary {
        if d.loaded {
            println!(
                "  demo: loaded space {:?} ({} members, {} threads, {} messages, a debate of {} statements and {} votes)",
                d.space_slug, d.members, d.threads, d.messages, d.statements, d.votes
            );
        }
        println!(
            "  demo admin: {} / {}",
            d.admin_email,
            parvis_services::demo::DEMO_ADMIN_PASSWORD
        );
    } else if store.member_count().await? == 0 {
        println!(
            "  this store has no members yet: create the first admin with `parvis admin add you@example.org`"
        );
    }
    println!("  API: {url}/api/openapi.json · stop with Ctrl-C");
    let _ = std::io::stdout().flush();
    parvis_web::serve(listener, app, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
