//! Project configuration (where each file lives, which value comes from
//! where, how the project is identified), driven through
//! `configure` and the scripted host. Every resolved value is observed the
//! way a user would see it: the profile names and `region =` lines of the
//! planned config file, the account ids in the role ARNs, the planned
//! build.env, the region the keys are checked in, and the `--verbose` line
//! describing the project.

use leverage_core::scenarios::{csv, request, AWS_ROOT, CALLER_ACCOUNT, KEY_ID, ROOT, SECRET};
use leverage_core::scripted::{Answer, Scenario, ScriptedHost};
use leverage_core::*;

#[path = "project_config/identification.rs"]
mod identification;
#[path = "project_config/layouts.rs"]
mod layouts;
#[path = "project_config/malformed.rs"]
mod malformed;
#[path = "project_config/prompts.rs"]
mod prompts;

const KEYS_CSV: &str = "/home/user/keys.csv";

fn path(relative: &str) -> String {
    if relative.is_empty() {
        ROOT.to_string()
    } else {
        format!("{ROOT}/{relative}")
    }
}

fn identity() -> CallerIdentity {
    CallerIdentity {
        account: CALLER_ACCOUNT.into(),
        arn: format!("arn:aws:iam::{CALLER_ACCOUNT}:user/jane"),
        user_id: "AIDAEXAMPLEEXAMPLE".into(),
    }
}

/// A project made of `files` (paths relative to the root), the user's keys
/// in a CSV, and keys that AWS accepts. The organization cannot be read
/// (AccessDenied, a warning), so the profiles show the declared ids.
fn world(files: &[(&str, &str)]) -> Scenario {
    let mut s = Scenario::default();
    for (relative, text) in files {
        s.files.insert(path(relative), text.to_string());
    }
    s.files.insert(KEYS_CSV.into(), csv(KEY_ID, SECRET));
    s.identities.insert(KEY_ID.into(), Ok(identity()));
    s
}

fn request_in(cwd: &str) -> ConfigureRequest {
    let mut r = request(CredentialsType::Management);
    r.current_dir = path(cwd);
    r
}

fn run(request: &ConfigureRequest, scenario: Scenario) -> (Result<Plan, ConfigureError>, Vec<String>) {
    let mut host = ScriptedHost::new(scenario);
    let result = configure(&mut host, request);
    (result, host.transcript)
}

/// What a run resolved, as seen in its plan and transcript.
#[derive(Debug)]
struct Resolved {
    short: String,
    region: String,
    /// (account, id) of every account profile, in order.
    profiles: Vec<(String, String)>,
    /// The planned build.env: (path, content).
    build_env: Option<(String, String)>,
    /// The `--verbose` line describing the project.
    describe: String,
    transcript: Vec<String>,
}

fn resolve(request: &ConfigureRequest, scenario: Scenario) -> Resolved {
    let (result, transcript) = run(request, scenario);
    let plan = result.unwrap_or_else(|e| panic!("{e:?}\n{transcript:#?}"));
    let short = plan
        .report
        .profile
        .strip_suffix("-management")
        .unwrap_or_else(|| panic!("profile {}", plan.report.profile))
        .to_string();
    let config = plan
        .changes
        .iter()
        .find(|c| c.kind == FileKind::AwsConfig)
        .unwrap_or_else(|| {
            panic!(
                "no config change: {:?}",
                plan.changes.iter().map(|c| &c.path).collect::<Vec<_>>()
            )
        });
    assert_eq!(
        config.path,
        format!("{AWS_ROOT}/{short}/config"),
        "the AWS files live in ~/.aws/<short_name>"
    );
    let credentials = plan
        .changes
        .iter()
        .find(|c| c.kind == FileKind::AwsCredentials)
        .expect("a credentials change");
    assert_eq!(credentials.path, format!("{AWS_ROOT}/{short}/credentials"));
    // Every profile (the keys' own and each account's) carries the primary region.
    let regions: Vec<&str> = config
        .after
        .lines()
        .filter_map(|l| l.strip_prefix("region = "))
        .collect();
    assert!(!regions.is_empty(), "{}", config.after);
    assert!(regions.iter().all(|r| *r == regions[0]), "{}", config.after);
    let region = regions[0].to_string();
    // The keys are checked in that region too.
    assert!(
        transcript.contains(&format!("aws.get-caller-identity {KEY_ID} {region}")),
        "{transcript:#?}"
    );
    let mut profiles = Vec::new();
    for p in &plan.report.profiles {
        assert_eq!(p.name, format!("{short}-{}-oaar", p.account));
        assert_eq!(
            p.role_arn,
            format!("arn:aws:iam::{}:role/OrganizationAccountAccessRole", p.account_id)
        );
        assert!(
            config.after.contains(&format!(
                "[profile {}]\noutput = json\nregion = {region}\nrole_arn = {}\n",
                p.name, p.role_arn
            )),
            "{}",
            config.after
        );
        profiles.push((p.account.clone(), p.account_id.clone()));
    }
    let build_env: Vec<_> = plan.changes.iter().filter(|c| c.kind == FileKind::BuildEnv).collect();
    assert!(build_env.len() <= 1);
    let build_env = build_env.first().map(|c| {
        assert_eq!(c.before, None, "build.env is only ever created");
        (c.path.clone(), c.after.clone())
    });
    let describe = transcript
        .iter()
        .find(|l| l.starts_with("log.level::debug project `"))
        .unwrap_or_else(|| panic!("no project line: {transcript:#?}"))
        .clone();
    Resolved {
        short,
        region,
        profiles,
        build_env,
        describe,
        transcript,
    }
}

const GOOD_YAML: &str = "short_name: bb\nregion: us-east-1\n";
