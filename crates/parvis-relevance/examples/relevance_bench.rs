//! `cargo run --release -p parvis-relevance --example relevance_bench -- [DIR] [--messages N] [--queries Q]`
//!
//! Builds an engine at platform scale by repeating a mailing-list corpus
//! (each copy is a separate community: its own members and threads, same
//! times, so copies interleave in time) — or synthetic text when DIR is
//! absent — then times `feed` and `peers` for random members who posted in
//! the last year, and prints p50/p99.

use std::path::PathBuf;
use std::time::Instant;

use parvis_relevance::engine::BUILD_SAMPLED_MESSAGES;
use parvis_relevance::eval::{EvalMessage, load_mbox};
use parvis_relevance::sparse::DAY_MS;
use parvis_relevance::{Config, Engine, FeedOptions, MemberId, MessageInput, ThreadId};
use rustc_hash::FxHashMap;

fn main() {
    let mut dir: Option<PathBuf> = None;
    let mut target = 1_000_000usize;
    let mut queries = 1000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--messages" => target = args.next().and_then(|v| v.parse().ok()).unwrap_or(target),
            "--queries" => queries = args.next().and_then(|v| v.parse().ok()).unwrap_or(queries),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let base = match dir.as_deref().filter(|d| d.is_dir()).map(load_mbox) {
        Some(Ok(m)) if !m.is_empty() => m,
        _ => {
            eprintln!("no corpus given or readable: synthetic messages");
            synthetic(30_000)
        }
    };
    // Dense ids of the base corpus.
    let mut person: FxHashMap<&str, i64> = FxHashMap::default();
    let mut thread: FxHashMap<&str, i64> = FxHashMap::default();
    let mut author_of: FxHashMap<&str, i64> = FxHashMap::default();
    let mut rows = Vec::with_capacity(base.len());
    for m in &base {
        let n = person.len() as i64;
        let p = *person.entry(m.person.as_str()).or_insert(n);
        let n = thread.len() as i64;
        let t = *thread.entry(m.thread.as_str()).or_insert(n);
        let r = m.parent.as_deref().and_then(|x| author_of.get(x).copied());
        author_of.insert(m.id.as_str(), p);
        rows.push((t, p, r, m));
    }
    let copies = target.div_ceil(base.len()).max(1);
    let (np, nt) = (person.len() as i64, thread.len() as i64);
    println!(
        "base corpus: {} messages, {} members, {} threads; {} copies",
        base.len(),
        np,
        nt,
        copies
    );

    let t0 = Instant::now();
    let mut e = Engine::new(Config::default());
    // As the app builds a space's engine: only the last messages are replayed as
    // learning samples (rows are added `copies` at a time).
    if let Some(first) = target
        .min(rows.len() * copies)
        .checked_sub(BUILD_SAMPLED_MESSAGES)
    {
        e.sample_from(rows[first / copies].3.at);
    }
    let mut added = 0usize;
    let mut last_at = 0i64;
    'outer: for &(t, p, r, m) in &rows {
        for c in 0..copies as i64 {
            if added >= target {
                break 'outer;
            }
            e.add_message(&MessageInput {
                thread: ThreadId(t + c * nt),
                author: MemberId(p + c * np),
                at: m.at,
                text: &m.text,
                title: m.title.as_deref(),
                topics: &[],
                reply_to: r.map(|r| MemberId(r + c * np)),
                mentions: &[],
            });
            added += 1;
            last_at = last_at.max(m.at);
        }
    }
    let build = t0.elapsed();
    println!(
        "built: {added} messages, {} members, {} threads in {:.1} s ({:.1} µs/message); RSS {}",
        e.member_count(),
        e.thread_count(),
        build.as_secs_f64(),
        build.as_secs_f64() * 1e6 / added.max(1) as f64,
        rss()
    );

    // The scorer the app would learn from this history.
    let t1 = Instant::now();
    match e.learn() {
        Some(fit) => println!(
            "learned the scorer from {} joins ({} samples, {} iterations) in {:.2} s",
            fit.positives,
            fit.samples,
            fit.iterations,
            t1.elapsed().as_secs_f64()
        ),
        None => println!("too little history to learn a scorer: the formula ranks"),
    }

    // Members who posted in the year before `now`, across all copies.
    let now = last_at + 3_600_000;
    let year = (365.0 * DAY_MS) as i64;
    let mut active: Vec<i64> = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    for &(_, p, _, m) in rows.iter().rev() {
        if m.at < now - year {
            break;
        }
        if seen.insert(p) {
            active.push(p);
        }
    }
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut pick = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let members: Vec<MemberId> = (0..queries)
        .map(|_| {
            let p = active[(pick() % active.len().max(1) as u64) as usize];
            let c = (pick() % copies as u64) as i64;
            MemberId(p + c * np)
        })
        .collect();
    let opts = FeedOptions::default();
    let mut feed_t = Vec::new();
    let mut items = 0usize;
    for &m in &members {
        let t = Instant::now();
        let f = e.feed(m, now, &opts);
        feed_t.push(t.elapsed().as_secs_f64() * 1e3);
        items += f.items.len();
    }
    let mut peer_t = Vec::new();
    let mut found = 0usize;
    for &m in &members {
        let t = Instant::now();
        let p = e.peers(m, now, 10);
        peer_t.push(t.elapsed().as_secs_f64() * 1e3);
        found += p.len();
    }
    report("feed (page 20)", &mut feed_t, items as f64 / queries as f64);
    report("peers (k 10)", &mut peer_t, found as f64 / queries as f64);
    restart(&e, build.as_secs_f64(), &members, now);
}

/// A restart as `parvis serve` does it: the engine saved to a file, read back, and the first
/// feed answered from it; against the build it replaces, side by side.
fn restart(e: &Engine, build_secs: f64, members: &[MemberId], now: i64) {
    use parvis_relevance::persist;
    let dir = std::env::temp_dir().join(format!("relevance-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join("space.feed");
    let t = Instant::now();
    {
        let mut out = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&path).expect("engine file"),
        );
        persist::save(&mut out, &0i64, e).expect("engine saved");
        std::io::Write::flush(&mut out).expect("engine saved");
    }
    let save = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let mut input = std::io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(&path).expect("engine file"),
    );
    let _: i64 = persist::read_header(&mut input, bytes + 1024).expect("header");
    let back = persist::read_engine(&mut input, e.config(), bytes + 1024).expect("engine");
    let read = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let first = back.feed(members[0], now, &FeedOptions::default());
    let first_feed = t.elapsed().as_secs_f64();
    let same = members.iter().take(50).all(|&m| {
        let ids = |f: parvis_relevance::Feed| f.items.iter().map(|i| i.thread).collect::<Vec<_>>();
        ids(back.feed(m, now, &FeedOptions::default()))
            == ids(e.feed(m, now, &FeedOptions::default()))
    });
    println!(
        "saved engine: {:.1} MB written in {:.2} s; read back in {:.2} s, first feed {:.1} ms \
         ({} items): first feed after a restart {:.2} s against a {:.1} s build ({:.0}x sooner); \
         same feeds for 50 members: {same}",
        bytes as f64 / 1e6,
        save,
        read,
        first_feed * 1e3,
        first.items.len(),
        read + first_feed,
        build_secs,
        build_secs / (read + first_feed).max(1e-9)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn report(name: &str, v: &mut [f64], per: f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{name:<16} n={} p50={:.2} ms p99={:.2} ms max={:.2} ms (mean {:.1} results)",
        v.len(),
        q(0.5),
        q(0.99),
        v[v.len() - 1],
        per
    );
}

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "?".into())
}

fn synthetic(n: usize) -> Vec<EvalMessage> {
    let mut x: u64 = 7;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let words: Vec<String> = (0..40).map(|_| format!("w{}", next() % 5000)).collect();
            let thread = if i % 3 == 0 { i } else { i - i % 3 };
            EvalMessage {
                id: format!("m{i}"),
                thread: format!("m{thread}"),
                parent: (i % 3 != 0).then(|| format!("m{thread}")),
                person: format!("p{}", next() % 3000),
                name: String::new(),
                at: 1_600_000_000_000 + i as i64 * 600_000,
                text: words.join(" "),
                title: None,
            }
        })
        .collect()
}
