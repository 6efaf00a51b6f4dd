//! `loopsim`: run, validate and describe scenarios from the command line.
//!
//! Exit codes: 0 success, 1 the `--fail-on` gate failed (or an internal failure), 2 invalid
//! input (the message goes to stderr).

mod args;
mod merge;
mod replicate;
mod shard;
mod source;
mod sweep;
mod text;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use loopsim_core::diag::{LineIndex, Rendered};
use loopsim_core::health::gate;
use loopsim_core::{check, Scenario, Simulation};

use args::{Cli, Command, ConvertArgs, MergeArgs, RunArgs, ValidateArgs};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with exit 0; usage errors to stderr with exit 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match cli.command {
        Command::Version => {
            println!("loopsim {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Schema => {
            print!("{}", loopsim_core::schema::SCENARIO_SCHEMA); // ends with a newline
            ExitCode::SUCCESS
        }
        Command::Validate(ValidateArgs { file }) => match load(&file) {
            Ok(sc) => {
                let sweep = sc.sweep.as_ref().map_or(String::new(), |s| {
                    format!(", a sweep of {} points", s.points())
                });
                println!(
                    "{}: ok ({} services, {} workloads{sweep})",
                    file.display(),
                    sc.services.len(),
                    sc.workloads.len()
                );
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Convert(args) => convert(&args),
        Command::Run(run) => match load_run(&run.file, run.from.as_deref()) {
            Ok((sc, source)) => execute(sc, &source, &run),
            Err(code) => code,
        },
        Command::Merge(args) => execute_merge(&args),
    }
}

/// Prints `diagnostics` of `source` to stderr, compiler style (`FILE:LINE:COL: error: …`).
fn print_diagnostics(file: &str, source: &str, diagnostics: &[loopsim_core::diag::Diagnostic]) {
    let index = LineIndex::new(source);
    for d in diagnostics {
        eprintln!(
            "{}",
            Rendered {
                file,
                index: &index,
                diagnostic: d
            }
        );
    }
}

/// Reads and validates a scenario, printing every diagnostic (warnings too) to stderr.
fn load(path: &Path) -> Result<Scenario, ExitCode> {
    load_source(path).map(|(sc, _)| sc)
}

/// [`load`], with the text the scenario was read from.
fn load_source(path: &Path) -> Result<(Scenario, String), ExitCode> {
    let file = &path.display().to_string();
    let source = source::read(path).map_err(|msg| {
        eprintln!("{msg}");
        ExitCode::from(2)
    })?;
    let checked = check(&source);
    print_diagnostics(file, &source, &checked.diagnostics);
    match checked.scenario {
        Some(sc) => Ok((sc, source)),
        None => {
            let n = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "loopsim: {file}: {n} error{} found",
                if n == 1 { "" } else { "s" }
            );
            Err(ExitCode::from(2))
        }
    }
}

/// Loads the scenario `loopsim run` runs: a native scenario, or another tool's file (named by
/// `--from`, or recognised from its content) converted first. The converter's diagnostics are
/// located in the file; the converted scenario's, in `FILE (converted)`. Returns the scenario
/// and the text it was checked from (a sweep rewrites it point by point).
fn load_run(path: &Path, from: Option<&str>) -> Result<(Scenario, String), ExitCode> {
    use loopsim_core::convert::{self, Format};
    let file = &path.display().to_string();
    let source = source::read(path).map_err(|msg| {
        eprintln!("{msg}");
        ExitCode::from(2)
    })?;
    let format = match from {
        Some(name) => Some(Format::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            eprintln!(
                "loopsim: unknown format `{name}` for --from\n  hint: the formats are: {}",
                known.join(", ")
            );
            ExitCode::from(2)
        })?),
        None => convert::detect(&source),
    };
    let Some(format) = format else {
        return load_source(path);
    };
    let converted = convert::convert(format, &source);
    print_diagnostics(file, &source, &converted.diagnostics);
    let Some(yaml) = converted.yaml else {
        let n = converted
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .count();
        eprintln!(
            "loopsim: {file}: {n} error{} found converting it from {}",
            if n == 1 { "" } else { "s" },
            format.name()
        );
        return Err(ExitCode::from(2));
    };
    eprintln!(
        "loopsim: {file}: converted from {} (`loopsim convert {file}` prints the scenario)",
        format.name()
    );
    let checked = check(&yaml);
    print_diagnostics(&format!("{file} (converted)"), &yaml, &checked.diagnostics);
    checked
        .scenario
        .map(|sc| (sc, yaml))
        .ok_or(ExitCode::from(2))
}

/// `loopsim convert`: the native YAML on stdout, every diagnostic (located in the input) on
/// stderr; exit 2 on an unreadable file, an unknown format or any error.
fn convert(args: &ConvertArgs) -> ExitCode {
    use loopsim_core::convert::{self, Format};
    let file = &args.file.display().to_string();
    let source = match source::read(&args.file) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let known = || {
        Format::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let format = match &args.from {
        Some(name) => match Format::from_name(name) {
            Some(f) => f,
            None => {
                eprintln!(
                    "loopsim: unknown format `{name}` for --from\n  hint: the formats are: {}",
                    known()
                );
                return ExitCode::from(2);
            }
        },
        None => match convert::detect(&source) {
            Some(f) => f,
            None => {
                eprintln!(
                    "loopsim: {file}: cannot tell which format this file is in\n  hint: the \
                     formats are: {} (an agent-chaos profile is a JSON object with `agents` \
                     and `workers` keys; an AsyncFlow payload is YAML with `rqs_input` and \
                     `topology_graph`); name one with --from",
                    known()
                );
                return ExitCode::from(2);
            }
        },
    };
    let converted = convert::convert(format, &source);
    print_diagnostics(file, &source, &converted.diagnostics);
    match converted.yaml {
        Some(yaml) => {
            print!("{yaml}");
            ExitCode::SUCCESS
        }
        None => {
            let n = converted
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count();
            eprintln!(
                "loopsim: {file}: {n} error{} found",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::from(2)
        }
    }
}

/// `--replications N`: every replication on the machine's cores, then the combined report.
fn execute_replications(sc: &Scenario, n: u32, run: &RunArgs) -> ExitCode {
    let json = run.json;
    let threads = run.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |t| t.get()),
        |t| t as usize,
    );
    // Drawn on stderr only when it is a terminal (indicatif hides it otherwise).
    let progress = indicatif::ProgressBar::new(replicate::runs(sc, n)).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} runs, {eta} left")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    progress.set_message(format!("{} on {threads} threads", sc.name));
    let reports = replicate::run_all(sc, n, threads, &|| progress.inc(1));
    progress.finish_and_clear();
    if let Some((i, r)) = reports
        .iter()
        .enumerate()
        .find(|(_, r)| r.stopped.is_some())
    {
        let why = r.stopped.as_ref().map_or("", |s| s.message.as_str());
        eprintln!("loopsim: warning: replication {i} stopped early: {why}");
    }
    let out = if json {
        let values: Vec<serde_json::Value> = reports
            .iter()
            .map(|r| serde_json::to_value(r).expect("reports always serialise"))
            .collect();
        let seeds: Vec<u64> = reports.iter().map(|r| r.seed).collect();
        serde_json::to_string_pretty(&replicate::combine(&values, &seeds))
            .expect("reports always serialise")
            + "\n"
    } else {
        replicate::text(&reports, &sc.name)
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// A sweep, or a shard of replications: units run here and finished, or printed for
/// `loopsim merge`.
fn execute_study(sc: &Scenario, source: &str, run: &RunArgs) -> ExitCode {
    let file = run.file.display().to_string();
    let replications = run.replications.unwrap_or(sc.replications);
    let single = single_run_flag(run).or(run.batches.map(|_| "--batches"));
    if let (Some(_), Some(flag)) = (&sc.sweep, single) {
        eprintln!(
            "loopsim: {file} has a `sweep:` section: it prints capacity curves (text, --json or --csv), not one run's {flag}\n  hint: remove `sweep:` (or empty it: `sweep: ~`) to run the scenario as written"
        );
        return ExitCode::from(2);
    }
    if sc.sweep.is_none() && replications < 2 {
        eprintln!("loopsim: --shard splits a sweep or replications, and {file} has neither\n  hint: add --replications N or a `sweep:` section");
        return ExitCode::from(2);
    }
    let study = match sweep::Study::new(sc, source, replications, run.seed) {
        Ok(s) => s,
        Err(d) => {
            print_diagnostics(&file, source, &[d]);
            return ExitCode::from(2);
        }
    };
    let threads = run.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |t| t.get()),
        |t| t as usize,
    );
    let total = study.plan.units();
    let units: Vec<usize> = run
        .shard
        .map_or_else(|| (0..total).collect(), |s| s.units(total));
    if let Err(d) = study.check_work(sc, &units) {
        print_diagnostics(&file, source, &[d]);
        return ExitCode::from(2);
    }
    let reports = study.run(&units, threads);
    let out = match run.shard {
        Some(shard) => {
            let file = shard::ShardFile {
                loopsim_shard: shard,
                plan: study.plan,
                results: units
                    .into_iter()
                    .zip(reports)
                    .map(|(unit, report)| shard::UnitReport { unit, report })
                    .collect(),
            };
            serde_json::to_string(&file).expect("JSON values always serialise") + "\n"
        }
        None => {
            let out = sweep::finish(&study.plan, &reports);
            match (run.json, run.csv) {
                (true, _) => out.json,
                (_, true) => out.csv.unwrap_or(out.json),
                _ => out.text,
            }
        }
    };
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// `loopsim merge`: the shards' outputs back into the run's.
fn execute_merge(args: &MergeArgs) -> ExitCode {
    match merge::merge(&args.files) {
        Ok(out) => {
            let text = match (args.json, args.csv, out.csv) {
                (true, _, _) => out.json,
                (_, true, Some(csv)) => csv,
                (_, true, None) => {
                    eprintln!("loopsim merge: --csv is for sweeps; these shards are replications without one (use --json)");
                    return ExitCode::from(2);
                }
                _ => out.text,
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

/// `--json`: the report, with `--batches`' intervals after its own keys.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a loopsim_core::Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch_means: Option<&'a loopsim_core::batch_means::BatchMeans>,
}

/// One run, with a progress bar of simulated time on stderr when it is a terminal (a month of
/// simulated traffic takes a while; indicatif draws nothing otherwise).
fn run_with_progress(sc: &Scenario) -> Simulation {
    let progress = indicatif::ProgressBar::new(sc.duration.max(1)).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {percent}% of the simulated time, {eta} left",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    if sc.warmup_rule == loopsim_core::scenario::model::WarmupRule::Auto {
        progress.set_message(format!("{}: first pass (warmup: auto)", sc.name));
        progress.tick();
    }
    let mut sim = Simulation::new(sc.clone());
    progress.set_message(sc.name.clone());
    // Steps of a few million events: a fraction of a second each, so the bar moves.
    while !sim.step(u64::MAX, 4_000_000).finished {
        progress.set_position(sim.snapshot().now);
    }
    progress.finish_and_clear();
    sim
}

/// The first flag given that only makes sense for one run.
fn single_run_flag(run: &RunArgs) -> Option<&'static str> {
    [
        (run.report.is_some(), "--report"),
        (run.series.is_some(), "--series"),
        (run.html.is_some(), "--html"),
        (!run.fail_on.is_empty(), "--fail-on"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

fn execute(mut sc: Scenario, source: &str, run: &RunArgs) -> ExitCode {
    if let Some(seed) = run.seed {
        sc.seed = seed;
    }
    if sc.sweep.is_some() || run.shard.is_some() {
        return execute_study(&sc, source, run);
    }
    if run.csv {
        eprintln!("loopsim: --csv prints a sweep's points, and {} has no `sweep:` section\n  hint: --series OUT.csv writes one run's time series", run.file.display());
        return ExitCode::from(2);
    }
    let n = run.replications.unwrap_or(sc.replications);
    if n > 1 {
        if let Some(flag) = single_run_flag(run) {
            eprintln!(
                "loopsim: {}: the scenario asks for {n} replications (`replications:`), and \
                 {flag} needs a single run\n  hint: add `--replications 1` to run it once",
                run.file.display()
            );
            return ExitCode::from(2);
        }
        return execute_replications(&sc, n, run);
    }
    let sim = run_with_progress(&sc);
    let report = sim.report();
    if let Some(t) = &report.stopped {
        // On stderr too, so that it is seen when the report goes to a file.
        eprintln!(
            "loopsim: warning: {}: the run stopped early {}; the report covers only the \
             simulated part",
            run.file.display(),
            text::stopped_at(t, report.duration_s)
        );
    }
    if let Some(path) = &run.series {
        if let Err(e) = std::fs::write(path, text::series_csv(sim.series())) {
            eprintln!("loopsim: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    if let Some(path) = &run.html {
        let html = loopsim_view::html::render(&loopsim_view::html::Input {
            scenario: &sc,
            report: &report,
            series: sim.series(),
            topology_svg: Some(loopsim_view::topology::svg(&sc, Some(&report))),
        });
        if let Err(e) = std::fs::write(path, html) {
            eprintln!("loopsim: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    let batches = match run.batches {
        None => None,
        Some(n) => {
            let warmup = (report.warmup_s * 1e9).round() as u64;
            match loopsim_core::batch_means::of(sim.series(), sc.sample_every, warmup, n) {
                Ok(b) => Some(b),
                Err(why) => {
                    eprintln!(
                        "loopsim: --batches {n}: {why}\n  hint: use fewer batches, a smaller \
                         `sample_every` or a longer `duration`"
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    let out = if let Some(args::ReportShape::Auditor) = run.report {
        let auditor = loopsim_core::health::auditor_report(&report.health);
        serde_json::to_string_pretty(&auditor).expect("reports always serialise") + "\n"
    } else if run.json {
        // Streamed: a month-long run's report is megabytes of JSON, and building it as a
        // `Value` tree and then a string first would double the run's peak memory.
        let json = JsonReport {
            report: &report,
            batch_means: batches.as_ref(),
        };
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        // A closed pipe (`loopsim run x --json | head`) is not an error worth a panic.
        let _ = serde_json::to_writer_pretty(&mut out, &json)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        String::new()
    } else {
        let mut o = text::render(&report);
        if let Some(b) = &batches {
            o.push_str(&text::batch_means(b));
        }
        o
    };
    // A closed pipe (`loopsim run x | head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(out.as_bytes());
    if run.fail_on.is_empty() {
        return ExitCode::SUCCESS;
    }
    let outcome = gate(&run.fail_on, &report.health, &report.slo);
    if outcome.pass {
        ExitCode::SUCCESS
    } else {
        for reason in &outcome.reasons {
            eprintln!("loopsim: gate failed: {reason}");
        }
        ExitCode::from(1)
    }
}
