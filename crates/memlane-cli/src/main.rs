//! `memlane`: run a Python program against the CPython memory model, print its output as
//! CPython would, or print its step-by-step trace as JSON.

use memlane_core::{Profile, Replacement, Version, TRACED_PID};
use memlane_python::RunOptions;
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage:
  memlane run       [OPTIONS] FILE.py
  memlane trace     [OPTIONS] FILE.py
  memlane translate [OPTIONS] FILE.py --step N --address ADDR [--pid PID]

run        prints what the program prints, as CPython of that version would; an uncaught
           exception prints its traceback to stderr and exits with status 1.
trace      prints every step as JSON (see docs/trace-format.md); with --delta, the
           state after start-up once and each step's events only.
translate  prints how virtual address ADDR (0x... or decimal) translates after step N
           (1-based): each page-table level's index and entry, the frame and the
           physical address, or the page fault (see docs/virtual-memory.md).
FILE may be - for standard input.

options:
  --python 3.11|3.12|3.13   the CPython version modelled (default 3.13)
  --max-steps N             stop after N steps (default 1000000)
  --frames N                physical RAM in 4 KiB frames (default 512 = 2 MiB)
  --tlb N                   TLB entries (default 64)
  --replacement clock|lru   page replacement when RAM is full (default clock)
  --twin                    also start a second python3 (pid 1001) mapping the same
                            virtual pages to frames of its own
  --aslr SEED               randomise the address-space layout, reproducibly for SEED
                            (default: ASLR off, as under setarch -R)
  --history-stats           after the run, print to stderr the steps, events and the
                            bytes the recorded history holds (Trace::history_bytes)
  --history-kinds           as --history-stats, then those bytes by event kind
  --delta                   (trace) the state after start-up once, then each step's
                            events only: replaying them gives every step's state";

struct Args {
    command: String,
    options: RunOptions,
    file: String,
    /// For `translate`: the step (1-based), the address and the process.
    step: Option<usize>,
    address: Option<u64>,
    pid: u32,
    history_stats: bool,
    history_kinds: bool,
    /// For `trace`: each step's events only, after the state at start-up.
    delta: bool,
}

fn number<T: std::str::FromStr>(option: &str, value: Option<String>) -> Result<T, String> {
    let v = value.ok_or(format!("{option} needs a number"))?;
    v.parse()
        .map_err(|_| format!("{option}: '{v}' is not a number"))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = args.next().ok_or("no command given")?;
    if command == "-h" || command == "--help" {
        return Err(String::new());
    }
    if !["run", "trace", "translate"].contains(&command.as_str()) {
        return Err(format!("unknown command '{command}'"));
    }
    let mut options = RunOptions::default();
    let mut file = None;
    let (mut step, mut address, mut pid) = (None, None, TRACED_PID);
    let mut history_stats = false;
    let mut history_kinds = false;
    let mut delta = false;
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
            "--frames" => options.memory.frames = number("--frames", args.next())?,
            "--tlb" => options.memory.tlb_entries = number("--tlb", args.next())?,
            "--replacement" => {
                let v = args.next().ok_or("--replacement needs clock or lru")?;
                options.memory.replacement = Replacement::parse(&v).ok_or(format!(
                    "unknown replacement policy '{v}' (use clock or lru)"
                ))?;
            }
            "--twin" => options.memory.twin = true,
            "--delta" if command == "trace" => delta = true,
            "--history-stats" => history_stats = true,
            "--history-kinds" => {
                history_stats = true;
                history_kinds = true;
            }
            "--aslr" => options.memory.aslr_seed = Some(number("--aslr", args.next())?),
            "--step" if command == "translate" => step = Some(number("--step", args.next())?),
            "--pid" if command == "translate" => pid = number("--pid", args.next())?,
            "--address" if command == "translate" => {
                let v = args.next().ok_or("--address needs an address")?;
                address = Some(memlane_cli::parse_address(&v).ok_or(format!(
                    "--address: '{v}' is not an address (use 0x... or decimal)"
                ))?);
            }
            _ if file.is_none() => file = Some(a),
            _ => return Err(format!("unexpected argument '{a}'")),
        }
    }
    let file = file.ok_or("no FILE given")?;
    options.memory.validate()?;
    if command == "translate" {
        match step {
            None => return Err("translate needs --step N".into()),
            Some(0) => return Err("--step counts from 1".into()),
            _ => {}
        }
        if address.is_none() {
            return Err("translate needs --address ADDR".into());
        }
    }
    Ok(Args {
        command,
        options,
        file,
        step,
        address,
        pid,
        history_stats,
        history_kinds,
        delta,
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
    let mut options = args.options.clone();
    options.filename = args.file.clone();
    // Built-in code calling back into Python nests Rust frames (up to the interpreter's
    // native-depth limit); give it a stack that limit fits in, whatever the platform default.
    let trace = match std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || memlane_python::run(&source, &options))
        .map(|h| h.join())
    {
        Ok(Ok(trace)) => trace,
        _ => {
            eprintln!("memlane: the interpreter stopped unexpectedly");
            return ExitCode::from(2);
        }
    };
    if args.command == "translate" {
        return translate(&trace, &args);
    }
    // The state at the end, for its output: made once (after a step of millions of
    // events it is a long replay).
    let last = trace.snapshot(trace.len().saturating_sub(1));
    let mut out = std::io::stdout().lock();
    let written = match args.command.as_str() {
        "run" => out.write_all(last.stdout.as_bytes()),
        _ => memlane_cli::write_trace_json(&trace, &mut out, args.delta),
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("memlane: {e}");
            return ExitCode::from(2);
        }
    }
    eprint!("{}", last.stderr);
    if args.history_stats {
        eprintln!(
            "memlane: {} steps, {} events, {} history bytes",
            trace.len(),
            trace.event_count(),
            trace.history_bytes()
        );
    }
    if args.history_kinds {
        let steps = trace.len().max(1) as f64;
        for (kind, count, bytes) in trace.history_by_kind() {
            eprintln!(
                "{kind:>46} {count:>10} {bytes:>12} bytes {:>7.2} a step",
                bytes as f64 / steps
            );
        }
    }
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

fn translate(trace: &memlane_core::Trace, args: &Args) -> ExitCode {
    let step = args.step.expect("checked by parse_args");
    if step > trace.len() {
        eprintln!(
            "memlane: step {step} is past the last step ({})",
            trace.len()
        );
        return ExitCode::from(2);
    }
    let snap = trace.snapshot(step - 1);
    let address = args.address.expect("checked by parse_args");
    match memlane_cli::describe_translation(&snap, args.pid, address) {
        Ok(text) => {
            let line = trace.step(step - 1).map_or(0, |s| s.line);
            print!("after step {step} (line {line}): {text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("memlane: {e}");
            ExitCode::from(2)
        }
    }
}
