//! `loopsim`: run, validate and describe scenarios from the command line.
//!
//! Exit codes: 0 success, 1 the `--fail-on` gate failed (or an internal failure), 2 invalid
//! input (the message goes to stderr).

mod args;
mod text;

use std::io::Write;
use std::process::ExitCode;

use loopsim_core::diag::{LineIndex, Rendered};
use loopsim_core::health::gate;
use loopsim_core::{check, Scenario, Simulation};

use args::{Command, RunArgs};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let command = match args::parse(&argv) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("loopsim: {msg}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("loopsim {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Schema => {
            println!("{}", loopsim_core::schema::SCENARIO_SCHEMA);
            ExitCode::SUCCESS
        }
        Command::Validate { file } => match load(&file) {
            Ok(sc) => {
                println!(
                    "{file}: ok ({} services, {} workloads)",
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
fn load(file: &str) -> Result<Scenario, ExitCode> {
    let source = std::fs::read_to_string(file).map_err(|e| {
        eprintln!("loopsim: cannot read {file}: {e}");
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
    let mut sim = Simulation::new(sc);
    sim.run();
    let report = sim.report();
    if let Some(path) = &run.series {
        if let Err(e) = std::fs::write(path, text::series_csv(sim.series())) {
            eprintln!("loopsim: cannot write {path}: {e}");
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
