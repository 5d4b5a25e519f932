//! Questions: an asked region and the line that keeps it, a typed path with
//! `~` or `$HOME`, and every question carrying what answers it without a
//! prompt.

use super::*;

/// A region that came from the prompt: the exact line that makes it
/// permanent is said; without a terminal, the error names that line.
#[test]
fn an_asked_region_says_the_line_that_keeps_it() {
    let (request, mut world) = scenario("management-first-run");
    let yaml = PROJECT_YAML.replace("primary_region: us-east-1\n", "");
    world.files.insert(format!("{ROOT}/project.yaml"), yaml.clone());
    world.answers = vec![Answer::Text("eu-west-1".into())];
    let (result, transcript) = run(&request, world);
    result.unwrap();
    let at = transcript
        .iter()
        .position(|l| {
            l == "log.level::info to use eu-west-1 without being asked next time, add this line to project.yaml:"
        })
        .unwrap_or_else(|| panic!("{transcript:#?}"));
    assert_eq!(transcript[at + 1], "log.level::info   primary_region: eu-west-1");

    // Only common.tfvars: the line for it.
    let (request, mut world) = scenario("management-first-run");
    world.files.remove(&format!("{ROOT}/project.yaml"));
    world
        .files
        .insert(format!("{ROOT}/config/common.tfvars"), "project = \"bb\"\n".into());
    world.answers = vec![Answer::Text(String::new())];
    let (result, transcript) = run(&request, world);
    result.unwrap();
    assert!(
        transcript.contains(&"log.level::info   region_primary = \"us-east-1\"".to_string()),
        "{transcript:#?}"
    );

    let (mut request, mut world) = scenario("management-first-run");
    request.non_interactive = true;
    world.files.insert(format!("{ROOT}/project.yaml"), yaml);
    let (result, _) = run(&request, world);
    let Err(ConfigureError::AnswerNeeded(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.contains("add the line `primary_region: us-east-1` to project.yaml"),
        "{message}"
    );
}

/// A path typed at the prompt may start with `~` or `$HOME`, and a relative
/// one is relative to the current directory.
#[test]
fn a_typed_path_understands_the_home_directory() {
    for (typed, cwd) in [
        ("~/keys.csv", ROOT),
        ("$HOME/keys.csv", ROOT),
        ("${HOME}/keys.csv", ROOT),
        ("keys.csv", "/home/user"),
        ("/home/user/keys.csv", ROOT),
    ] {
        let (mut request, mut world) = scenario("management-first-run");
        request.credentials_file = None;
        request.current_dir = cwd.into();
        world.answers = vec![Answer::Select(0), Answer::Text(typed.into())];
        let (result, transcript) = run(&request, world);
        let plan = result.unwrap_or_else(|e| panic!("{typed}: {e:?}\n{transcript:#?}"));
        assert!(plan.report.keys_written, "{typed}");
        assert!(
            transcript.contains(&"files.read /home/user/keys.csv".to_string()),
            "{typed}: {transcript:#?}"
        );
    }
    // No home directory known: `~` is refused with the reason, and asked again.
    let (mut request, mut world) = scenario("management-first-run");
    request.credentials_file = None;
    request.home_dir = None;
    world.answers = vec![
        Answer::Select(0),
        Answer::Text("~/keys.csv".into()),
        Answer::Text("/home/user/keys.csv".into()),
    ];
    let (result, transcript) = run(&request, world);
    result.unwrap();
    assert!(
        transcript
            .iter()
            .any(|l| l.starts_with("log.level::warn `~/keys.csv` starts with the home directory")),
        "{transcript:#?}"
    );
}

/// Every question the core asks carries what answers it without a prompt
/// (the CLI names exactly that when it cannot ask: tests/bad-input's
/// `answer-*-no-terminal` cases); checked over every question the scenario
/// table asks.
#[test]
fn every_question_carries_what_answers_it_without_a_prompt() {
    let expected = [
        ("Credentials already configured for", "--skip-access-keys-setup"),
        ("Select the means", "--credentials-file"),
        ("Path to the access keys file", "--credentials-file"),
        ("Access key ID", "LEVERAGE_AWS_ACCESS_KEY_ID"),
        ("Secret access key", "LEVERAGE_AWS_SECRET_ACCESS_KEY"),
        ("Project short name", "PROJECT="),
        ("Primary region", "region"),
        ("Which MFA device", "--mfa-serial"),
        ("These keys are of account", "--skip-account-check"),
    ];
    let mut asked = std::collections::BTreeSet::new();
    for (name, request, world) in scenarios::table() {
        let mut host = ScriptedHost::new(world);
        let _ = configure(&mut host, &request);
        for question in &host.questions {
            let (start, flag) = expected
                .iter()
                .find(|(start, _)| question.text.starts_with(start))
                .unwrap_or_else(|| panic!("{name}: a question this test does not know: {question:?}"));
            assert!(
                question.answered_by.contains(flag),
                "{name}: `{}` is answered by {:?}",
                question.text,
                question.answered_by
            );
            asked.insert(*start);
        }
    }
    for start in [
        "Credentials already configured for",
        "Select the means",
        "Which MFA device",
    ] {
        assert!(asked.contains(start), "no scenario asks `{start}...`: {asked:?}");
    }
}
