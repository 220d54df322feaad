//! The server's process-wide SQLite settings. A test binary of its own: the settings must be
//! applied before SQLite is first used in the process, as `parvis`'s `main` does.

use parvis_store::{Store, configure_sqlite_for_server};

#[tokio::test]
async fn the_server_settings_apply_before_sqlite_starts_and_reads_still_work() {
    assert!(
        configure_sqlite_for_server(),
        "SQLite refused the settings before its first use"
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    // Reads and writes work as before.
    let spaces = store.list_spaces().await.unwrap();
    assert!(spaces.is_empty());
    // SQLite keeps no memory statistics any more: the process-wide counter (and the mutex
    // around every allocation that maintains it) is off.
    // SAFETY: a plain read of SQLite's counter.
    let used = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    assert_eq!(used, 0, "SQLite still counts its memory");
    // Once SQLite runs, the settings can no longer change: the call says so.
    assert!(!configure_sqlite_for_server());
}

#[test]
fn sqlite_reads_large_values_through_its_page_cache() {
    // Built without direct overflow reads (`.cargo/config.toml`): a kept thread page's overflow
    // pages come from the connection's page cache, not from one system call each.
    // SAFETY: SQLite's compile-time option list, read with a NUL-terminated name.
    let direct =
        unsafe { rusqlite::ffi::sqlite3_compileoption_used(c"DIRECT_OVERFLOW_READ".as_ptr()) };
    assert_eq!(direct, 0, "SQLite was built with direct overflow reads");
}
