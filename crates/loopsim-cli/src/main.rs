//! `loopsim`: run, validate and describe scenarios from the command line.
//!
//! Exit codes: 0 success, 1 the `--fail-on` gate failed (or an internal failure), 2 invalid
//! input (the message goes to stderr).

mod args;
mod source;
mod text;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use loopsim_core::diag::{LineIndex, Rendered};
use loopsim_core::health::gate;
use loopsim_core::{check, Scenario, Simulation};

use args::{Cli, Command, RunArgs, ValidateArgs};
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
                println!(
                    "{}: ok ({} services, {} workloads)",
                    file.display(),
                    sc.services.len(),
                    sc.workloads.len()
                );
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Run(run) => match load(&run.file) {
            Ok(sc) => execute(sc, &run),
            Err(code) => code,
        },
    }
}

/// Reads and validates a scenario, printing every diagnostic (warnings too) to stderr.
fn load(path: &Path) -> Result<Scenario, ExitCode> {
    let file = &path.display().to_string();
    let source = source::read(path).map_err(|msg| {
        eprintln!("{msg}");
        ExitCode::from(2)
    })?;
    let checked = check(&source);
    let index = LineIndex::new(&source);
    for d in &checked.diagnostics {
        eprintln!(
            "{}",
            Rendered {
                file,
                index: &index,
                diagnostic: d
            }
        );
    }
    checked.scenario.ok_or_else(|| {
        let n = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "loopsim: {file}: {n} error{} found",
            if n == 1 { "" } else { "s" }
        );
        ExitCode::from(2)
    })
}

fn execute(mut sc: Scenario, run: &RunArgs) -> ExitCode {
    if let Some(seed) = run.seed {
        sc.seed = seed;
    }
    let mut sim = Simulation::new(sc.clone());
    sim.run();
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
    let out = if run.json {
        serde_json::to_string_pretty(&report).expect("reports always serialise") + "\n"
    } else {
        text::render(&report)
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
