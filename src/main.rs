//! The `embedsim` command: parses arguments, calls the library, maps errors to an exit code.

/// `println!` that returns an error (a closed pipe, say) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?;
    }};
}

/// `print!` that returns an error instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($t)*)?;
    }};
}

mod cli;
mod cli_common;
mod cli_experiments;
mod cli_research;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(err) => {
            // `embedsim run ... | head`: the reader left; that is not an error of ours.
            let broken_pipe = err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            // Messages quote file contents: never let an escape code reach the terminal.
            eprintln!("error: {}", embedsim::api::message(&*err));
            ExitCode::FAILURE
        }
    }
}
