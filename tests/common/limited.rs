//! Runs a command as an attacker's input would meet it: under an address-space limit (an
//! allocation past it fails, as on a small machine, instead of taking this one down) and a time
//! limit, measuring its peak memory. Linux only (setrlimit, wait4).

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What became of a limited run.
pub struct Limited {
    /// Exit code; `None` when killed (by a signal: an abort, or the time limit).
    pub code: Option<i32>,
    /// Whether the time limit killed it.
    #[allow(dead_code)]
    pub timed_out: bool,
    /// Peak resident memory, bytes.
    #[allow(dead_code)]
    pub peak_bytes: u64,
    /// Standard error.
    pub stderr: String,
}

/// The address-space limit the regression tests run under.
pub const FOUR_GIB: u64 = 4 << 30;

/// Limits `cmd`, when it starts, to `address_space` bytes of address space.
pub fn limit(cmd: &mut Command, address_space: u64) {
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit { rlim_cur: address_space, rlim_max: address_space };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Runs `cmd` with at most `address_space` bytes of address space for at most `time`.
#[allow(dead_code)]
pub fn run_limited(mut cmd: Command, address_space: u64, time: Duration) -> Limited {
    let err = tempfile::NamedTempFile::new().unwrap();
    cmd.stdout(Stdio::null()).stderr(err.reopen().unwrap());
    limit(&mut cmd, address_space);
    let child = cmd.spawn().expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let start = Instant::now();
    let (mut status, mut usage): (libc::c_int, libc::rusage) = (0, unsafe { std::mem::zeroed() });
    let mut timed_out = false;
    loop {
        // SAFETY: plain system call on our own child.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if start.elapsed() > time && !timed_out {
            timed_out = true;
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let code = if libc::WIFEXITED(status) { Some(libc::WEXITSTATUS(status)) } else { None };
    let stderr = std::fs::read_to_string(err.path()).unwrap_or_default();
    Limited { code, timed_out, peak_bytes: usage.ru_maxrss as u64 * 1024, stderr }
}
