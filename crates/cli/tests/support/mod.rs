//! Running the `stint` binary from tests with a deadline. A process that has not finished in time
//! fails its test with its arguments, its output so far and, where `gdb` is installed, the stack of
//! every thread, instead of holding a CI run until that run's own time limit.

use std::io::Read;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Far longer than any single command takes here (a few hundred milliseconds in a debug build).
pub const LIMIT: Duration = Duration::from_secs(120);

/// Runs `cmd` to completion, like `Command::output`, but fails the test after `LIMIT`.
pub fn output(cmd: &mut Command) -> Output {
    output_within(cmd, LIMIT)
}

/// Runs `cmd` to completion, like `Command::output`, but fails the test after `limit`.
pub fn output_within(cmd: &mut Command, limit: Duration) -> Output {
    run(cmd.stdin(Stdio::null()), limit, None)
}

/// Like [`output`], with `feed` writing the command's standard input from another thread while it
/// runs (dropping the handle closes it).
#[allow(dead_code)] // Not every test binary that shares this module feeds input.
pub fn output_feeding(cmd: &mut Command, feed: impl FnOnce(ChildStdin) + Send + 'static) -> Output {
    run(cmd.stdin(Stdio::piped()), LIMIT, Some(Box::new(feed)))
}

type Feed = Box<dyn FnOnce(ChildStdin) + Send>;

fn run(cmd: &mut Command, limit: Duration, feed: Option<Feed>) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    if let (Some(feed), Some(stdin)) = (feed, child.stdin.take()) {
        std::thread::spawn(move || feed(stdin));
    }
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait().expect("wait for the child") {
            Some(status) => break status,
            None if Instant::now() >= deadline => hung(&mut child, &what, limit),
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    // The pipes close when the last process holding them exits: a lingering grandchild would
    // keep them open, which is a hang of its own.
    let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(5);
    let stdout = stdout
        .recv_timeout(left)
        .unwrap_or_else(|_| panic!("{what} exited but its stdout stayed open"));
    let stderr = stderr
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("{what} exited but its stderr stayed open"));
    Output {
        status,
        stdout,
        stderr,
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn hung(child: &mut Child, what: &str, limit: Duration) -> ! {
    let pid = child.id().to_string();
    let stacks = Command::new("gdb")
        .args(["-p", &pid, "-batch", "-ex", "thread apply all bt"])
        .stdin(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_else(|e| format!("(no stacks: gdb could not run: {e})"));
    let _ = child.kill();
    let _ = child.wait();
    panic!("{what} did not exit within {limit:?}; its threads were:\n{stacks}");
}
