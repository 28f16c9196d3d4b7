//! `memlane`: run a Python program against the CPython memory model, print its output as
//! CPython would, or print its step-by-step trace as JSON.

use memlane_core::{Profile, Version};
use memlane_python::RunOptions;
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage:
  memlane run   [--python 3.11|3.12|3.13] [--max-steps N] FILE.py
  memlane trace [--python 3.11|3.12|3.13] [--max-steps N] FILE.py

run    prints what the program prints, as CPython of that version would; an uncaught
       exception prints its traceback to stderr and exits with status 1.
trace  prints every step as JSON (see docs/trace-format.md).
FILE may be - for standard input.";

struct Args {
    command: String,
    options: RunOptions,
    file: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = args.next().ok_or("no command given")?;
    if command == "-h" || command == "--help" {
        return Err(String::new());
    }
    if command != "run" && command != "trace" {
        return Err(format!("unknown command '{command}'"));
    }
    let mut options = RunOptions::default();
    let mut file = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--python" => {
                let v = args.next().ok_or("--python needs a version")?;
                let version = Version::parse(&v).ok_or(format!(
                    "unknown Python version '{v}' (use 3.11, 3.12 or 3.13)"
                ))?;
                options.profile = Profile::new(version);
            }
            "--max-steps" => {
                let v = args.next().ok_or("--max-steps needs a number")?;
                options.max_steps = v
                    .parse()
                    .map_err(|_| format!("--max-steps: '{v}' is not a number"))?;
            }
            _ if file.is_none() => file = Some(a),
            _ => return Err(format!("unexpected argument '{a}'")),
        }
    }
    let file = file.ok_or("no FILE given")?;
    Ok(Args {
        command,
        options,
        file,
    })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("memlane: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let source = if args.file == "-" {
        let mut s = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            Ok(_) => s,
            Err(e) => {
                eprintln!("memlane: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        match std::fs::read(&args.file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(_) => {
                    eprintln!("memlane: {} is not valid UTF-8", args.file);
                    return ExitCode::from(2);
                }
            },
            Err(e) => {
                eprintln!("memlane: cannot read {}: {e}", args.file);
                return ExitCode::from(2);
            }
        }
    };
    let mut options = args.options;
    options.filename = args.file.clone();
    let trace = memlane_python::run(&source, &options);
    let mut out = std::io::stdout().lock();
    let written = match args.command.as_str() {
        "run" => {
            let last = trace.snapshot(trace.len().saturating_sub(1));
            out.write_all(last.stdout.as_bytes())
        }
        _ => memlane_cli::write_trace_json(&trace, &mut out),
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("memlane: {e}");
            return ExitCode::from(2);
        }
    }
    let last = trace.snapshot(trace.len().saturating_sub(1));
    eprint!("{}", last.stderr);
    match &trace.outcome {
        memlane_core::Outcome::Finished => ExitCode::SUCCESS,
        memlane_core::Outcome::Exception { traceback, .. } => {
            eprint!("{traceback}");
            ExitCode::from(1)
        }
        memlane_core::Outcome::Unsupported { message, .. }
        | memlane_core::Outcome::Limit { message } => {
            eprintln!("memlane: {message}");
            ExitCode::from(1)
        }
    }
}
