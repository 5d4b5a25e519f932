//! In the field: piped output, `~` paths, the configured MFA device, the
//! screen after cancelling, narrow terminals.

use super::*;

/// Ctrl-C, Esc and Ctrl-D at a menu or the secret prompt all leave the same
/// screen: the question marked cancelled, the error, exit code 130; no menu
/// or help line left over.
#[test]
fn every_way_to_cancel_leaves_no_menu_on_the_screen() {
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let question = "Credentials already configured for bb-management";
    for (name, cancel) in [("Ctrl-C", CTRL_C), ("Esc", ESC), ("Ctrl-D", CTRL_D)] {
        let mut term = start(&project, None, &configure("MANAGEMENT"));
        term.expect("[o] Overwrite current credentials");
        term.send(cancel);
        let (code, raw, modes) = term.finish();
        let shown = screen(&raw, 100, 30);
        assert_eq!(code, 130, "{name}:\n{shown}");
        assert!(shown.contains(&format!("? {question} cancelled")), "{name}:\n{shown}");
        assert!(
            shown.contains("Error: cancelled; nothing was written"),
            "{name}:\n{shown}"
        );
        for residue in ["Overwrite current credentials", "Skip credentials", "to move"] {
            assert!(!shown.contains(residue), "{name} left `{residue}`:\n{shown}");
        }
        assert_terminal_restored(modes, &raw);
    }

    // The secret prompt's help line goes too.
    let mut term = start(&project, None, &configure("MANAGEMENT"));
    term.expect(question);
    term.send("o");
    term.send(ENTER);
    let means = "Select the means by which you'll provide the programmatic keys";
    term.expect(means);
    term.send("m");
    term.send(ENTER);
    term.expect("Access key ID");
    term.send("AKIAIOSFODNN7EXAMPLE");
    term.send(ENTER);
    term.expect("hidden as you type");
    term.send(CTRL_C);
    let (code, raw, _) = term.finish();
    let shown = screen(&raw, 100, 30);
    assert_eq!(code, 130, "{shown}");
    assert!(shown.contains("? Secret access key cancelled"), "{shown}");
    assert!(!shown.contains("hidden as you type"), "{shown}");
}

/// With standard output and error piped (`... 2>&1 | tee log`) the
/// questions are still asked, on the controlling terminal; the log gets
/// the progress and the summary, not the prompts.
#[test]
fn prompts_use_the_terminal_when_output_is_piped() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &PROJECT_YAML.replace("primary_region: us-east-1\nsecondary_region: us-west-2\n", ""),
    );
    let csv = project.keys_csv(key_id, secret);
    let log_path = project.home.join("run.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut args = configure("MANAGEMENT");
    args.extend(["--credentials-file", csv.to_str().unwrap()]);
    let mut term = Pty::spawn_with(terminal_command(&project, Some(&moto), &args, false), 100, Some(log));
    term.expect("Primary region");
    term.send("eu-west-1");
    term.send(ENTER);
    let (code, raw, modes) = term.finish();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(code, 0, "screen:\n{}\nlog:\n{log}", plain(&raw));
    assert!(project.read_aws("bb", "config").contains("region = eu-west-1"));
    assert!(
        log.contains("Done.") && log.contains("primary_region: eu-west-1"),
        "{log}"
    );
    assert!(!log.contains("? Primary region"), "the prompt went to the log:\n{log}");
    assert_terminal_restored(modes, &raw);
    assert_not_shown(secret, &raw);
}

/// Without a controlling terminal (a new session, output piped) a question
/// is an error naming what answers it, not a hang.
#[test]
fn without_a_controlling_terminal_a_question_is_an_error() {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    // The project's command runs in a session of its own: no controlling
    // terminal, even when the tests run in one.
    let out = project.run_with(project.command(None), &configure("MANAGEMENT"), None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("there is no terminal to ask on"), "{}", out.stderr);
}

/// A path typed at the prompt may start with `~` or `$HOME`.
#[test]
fn a_typed_path_may_start_with_a_tilde_or_home() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    for prefix in ["~", "$HOME"] {
        let mut project = Project::new();
        project.write("project.yaml", PROJECT_YAML);
        let csv = project.keys_csv(key_id, secret);
        let name = csv.file_name().unwrap().to_str().unwrap().to_string();
        let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
        let means = "Select the means by which you'll provide the programmatic keys";
        term.expect(means);
        term.send("p");
        term.send(ENTER);
        term.expect("Path to the access keys file");
        term.send(&format!("{prefix}/{name}"));
        term.send(ENTER);
        let (code, raw, _) = term.finish();
        assert_eq!(code, 0, "{prefix}:\n{}", plain(&raw));
        assert!(project.read_aws("bb", "credentials").contains(key_id), "{prefix}");
        assert_not_shown(secret, &raw);
    }
}

/// The MFA picker marks the device the profiles use now and starts on it:
/// Enter keeps it.
#[test]
fn the_mfa_picker_starts_on_the_configured_device() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane", "mfa": 2}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let second = text(&state, "/users/jane/mfa/1").to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let first = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv.to_str().unwrap(),
            "--fetch-mfa-device",
            "--mfa-serial",
            &second,
            "--non-interactive",
        ],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(project
        .read_aws("bb", "config")
        .contains(&format!("mfa_serial = {second}")));

    let mut args = configure("MANAGEMENT");
    args.extend(["--skip-access-keys-setup", "--fetch-mfa-device"]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Which MFA device should the profiles use?");
    term.expect(&format!("{second} (configured now)"));
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    assert_eq!(code, 0, "{}", plain(&raw));
    let config = project.read_aws("bb", "config");
    assert_eq!(config.matches(&format!("mfa_serial = {second}")).count(), 2, "{config}");
}

/// On a terminal 60 columns wide the summary fits: tables fold, prose wraps
/// between words, and the "Try it" command is cut only between words, with
/// continuations, so that it still pastes as one command.
#[test]
fn at_sixty_columns_the_summary_fits_and_try_it_pastes_whole() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write(
        "config/common.tfvars",
        "project = \"bb\"\n\nsecurity_account_id = \"XXXXXXXXXXXX\"\n",
    );
    let csv = project.keys_csv(key_id, secret);
    let mut args = configure("MANAGEMENT");
    args.extend(["--credentials-file", csv.to_str().unwrap(), "--non-interactive"]);
    let term = Pty::spawn_with(terminal_command(&project, Some(&moto), &args, false), 60, None);
    let (code, raw, _) = term.finish();
    let text = plain(&raw);
    assert_eq!(code, 0, "{text}");
    let summary = &text[text.find("Done.").expect("a summary")..];
    for line in summary.lines() {
        // A path longer than the terminal cannot be folded without breaking
        // it for copying: such a line holds that one path (after its label).
        let one_path = line
            .trim_start()
            .strip_prefix("backup: ")
            .unwrap_or(line.trim_start())
            .split_whitespace()
            .count()
            == 1;
        assert!(
            line.chars().count() <= 60 || one_path,
            "wider than 60 columns: {line:?}\n{summary}"
        );
    }
    assert!(summary.contains("Profiles (2)"), "{summary}");
    let try_it = &summary[summary.find("Try it:").unwrap() + "Try it:".len()..];
    let command: Vec<&str> = try_it
        .lines()
        .map(|l| l.trim().trim_end_matches('\\').trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        command.join(" "),
        "AWS_CONFIG_FILE=~/.aws/bb/config AWS_SHARED_CREDENTIALS_FILE=~/.aws/bb/credentials \
         aws sts get-caller-identity --profile bb-security-oaar",
        "{summary}"
    );
    assert!(try_it.lines().filter(|l| !l.is_empty()).count() > 1, "{summary}");
}
