#!/usr/bin/env python3
"""Runs AsyncFlow 0.1.1 and loopsim side by side on AsyncFlow payloads.

For each payload: AsyncFlow (unseeded) `--runs` times, and loopsim on the converted scenario
with seeds 1..`--seeds`; prints the mean and p99 latency of both (average and spread over the
runs) and their wall times. With `--record FILE` it writes AsyncFlow's runs as the reference
fixture that `tests/asyncflow.rs` checks loopsim against.

Needs a Python with asyncflow-sim 0.1.1 installed (`--python`, default /work/afenv/bin/python;
see docs/asyncflow.md for installing it on Python 3.11) and a release build of the CLI
(`cargo build --release -p loopsim-cli`, or `--loopsim PATH`). Not part of the README's test
command: the test command checks loopsim against the recorded numbers only.

    scripts/asyncflow-compare.py --runs 8 --record tests/asyncflow/reference.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "asyncflow" / "examples"

# Runs one payload in AsyncFlow and prints its latency statistics as JSON (its own wall time
# included: model building, the simulation and the analysis).
RUNNER = r"""
import json, sys, time
t0 = time.perf_counter()
import simpy
from asyncflow.runtime.simulation_runner import SimulationRunner
env = simpy.Environment()
runner = SimulationRunner.from_yaml(env=env, yaml_path=sys.argv[1])
stats = runner.run().get_latency_stats()
out = {k.name.lower(): float(v) for k, v in stats.items()}
out["wall_s"] = time.perf_counter() - t0
print(json.dumps(out))
"""

VERSIONS = r"""
import json, sys, importlib.metadata as m
print(json.dumps({"python": sys.version.split()[0],
                  **{p: m.version(p) for p in ["asyncflow-sim", "numpy", "simpy", "pydantic"]}}))
"""


def asyncflow_run(python, payload):
    out = subprocess.run([python, "-c", RUNNER, str(payload)], check=True,
                         capture_output=True, text=True).stdout
    d = json.loads(out.strip().splitlines()[-1])
    return {"mean": d["mean"], "p99": d["p99"], "count": int(d["total_requests"]),
            "wall_s": round(d["wall_s"], 3)}


def loopsim_runs(loopsim, payload, seeds):
    native = subprocess.run([loopsim, "convert", str(payload)], check=True,
                            capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(native)
    runs = []
    try:
        for seed in range(1, seeds + 1):
            t0 = time.perf_counter()
            out = subprocess.run([loopsim, "run", f.name, "--json", "--seed", str(seed)],
                                 check=True, capture_output=True, text=True).stdout
            wall = time.perf_counter() - t0
            lat = json.loads(out)["latency_s"]
            runs.append({"mean": lat["mean"], "p99": lat["p99"], "count": lat["count"],
                         "wall_s": round(wall, 4)})
    finally:
        os.unlink(f.name)
    return runs


def summary(runs, key):
    xs = [r[key] for r in runs]
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return statistics.mean(xs), sd


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("payloads", nargs="*", type=Path,
                    help="AsyncFlow YAML files (default: AsyncFlow's published examples)")
    ap.add_argument("--python", default="/work/afenv/bin/python")
    ap.add_argument("--loopsim", default=os.environ.get(
        "LOOPSIM", str(Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "loopsim")))
    ap.add_argument("--runs", type=int, default=4, help="AsyncFlow runs per payload")
    ap.add_argument("--seeds", type=int, default=8, help="loopsim seeds per payload")
    ap.add_argument("--record", type=Path, help="write AsyncFlow's runs to this JSON file")
    args = ap.parse_args()
    payloads = args.payloads or sorted(EXAMPLES.glob("*.yml"))
    versions = json.loads(subprocess.run([args.python, "-c", VERSIONS], check=True,
                                         capture_output=True, text=True).stdout)
    print(f"AsyncFlow {versions['asyncflow-sim']} (Python {versions['python']}, numpy "
          f"{versions['numpy']}, simpy {versions['simpy']}) × {args.runs} runs; loopsim × "
          f"{args.seeds} seeds")
    print(f"{'payload':<26} {'':>9} {'mean ms':>16} {'p99 ms':>16} {'requests':>9} {'wall s':>8}")
    record = {}
    for payload in payloads:
        af = [asyncflow_run(args.python, payload) for _ in range(args.runs)]
        ours = loopsim_runs(args.loopsim, payload, args.seeds)
        for label, runs in (("AsyncFlow", af), ("loopsim", ours)):
            (m, msd), (p, psd) = summary(runs, "mean"), summary(runs, "p99")
            n, _ = summary(runs, "count")
            w, _ = summary(runs, "wall_s")
            print(f"{payload.stem:<26} {label:>9} {m*1e3:8.3f} ±{msd*1e3:6.3f} "
                  f"{p*1e3:8.3f} ±{psd*1e3:6.3f} {n:9.0f} {w:8.3f}")
        af_wall = summary(af, "wall_s")[0]
        ours_wall = summary(ours, "wall_s")[0]
        print(f"{'':<26} {'speed-up':>9} {af_wall / ours_wall:8.0f}×")
        record[payload.stem] = {"asyncflow": af, "loopsim_wall_s": [r["wall_s"] for r in ours]}
    if args.record:
        doc = {
            "what": "AsyncFlow 0.1.1's latency statistics (seconds) on these payloads, one entry per run (AsyncFlow is unseeded), and loopsim's wall times on the same machine",
            "command": "scripts/asyncflow-compare.py " + " ".join(sys.argv[1:]),
            "versions": versions,
            "payloads": record,
        }
        args.record.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"recorded {args.record}")


if __name__ == "__main__":
    main()
