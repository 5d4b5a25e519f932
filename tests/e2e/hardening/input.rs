//! Hostile input: profile names the AWS CLI reads differently, secrets after
//! a `:`, unbounded input.

use super::*;

use serde_json::Value;

// ---------------------------------------------------------------------------
// Profile names the AWS CLI reads differently.

/// botocore splits `[profile …]` headers like a shell: an account named
/// `sha""red` or `sha\red` would give a profile botocore reads as
/// `bb-shared-oaar`, taking over the real one; spaces and quotes give
/// profiles it drops. Those accounts get no profile and a warning naming
/// them; every profile reported is one botocore reads back as written.
#[test]
fn account_names_botocore_reads_differently_get_no_profile() {
    let moto = Moto::start();
    let bad = ["sha\"\"red", "sha\\red", "my account", "it's", "sha'red"];
    let mut accounts: Vec<String> = bad.iter().map(|n| format!("binbash-{n}")).collect();
    accounts.push("binbash-shared".into());
    let state = moto.setup(json!({
        "organization": true,
        "accounts": accounts,
        "users": [{"name": "jane"}],
        "enforce_auth": true,
    }));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", crate::support::PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let out = project.run(
        Some(&moto),
        &configure_args(
            "MANAGEMENT",
            csv.to_str().unwrap(),
            &["--all-accounts", "--output", "json"],
        ),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for name in bad {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with("warning: account `") && l.contains(name) && l.contains("no profile")),
            "no warning names `{name}`:\n{}",
            out.stderr
        );
    }
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let mut reported: Vec<String> = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    reported.push("bb-management".into());
    reported.sort();
    assert!(reported.contains(&"bb-shared-oaar".to_string()), "{reported:?}");

    // What botocore itself reads from the file.
    let config = project.aws_file("bb", "config");
    let read = Command::new("python3")
        .args([
            "-c",
            "import sys\nfrom botocore.configloader import load_config\n\
             print('\\n'.join(sorted(load_config(sys.argv[1])['profiles'])))",
        ])
        .arg(&config)
        .output()
        .expect("python3 with botocore");
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let mut botocore: Vec<String> = String::from_utf8_lossy(&read.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    botocore.sort();
    assert_eq!(botocore, reported, "botocore reads other profiles than were reported");
    let text = std::fs::read_to_string(&config).unwrap();
    assert_eq!(text.matches("[profile bb-shared-oaar]").count(), 1, "{text}");
}

// ---------------------------------------------------------------------------
// Masking.

/// botocore accepts `key: value`: a dry run must hide the values of other
/// profiles' secrets written that way too, in both AWS files.
#[test]
fn dry_run_masks_secrets_after_a_colon() {
    let moto = Moto::start();
    let state = moto.setup(json!({"users": [{"name": "jane"}], "enforce_auth": true}));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = project();
    let csv = project.keys_csv(key_id, secret);
    let hidden = [
        "Zm9vYmFyY29sb25zZWNyZXQxMjM0NTY3ODkwYWJj",
        "IQoJb3JpZ2luX2VjEColonToken0123456789",
        "Q29uZmlnU2VjcmV0SW5UaGVDb25maWdGaWxlMTIz",
    ];
    std::fs::create_dir_all(project.home.join(".aws/bb")).unwrap();
    std::fs::write(
        project.aws_file("bb", "credentials"),
        format!(
            "[other]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key: {}\naws_session_token:{}\n",
            hidden[0], hidden[1]
        ),
    )
    .unwrap();
    std::fs::write(
        project.aws_file("bb", "config"),
        format!(
            "[profile other]\nregion = us-east-1\naws_secret_access_key : {}\n",
            hidden[2]
        ),
    )
    .unwrap();
    project.secrets.extend(hidden.iter().map(|s| s.to_string()));
    // `run` fails the test if any secret of `project.secrets` is printed.
    let out = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", csv.to_str().unwrap(), &["--dry-run"]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("aws_secret_access_key: ****************")
            && out.stdout.contains("aws_session_token:****************")
            && out.stdout.contains("aws_secret_access_key : ****************"),
        "the masked lines are not in the diff:\n{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------
// Unbounded input.

/// A 200 MB project.yaml is refused for its size, naming the file and the
/// limit (it used to fail as an internal error of the core), at once.
#[test]
fn a_200_mb_project_yaml_is_refused_for_its_size() {
    let project = project();
    let path = project.root.join("project.yaml");
    let file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    file.set_len(200 << 20).unwrap();
    let started = Instant::now();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let error = error_line(&ran.stderr);
    assert!(
        error.contains("project.yaml") && error.contains("larger than 16 MiB"),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

/// `yes | leverage … --credentials-file -` used to read until memory ran
/// out: standard input is read up to the limit and no further, the run
/// ends with an error naming it while the writer is still writing.
#[test]
fn endless_standard_input_is_read_only_up_to_the_limit() {
    let project = project();
    let mut child = project
        .command(None)
        .args([
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            "-",
            "--non-interactive",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // Four times the limit, or until the binary stops reading.
    let writer = std::thread::spawn(move || {
        let chunk = "y\n".repeat(1 << 15);
        let mut written = 0usize;
        while written < 64 << 20 {
            if input.write_all(chunk.as_bytes()).is_err() {
                return (written, true);
            }
            written += chunk.len();
        }
        (written, false)
    });
    let ran = finish(child);
    let (written, cut_off) = writer.join().unwrap();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let error = error_line(&ran.stderr);
    assert!(
        error.contains("standard input") && error.contains("more than 16 MiB"),
        "{error}"
    );
    assert!(
        cut_off && written < 32 << 20,
        "the binary read {written} bytes of standard input"
    );
}
