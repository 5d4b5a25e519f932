//! The prompts on a terminal: the "already configured" choice (`s` skips, `o`
//! overwrites), keys typed in (arrow keys, inline validation, the hidden
//! secret), and the region.

use super::*;

/// `s` picks "Skip": the keys stay byte for byte, the profiles are written.
#[test]
fn shortcut_s_skips_the_keys_and_writes_the_profiles() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let credentials = configured(&mut project, key_id, secret);
    let before = std::fs::read(&credentials).unwrap();

    let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
    term.expect("Credentials already configured for bb-management");
    term.expect("[o] Overwrite current credentials");
    term.send("s");
    term.send(ENTER);
    let (code, raw, modes) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Skip credentials configuration. Continue on with assumable roles setup."),
        "{screen}"
    );
    assert!(
        !screen.contains("Select the means"),
        "skipping asked for keys:\n{screen}"
    );
    assert_eq!(
        std::fs::read(&credentials).unwrap(),
        before,
        "skip changed the credentials file"
    );
    assert!(backups_of(&credentials).is_empty());
    let config = project.read_aws("bb", "config");
    assert!(
        config.contains("[profile bb-shared-oaar]") && config.contains("[profile bb-security-oaar]"),
        "{config}"
    );
    assert!(screen.contains("Profiles (2)"), "{screen}");
    assert_terminal_restored(modes, &raw);
    assert_not_shown(secret, &raw);
}

/// `o` picks "Overwrite", `p` then picks the path to a CSV: the new keys are
/// checked and written, and the old file is kept as a backup.
#[test]
fn shortcut_o_overwrites_from_a_csv_path_and_keeps_a_backup() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let old_secret = "oldoldoldoldoldoldoldoldoldoldoldoldold0";
    let credentials = configured(&mut project, "AKIAOLDOLDOLDOLDOLD0", old_secret);
    let old = std::fs::read_to_string(&credentials).unwrap();
    let csv = project.keys_csv(key_id, secret);

    let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
    term.expect("Credentials already configured for bb-management");
    term.send("o");
    term.send(ENTER);
    term.expect("Select the means by which you'll provide the programmatic keys");
    term.expect("[m] Manually");
    term.send("p");
    term.send(ENTER);
    term.expect("Path to the access keys file");
    term.send(csv.to_str().unwrap());
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Overwrite current credentials. Backups will be made."),
        "{screen}"
    );
    let now = std::fs::read_to_string(&credentials).unwrap();
    assert!(now.contains(key_id) && now.contains(secret), "{now}");
    let backups = backups_of(&credentials);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), old);
    assert!(
        screen.contains("backup: ~/.aws/bb/credentials."),
        "the summary does not name the backup:\n{screen}"
    );
    assert_not_shown(secret, &raw);
    assert_not_shown(old_secret, &raw);
}

// ---------------------------------------------------------------------------
// Keys typed in: arrow keys, inline validation, the hidden secret.

/// The arrow key picks "Manually"; a bad key id is refused with the reason
/// under the prompt and asked again; the secret never shows on the screen.
#[test]
fn manual_keys_by_arrow_key_with_a_refused_id_and_a_hidden_secret() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.secrets.push(secret.to_string());
    project.write("project.yaml", PROJECT_YAML);

    let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
    term.expect("Select the means by which you'll provide the programmatic keys");
    term.send(DOWN);
    term.send(ENTER);
    term.expect("Access key ID");
    term.send("not-a-key");
    term.send(ENTER);
    term.expect("an access key id is 20 upper-case letters or digits");
    term.expect("Access key ID");
    term.send(key_id);
    term.send(ENTER);
    term.expect("Secret access key");
    term.send(secret);
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Manually"), "{screen}");
    assert_not_shown(secret, &raw);
    assert_eq!(
        project.read_aws("bb", "credentials"),
        format!("[bb-management]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
    );
}

/// A project without a region: the prompt offers us-east-1, refuses a
/// name that is not a region (saying why, next to the prompt), then takes one.
#[test]
fn a_refused_then_accepted_region() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &PROJECT_YAML.replace("primary_region: us-east-1\nsecondary_region: us-west-2\n", ""),
    );
    let csv = project.keys_csv(key_id, secret);

    let mut args = configure("MANAGEMENT");
    args.extend(["--credentials-file", csv.to_str().unwrap()]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Primary region");
    term.expect("(us-east-1)");
    term.send("mars-north-9");
    term.send(ENTER);
    term.expect("✘ `mars-north-9` is not an AWS region name such as us-east-1");
    term.expect("Primary region");
    term.send("eu-west-1");
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    let config = project.read_aws("bb", "config");
    assert!(
        config.contains("region = eu-west-1") && !config.contains("mars"),
        "{config}"
    );
    // The line that keeps the answer, on a line of its own to copy.
    assert!(
        screen.contains("add this line to project.yaml:\n  primary_region: eu-west-1\n"),
        "{screen}"
    );
}

/// Enter on an empty answer takes the default region.
#[test]
fn enter_takes_the_default_region() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &PROJECT_YAML.replace("primary_region: us-east-1\nsecondary_region: us-west-2\n", ""),
    );
    let csv = project.keys_csv(key_id, secret);
    let mut args = configure("MANAGEMENT");
    args.extend([
        "--credentials-file",
        csv.to_str().unwrap(),
        "--skip-assumable-roles-setup",
    ]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Primary region");
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    assert_eq!(code, 0, "{}", plain(&raw));
    assert!(project.read_aws("bb", "config").contains("region = us-east-1"));
}
