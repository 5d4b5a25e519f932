//! Prompts: a missing short name or region is asked (until valid, with a
//! default), named when nothing may be asked, and cancelling plans nothing;
//! the region pattern the answers are checked against.

use super::*;

fn prompts(transcript: &[String], question: &str) -> usize {
    transcript
        .iter()
        .filter(|l| l.starts_with(&format!("prompt.text {question} [")))
        .count()
}

#[test]
fn missing_short_name_is_asked_until_valid() {
    for files in [
        vec![
            ("build.env", "MFA_ENABLED=false\n"),
            ("config/common.tfvars", "region = \"us-east-1\"\n"),
        ],
        vec![(
            "config/common.tfvars",
            "project_long = \"binbash\"\nregion = \"us-east-1\"\n",
        )],
    ] {
        let mut scenario = world(&files);
        scenario.answers = vec![Answer::Text("B1".into()), Answer::Text("  bb ".into())];
        let got = resolve(&request_in(""), scenario);
        assert_eq!(got.short, "bb", "{files:?}");
        assert_eq!(prompts(&got.transcript, "Project short name"), 2);
        let rejected = got
            .transcript
            .iter()
            .position(|l| l == "log.level::warn the short name must be 2 to 4 lower-case letters");
        let asked: Vec<usize> = got
            .transcript
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with("prompt.text Project short name"))
            .map(|(i, _)| i)
            .collect();
        assert!(
            rejected.is_some_and(|r| asked[0] < r && r < asked[1]),
            "{:#?}",
            got.transcript
        );
        // The answer identifies the project from now on when no build.env exists.
        let expected =
            (!files.iter().any(|(f, _)| *f == "build.env")).then(|| (path("build.env"), "PROJECT=bb\n".to_string()));
        assert_eq!(got.build_env, expected, "{files:?}");
    }
}

#[test]
fn missing_region_is_asked_with_us_east_1_as_default() {
    // An empty answer takes the default.
    let mut scenario = world(&[("project.yaml", "short_name: bb\n")]);
    scenario.answers = vec![Answer::Text(String::new())];
    let got = resolve(&request_in(""), scenario);
    assert_eq!(got.region, "us-east-1");
    assert!(
        got.transcript
            .contains(&"prompt.text Primary region [us-east-1]".to_string()),
        "{:#?}",
        got.transcript
    );

    // A rejected answer, then a valid one.
    let mut scenario = world(&[("project.yaml", "short_name: bb\n")]);
    scenario.answers = vec![
        Answer::Text("us-middle-9".into()),
        Answer::Text("us-gov-gov-west-1".into()),
        Answer::Text("eu-west-1".into()),
    ];
    let got = resolve(&request_in(""), scenario);
    assert_eq!(got.region, "eu-west-1");
    assert_eq!(prompts(&got.transcript, "Primary region"), 3);
    for bad in ["us-middle-9", "us-gov-gov-west-1"] {
        assert!(
            got.transcript.contains(&format!(
                "log.level::warn `{bad}` is not an aws region name such as us-east-1"
            )),
            "{:#?}",
            got.transcript
        );
    }
}

#[test]
fn both_missing_are_asked_short_name_first() {
    let mut scenario = world(&[("build.env", "X=1\n")]);
    scenario.answers = vec![Answer::Text("xyz".into()), Answer::Text("sa-east-1".into())];
    let got = resolve(&request_in(""), scenario);
    assert_eq!((got.short.as_str(), got.region.as_str()), ("xyz", "sa-east-1"));
    let asked: Vec<&String> = got.transcript.iter().filter(|l| l.starts_with("prompt.")).collect();
    assert_eq!(
        asked,
        [
            "prompt.text Project short name []",
            "prompt.text Primary region [us-east-1]"
        ]
    );
}

#[test]
fn non_interactive_names_the_file_and_key_that_would_answer() {
    let mut request = request_in("");
    request.non_interactive = true;

    let (result, transcript) = run(&request, world(&[("build.env", "X=1\n")]));
    let Err(ConfigureError::AnswerNeeded(message)) = &result else {
        panic!("{result:?}")
    };
    for word in [
        "short name",
        "`short_name` in project.yaml",
        "PROJECT in build.env",
        "--non-interactive",
    ] {
        assert!(message.contains(word), "{message}");
    }
    assert!(
        !transcript
            .iter()
            .any(|l| l.starts_with("prompt.") || l.starts_with("aws.")),
        "{transcript:#?}"
    );

    let (result, transcript) = run(&request, world(&[("project.yaml", "short_name: bb\n")]));
    let Err(ConfigureError::AnswerNeeded(message)) = &result else {
        panic!("{result:?}")
    };
    for word in [
        "primary region",
        "add the line `primary_region: us-east-1` to project.yaml",
    ] {
        assert!(message.contains(word), "{message}");
    }
    assert!(
        !transcript
            .iter()
            .any(|l| l.starts_with("prompt.") || l.starts_with("aws.")),
        "{transcript:#?}"
    );
}

#[test]
fn cancelling_either_question_stops_with_nothing_planned() {
    for (files, answers) in [
        (vec![("build.env", "X=1\n")], vec![Answer::Cancel]),
        (
            vec![("build.env", "X=1\n")],
            vec![Answer::Text("B1".into()), Answer::Cancel],
        ),
        (vec![("project.yaml", "short_name: bb\n")], vec![Answer::Cancel]),
        (
            vec![("build.env", "X=1\n")],
            vec![
                Answer::Text("bb".into()),
                Answer::Text("nowhere".into()),
                Answer::Cancel,
            ],
        ),
    ] {
        let mut scenario = world(&files);
        scenario.answers = answers.clone();
        let (result, transcript) = run(&request_in(""), scenario);
        assert_eq!(result, Err(ConfigureError::Cancelled), "{answers:?}");
        assert!(!transcript.iter().any(|l| l.starts_with("aws.")), "{transcript:#?}");
    }
}

// ---------------------------------------------------------------------------
// The region pattern, with the original's `gov-` bug fixed.

#[test]
fn region_pattern_is_specs_with_gov_done_right() {
    use leverage_core::validate::is_region;
    let directions = [
        "central",
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "secret",
        "topsecret",
    ];
    for direction in directions {
        for n in 1..=4 {
            assert!(is_region(&format!("us-{direction}-{n}")), "us-{direction}-{n}");
            assert!(is_region(&format!("cn-gov-{direction}-{n}")), "cn-gov-{direction}-{n}");
        }
        assert!(!is_region(&format!("us-{direction}-0")));
        assert!(!is_region(&format!("us-{direction}-5")));
    }
    for ok in [
        "us-gov-west-1",
        "us-gov-east-1",
        "eu-central-2",
        "ap-southeast-4",
        "il-central-1",
    ] {
        assert!(is_region(ok), "{ok}");
    }
    for bad in [
        "us-gov-gov-west-1",
        // What a character class `[gov-]` would have let through.
        "us-g-west-1",
        "us-o-west-1",
        "us-gwest-1",
        "us--west-1",
        "us-govwest-1",
        "us-gov--west-1",
        "us-gov-1",
        "gov-west-1",
        "us-middle-9",
        "us-east-12",
        "us-east-1a",
        "usa-east-1",
        "u1-east-1",
        "US-EAST-1",
        "us_east_1",
        " us-east-1",
        "us-east-1\n",
        "",
    ] {
        assert!(!is_region(bad), "{bad:?}");
    }
}
