//! Search benchmark: parvis-search (tantivy) against SQLite FTS5, same
//! messages, same query set, same run.
//!
//! ```text
//! cargo run --release -p parvis-search --example search_bench -- \
//!     [--messages 1000000] [--passes 5] [--dir /tmp/search-bench] \
//!     [--corpus /work/shared/data/corpus] [--json out.json]
//! ```
//!
//! Messages are built by mixing the real mailing-list corpus (mbox, parsed
//! by parvis-import): each message takes the title, author and date of a
//! real message and its sentences, a third of them swapped for sentences of
//! other messages, so the million messages are not 30 copies of the same
//! ones. A quarter of the messages are French, spliced from a bank of French
//! sentences built from templates (the corpus is English only). Without the
//! corpus, English messages come from the same kind of templates.
//!
//! Both engines answer what the app needs for a page: the total count and the
//! 20 best hits with a highlighted snippet, within one space. FTS5 uses the
//! `porter unicode61 remove_diacritics 2` tokenizer (English stemming and
//! accent folding: the closest it has) and `ORDER BY rank` (BM25).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use parvis_search::{IndexedMessage, SearchIndex, SearchOptions, SearchQuery};

struct Args {
    messages: usize,
    passes: usize,
    dir: PathBuf,
    corpus: PathBuf,
    json: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        messages: 1_000_000,
        passes: 5,
        dir: std::env::temp_dir().join("parvis-search-bench"),
        corpus: PathBuf::from("/work/shared/data/corpus"),
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--messages" => a.messages = value.replace('_', "").parse().expect("--messages N"),
            "--passes" => a.passes = value.parse().expect("--passes N"),
            "--dir" => a.dir = PathBuf::from(value),
            "--corpus" => a.corpus = PathBuf::from(value),
            "--json" => a.json = Some(PathBuf::from(value)),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// splitmix64: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

struct Base {
    title: String,
    author: String,
    created_at: i64,
    thread: usize,
    /// Sentence indices into the pool.
    sentences: Vec<usize>,
}

struct Corpus {
    bases: Vec<Base>,
    pool: Vec<String>,
    real: bool,
}

fn split_sentences(body: &str, pool: &mut Vec<String>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, pool: &mut Vec<String>, out: &mut Vec<usize>| {
        let s = current.trim();
        if s.len() > 3 {
            pool.push(s.to_owned());
            out.push(pool.len() - 1);
        }
        current.clear();
    };
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut current, pool, &mut out);
            continue;
        }
        for (i, piece) in line.split_inclusive(['.', '?', '!']).enumerate() {
            if i > 0 || current.len() > 400 {
                flush(&mut current, pool, &mut out);
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(piece.trim());
            if piece.ends_with(['.', '?', '!']) {
                flush(&mut current, pool, &mut out);
            }
        }
        if out.len() >= 30 {
            break;
        }
    }
    flush(&mut current, pool, &mut out);
    out.truncate(30);
    out
}

fn load_corpus(dir: &Path) -> Corpus {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut corpus = Corpus {
        bases: Vec::new(),
        pool: Vec::new(),
        real: false,
    };
    if paths.is_empty() {
        eprintln!("no corpus under {}: synthetic English text", dir.display());
        return synthetic_english(corpus);
    }
    let records = match parvis_import::open(parvis_import::Format::Mbox, &paths) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("corpus unreadable ({e}): synthetic English text");
            return synthetic_english(corpus);
        }
    };
    let mut threads = std::collections::HashMap::new();
    for record in records.flatten() {
        if let parvis_import::Record::Message(m) = record {
            let sentences = split_sentences(&m.body_text, &mut corpus.pool);
            if sentences.is_empty() {
                continue;
            }
            let n = threads.len();
            let thread = *threads.entry(m.thread_source_id.clone()).or_insert(n);
            corpus.bases.push(Base {
                title: m.thread_title.unwrap_or_default(),
                author: m.author.display_name,
                created_at: m.created_at,
                thread,
                sentences,
            });
        }
    }
    corpus.real = !corpus.bases.is_empty();
    if !corpus.real {
        return synthetic_english(corpus);
    }
    eprintln!(
        "corpus: {} files, {} messages, {} threads, {} sentences",
        paths.len(),
        corpus.bases.len(),
        threads.len(),
        corpus.pool.len()
    );
    corpus
}

fn synthetic_english(mut corpus: Corpus) -> Corpus {
    let mut rng = Rng(7);
    let subjects = [
        "The raster",
        "My shapefile",
        "This package",
        "The projection",
        "Our kriging model",
        "The polygon layer",
        "The function",
    ];
    let verbs = [
        "fails with",
        "returns",
        "is slow on",
        "works with",
        "needs",
        "ignores",
    ];
    let objects = [
        "the coordinate reference system",
        "an error message",
        "large spatial data",
        "the variogram",
        "missing values",
        "the time series",
    ];
    for i in 0..20_000 {
        let mut sentences = Vec::new();
        for _ in 0..(3 + rng.below(10)) {
            let s = format!(
                "{} {} {}.",
                rng.pick(&subjects),
                rng.pick(&verbs),
                rng.pick(&objects)
            );
            corpus.pool.push(s);
            sentences.push(corpus.pool.len() - 1);
        }
        corpus.bases.push(Base {
            title: format!("{} question {}", rng.pick(&subjects), i % 97),
            author: format!("user{}", i % 1500),
            created_at: 1_100_000_000_000 + i as i64 * 3_600_000,
            thread: i / 3,
            sentences,
        });
    }
    corpus
}

/// French sentences from templates: enough combinations that bodies differ.
struct French {
    subjects: Vec<&'static str>,
    verbs: Vec<&'static str>,
    objects: Vec<&'static str>,
    tails: Vec<&'static str>,
    titles: Vec<&'static str>,
}

fn french() -> French {
    French {
        subjects: vec![
            "Les développeurs",
            "Le développeur",
            "La mairie",
            "Notre association",
            "Les bénévoles",
            "Le conseil municipal",
            "L'équipe",
            "La communauté",
            "Le comité des fêtes",
            "Les habitants",
            "La bibliothèque",
            "Le club de vélo",
            "Les élèves de l'école",
            "Le jardin partagé",
            "La présidente",
        ],
        verbs: vec![
            "prépare",
            "annule",
            "reporte",
            "présente",
            "organise",
            "discute",
            "publie",
            "finance",
            "a voté",
            "cherche",
            "propose",
            "met à jour",
            "a cartographié",
            "projette",
        ],
        objects: vec![
            "les événements de la rentrée",
            "l'événement du samedi",
            "les données spatiales du quartier",
            "la carte des pistes cyclables",
            "l'assemblée générale",
            "le budget participatif",
            "une projection cartographique",
            "la réunion de lundi",
            "les élections du bureau",
            "le marché de Noël",
            "la fête des voisins",
            "un atelier de réparation",
            "les statistiques de fréquentation",
            "la nouvelle application",
            "le compte rendu",
        ],
        tails: vec![
            "pour la semaine prochaine.",
            "avant la fin du mois.",
            "malgré la pluie.",
            "avec les associations voisines.",
            "à la salle polyvalente.",
            "dès que possible.",
            "selon le calendrier prévu.",
            "après de longs débats.",
            "grâce aux bénévoles.",
            "sans prévenir personne.",
            "et tout le monde est invité.",
            "comme l'année dernière.",
        ],
        titles: vec![
            "Réunion de rentrée",
            "Assemblée générale",
            "Budget participatif",
            "Fête des voisins",
            "Carte du quartier",
            "Événements à venir",
            "Appel aux bénévoles",
            "Compte rendu",
            "Projet de piste cyclable",
            "Développement de l'application",
        ],
    }
}

fn french_sentence(fr: &French, rng: &mut Rng) -> String {
    format!(
        "{} {} {} {}",
        rng.pick(&fr.subjects),
        rng.pick(&fr.verbs),
        rng.pick(&fr.objects),
        rng.pick(&fr.tails)
    )
}

/// Message `i` of the benchmark, deterministic.
fn message(corpus: &Corpus, fr: &French, i: usize) -> IndexedMessage {
    let mut rng = Rng(i as u64 ^ 0x5EED);
    let n = corpus.bases.len();
    let base = &corpus.bases[i % n];
    let cycle = (i / n) as i64;
    let french_message = rng.below(4) == 0;
    let mut body = String::new();
    let title;
    if french_message {
        title = rng.pick(&fr.titles).to_string();
        for _ in 0..(2 + rng.below(10)) {
            if !body.is_empty() {
                body.push(' ');
            }
            body.push_str(&french_sentence(fr, &mut rng));
        }
    } else {
        title = base.title.clone();
        for &s in &base.sentences {
            // A third of the sentences come from anywhere in the corpus.
            let s = if rng.below(3) == 0 {
                rng.below(corpus.pool.len())
            } else {
                s
            };
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(&corpus.pool[s]);
        }
    }
    let author_id = (base
        .author
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
        % 100_000) as i64;
    IndexedMessage {
        message_id: i as i64 + 1,
        thread_id: (base.thread as i64) + cycle * 1_000_000,
        space_id: 1,
        topic_id: Some((base.thread % 50) as i64),
        channel: if i.is_multiple_of(5) {
            "forum".into()
        } else {
            "email".into()
        },
        author_id,
        author_name: base.author.clone(),
        created_at: base.created_at + cycle * 86_400_000,
        title,
        body,
        lang: None,
    }
}

/// (our syntax, FTS5 syntax, kind)
const QUERIES: &[(&str, &str, &str)] = &[
    ("data", "data", "en common"),
    ("raster", "raster", "en common"),
    ("package", "package", "en common"),
    ("error", "error", "en common"),
    ("function", "function", "en common"),
    ("projection", "projection", "en common"),
    ("polygon", "polygon", "en common"),
    ("coordinates", "coordinates", "en common"),
    ("kriging", "kriging", "en rare"),
    ("variogram", "variogram", "en rare"),
    ("geostatistics", "geostatistics", "en rare"),
    ("spplot", "spplot", "en rare"),
    ("voronoi", "voronoi", "en rare"),
    ("netcdf", "netcdf", "en rare"),
    ("autocorrelation", "autocorrelation", "en rare"),
    ("shapefiles", "shapefiles", "en rare"),
    ("spatial data", "spatial data", "two words"),
    ("raster package", "raster package", "two words"),
    ("coordinate system", "coordinate system", "two words"),
    ("error message", "error message", "two words"),
    ("install package", "install package", "two words"),
    ("time series", "time series", "two words"),
    ("point pattern", "point pattern", "two words"),
    ("running model", "running model", "two words"),
    ("\"spatial data\"", "\"spatial data\"", "phrase"),
    (
        "\"coordinate reference system\"",
        "\"coordinate reference system\"",
        "phrase",
    ),
    ("\"thanks in advance\"", "\"thanks in advance\"", "phrase"),
    ("\"error in\"", "\"error in\"", "phrase"),
    ("\"the same\"", "\"the same\"", "phrase"),
    ("\"raster package\"", "\"raster package\"", "phrase"),
    ("proj*", "proj*", "prefix"),
    ("geostat*", "geostat*", "prefix"),
    ("interpol*", "interpol*", "prefix"),
    ("krig*", "krig*", "prefix"),
    ("shap*", "shap*", "prefix"),
    ("événements", "événements", "fr"),
    ("evenement", "evenement", "fr"),
    ("développeurs", "développeurs", "fr"),
    ("réunion", "réunion", "fr"),
    ("données spatiales", "données spatiales", "fr"),
    (
        "\"assemblée générale\"",
        "\"assemblée générale\"",
        "fr phrase",
    ),
    ("bénévol*", "bénévol*", "fr prefix"),
    ("carte cyclables", "carte cyclables", "fr"),
    ("mairie budget", "mairie budget", "fr"),
    ("raster -gdal", "raster NOT gdal", "operators"),
    ("kriging OR variogram", "kriging OR variogram", "operators"),
    (
        "projection -\"coordinate reference system\"",
        "projection NOT \"coordinate reference system\"",
        "operators",
    ),
    ("the", "the", "stopword"),
    ("the data is", "the data is", "stopword"),
    ("zzyzx", "zzyzx", "no hit"),
];

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let p = e.path();
            total += if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args = args();
    let corpus = load_corpus(&args.corpus);
    let fr = french();
    let n = args.messages;
    let _ = std::fs::remove_dir_all(&args.dir);
    std::fs::create_dir_all(&args.dir).unwrap();
    let tantivy_dir = args.dir.join("tantivy");
    let sqlite_path = args.dir.join("fts5.sqlite");

    // Text volume (generation cost, measured apart so it is not charged to either engine).
    let t = Instant::now();
    let mut bytes = 0usize;
    for i in 0..n {
        let m = message(&corpus, &fr, i);
        bytes += m.title.len() + m.body.len();
    }
    let gen_time = t.elapsed();
    eprintln!(
        "{n} messages, {:.0} MB of text, generated in {:.1} s",
        bytes as f64 / 1e6,
        gen_time.as_secs_f64()
    );

    // --- parvis-search build ---
    let t = Instant::now();
    let index = SearchIndex::open_with(
        &tantivy_dir,
        SearchOptions {
            writer_threads: 2,
            writer_memory_bytes: 1_000_000_000,
        },
    )
    .unwrap();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        batch.push(message(&corpus, &fr, i));
        if batch.len() == 10_000 {
            index.add(&batch).unwrap();
            batch.clear();
        }
    }
    index.add(&batch).unwrap();
    index.commit().unwrap();
    let tantivy_build = t.elapsed();
    let t = Instant::now();
    index.merge_segments().unwrap();
    let tantivy_merge = t.elapsed();
    let tantivy_size = dir_size(&tantivy_dir);
    eprintln!(
        "parvis-search: built in {:.1} s (+ merge {:.1} s), {:.0} MB, {} docs",
        tantivy_build.as_secs_f64(),
        tantivy_merge.as_secs_f64(),
        tantivy_size as f64 / 1e6,
        index.num_docs()
    );
    drop(index);
    let index = SearchIndex::open(&tantivy_dir).unwrap();

    // --- SQLite FTS5 build ---
    let t = Instant::now();
    let db = rusqlite::Connection::open(&sqlite_path).unwrap();
    db.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;
         CREATE VIRTUAL TABLE fts USING fts5(title, body, space_id UNINDEXED,
             tokenize = 'porter unicode61 remove_diacritics 2');
         BEGIN;",
    )
    .unwrap();
    {
        let mut insert = db
            .prepare("INSERT INTO fts(rowid, title, body, space_id) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for i in 0..n {
            let m = message(&corpus, &fr, i);
            insert
                .execute(rusqlite::params![m.message_id, m.title, m.body, m.space_id])
                .unwrap();
        }
    }
    db.execute_batch("COMMIT;").unwrap();
    let fts_build = t.elapsed();
    let t = Instant::now();
    db.execute_batch("INSERT INTO fts(fts) VALUES('optimize');")
        .unwrap();
    let fts_merge = t.elapsed();
    let fts_size = std::fs::metadata(&sqlite_path)
        .map(|m| m.len())
        .unwrap_or(0);
    eprintln!(
        "FTS5: built in {:.1} s (+ optimize {:.1} s), {:.0} MB",
        fts_build.as_secs_f64(),
        fts_merge.as_secs_f64(),
        fts_size as f64 / 1e6
    );

    // --- queries ---
    let mut count_stmt = db
        .prepare("SELECT count(*) FROM fts WHERE fts MATCH ?1 AND space_id = ?2")
        .unwrap();
    let mut top_stmt = db
        .prepare(
            "SELECT rowid, title, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts
             WHERE fts MATCH ?1 AND space_id = ?2 ORDER BY rank LIMIT 20",
        )
        .unwrap();
    let mut ours: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut theirs: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut totals = vec![(0usize, 0usize); QUERIES.len()];
    // Pass 0 warms caches and is not counted.
    for pass in 0..=args.passes {
        for (qi, (our_text, fts_text, _)) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            let r = index.search(&SearchQuery::new(1, *our_text)).unwrap();
            let ours_time = t.elapsed();
            std::hint::black_box(&r);

            let t = Instant::now();
            let total: i64 = count_stmt
                .query_row(rusqlite::params![fts_text, 1], |row| row.get(0))
                .unwrap_or(-1);
            let rows: Vec<(i64, String, String)> = top_stmt
                .query_map(rusqlite::params![fts_text, 1], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .and_then(|rows| rows.collect())
                .unwrap_or_default();
            let fts_time = t.elapsed();
            std::hint::black_box(&rows);

            if pass > 0 {
                ours[qi].push(ours_time);
                theirs[qi].push(fts_time);
            }
            totals[qi] = (r.total, total.max(0) as usize);
        }
    }

    let all = |v: &[Vec<Duration>]| {
        let mut all: Vec<Duration> = v.iter().flatten().copied().collect();
        all.sort_unstable();
        all
    };
    let (a, b) = (all(&ours), all(&theirs));
    let (p50a, p99a, p50b, p99b) = (pct(&a, 50.0), pct(&a, 99.0), pct(&b, 50.0), pct(&b, 99.0));

    println!(
        "| query | kind | hits parvis-search | hits FTS5 | parvis-search p50 ms | FTS5 p50 ms |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for (qi, (text, _, kind)) in QUERIES.iter().enumerate() {
        let mut x = ours[qi].clone();
        x.sort_unstable();
        let mut y = theirs[qi].clone();
        y.sort_unstable();
        println!(
            "| `{}` | {kind} | {} | {} | {:.2} | {:.2} |",
            text.replace('|', "\\|"),
            totals[qi].0,
            totals[qi].1,
            ms(pct(&x, 50.0)),
            ms(pct(&y, 50.0))
        );
    }
    println!();
    println!(
        "messages: {n}; text: {:.0} MB; corpus: {}",
        bytes as f64 / 1e6,
        if corpus.real {
            "real mbox, mixed"
        } else {
            "synthetic"
        }
    );
    println!(
        "queries: {} x {} passes (+1 warm-up), limit 20, count + snippets, one thread",
        QUERIES.len(),
        args.passes
    );
    println!();
    println!("| engine | build s | merge/optimize s | size MB | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| parvis-search (tantivy, 2 writer threads) | {:.1} | {:.1} | {:.0} | {:.2} | {:.2} |",
        tantivy_build.as_secs_f64(),
        tantivy_merge.as_secs_f64(),
        tantivy_size as f64 / 1e6,
        ms(p50a),
        ms(p99a)
    );
    println!(
        "| SQLite FTS5 (1 thread) | {:.1} | {:.1} | {:.0} | {:.2} | {:.2} |",
        fts_build.as_secs_f64(),
        fts_merge.as_secs_f64(),
        fts_size as f64 / 1e6,
        ms(p50b),
        ms(p99b)
    );
    println!();
    println!(
        "p99 ratio parvis-search / FTS5: {:.3} (goal <= 0.5); p50 ratio: {:.3}",
        ms(p99a) / ms(p99b).max(1e-9),
        ms(p50a) / ms(p50b).max(1e-9)
    );

    if let Some(path) = args.json {
        let json = serde_json::json!({
            "messages": n,
            "text_mb": bytes as f64 / 1e6,
            "real_corpus": corpus.real,
            "passes": args.passes,
            "queries": QUERIES.len(),
            "parvis_search": {"build_s": tantivy_build.as_secs_f64(), "merge_s": tantivy_merge.as_secs_f64(),
                "size_bytes": tantivy_size, "p50_ms": ms(p50a), "p99_ms": ms(p99a)},
            "fts5": {"build_s": fts_build.as_secs_f64(), "optimize_s": fts_merge.as_secs_f64(),
                "size_bytes": fts_size, "p50_ms": ms(p50b), "p99_ms": ms(p99b)},
            "p99_ratio": ms(p99a) / ms(p99b).max(1e-9),
        });
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}
