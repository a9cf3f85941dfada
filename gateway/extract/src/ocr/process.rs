//! Running an external program without a shell, with a time limit and an
//! address-space limit.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Error;

/// Run `program args`, return its standard output. The address space is
/// limited with util-linux `prlimit` when it is installed; the process is
/// killed when it runs over `timeout`.
pub fn run_limited(
    program: &Path,
    args: &[OsString],
    timeout: Duration,
    memory_limit: u64,
) -> Result<Vec<u8>, Error> {
    let name = program.display().to_string();
    let mut cmd = match prlimit() {
        Some(p) if memory_limit > 0 => {
            let mut c = Command::new(p);
            c.arg(format!("--as={memory_limit}")).arg("--").arg(program);
            c
        }
        _ => Command::new(program),
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // One core per run: Tesseract's OpenMP threads only add contention.
        .env("OMP_THREAD_LIMIT", "1");
    let mut child = cmd.spawn().map_err(|e| Error::Tool {
        program: name.clone(),
        message: format!("cannot start: {e} (is it installed? see scripts/install-deps.sh)"),
    })?;
    // Drain both pipes in threads so a chatty program cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.take(64 * 1024).read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Timeout {
                    program: name,
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                return Err(Error::Tool {
                    program: name,
                    message: e.to_string(),
                })
            }
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        let msg = String::from_utf8_lossy(&stderr);
        return Err(Error::Tool {
            program: name,
            message: format!("{status}: {}", msg.trim()),
        });
    }
    Ok(stdout)
}

fn prlimit() -> Option<&'static Path> {
    ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_over_its_time_limit_is_stopped() {
        let started = Instant::now();
        let r = run_limited(
            Path::new("sleep"),
            &["5".into()],
            Duration::from_millis(200),
            1 << 30,
        );
        assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn a_missing_program_is_named() {
        let r = run_limited(
            Path::new("/nonexistent/tesseract"),
            &[],
            Duration::from_secs(1),
            0,
        );
        let e = r.unwrap_err().to_string();
        assert!(e.contains("/nonexistent/tesseract"), "{e}");
    }

    #[test]
    fn arguments_reach_the_program_without_a_shell() {
        let out = run_limited(
            Path::new("echo"),
            &["$HOME; rm -rf /".into()],
            Duration::from_secs(5),
            1 << 30,
        )
        .unwrap();
        assert_eq!(String::from_utf8_lossy(&out), "$HOME; rm -rf /\n");
    }
}
