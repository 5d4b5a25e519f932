//! Cancelling: every prompt, and each way to cancel; exit 130, nothing written,
//! the terminal as it was.

use super::*;

/// Drive the binary to the prompt `question` with `keys_before`, cancel with
/// `cancel`, and check the outcome.
fn cancel_at(
    project: &Project,
    moto: Option<&Moto>,
    args: &[&str],
    steps: &[(&str, &str)],
    question: &str,
    cancel: &str,
) {
    let before = project.snapshot();
    let mut term = start(project, moto, args);
    for (wait_for, keys) in steps {
        term.expect(wait_for);
        term.send(keys);
    }
    term.expect(question);
    term.send(cancel);
    let (code, raw, modes) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 130, "cancelling at `{question}` exited {code}:\n{screen}");
    assert!(screen.contains("Error: cancelled; nothing was written"), "{screen}");
    assert_eq!(project.snapshot(), before, "cancelling at `{question}` changed files");
    assert_terminal_restored(modes, &raw);
}

/// Ctrl-C at each prompt that needs no AWS call before it.
#[test]
fn ctrl_c_at_each_prompt_writes_nothing() {
    let mut project = Project::new();
    // No short name anywhere: build.env without PROJECT, so it is asked.
    project.write("build.env", "# no PROJECT here\n");
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[],
        "Project short name",
        CTRL_C,
    );

    project.write("build.env", "PROJECT=bb\n");
    cancel_at(&project, None, &configure("MANAGEMENT"), &[], "Primary region", CTRL_C);

    project.write("project.yaml", PROJECT_YAML);
    let means = "Select the means by which you'll provide the programmatic keys";
    cancel_at(&project, None, &configure("MANAGEMENT"), &[], means, CTRL_C);
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(means, "p"), (means, ENTER)],
        "Path to the access keys file",
        CTRL_C,
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(means, "m"), (means, ENTER)],
        "Access key ID",
        CTRL_C,
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[
            (means, "m"),
            (means, ENTER),
            ("Access key ID", "AKIAIOSFODNN7EXAMPLE"),
            ("AKIAIOSFODNN7EXAMPLE", ENTER),
        ],
        "Secret access key",
        CTRL_C,
    );

    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[],
        "Credentials already configured for bb-management",
        CTRL_C,
    );
}

/// Esc and Ctrl-D (end of input) cancel as Ctrl-C does.
#[test]
fn escape_and_ctrl_d_cancel_too() {
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let question = "Credentials already configured for bb-management";
    cancel_at(&project, None, &configure("MANAGEMENT"), &[], question, ESC);
    let means = "Select the means by which you'll provide the programmatic keys";
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(question, "o"), (question, ENTER)],
        means,
        CTRL_D,
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(question, "o"), (question, ENTER), (means, "p"), (means, ENTER)],
        "Path to the access keys file",
        CTRL_D,
    );
}

/// The MFA device choice comes after AWS calls: Ctrl-C there writes
/// nothing either, and the terminal is restored (echo and line editing on).
#[test]
fn ctrl_c_at_the_mfa_device_choice_writes_nothing_and_restores_the_terminal() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane", "mfa": 2}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(&mut project, key_id, secret);
    let before = project.snapshot();

    let mut args = configure("MANAGEMENT");
    args.extend(["--skip-access-keys-setup", "--fetch-mfa-device"]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Which MFA device should the profiles use?");
    term.expect("jane-device-1");
    term.send(CTRL_C);
    let (code, raw, modes) = term.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    assert!(
        plain(&raw).contains("Error: cancelled; nothing was written"),
        "{}",
        plain(&raw)
    );
    assert_eq!(project.snapshot(), before);
    assert_terminal_restored(modes, &raw);
    assert_not_shown(secret, &raw);
}

/// After a cancelled prompt the terminal has echo, line editing and
/// signals back, and the cursor is visible.
#[test]
fn the_terminal_is_restored_after_ctrl_c_in_the_secret_prompt() {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let mut term = start(&project, None, &configure("MANAGEMENT"));
    let means = "Select the means by which you'll provide the programmatic keys";
    term.expect(means);
    term.send("m");
    term.send(ENTER);
    term.expect("Access key ID");
    term.send("AKIAIOSFODNN7EXAMPLE");
    term.send(ENTER);
    term.expect("Secret access key");
    let modes_in_prompt = term.local_modes();
    assert_eq!(
        modes_in_prompt & libc::ECHO,
        0,
        "the terminal echoes while the secret is typed"
    );
    term.send("wJalrXUtnFEMI");
    term.send(CTRL_C);
    let (code, raw, modes) = term.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    assert_terminal_restored(modes, &raw);
    assert_not_shown("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", &raw);
}
