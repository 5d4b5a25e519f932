//! Identification: the short name from project.yaml, build.env or
//! common.tfvars, and build.env planned only when none exists.

use super::*;

#[test]
fn project_yaml_without_short_name_is_an_error_even_with_other_sources() {
    for yaml in [
        "project_name: binbash\nregion: us-east-1\n",
        "short_name:\n",
        "short_name: \"\"\n",
        "# only a comment\n",
        "",
    ] {
        let scenario = world(&[
            ("project.yaml", yaml),
            ("build.env", "PROJECT=bb\n"),
            ("config/common.tfvars", "project = \"bb\"\n"),
        ]);
        let (result, transcript) = run(&request_in(""), scenario);
        let Err(ConfigureError::InvalidInput(error)) = &result else {
            panic!("{yaml:?}: {result:?}")
        };
        assert_eq!(error.file.as_deref(), Some(path("project.yaml").as_str()));
        assert!(error.message.contains("`short_name` is missing"), "{}", error.message);
        assert!(!transcript
            .iter()
            .any(|l| l.starts_with("aws.") || l.starts_with("prompt.")));
    }
}

#[test]
fn build_env_is_planned_only_when_none_exists() {
    // None: the plan creates <root>/build.env (and nothing is written by the core).
    let got = resolve(&request_in(""), world(&[("project.yaml", GOOD_YAML)]));
    assert_eq!(got.build_env, Some((path("build.env"), "PROJECT=bb\n".to_string())));

    // Also from a subdirectory: it goes in the root.
    let got = resolve(&request_in("a/b"), world(&[("project.yaml", GOOD_YAML)]));
    assert_eq!(got.build_env, Some((path("build.env"), "PROJECT=bb\n".to_string())));

    // One anywhere in the chain, even without PROJECT: none planned.
    for at in ["build.env", "a/build.env", "a/b/build.env"] {
        let got = resolve(
            &request_in("a/b"),
            world(&[("project.yaml", GOOD_YAML), (at, "OTHER=1\n")]),
        );
        assert_eq!(got.build_env, None, "build.env at {at}");
    }
}

#[test]
fn none_of_the_three_files_is_an_error_naming_all_three() {
    let (result, transcript) = run(&request_in("sub"), world(&[("sub/elsewhere.txt", "x")]));
    let Err(ConfigureError::InvalidInput(error)) = &result else {
        panic!("{result:?}")
    };
    for name in ["project.yaml", "build.env", "config/common.tfvars"] {
        assert!(error.message.contains(name), "{}", error.message);
    }
    assert_eq!(error.file.as_deref(), Some(ROOT));
    assert!(
        !transcript
            .iter()
            .any(|l| l.starts_with("aws.") || l.starts_with("prompt.")),
        "{transcript:#?}"
    );
}

#[test]
fn tfvars_project_is_the_fallback_and_creates_build_env() {
    let got = resolve(
        &request_in(""),
        world(&[("config/common.tfvars", "project = \"tf\"\nregion = \"us-west-2\"\n")]),
    );
    assert_eq!(got.short, "tf");
    assert_eq!(got.build_env, Some((path("build.env"), "PROJECT=tf\n".to_string())));

    // build.env's PROJECT comes before it.
    let got = resolve(
        &request_in(""),
        world(&[
            ("build.env", "PROJECT=env\n"),
            ("config/common.tfvars", "project = \"tf\"\nregion = \"us-west-2\"\n"),
        ]),
    );
    assert_eq!(got.short, "env");
    assert_eq!(got.build_env, None);
}
