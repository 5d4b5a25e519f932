//! The Python host (`tests/python`, on PyPI `wasmtime`) runs here, so that
//! `cargo test` runs it: `python3 -m pytest tests/python` on the component
//! this build embeds. It fails when pytest fails, skips or runs nothing.
//! Needs the packages of tests/requirements.txt (`bash .ci/setup` installs them).

use std::process::Command;

#[test]
fn python_host_tests_pass_under_pytest() {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("python3")
        .args(["-m", "pytest", "tests/python", "-q", "-rA", "-p", "no:cacheprovider"])
        .current_dir(&workspace)
        .env("LEVERAGE_COMPONENT", leverage_cli::engine::COMPONENT_WASM_PATH)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("could not run python3: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pytest tests/python failed (is tests/requirements.txt installed? `bash .ci/setup`):\n{stdout}\n{stderr}"
    );
    // The summary, e.g. `12 passed in 9.81s`: every test passed, none skipped.
    let summary = stdout.lines().last().unwrap_or_default();
    let passed: usize = summary
        .split(" passed")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.trim_start_matches('=').trim().parse().ok())
        .unwrap_or(0);
    assert!(passed > 0, "pytest ran no test:\n{stdout}");
    for word in ["skipped", "xfailed", "xpassed", "deselected", "error"] {
        assert!(!summary.contains(word), "pytest reported {word}:\n{stdout}");
    }
    for test in [
        "test_python_host_writes_the_recorded_plans_byte_for_byte",
        "test_python_host_configures_a_project_the_aws_cli_then_assumes_a_role_with",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with("PASSED") && l.contains(test)),
            "the Python test {test} did not run and pass:\n{stdout}"
        );
    }
}
