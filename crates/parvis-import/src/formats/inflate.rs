//! Compressed input, always read through a limit.
//!
//! Mailman offers its monthly archives as `2004-April.txt.gz`, and people keep their mbox
//! files gzipped; Slack exports are zips. Whatever is inflated goes through [`Bounded`],
//! which fails once the output passes a limit: a few megabytes of hostile input must not
//! become hours of reading or gigabytes of memory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{io_err, malformed};
use crate::error::{ImportError, Position};

/// A gzipped file may inflate to this many times its size (mail text compresses 3 to 6
/// times)…
pub const MAX_GZIP_RATIO: u64 = 50;
/// …and in any case to this much, so that a small archive is never refused.
pub const MIN_GZIP_LIMIT: u64 = 256 << 20;

/// A reader that fails once it, or the whole it belongs to (`total`), has inflated past its
/// limit. A 4 MB zip inflating to 4 GiB took 8.4 GB of memory when entries were read whole.
pub(crate) struct Bounded<R> {
    pub(crate) inner: R,
    /// The entry or file, for the error.
    pub(crate) name: String,
    pub(crate) entry_read: u64,
    pub(crate) entry_max: u64,
    pub(crate) total: Arc<AtomicU64>,
    pub(crate) total_max: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.entry_read += n as u64;
        let total = self.total.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if self.entry_read > self.entry_max {
            return Err(std::io::Error::other(format!(
                "{} inflates to more than {} MiB: not read (a zip bomb?)",
                self.name,
                self.entry_max >> 20
            )));
        }
        if total > self.total_max {
            return Err(std::io::Error::other(format!(
                "the export inflates to more than {} MiB in all (at {}): not read further (a zip bomb?)",
                self.total_max >> 20,
                self.name
            )));
        }
        Ok(n)
    }
}

/// The file's bytes, inflated when it is gzipped (told by its first bytes, not its name),
/// within [`MAX_GZIP_RATIO`] times its size (at least [`MIN_GZIP_LIMIT`]).
pub(crate) fn open(p: &Path) -> Result<Box<dyn Read + Send>, ImportError> {
    let size = std::fs::metadata(p).map_err(|e| io_err(p, e))?.len();
    open_within(p, size.saturating_mul(MAX_GZIP_RATIO).max(MIN_GZIP_LIMIT))
}

fn open_within(p: &Path, limit: u64) -> Result<Box<dyn Read + Send>, ImportError> {
    let mut f = BufReader::new(std::fs::File::open(p).map_err(|e| io_err(p, e))?);
    // A buffered reader's first fill holds the first bytes unless the file is shorter.
    if !f
        .fill_buf()
        .map_err(|e| io_err(p, e))?
        .starts_with(&[0x1f, 0x8b])
    {
        return Ok(Box::new(f));
    }
    Ok(Box::new(Bounded {
        // Multi-member: `cat a.gz b.gz` is a valid gzip file, and some archives are built so.
        inner: flate2::read::MultiGzDecoder::new(f),
        name: p.display().to_string(),
        entry_read: 0,
        entry_max: limit,
        total: Arc::new(AtomicU64::new(0)),
        total_max: u64::MAX,
    }))
}

/// Up to `n` bytes from the start of what [`open`] reads; a gzip that does not inflate is
/// malformed input, said with the file's name.
pub(crate) fn head(p: &Path, n: usize) -> Result<Vec<u8>, ImportError> {
    let mut buf = Vec::with_capacity(n);
    open(p)?.take(n as u64).read_to_end(&mut buf).map_err(|e| {
        malformed(
            p,
            Position::offset(0),
            format!("a gzip file that does not inflate: {e}"),
        )
    })?;
    Ok(buf)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_gzipped_file_reads_as_its_text_and_a_plain_one_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"From ann  Mon Mar  1 10:00:00 2025\nSubject: hi\n\nbody\n";
        let (plain, gz) = (dir.path().join("a.txt"), dir.path().join("a.txt.gz"));
        std::fs::write(&plain, text).unwrap();
        std::fs::write(&gz, gzip(text)).unwrap();
        for p in [&plain, &gz] {
            let mut out = Vec::new();
            open(p).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out, text, "{}", p.display());
            assert_eq!(head(p, 5).unwrap(), b"From ");
        }
    }

    #[test]
    fn inflating_past_the_limit_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bomb.txt.gz");
        std::fs::write(&p, gzip(&vec![b' '; 3 << 20])).unwrap();
        let mut out = Vec::new();
        let e = open_within(&p, 1 << 20)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(
            e.to_string().contains("bomb.txt.gz") && e.to_string().contains("more than 1 MiB"),
            "{e}"
        );
        assert!(
            out.len() <= 2 << 20,
            "stopped near the limit: {}",
            out.len()
        );
    }

    #[test]
    fn a_damaged_gzip_is_malformed_input() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.txt.gz");
        std::fs::write(&p, [0x1f, 0x8b, 8, 0, 0xff, 0xff, 0xff]).unwrap();
        let e = head(&p, 4096).unwrap_err().to_string();
        assert!(
            e.contains("bad.txt.gz") && e.contains("does not inflate"),
            "{e}"
        );
    }
}
