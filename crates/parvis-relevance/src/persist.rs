//! Saving an engine and reading it back, so that a restarted server serves its first feed
//! from what it knew instead of replaying a whole history (minutes at a million messages).
//!
//! A saved engine is `MAGIC`, then bincode of a header chosen by the caller (what the engine
//! has seen, to check it against the store) and of the engine. Reading checks the magic (a
//! format change makes old files unusable, never misread), decodes within a size limit (a
//! damaged length field cannot make it allocate gigabytes), and refuses an engine saved
//! under another configuration: the caller then builds afresh.

use crate::{Config, Engine, RelevanceError};
use bincode::Options;
use serde::{Serialize, de::DeserializeOwned};
use std::io::{Read, Write};

/// File signature and format version (the last byte): bump it when the engine's fields or the
/// encoding change (2: fixed-width integers, a quarter faster to read than variable-width).
const MAGIC: &[u8; 8] = b"PVFEED\x00\x02";

fn options(limit: u64) -> impl Options + Copy {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_limit(limit)
}

/// Writes `header` and `engine` to `out`.
pub fn save<H: Serialize>(
    out: &mut impl Write,
    header: &H,
    engine: &Engine,
) -> Result<(), RelevanceError> {
    let fail = |e: &dyn std::fmt::Display| RelevanceError::Snapshot(e.to_string());
    out.write_all(MAGIC).map_err(|e| fail(&e))?;
    let o = options(u64::MAX);
    o.serialize_into(&mut *out, header).map_err(|e| fail(&e))?;
    o.serialize_into(&mut *out, engine).map_err(|e| fail(&e))?;
    Ok(())
}

/// Reads only the header of a saved engine (cheap: the caller decides whether the engine
/// is worth reading).
pub fn read_header<H: DeserializeOwned>(
    input: &mut impl Read,
    limit: u64,
) -> Result<H, RelevanceError> {
    let mut magic = [0u8; 8];
    input
        .read_exact(&mut magic)
        .map_err(|e| RelevanceError::Snapshot(format!("no signature: {e}")))?;
    if &magic != MAGIC {
        return Err(RelevanceError::Snapshot(
            "another format or not a saved engine".into(),
        ));
    }
    options(limit)
        .deserialize_from(input)
        .map_err(|e| RelevanceError::Snapshot(format!("header: {e}")))
}

/// Reads the engine that follows a header read by [`read_header`], refusing one saved with
/// another configuration than `config`.
pub fn read_engine(
    input: &mut impl Read,
    config: &Config,
    limit: u64,
) -> Result<Engine, RelevanceError> {
    // Decoding from memory is about twice as fast as from a reader (one bounds check per
    // value instead of one read call); the bytes are dropped once decoded. `take` keeps a
    // file that grew past the limit from being read whole.
    let mut bytes = Vec::new();
    input
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| RelevanceError::Snapshot(format!("engine: {e}")))?;
    let engine: Engine = options(limit)
        .deserialize(&bytes)
        .map_err(|e| RelevanceError::Snapshot(format!("engine: {e}")))?;
    drop(bytes);
    // What the engine learned from its history (`Config::learned`) is its own, not part of
    // the configuration asked for: compare the rest.
    let mut asked = config.clone();
    asked.learned.clone_from(&engine.config().learned);
    if engine.config() != &asked {
        return Err(RelevanceError::Snapshot(
            "saved with another configuration".into(),
        ));
    }
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{FeedOptions, MessageInput};
    use crate::{MemberId, ThreadId};

    fn engine() -> Engine {
        let mut e = Engine::new(Config::default());
        let texts = [
            (1, 1, "kriging variogram with gstat fails on projected data"),
            (1, 2, "try fitting the variogram on projected coordinates"),
            (2, 3, "reading shapefiles with rgdal and their projection"),
            (3, 2, "variogram models for kriging in gstat"),
            (2, 1, "the projection of shapefiles read by rgdal"),
        ];
        for (i, (thread, author, text)) in texts.iter().enumerate() {
            e.add_message(&MessageInput {
                thread: ThreadId(*thread),
                author: MemberId(*author),
                at: 1_000_000 + i as i64 * 3_600_000,
                text,
                title: None,
                topics: &[],
                reply_to: None,
                mentions: &[],
            });
        }
        e
    }

    fn feed_ids(e: &Engine, member: i64, at: i64) -> Vec<i64> {
        e.feed(MemberId(member), at, &FeedOptions::default())
            .items
            .iter()
            .map(|i| i.thread.0)
            .collect()
    }

    #[test]
    fn a_saved_engine_reads_back_and_ranks_the_same() {
        let e = engine();
        let mut bytes = Vec::new();
        save(&mut bytes, &(42i64, "space"), &e).unwrap();
        let mut input = bytes.as_slice();
        let header: (i64, String) = read_header(&mut input, bytes.len() as u64).unwrap();
        assert_eq!(header, (42, "space".to_string()));
        let back = read_engine(&mut input, &Config::default(), bytes.len() as u64).unwrap();
        let at = 1_000_000 + 6 * 3_600_000;
        for member in 1..=3 {
            assert_eq!(feed_ids(&back, member, at), feed_ids(&e, member, at));
        }
        assert_eq!(back.thread_count(), 3);
    }

    #[test]
    fn an_engine_that_learned_from_its_history_reads_back() {
        // A space with enough history learns its scorer (`Config::learned`): that is what the
        // engine knows, not another configuration, so a restart must still read it back.
        let config = Config {
            learn_min_joins: 1,
            ..Config::default()
        };
        let mut e = Engine::new(config.clone());
        for i in 0..40i64 {
            for (thread, author) in [(i, 1 + i % 5), (i, 2 + i % 7), (i - 1, 3 + i % 4)] {
                e.add_message(&MessageInput {
                    thread: ThreadId(thread),
                    author: MemberId(author),
                    at: 1_000_000 + i * 3_600_000 + author * 60_000,
                    text: if thread % 2 == 0 {
                        "kriging variogram gstat"
                    } else {
                        "shapefile projection rgdal"
                    },
                    title: None,
                    topics: &[],
                    reply_to: None,
                    mentions: &[],
                });
            }
        }
        assert!(
            e.learn().is_some(),
            "the history is long enough to learn from"
        );
        assert!(e.config().learned.is_some());
        let mut bytes = Vec::new();
        save(&mut bytes, &1i64, &e).unwrap();
        let mut input = bytes.as_slice();
        let _: i64 = read_header(&mut input, 1 << 24).unwrap();
        let back = read_engine(&mut input, &config, 1 << 24).unwrap();
        assert_eq!(back.config().learned, e.config().learned);
        let at = 1_000_000 + 41 * 3_600_000;
        for member in 1..=8 {
            assert_eq!(feed_ids(&back, member, at), feed_ids(&e, member, at));
        }
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_not_misread() {
        let e = engine();
        let mut bytes = Vec::new();
        save(&mut bytes, &7i64, &e).unwrap();
        // Another format.
        let mut other = bytes.clone();
        other[7] = 9;
        assert!(read_header::<i64>(&mut other.as_slice(), 1 << 20).is_err());
        // Cut short.
        let mut input = &bytes[..bytes.len() / 2];
        let _: i64 = read_header(&mut input, 1 << 20).unwrap();
        assert!(read_engine(&mut input, &Config::default(), 1 << 20).is_err());
        // A length field that claims more than the limit allows is refused, not allocated.
        let mut input = bytes.as_slice();
        let _: i64 = read_header(&mut input, 16).unwrap();
        assert!(read_engine(&mut input, &Config::default(), 16).is_err());
        // Another configuration.
        let mut input = bytes.as_slice();
        let _: i64 = read_header(&mut input, 1 << 20).unwrap();
        let config = Config {
            learn_from_history: !Config::default().learn_from_history,
            ..Config::default()
        };
        assert!(read_engine(&mut input, &config, 1 << 20).is_err());
    }
}
