//! How the server's memory is given back to the system (glibc's allocator, on Linux).
//!
//! glibc keeps what a thread frees in that thread's arena for reuse and returns it to the
//! system only from the top of each heap, so a burst of work (tantivy's first commit, the
//! feed engines and dashboards built at start-up, a page served on every worker thread) leaves
//! megabytes that are free but still resident in the arenas of a server at rest
//! (BENCHMARKS.md, "Memory at rest"). jemalloc and mimalloc purge such pages on a timer;
//! glibc has `malloc_trim`, which we call whenever the process goes quiet after work.

/// Fixed mmap and trim thresholds: glibc raises both as large blocks are freed (up to 32 /
/// 64 MiB), after which big transient buffers stay in the arenas for good. (Two arenas instead
/// of one per thread gave back 5 MB more but cost the space page, whose templates allocate on
/// every thread, a third of its pages a second.)
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn tune() {
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    // SAFETY: mallopt only sets the allocator's parameters; called first thing in `main`,
    // before any other thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn tune() {}

/// When a trim is due, from the process's CPU time: after at least `WORK` of CPU since the
/// last trim, in a tick that used less than `QUIET` (the server has gone quiet). A pure
/// function of the readings, so the rule is tested without a clock.
#[derive(Debug, Default)]
pub(crate) struct TrimRule {
    worked_since_trim: std::time::Duration,
}

/// CPU time that counts as "work worth trimming after": a few pages, an import, a build.
const WORK: std::time::Duration = std::time::Duration::from_millis(50);
/// How often the CPU time is read: a trim comes within two ticks of the last work.
const TICK: std::time::Duration = std::time::Duration::from_millis(500);
/// CPU time in one tick below which the process is quiet (2 %: timers, a stray request).
const QUIET: std::time::Duration = std::time::Duration::from_millis(10);

impl TrimRule {
    /// Record one tick's CPU time; true when the heap should be trimmed now.
    pub(crate) fn tick(&mut self, cpu_this_tick: std::time::Duration) -> bool {
        self.worked_since_trim += cpu_this_tick;
        if cpu_this_tick < QUIET && self.worked_since_trim >= WORK {
            self.worked_since_trim = std::time::Duration::ZERO;
            return true;
        }
        false
    }
}

/// Start the thread that trims the heap once a quiet half second follows work. It allocates
/// nothing in its loop unless debug logs are on (so glibc gives it no arena of its own); a
/// trim of the demo's heap takes about a millisecond (`--log parvis::heap=debug` shows each).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn spawn_trimmer() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    let spawned = std::thread::Builder::new()
        .name("heap-trim".into())
        .spawn(|| {
            let mut rule = TrimRule::default();
            let mut last = process_cpu_time();
            loop {
                std::thread::sleep(TICK);
                let now = process_cpu_time();
                if rule.tick(now.saturating_sub(last)) {
                    // SAFETY: malloc_trim only returns free pages of glibc's arenas to the
                    // system; it takes each arena's lock as any allocation does.
                    let started = std::time::Instant::now();
                    unsafe { malloc_trim(0) };
                    tracing::debug!(
                        took_us = started.elapsed().as_micros() as u64,
                        "heap trimmed"
                    );
                }
                // The trim's own CPU is not work to trim after.
                last = process_cpu_time();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the heap trimmer; memory at rest will be higher");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn spawn_trimmer() {}

/// The CPU time used by the whole process so far (every thread).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn process_cpu_time() -> std::time::Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (64-bit `time_t` on the 64-bit targets glibc
    // builds us for); the clock id is Linux's process CPU clock.
    let ok = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    if !ok {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn trims_once_when_work_is_followed_by_a_quiet_tick() {
        let mut rule = TrimRule::default();
        assert!(!rule.tick(ms(400)), "busy: no trim while working");
        assert!(!rule.tick(ms(300)), "still busy");
        assert!(rule.tick(ms(5)), "quiet after work: trim");
        assert!(!rule.tick(ms(5)), "quiet again, nothing new to give back");
        assert!(!rule.tick(ms(0)));
    }

    #[test]
    fn a_quiet_server_with_only_timers_trims_rarely() {
        let mut rule = TrimRule::default();
        // Timers and the odd health check: a few milliseconds a tick, for 60 ticks. The
        // work adds up slowly, so a trim comes each time it reaches WORK, not every tick.
        let trims = (0..60).filter(|_| rule.tick(ms(2))).count();
        assert_eq!(trims, 2, "120 ms of timer work: trims at 50 and 100 ms");
    }

    #[test]
    fn sustained_load_never_trims_until_it_stops() {
        let mut rule = TrimRule::default();
        assert!((0..30).all(|_| !rule.tick(ms(450))));
        assert!(
            rule.tick(ms(5)),
            "the first quiet tick after the load trims"
        );
    }
}
