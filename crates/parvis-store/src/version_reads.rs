//! Reads of the content version shared by the callers that ask at the same moment.
//!
//! Why: the pages kept for anonymous visitors are checked against the store's content version
//! on every request. On SQLite that read is a few microseconds on the caller's thread; on
//! PostgreSQL it is a round trip to the server, and under load those round trips were the whole
//! cost of a kept page (the page ran at the `/healthz` ceiling, BENCHMARKS.md 2026-12-07 21:45).
//!
//! Exact all the same: a caller is answered only by a read that *started after it asked*, so it
//! sees every write committed before it asked, as its own read would. Callers that ask while a
//! read is in flight wait for the next one, which starts as soon as the current one ends and
//! answers all of them: at most two round trips of wait, and one read per round trip however
//! many callers there are (the way a database groups commits).

use crate::{Result, Store, StoreError};
use std::sync::Mutex;
use tokio::sync::watch;

/// The reads started and the last answer.
#[derive(Debug)]
pub(crate) struct SharedVersionReads {
    state: Mutex<State>,
    /// (number of the read, the version it found; `None`: it failed).
    answers: watch::Sender<(u64, Option<i64>)>,
}

#[derive(Debug, Default)]
struct State {
    /// How many reads were started.
    started: u64,
    /// Whether a read is in flight.
    running: bool,
    /// Whether someone asked while it was: another read follows it.
    wanted: bool,
}

impl Default for SharedVersionReads {
    fn default() -> Self {
        Self {
            state: Mutex::new(State::default()),
            answers: watch::Sender::new((0, None)),
        }
    }
}

impl SharedVersionReads {
    /// The content version, read after this call began (see the module's doc).
    pub(crate) async fn current(&self, store: &Store) -> Result<i64> {
        let mut answers = self.answers.subscribe();
        let want = {
            let mut state = self.lock();
            if state.running {
                state.wanted = true;
                state.started + 1
            } else {
                state.running = true;
                state.started += 1;
                // On its own task: a caller that goes away (a closed connection drops its
                // request) must not take the others' read with it.
                let store = store.clone();
                tokio::spawn(async move { store.versions.read_while_wanted(&store).await });
                state.started
            }
        };
        let answer = answers
            .wait_for(|(read, _)| *read >= want)
            .await
            .map_err(|_| StoreError::Read("the content version reader stopped"))?;
        answer
            .1
            .ok_or(StoreError::Read("the content version could not be read"))
    }

    /// Read, answer, and read again as long as someone asked during the last read.
    async fn read_while_wanted(&self, store: &Store) {
        loop {
            let found = match store.content_version().await {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::warn!(error = %e, "content version read failed");
                    None
                }
            };
            let mut state = self.lock();
            self.answers.send_replace((state.started, found));
            if !state.wanted {
                state.running = false;
                return;
            }
            state.wanted = false;
            state.started += 1;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is three numbers set together under the lock: a panic elsewhere cannot
        // leave it half-written.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
