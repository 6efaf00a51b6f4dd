//! Command-line arguments, parsed by hand: four commands and a handful of flags do not need a
//! framework, and every mistake gets a precise message.

use loopsim_core::health::FailOn;

pub const USAGE: &str = "\
usage: loopsim <command> [options]

commands:
  run FILE [--seed N] [--json] [--series OUT.csv] [--fail-on LEVEL[,LEVEL]]
                     simulate a scenario and print its report; with --fail-on, exit 1
                     when the run's health reaches LEVEL (degraded, critical,
                     collapse_risk) or, for `slo`, when any SLO is missed
  validate FILE      check a scenario; diagnostics go to stderr
  schema             print the JSON Schema of the scenario format
  help | --help      this text
  version | --version

exit codes: 0 ok, 1 the --fail-on gate failed (or an internal error), 2 invalid input";

#[derive(Debug, PartialEq)]
pub enum Command {
    Run(RunArgs),
    Validate { file: String },
    Schema,
    Help,
    Version,
}

#[derive(Debug, PartialEq, Default)]
pub struct RunArgs {
    pub file: String,
    pub seed: Option<u64>,
    pub json: bool,
    pub series: Option<String>,
    pub fail_on: Vec<FailOn>,
}

pub fn parse(argv: &[String]) -> Result<Command, String> {
    let Some((cmd, rest)) = argv.split_first() else {
        return Err("no command given".into());
    };
    match cmd.as_str() {
        "run" => parse_run(rest).map(Command::Run),
        "validate" => Ok(Command::Validate {
            file: single_file(rest, "validate")?,
        }),
        "schema" if rest.is_empty() => Ok(Command::Schema),
        "help" | "--help" | "-h" => Ok(Command::Help),
        "version" | "--version" | "-V" => Ok(Command::Version),
        "schema" => Err(format!("`schema` takes no arguments, got `{}`", rest[0])),
        other => Err(format!("unknown command `{other}`")),
    }
}

fn single_file(rest: &[String], cmd: &str) -> Result<String, String> {
    match rest {
        [f] if !f.starts_with("--") => Ok(f.clone()),
        [] => Err(format!("`{cmd}` needs a scenario file")),
        _ => Err(format!("`{cmd}` takes exactly one scenario file")),
    }
}

fn parse_run(rest: &[String]) -> Result<RunArgs, String> {
    let mut run = RunArgs::default();
    let mut file = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => run.json = true,
            "--seed" => {
                let v = it.next().ok_or("`--seed` needs a number")?;
                run.seed = Some(
                    v.parse()
                        .map_err(|_| format!("`--seed {v}`: not a whole number"))?,
                );
            }
            "--series" => {
                run.series = Some(it.next().ok_or("`--series` needs a file name")?.clone())
            }
            "--fail-on" => {
                let v = it
                    .next()
                    .ok_or("`--fail-on` needs a level: degraded, critical, collapse_risk or slo")?;
                for level in v.split(',') {
                    run.fail_on.push(level.trim().parse().map_err(|_| {
                        format!("`--fail-on {level}`: expected degraded, critical, collapse_risk or slo")
                    })?);
                }
            }
            f if f.starts_with('-') => return Err(format!("unknown option `{f}`")),
            f if file.is_none() => file = Some(f.to_string()),
            f => {
                return Err(format!(
                    "unexpected argument `{f}` (one scenario file per run)"
                ))
            }
        }
    }
    run.file = file.ok_or("`run` needs a scenario file")?;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_run_with_flags() {
        let c = parse(&v(&["run", "a.yaml", "--seed", "7", "--json"])).unwrap();
        assert_eq!(
            c,
            Command::Run(RunArgs {
                file: "a.yaml".into(),
                seed: Some(7),
                json: true,
                series: None,
                fail_on: vec![],
            })
        );
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert!(parse(&v(&["run"]))
            .unwrap_err()
            .contains("needs a scenario file"));
        assert!(parse(&v(&["run", "a", "--seed", "x"]))
            .unwrap_err()
            .contains("not a whole number"));
        assert!(parse(&v(&["frobnicate"]))
            .unwrap_err()
            .contains("unknown command"));
        assert!(parse(&v(&["run", "a", "--jsn"]))
            .unwrap_err()
            .contains("unknown option"));
    }
}
