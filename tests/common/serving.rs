//! `embedsim serve` as a child process on a free port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `embedsim serve`, killed when dropped.
pub struct Serving(pub Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `embedsim serve` on a free port, and the URL it prints.
#[allow(dead_code)]
pub fn serve_page() -> (Serving, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_embedsim"));
    cmd.args(["serve", "--port", "0", "--no-open"]);
    serve(cmd)
}

/// Starts `cmd` (an `embedsim serve --port 0` command, set up as the caller wishes) and reads the
/// URL it prints.
pub fn serve(mut cmd: Command) -> (Serving, String) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("embedsim serve starts");
    let stdout = child.stdout.take().unwrap();
    let serving = Serving(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).expect("the URL is printed").to_string();
    (serving, url)
}
