//! Help, completions and the man page (one set of clap definitions).

use super::*;

use crate::support::CONFIGURE_FLAGS;

/// Every example in `--help` is a command line clap accepts.
#[test]
fn every_help_example_parses() {
    use clap::Parser;
    let help = leverage_cli::cli::EXAMPLES;
    let joined = help.replace("\\\n", " ");
    let commands: Vec<Vec<&str>> = joined
        .lines()
        .map(|l| l.split_whitespace().skip_while(|w| w.contains('=')).collect::<Vec<_>>())
        .filter(|words| words.first() == Some(&"leverage"))
        .collect();
    assert!(commands.len() >= 7, "{commands:?}");
    for words in &commands {
        if let Err(e) = leverage_cli::cli::Cli::try_parse_from(words) {
            panic!("the example `{}` does not parse:\n{e}", words.join(" "));
        }
    }
    let project = Project::new();
    let out = project.run(None, &["credentials", "configure", "--help"]);
    assert_eq!(out.code, 0);
    for journey in [
        "--type BOOTSTRAP",
        "--fetch-mfa-device",
        "--type SECURITY",
        "--overwrite-existing-credentials",
        "--skip-access-keys-setup --fetch-mfa-device",
        "--non-interactive --output json",
    ] {
        assert!(
            out.stdout.contains(journey),
            "--help shows no example with {journey}:\n{}",
            out.stdout
        );
    }
}

/// Completion scripts for bash, zsh and fish know the subcommands, the
/// flags and the values of --type; bash's is valid bash.
#[test]
fn completions_for_bash_zsh_and_fish() {
    let project = Project::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = project.run(None, &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in [
            "credentials",
            "configure",
            "--credentials-file",
            "--overwrite-existing-credentials",
            "MANAGEMENT",
        ] {
            // fish names long flags without their dashes (`-l credentials-file`).
            let word = if shell == "fish" {
                word.trim_start_matches('-')
            } else {
                word
            };
            assert!(out.stdout.contains(word), "the {shell} completions lack {word}");
        }
        if shell == "bash" {
            let script = project.home.join("leverage.bash");
            std::fs::write(&script, &out.stdout).unwrap();
            let status = Command::new("bash").arg("-n").arg(&script).status().unwrap();
            assert!(status.success(), "the bash completions are not valid bash");
        }
    }
    let unknown = project.run(None, &["completions", "tcsh"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
}

/// `leverage man` prints a man page that groff formats without a warning,
/// with every flag, the examples and the exit codes; `--out-dir` writes
/// one page per command.
#[test]
fn the_man_page_is_generated_from_the_same_definitions() {
    let project = Project::new();
    let out = project.run(None, &["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.starts_with(".TH"),
        "{}",
        &out.stdout[..200.min(out.stdout.len())]
    );
    assert!(
        out.stdout.contains(".TH leverage-credentials-configure 1"),
        "{}",
        out.stdout
    );
    let page = project.home.join("leverage-credentials-configure.1");
    std::fs::write(&page, &out.stdout).unwrap();
    let groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-rLL=200n"])
        .arg(&page)
        .output()
        .expect("groff");
    let stderr = String::from_utf8_lossy(&groff.stderr);
    assert!(groff.status.success() && stderr.is_empty(), "groff: {stderr}");
    let text = plain(&String::from_utf8_lossy(&groff.stdout)).replace(['\u{2010}', '\u{2212}'], "-");
    // groff's -Tutf8 overstrikes bold text (c\bc): keep the last of each pair.
    let text: String = {
        let mut shown = String::new();
        for c in text.chars() {
            if c == '\u{8}' {
                shown.pop();
                continue;
            }
            shown.push(c);
        }
        shown
    };
    for flag in CONFIGURE_FLAGS.iter().chain(&["--verbose", "--quiet"]) {
        assert!(text.contains(flag), "the man page lacks {flag}:\n{text}");
    }
    for section in ["EXAMPLES", "ENVIRONMENT", "FILES", "EXIT STATUS"] {
        assert!(text.contains(section), "the man page lacks {section}");
    }
    assert!(
        text.contains("leverage credentials configure --type BOOTSTRAP \\"),
        "the examples lost their layout:\n{text}"
    );

    let dir = project.home.join("man1");
    let out = project.run(None, &["man", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "leverage-completions.1",
            "leverage-component.1",
            "leverage-credentials-configure.1",
            "leverage-credentials-restore.1",
            "leverage-credentials-rotate.1",
            "leverage-credentials.1",
            "leverage-man.1",
            "leverage.1"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("leverage-credentials-configure.1")).unwrap(),
        std::fs::read_to_string(&page).unwrap()
    );
}

/// `--help` lists every command, and neither the help texts nor the man
/// pages carry internal markers such as `[better]`.
#[test]
fn help_lists_every_command_and_shows_no_internal_markers() {
    let project = Project::new();
    let help = project.run(None, &["--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    for command in ["credentials", "completions", "man"] {
        assert!(
            help.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "--help does not list `{command}`:\n{}",
            help.stdout
        );
    }
    let mut texts = vec![help.stdout];
    for args in [
        vec!["credentials", "--help"],
        vec!["credentials", "configure", "--help"],
        vec!["credentials", "configure", "-h"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
        vec!["man"],
    ] {
        let out = project.run(None, &args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        texts.push(out.stdout);
    }
    let dir = project.home.join("man1");
    let out = project.run(None, &["man", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in std::fs::read_dir(&dir).unwrap().flatten() {
        texts.push(std::fs::read_to_string(page.path()).unwrap());
    }
    for text in &texts {
        for marker in ["[better]", "\\[better\\]", "better]"] {
            assert!(!text.contains(marker), "an internal marker shows:\n{text}");
        }
    }
}

/// Usage errors in the same style as the others: `Error:`, the usage line,
/// a `Hint:`; exit code 2 and nothing written.
#[test]
fn usage_errors_use_the_error_style() {
    let project = Project::new();
    let out = project.run(None, &["credentials", "configure", "--type", "MANAGEMENT", "--dry-ru"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("Error: unexpected argument '--dry-ru' found\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Hint: a similar argument exists: '--dry-run'"),
        "{}",
        out.stderr
    );
    let out = project.run(None, &["credentials", "configure", "--type", "ADMIN"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("Hint: possible values: BOOTSTRAP, MANAGEMENT, SECURITY"),
        "{}",
        out.stderr
    );
    let out = project.run(None, &["credentials", "configure"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "Error: the following required arguments were not provided: --type <TYPE>\n\
         Usage: leverage credentials configure --type <TYPE>\n\
         Hint: see `leverage credentials configure --help`\n"
    );
    assert!(!project.home.join(".aws").exists());
}
