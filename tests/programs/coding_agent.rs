//! `examples/coding_agent.rs` as a user runs it (offline: the mock scripts the turns, the
//! client tools run for real): the bug in its temporary project gets fixed, the tests pass
//! under the agent's bash, a memory note is written, and the temporary project is removed.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::example_bin;

#[test]
fn the_coding_agent_fixes_the_bug_and_the_tests_pass() {
    let mut child = Command::new(example_bin::example("coding_agent"))
        .env_remove("ANTHROPIC_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("examples/coding_agent did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "{stdout}\n{stderr}");
    // Each step printed as it streamed: the view, the fix, the test run, the note.
    let steps = [
        "command=\"view\" path=\"calc.sh\"",
        "command=\"str_replace\"",
        "The file calc.sh has been edited.",
        "bash command=\"bash test_calc.sh\"",
        "ok: average 2 4 6 = 4",
        "ok: average 5 = 5",
        "all tests passed",
        "memory command=\"create\" path=\"/memories/calc-project.md\"",
        "File created successfully at: /memories/calc-project.md",
        "Done after 5 turns (ModelFinished).",
    ];
    let mut from = 0;
    for step in steps {
        let at = stdout[from..]
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} missing (or out of order) in:\n{stdout}"));
        from += at + step.len();
    }
    // The agent's bash saw the tests pass, the file is fixed, and the example's own check agrees.
    let test_run = stdout.split("▶ bash").nth(1).expect("the bash call");
    let test_run = test_run.split("▶ memory").next().unwrap_or_default();
    assert!(test_run.contains("all tests passed"), "{stdout}");
    assert!(
        !test_run.contains("FAIL") && !test_run.contains("exit status"),
        "{stdout}"
    );
    let fixed = stdout.split("calc.sh now reads:").nth(1).expect("the file");
    let fixed = fixed.split("Memory note").next().unwrap_or_default();
    assert!(fixed.contains("    echo $((sum / $#))\n"), "{stdout}");
    assert!(!fixed.contains("$# - 1"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("Checked: the tests pass."),
        "{stdout}"
    );
    // The temporary project is gone.
    let project = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Project in "))
        .and_then(|l| l.split(':').next())
        .expect("the project's path");
    assert!(
        !std::path::Path::new(project).exists(),
        "{project} left behind"
    );
}
