//! Command-line arguments, declared with clap's derive API: one subcommand per action, each
//! with its own argument struct, so that new commands (replications, sweeps, shards, merge,
//! convert) slot in beside the existing ones. The doc comments on the types and fields below
//! are the help text (`loopsim help`, `loopsim --help`, `loopsim <command> --help`).
//!
//! Usage errors are clap's: printed with the usage line, exit code 2 (invalid input).

use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};
use loopsim_core::health::FailOn;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the --fail-on gate failed (or an internal failure, such as a file that cannot be written)
  2  invalid input: a bad command line, an unreadable or invalid scenario";

/// Simulate async backend services (event loops, thread pools, queues, retries, guards,
/// faults) from a YAML scenario, and report latency, throughput, runtime health, SLOs and cost.
#[derive(Debug, Parser)]
#[command(
    name = "loopsim",
    version,
    arg_required_else_help = true,
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, PartialEq, Subcommand)]
pub enum Command {
    /// Simulate a scenario and print its report.
    ///
    /// The report is text by default, one JSON object with --json. Diagnostics (warnings too)
    /// go to stderr, and so does a line when the run stopped early (a run-time cap such as
    /// `max_in_flight` ended it; the report then covers only the simulated part, and says so
    /// first). With --fail-on, the run is a CI gate: exit 1 when its health reaches the given
    /// level or an SLO is missed.
    ///
    /// A scenario with a `sweep:` section runs every point of the sweep (each with the
    /// --replications, on every core) and prints the capacity curves — p99, goodput, error rate
    /// and utilisation against the swept parameter, with the knee marked — as text, --json or
    /// --csv. --shard I/N runs one slice of the runs for `loopsim merge` (docs/sweeps.md).
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Check a scenario without running it.
    ///
    /// Prints `FILE: ok (N services, M workloads)` when the scenario is valid; every diagnostic
    /// goes to stderr as `FILE:LINE:COL: error: …` with a hint.
    #[command(after_help = EXIT_CODES)]
    Validate(ValidateArgs),
    /// Convert another tool's file to a native scenario and print its YAML on stdout.
    ///
    /// Formats: `agent-chaos` (agent-chaos-framework experiment profiles, JSON such as
    /// {"agents": 400, "workers": 4, "buffer": 80, "drop_rate": 0.20}) and `asyncflow`
    /// (AsyncFlow 0.1.1 payloads: YAML with `rqs_input`, `topology_graph`, `sim_settings`,
    /// `events`; see docs/asyncflow.md). Without --from the
    /// format is recognised from the content. Diagnostics go to stderr as
    /// `FILE:LINE:COL: error: …` with a hint, located in the input; what could not be mapped is
    /// reported as a warning (and noted at the top of the YAML), never dropped silently.
    #[command(after_help = EXIT_CODES)]
    Convert(ConvertArgs),
    /// Combine the outputs of `loopsim run … --shard i/n` into the run's output.
    ///
    /// Give every shard's output (any order); the result is byte for byte what the unsharded
    /// run prints: a sweep's capacity curves and knee as text, with --json or --csv; a run of
    /// replications without a sweep as its combined JSON. Shards of different runs, a missing
    /// or a repeated shard are refused.
    #[command(after_help = EXIT_CODES)]
    Merge(MergeArgs),
    /// Print the JSON Schema of the scenario format (for editor completion and validation).
    Schema,
    /// Print the version.
    Version,
}

#[derive(Debug, PartialEq, Args)]
pub struct RunArgs {
    /// The scenario file (YAML, UTF-8).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Use this seed instead of the scenario's `seed` (same scenario and seed, same report).
    #[arg(long, value_name = "N", value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Print the report as one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print the report in another tool's shape instead. `auditor`: async-runtime-auditor's
    /// JSON report (status, score, p99_latency_ms, max_event_loop_lag_ms, blocking_events,
    /// avg_blocking_duration_s, peak_active_requests, threadpool_queue_wait_s,
    /// threadpool_backlog, failure_modes, findings) for the worst window of the worst service
    /// (named by the extra keys service, window_start_s, window_end_s), with the same object for
    /// every service under `services` and the whole run, services merged, under `whole_run`.
    #[arg(long, value_name = "SHAPE", value_enum, conflicts_with = "json")]
    pub report: Option<ReportShape>,
    /// Run N independent replications (overrides the scenario's `replications:`; 1 is a
    /// single run; seeds derived from the scenario's, the first is
    /// its own) in parallel on every core, and print each figure as its mean ± the half-width of
    /// a 95% Student t interval across them (with --json: the report's shape with the means,
    /// and a `<key>_ci` object beside every number). The numbers do not depend on the number
    /// of cores.
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=10_000),
        conflicts_with_all = ["report", "series", "html", "fail_on"]
    )]
    pub replications: Option<u32>,
    /// Batch means for one long run: cut the measured window into N equal batches and give
    /// each steady-state mean (response time, throughput, utilisations, loop lag, queues) ±
    /// the half-width of a 95% Student t interval over the batch means, with their lag-1
    /// autocorrelation (near 0: the batches are long enough to be independent).
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(2..=1_000),
        conflicts_with_all = ["replications", "report"]
    )]
    pub batches: Option<u32>,
    /// Threads that run replications (default: every core). The numbers do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Write the time series as CSV to this file (one column per series, one row per sample).
    #[arg(long, value_name = "OUT.csv")]
    pub series: Option<PathBuf>,
    /// Also write the report as one self-contained HTML file: what happened, the health
    /// verdict, charts (static SVG) and tables, readable offline (no script, no network).
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Exit 1 when the run's health reaches LEVEL (degraded, critical, collapse_risk; a level
    /// fails at and above it) or, for `slo`, when any SLO is missed. Several levels can be
    /// given, separated by commas or by repeating the option.
    #[arg(
        long,
        value_name = "LEVEL[,LEVEL]",
        value_delimiter = ',',
        value_parser = FailOnParser
    )]
    pub fail_on: Vec<FailOn>,
    /// With a sweep: print one CSV row per sweep point (each figure and its half-width)
    /// instead of text.
    #[arg(long, conflicts_with_all = ["json", "report", "series", "html", "fail_on"])]
    pub csv: bool,
    /// Run only shard I of N (I from 0 to N − 1, like a Kubernetes JOB_COMPLETION_INDEX) of
    /// the run's units — the replications × sweep points, dealt round-robin — and print them
    /// as JSON for `loopsim merge`. Needs a `sweep:` section or --replications.
    #[arg(long, value_name = "I/N", value_parser = parse_shard, conflicts_with_all = ["report", "series", "html", "fail_on", "csv"])]
    pub shard: Option<crate::shard::Shard>,
    /// Convert FILE from this format first (agent-chaos, asyncflow). Without it, a file that
    /// another tool wrote (recognised from its content) is converted, then run.
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,
}

/// Report shapes of other tools (`run --report`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportShape {
    /// async-runtime-auditor's JSON report.
    Auditor,
}

#[derive(Debug, PartialEq, Args)]
pub struct MergeArgs {
    /// The shards' outputs (JSON files written by `loopsim run … --shard i/n`).
    #[arg(value_name = "SHARD.json", required = true)]
    pub files: Vec<PathBuf>,
    /// Print the merged output as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print a sweep's points as CSV.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

#[derive(Debug, PartialEq, Args)]
pub struct ValidateArgs {
    /// The scenario file (YAML, UTF-8).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, PartialEq, Args)]
pub struct ConvertArgs {
    /// The file to convert (UTF-8).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The input format (agent-chaos, asyncflow); recognised from the content when absent.
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,
}

fn parse_shard(s: &str) -> Result<crate::shard::Shard, String> {
    crate::shard::Shard::parse(s)
}

fn parse_seed(s: &str) -> Result<u64, String> {
    s.parse()
        .map_err(|_| format!("not a whole number (0 to {})", u64::MAX))
}

/// `--fail-on` levels, parsed by [`FailOn`]'s `FromStr`; the accepted names are listed in the
/// help and in the error.
#[derive(Clone)]
struct FailOnParser;

impl TypedValueParser for FailOnParser {
    type Value = FailOn;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<FailOn, clap::Error> {
        let text = value.to_string_lossy();
        text.trim().parse().map_err(|_| {
            let mut err = clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd);
            if let Some(arg) = arg {
                err.insert(
                    ContextKind::InvalidArg,
                    ContextValue::String(arg.to_string()),
                );
            }
            err.insert(
                ContextKind::InvalidValue,
                ContextValue::String(text.into_owned()),
            );
            err.insert(
                ContextKind::ValidValue,
                ContextValue::Strings(FailOn::NAMES.iter().map(|s| s.to_string()).collect()),
            );
            err
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(FailOn::NAMES.iter().map(PossibleValue::new)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("loopsim").chain(args.iter().copied()))
            .map(|c| c.command)
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_run_with_flags() {
        let c = parse(&["run", "a.yaml", "--seed", "7", "--json"]).unwrap();
        assert_eq!(
            c,
            Command::Run(RunArgs {
                file: "a.yaml".into(),
                seed: Some(7),
                json: true,
                report: None,
                replications: None,
                batches: None,
                threads: None,
                series: None,
                html: None,
                fail_on: vec![],
                csv: false,
                shard: None,
                from: None,
            })
        );
    }

    #[test]
    fn replications_take_one_or_more_and_no_single_run_outputs() {
        let cli =
            Cli::try_parse_from(["loopsim", "run", "a.yaml", "--replications", "20"]).unwrap();
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.replications, Some(20));
        assert!(parse(&["run", "a.yaml", "--replications", "0"]).is_err());
        assert!(parse(&["run", "a.yaml", "--replications", "1"]).is_ok());
        assert!(parse(&["run", "a.yaml", "--replications", "3", "--batches", "5"]).is_err());
        assert!(parse(&["run", "a.yaml", "--batches", "1"]).is_err());
        assert!(parse(&["run", "a.yaml", "--replications", "4", "--html", "x.html"]).is_err());
    }

    #[test]
    fn shard_takes_i_of_n_and_csv_not_json() {
        match parse(&["run", "a.yaml", "--shard", "1/4", "--replications", "3"]).unwrap() {
            Command::Run(r) => assert_eq!(r.shard, Some(crate::shard::Shard { index: 1, of: 4 })),
            other => panic!("{other:?}"),
        }
        assert!(parse(&["run", "a.yaml", "--shard", "4/4"]).is_err());
        assert!(parse(&["run", "a.yaml", "--csv", "--json"]).is_err());
        assert!(parse(&["run", "a.yaml", "--shard", "0/2", "--html", "x.html"]).is_err());
        match parse(&["merge", "a.json", "b.json", "--csv"]).unwrap() {
            Command::Merge(m) => assert_eq!((m.files.len(), m.csv, m.json), (2, true, false)),
            other => panic!("{other:?}"),
        }
        assert!(parse(&["merge"]).is_err());
    }

    #[test]
    fn report_takes_a_shape_and_not_json_too() {
        let cli = Cli::try_parse_from(["loopsim", "run", "a.yaml", "--report", "auditor"]).unwrap();
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        assert_eq!(run.report, Some(ReportShape::Auditor));
        let e =
            Cli::try_parse_from(["loopsim", "run", "a.yaml", "--report", "auditr"]).unwrap_err();
        assert!(e.to_string().contains("auditor"), "{e}");
        let both = ["loopsim", "run", "a.yaml", "--report", "auditor", "--json"];
        assert!(Cli::try_parse_from(both).is_err());
    }

    #[test]
    fn html_takes_an_output_file() {
        match parse(&["run", "a.yaml", "--html", "out.html"]).unwrap() {
            Command::Run(r) => assert_eq!(r.html, Some("out.html".into())),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fail_on_takes_a_comma_list_or_repeats() {
        let levels = |args: &[&str]| match parse(args).unwrap() {
            Command::Run(r) => r.fail_on,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            levels(&["run", "a", "--fail-on", "critical, slo"]),
            vec![FailOn::Critical, FailOn::Slo]
        );
        assert_eq!(
            levels(&[
                "run",
                "a",
                "--fail-on",
                "degraded",
                "--fail-on=collapse_risk"
            ]),
            vec![FailOn::Degraded, FailOn::CollapseRisk]
        );
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        let err = |args: &[&str]| {
            let e = parse(args).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}");
            e.to_string()
        };
        assert!(err(&["run"]).contains("<FILE>"));
        assert!(err(&["run", "a", "--seed", "x"]).contains("not a whole number"));
        assert!(err(&["frobnicate"]).contains("unrecognized subcommand"));
        assert!(err(&["run", "a", "--jsn"]).contains("unexpected argument '--jsn'"));
        assert!(err(&["run", "a", "b"]).contains("unexpected argument 'b'"));
        assert!(err(&["schema", "x"]).contains("unexpected argument 'x'"));
        let e = err(&["run", "a", "--fail-on", "degraded,sloo"]);
        assert!(
            e.contains("invalid value 'sloo'")
                && e.contains("degraded, critical, collapse_risk, slo"),
            "{e}"
        );
    }

    #[test]
    fn help_and_version_are_not_errors() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["help"],
            &["help", "run"],
            &["run", "--help"],
            &["validate", "-h"],
            &["--version"],
            &["-V"],
        ] {
            let e = parse(args).unwrap_err();
            assert_eq!(e.exit_code(), 0, "{args:?}");
        }
        assert_eq!(parse(&["version"]).unwrap(), Command::Version);
    }
}
