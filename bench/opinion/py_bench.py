"""Times reference_pipeline.py (the numpy re-implementation of Pol.is's PCA, base clusters and
groups) inside one Python process, so interpreter start-up and imports are not counted.
Usage: py_bench.py <reference_pipeline.py> <runs> <export-dir>...
Prints one `RESULT python <name> median_ms=... runs=...` line per conversation."""
import contextlib, io, os, runpy, statistics, sys, time

script, runs, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
import numpy, pandas, sklearn.metrics  # noqa: F401  (imported once, outside the timings)

for d in dirs:
    args = [script, os.path.join(d, 'votes.csv'), os.path.join(d, 'participants-votes.csv'),
            os.path.join(d, 'comments.csv')]
    times, out = [], ''
    for i in range(runs + 1):
        sys.argv = args
        buf = io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(buf):
            runpy.run_path(script, run_name='__main__')
        dt = time.perf_counter() - t0
        if i > 0:  # first run warms caches, like the Rust side's first iteration
            times.append(dt)
        out = buf.getvalue().strip()
    # The CSV reads the pipeline starts with, timed alone, so that the compute part can be
    # compared with Rust's in-memory analyze() as well.
    import pandas as pd
    reads = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        pd.read_csv(args[1]).sort_values('timestamp', kind='stable')
        pd.read_csv(args[2], dtype={'group-id': 'Int64'})
        pd.read_csv(args[3])
        if i > 0:
            reads.append(time.perf_counter() - t0)
    print(f"RESULT python {os.path.basename(d.rstrip('/'))} median_ms={statistics.median(times) * 1e3:.3f} read_ms={statistics.median(reads) * 1e3:.3f} runs={runs} {out}", flush=True)
