//! Sweeps, shards and `loopsim merge` through the binary: the merged shards print the unsharded
//! run's bytes, in every output shape, and bad requests are refused with located messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn loopsim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the loopsim binary runs")
}

fn ok(o: Output) -> Vec<u8> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SWEEP: &str = "version: 1
name: two loops
seed: 9
duration: 30s
warmup: 2s
workload:
  - { to: api, rate: 40/s }
services:
  api:
    workers: 1
    endpoints:
      /: [ { cpu: { dist: exponential, mean: 10ms } }, { call: db/q } ]
  db:
    endpoints:
      /q: [ { io: 5ms } ]
slo:
  - { name: fast, latency: p99 < 150ms }
sweep:
  workload[0].rate: 20/s..80/s by 20/s
  services.api.workers: [1, 2]
";

/// A scratch directory holding `scenario.yaml`.
fn scratch(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scenario.yaml"), yaml).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// Runs `args` as `n` shards, saves them, and returns the merge of them (in reverse order)
/// with `merge_args`.
fn sharded(dir: &Path, args: &[&str], n: u32, merge_args: &[&str]) -> Vec<u8> {
    let mut files = Vec::new();
    for i in 0..n {
        let shard = format!("{i}/{n}");
        let mut a = args.to_vec();
        a.extend(["--shard", &shard]);
        let out = ok(loopsim(dir, &a));
        let name = format!("shard-{i}.json");
        std::fs::write(dir.join(&name), out).unwrap();
        files.push(name);
    }
    let mut a = vec!["merge"];
    a.extend(files.iter().rev().map(String::as_str));
    a.extend(merge_args);
    ok(loopsim(dir, &a))
}

#[test]
fn merged_shards_print_the_unsharded_runs_bytes() {
    let (_keep, dir) = scratch(SWEEP);
    let run = ["run", "scenario.yaml", "--replications", "3"];
    for shape in [&[][..], &["--json"], &["--csv"]] {
        let mut args = run.to_vec();
        args.extend(shape);
        let whole = ok(loopsim(&dir, &args));
        // 8 points × 3 replications = 24 units over 5 shards: uneven slices on purpose.
        let merged = sharded(&dir, &run, 5, shape);
        assert!(
            whole == merged,
            "{shape:?}: the merged shards differ from the whole run"
        );
    }
    let text = String::from_utf8(ok(loopsim(&dir, &run))).unwrap();
    assert!(text.contains("services.api.workers = 2"), "{text}");
    assert!(text.contains("◀ knee"), "{text}");
    // Without replications (one run per point) and with one shard: the same again.
    let single = ["run", "scenario.yaml", "--json"];
    assert!(ok(loopsim(&dir, &single)) == sharded(&dir, &single, 1, &["--json"]));
}

#[test]
fn merged_shards_of_replications_print_the_replications_json() {
    let plain = SWEEP.split("sweep:").next().unwrap();
    let (_keep, dir) = scratch(plain);
    let run = ["run", "scenario.yaml", "--replications", "4"];
    let mut json = run.to_vec();
    json.push("--json");
    let whole = ok(loopsim(&dir, &json));
    assert!(whole == sharded(&dir, &run, 3, &["--json"]));
}

#[test]
fn the_json_has_the_curves_the_knee_and_every_points_report() {
    let (_keep, dir) = scratch(SWEEP);
    let out = ok(loopsim(
        &dir,
        &["run", "scenario.yaml", "--json", "--replications", "2"],
    ));
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["sweep"]["points"], 8);
    assert_eq!(v["capacity"]["rule"]["rule"], "slo");
    let curves = v["capacity"]["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 2);
    assert_eq!(curves[1]["series"][1], "2");
    let p = &curves[0]["points"][0];
    assert!(p["p99_s"]["mean"].is_f64() && p["p99_s"]["half_width"].is_f64());
    assert!(curves[0]["knee"]["says"].as_str().unwrap().contains("SLO"));
    let points = v["points"].as_array().unwrap();
    assert_eq!(points[5]["values"]["workload[0].rate"], "40/s");
    assert_eq!(points[5]["values"]["services.api.workers"], "2");
    assert!(points[5]["report"]["latency_s"]["p99_ci"]["half_width"].is_f64());
    let csv = String::from_utf8(ok(loopsim(&dir, &["run", "scenario.yaml", "--csv"]))).unwrap();
    assert_eq!(csv.lines().count(), 9, "{csv}");
    assert!(
        csv.starts_with("curve,workload[0].rate,x,p99_s,p99_s_ci,"),
        "{csv}"
    );
}

#[test]
fn too_big_sweeps_and_bad_shards_are_refused_with_a_reason() {
    let (_keep, dir) = scratch(SWEEP);
    // 8 points × 2000 replications = 16 000 runs: refused at the `sweep` key, before any run.
    let o = loopsim(&dir, &["run", "scenario.yaml", "--replications", "2000"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("scenario.yaml:18:1: error: this sweep asks for 16000 runs (8 points × 2000 replications); at most 10000"),
        "{e}"
    );
    let huge = SWEEP.replace("20/s..80/s by 20/s", "1/s..1000000000/s by 1/s");
    std::fs::write(dir.join("huge.yaml"), huge).unwrap();
    let e = stderr(&loopsim(&dir, &["run", "huge.yaml"]));
    assert!(
        e.contains("huge.yaml:19:21: error: this range has 1000000000 values"),
        "{e}"
    );
    for (args, want) in [
        (
            &["run", "scenario.yaml", "--shard", "3/3"][..],
            "numbered from 0 to 2",
        ),
        (&["run", "scenario.yaml", "--shard", "1"], "is not `i/n`"),
        (
            &["run", "scenario.yaml", "--html", "x.html"],
            "prints capacity curves",
        ),
    ] {
        let o = loopsim(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    let plain = SWEEP.split("sweep:").next().unwrap();
    std::fs::write(dir.join("plain.yaml"), plain).unwrap();
    let e = stderr(&loopsim(&dir, &["run", "plain.yaml", "--csv"]));
    assert!(e.contains("no `sweep:` section"), "{e}");
    let e = stderr(&loopsim(&dir, &["run", "plain.yaml", "--shard", "0/2"]));
    assert!(e.contains("has neither"), "{e}");
    // Shards of different runs, a missing shard, a file that is not a shard.
    std::fs::write(
        dir.join("a.json"),
        ok(loopsim(&dir, &["run", "scenario.yaml", "--shard", "0/2"])),
    )
    .unwrap();
    std::fs::write(
        dir.join("b.json"),
        ok(loopsim(
            &dir,
            &["run", "scenario.yaml", "--seed", "4", "--shard", "1/2"],
        )),
    )
    .unwrap();
    // A doctored plan (3.2·10¹⁰ runs) is refused before anything is allocated for it.
    let a = std::fs::read_to_string(dir.join("a.json")).unwrap();
    let doctored = a.replacen("\"replications\":1", "\"replications\":4000000000", 1);
    assert_ne!(a, doctored);
    std::fs::write(dir.join("c.json"), doctored).unwrap();
    for (files, want) in [
        (&["c.json"][..], "not a usable shard"),
        (&["a.json", "b.json"], "shards of different runs"),
        (&["a.json"], "shard 1/2 is missing"),
        (
            &["scenario.yaml"],
            "not the output of `loopsim run … --shard i/n`",
        ),
    ] {
        let mut args = vec!["merge"];
        args.extend(files);
        let o = loopsim(&dir, &args);
        assert_eq!(o.status.code(), Some(2), "{files:?}");
        assert!(stderr(&o).contains(want), "{files:?}: {}", stderr(&o));
    }
}

/// Work past what one process may run is refused before running, with a hint to shard it; a
/// shard of it is small enough.
#[test]
fn too_much_work_for_one_process_is_refused_and_shards_take_it() {
    // A day at 10 000 to 20 000 requests/s is 0.9 to 1.7·10⁹ requests per point (each under
    // the per-run cap of 2·10⁹), about 2.7·10¹¹ events over the 30 points: past 10¹¹ in one
    // process, and refused before any point runs.
    let yaml = SWEEP
        .replace("duration: 30s", "duration: 1d")
        .replace("20/s..80/s by 20/s", "10000/s..20000/s by 2000/s")
        .replace(
            "services.api.workers: [1, 2]",
            "services.api.workers: [1, 2, 3, 4, 5]",
        );
    let (_keep, dir) = scratch(&yaml);
    let o = loopsim(&dir, &["run", "scenario.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("scenario.yaml:18:1: error: this sweep would process about"),
        "{e}"
    );
    assert!(e.contains("--shard i/n"), "{e}");
}

/// `replications:` and `warmup: auto` in the scenario: each point's cut is chosen on all its
/// replications' first passes, so a shard holding only some of them settles it the same way.
#[test]
fn shards_of_a_sweep_with_auto_warmup_and_scenario_replications_merge_to_the_same_bytes() {
    let yaml = SWEEP
        .replace("warmup: 2s", "warmup: auto\nreplications: 3")
        .replace("services.api.workers: [1, 2]\n", "");
    let (_keep, dir) = scratch(&yaml);
    let run = ["run", "scenario.yaml", "--json"];
    let whole = ok(loopsim(&dir, &run));
    let v: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(v["sweep"]["replications"], 3);
    assert!(
        v["points"][3]["report"]["warmup_auto"].is_object(),
        "{}",
        v["points"][3]["report"]["warmup_auto"]
    );
    assert!(whole == sharded(&dir, &["run", "scenario.yaml"], 4, &["--json"]));
    // And with another thread count.
    assert!(
        whole
            == ok(loopsim(
                &dir,
                &["run", "scenario.yaml", "--json", "--threads", "1"]
            ))
    );
}
