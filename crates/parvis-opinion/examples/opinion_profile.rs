//! Stage timings of one conversation (development aid).
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_default();
    let (mut best_read, mut best_an) = (f64::MAX, f64::MAX);
    for _ in 0..30 {
        let t = Instant::now();
        let conv =
            match parvis_opinion::Conversation::from_polis_export_dir(std::path::Path::new(&dir)) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return;
                }
            };
        let read = t.elapsed();
        let t = Instant::now();
        let _ = parvis_opinion::analyze(&conv, &parvis_opinion::Options::compat());
        best_read = best_read.min(read.as_secs_f64() * 1e3);
        best_an = best_an.min(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("min of 30: read {best_read:.2} ms, analyze {best_an:.2} ms");
}
