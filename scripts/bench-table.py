#!/usr/bin/env python3
"""Measures the benchmark rows and prints the one benchmark table (called by scripts/bench.sh,
which builds what it needs first).

Every native row is a whole `loopsim run --json` process (start-up, parsing, the run, the
report), timed with a monotonic clock, its peak resident memory from /usr/bin/time; the best of
--repeat runs is kept (the machine is shared, so the best is the least disturbed). The wasm rows
run the same scenarios in headless Chromium (scripts/bench-wasm.mjs). Events and requests are
the run's own counts (`events`, `requests.sent`), identical on every run and on both targets.
"""

import argparse
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE = "benches/single-loop.yaml"
SHOP = "scenarios/basics/shop.yaml"
FANOUT = "benches/fanout-50.yaml"
TEN_M = "benches/ten-million.yaml"


def derived(path, subs, drop=()):
    """A temporary copy of a scenario with some top-level lines replaced or removed."""
    text = (ROOT / path).read_text()
    for key, value in subs.items():
        text, n = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
        assert n == 1, f"{path} has one top-level {key}"
    for key in drop:
        text = re.sub(rf"^{key}: .*\n", "", text, flags=re.M)
    f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, dir=tempfile.gettempdir())
    f.write(text)
    f.close()
    return f.name


def timed(cmd):
    """Runs a command; returns (wall seconds, CPU seconds, peak RSS in MB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + cmd, capture_output=True,
                       text=True, check=True)
    wall = time.perf_counter() - t0
    kb, user, system = p.stderr.strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(kb) / 1024, p.stdout


def native(loopsim, scenario, repeat, extra=(), prefix=()):
    """The best (least disturbed) of `repeat` whole runs; its CPU time too, which other
    work on a shared machine inflates less than the wall time."""
    runs = [timed(list(prefix) + [loopsim, "run", scenario, "--json", *extra])
            for _ in range(repeat)]
    wall, _, mb, out = min(runs, key=lambda r: r[0])
    report = json.loads(out)
    return {"wall": wall, "cpu": min(r[1] for r in runs), "mb": mb,
            "events": report.get("events"), "requests": report.get("requests", {}).get("sent")}


def wasm(mode, directory, cases, repeat):
    args = ["node", str(ROOT / "scripts/bench-wasm.mjs"), mode, directory,
            *[f"{name}={path}" for name, path in cases], f"--repeat={repeat}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {r["name"]: {"wall": r["wall_s"], "events": r["events"], "requests": r["requests"],
                        "browser": r["browser"]} for r in rows}


def machine():
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM, Linux {platform.release()}, "
            f"{rustc}")


def load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def rate(n, wall):
    if n is None or not wall:
        return "—"
    r = n / wall
    return f"{r / 1e6:.2f} M" if r >= 1e6 else f"{r / 1e3:.0f} k"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loopsim", required=True)
    ap.add_argument("--wasm-pkg", required=True)
    ap.add_argument("--dist", help="a built playground (trunk's dist/) for the page row")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip AsyncFlow and the page")
    ap.add_argument("--month", action="store_true",
                    help="add the 30-day shop (263 M requests, 2.9 G events: minutes of CPU)")
    ap.add_argument("--afpython", default=os.environ.get("AFPYTHON", "/work/afenv/bin/python"))
    args = ap.parse_args()
    os.chdir(ROOT)
    ls, rep = args.loopsim, args.repeat
    load_before = load()
    rows = []  # (benchmark, command, wall, cpu, events, requests, mb, target)

    def row(name, command, r, target=""):
        rows.append((name, command, r["wall"], r.get("cpu"), r.get("events"), r.get("requests"),
                     r.get("mb"), target))
        print(f"  measured {name}: {r['wall']:.3f} s", file=sys.stderr)

    one_m = derived(TEN_M, {"duration": "12500s", "name": "One million requests"})
    cases = [("single_loop", SINGLE), ("shop", SHOP), ("fanout_50", FANOUT),
             ("ten_million", TEN_M)]
    nat = {name: native(ls, path, rep) for name, path in cases}
    nat["one_million"] = native(ls, one_m, rep)
    single = nat["single_loop"]
    row("single loop, ρ = 0.95 (native)", f"loopsim run {SINGLE}", single,
        f"≥ 20 M events/s: {single['events'] / single['wall'] / 1e6:.1f} M per wall s, "
        f"{single['events'] / single['cpu'] / 1e6:.1f} M per CPU s (whole process; in-process: "
        "cargo bench)")
    row("shop (native)", f"loopsim run {SHOP}", nat["shop"])
    row("50-service fan-out (native)", f"loopsim run {FANOUT}", nat["fanout_50"])
    row("10 M requests (native)", f"loopsim run {TEN_M}", nat["ten_million"])
    ratio = nat["ten_million"]["mb"] / nat["one_million"]["mb"]
    row("1 M requests (native)", "the same for 12,500 s", nat["one_million"],
        f"10× requests → < 1.2× memory: {ratio:.2f}× "
        f"({nat['one_million']['mb']:.1f} → {nat['ten_million']['mb']:.1f} MB)")

    w = wasm("engine", args.wasm_pkg, cases, rep)
    for name, label in [("single_loop", "single loop"), ("shop", "shop"),
                        ("fanout_50", "50-service fan-out"), ("ten_million", "10 M requests")]:
        slower = w[name]["wall"] / nat[name]["wall"]
        row(f"{label} (wasm, Chromium {w[name]['browser'].split('.')[0]})",
            "Simulation.runToEnd + reportJson", w[name], f"{slower:.2f}× the native process")

    if args.dist and not args.quick:
        p = wasm("page", args.dist, [("one_million", one_m)], rep)["one_million"]
        cli = nat["one_million"]["wall"]
        row("1 M requests (the page, end to end)", "window.loopsim.run()", p,
            f"≤ 1.5× the CLI: {p['wall'] / cli:.2f}× ({cli:.2f} s)")

    threads = "--threads" in subprocess.run([ls, "run", "--help"], capture_output=True,
                                            text=True).stdout
    reps = ["--replications", "8"]
    if threads:
        one = native(ls, FANOUT, rep, reps + ["--threads", "1"])
        two = native(ls, FANOUT, rep, reps + ["--threads", "2"])
        how = "--threads 1 vs 2"
    else:
        one = native(ls, FANOUT, rep, reps, prefix=["taskset", "-c", "0"])
        two = native(ls, FANOUT, rep, reps)
        how = "taskset -c 0 vs both CPUs"
    # The combined report's counts are means over the replications: rates per process would
    # mislead, so these rows give the wall time only.
    for r in (one, two):
        r["events"] = r["requests"] = None
    row("8 replications of the fan-out, 1 thread", f"loopsim run {FANOUT} --replications 8",
        one)
    row("8 replications of the fan-out, 2 threads", how, two,
        f"≥ 1.8× on 2 cores: {one['wall'] / two['wall']:.2f}×")

    if args.month:
        month = derived(SHOP, {"duration": "30d"}, drop=["sample_every"])
        r = native(ls, month, 1)
        row("shop for 30 days (native)", "shop.yaml with duration: 30d", r,
            f"< 50 MB: {r['mb']:.1f} MB")
        os.unlink(month)
    if not args.quick and Path(args.afpython).exists():
        compare_asyncflow(args, row)
    os.unlink(one_m)

    print(f"machine: {machine()}")
    print(f"load average (1, 5, 15 min): {load_before} before, {load()} after; best of "
          f"{rep} runs per row; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("events/s and requests/s per wall second of the whole process (CPU s: user + system "
          "time of the best run's process; wasm rows: in-page time, no CPU time)")
    print()
    print("| benchmark | command | wall s | CPU s | events/s | requests/s | peak MB | target |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name, command, wall, cpu, events, requests, mb, target in rows:
        mem = f"{mb:.1f}" if mb is not None else "—"
        cpus = f"{cpu:.2f}" if cpu is not None else "—"
        print(f"| {name} | `{command}` | {wall:.3f} | {cpus} | {rate(events, wall)} | "
              f"{rate(requests, wall)} | {mem} | {target} |")


def compare_asyncflow(args, row):
    """AsyncFlow 0.1.1 and loopsim on AsyncFlow's own example payloads, whole processes each,
    through scripts/asyncflow-compare.py's runners (loopsim converts the payload first, outside
    the timing)."""
    spec = importlib.util.spec_from_file_location("afc", ROOT / "scripts/asyncflow-compare.py")
    afc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(afc)
    for payload in sorted(afc.EXAMPLES.glob("*.yml")):
        af = min((afc.asyncflow_run(args.afpython, payload) for _ in range(2)),
                 key=lambda r: r["wall_s"])
        ours = min(afc.loopsim_runs(args.loopsim, payload, args.repeat),
                   key=lambda r: r["wall_s"])
        row(f"AsyncFlow 0.1.1: {payload.stem}", "asyncflow SimulationRunner",
            {"wall": af["wall_s"], "requests": af["count"]})
        row(f"loopsim: {payload.stem}", "loopsim run (converted)",
            {"wall": ours["wall_s"], "requests": ours["count"]},
            f"≥ 500× AsyncFlow: {af['wall_s'] / ours['wall_s']:.0f}×")


if __name__ == "__main__":
    main()
