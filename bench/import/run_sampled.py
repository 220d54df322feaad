#!/usr/bin/env python3
"""Run one command, time it and watch its memory.

usage: run_sampled.py OUT.json TIMEOUT_S INTERVAL_S -- CMD ARGS...

Wall time is time.perf_counter() from just before the fork to the reap. Peak RSS is
ru_maxrss from wait4() (the kernel's own high-water mark for the process), and VmRSS is
also sampled from /proc/PID/status every INTERVAL_S seconds to show whether memory stays
flat over the run. The command's stdout goes to OUT.json's "stdout" field (last 64 KB),
stderr is passed through. After TIMEOUT_S the process gets SIGTERM (then SIGKILL 5 s
later) and "timed_out" is true. Writes one JSON object to OUT.json.
"""
import json, os, signal, subprocess, sys, tempfile, threading, time

out_path, timeout_s, interval = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
assert sys.argv[4] == "--"
cmd = sys.argv[5:]

samples = []  # (seconds since start, VmRSS kB)
stdout_file = tempfile.TemporaryFile()
t0 = time.perf_counter()
proc = subprocess.Popen(cmd, stdout=stdout_file)
stop = threading.Event()


def sample():
    path = f"/proc/{proc.pid}/status"
    while not stop.is_set():
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        samples.append((round(time.perf_counter() - t0, 2), int(line.split()[1])))
                        break
        except OSError:
            break
        stop.wait(interval)


th = threading.Thread(target=sample, daemon=True)
th.start()
timed_out = False
deadline = t0 + timeout_s
while True:
    pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
    if pid:
        break
    if time.perf_counter() > deadline and not timed_out:
        timed_out = True
        proc.send_signal(signal.SIGTERM)
        deadline = time.perf_counter() + 5
    elif timed_out and time.perf_counter() > deadline:
        proc.kill()
        deadline = float("inf")
    time.sleep(0.02)
wall = time.perf_counter() - t0
stop.set()
th.join(timeout=2)
stdout_file.seek(0, os.SEEK_END)
size = stdout_file.tell()
stdout_file.seek(max(0, size - 65536))
stdout = stdout_file.read().decode("utf-8", "replace")
rc = os.waitstatus_to_exitcode(status)
rss = [kb for _, kb in samples]
result = {
    "cmd": cmd,
    "rc": rc,
    "timed_out": timed_out,
    "wall_s": round(wall, 3),
    "user_s": round(ru.ru_utime, 3),
    "sys_s": round(ru.ru_stime, 3),
    "maxrss_kb": ru.ru_maxrss,
    "sampled_max_rss_kb": max(rss) if rss else None,
    "samples": len(samples),
    # a thinned timeline (at most ~60 points) to show the shape
    "rss_timeline_kb": samples[:: max(1, len(samples) // 60)],
    "stdout": stdout,
}
with open(out_path, "w") as f:
    json.dump(result, f)
sys.exit(0)
