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

// ---------------------------------------------------------------------------
// 1. Configuration layouts and the resolved values

struct Layout {
    name: &'static str,
    files: Vec<(&'static str, &'static str)>,
    /// The current directory, relative to the root.
    cwd: &'static str,
    answers: Vec<Answer>,
    short: &'static str,
    region: &'static str,
    secondary: Option<&'static str>,
    project_name: Option<&'static str>,
    /// (account, id) of each account profile, in order.
    profiles: Vec<(&'static str, &'static str)>,
    /// Whether the plan creates `<root>/build.env`.
    creates_build_env: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            name: "",
            files: Vec::new(),
            cwd: "",
            answers: Vec::new(),
            short: "bb",
            region: "us-east-1",
            secondary: None,
            project_name: None,
            profiles: Vec::new(),
            creates_build_env: false,
        }
    }
}

const YAML_ONLY: &str = "\
project_name: acme
short_name: ac
primary_region: us-west-2
organization:
  accounts:
  - name: management
    email: aws+management@example.com
    id: \"111111111111\"
  - name: shared
    id: \"033333333333\"
  - name: network
";

const TFVARS_ONLY: &str = "\
# Project
project      = \"cd\"
project_long = \"cdproj\"
region       = \"eu-west-1\"

accounts = {
  management = { email = \"m@example.com\", id = \"111111111111\" }
  security   = { email = \"s@example.com\", id = 222222222222 }
}
";

const DISAGREE_YAML: &str = "\
project_name: binbash
short_name: bb
region: us-west-1
organization:
  accounts:
  - name: management
    id: \"999999999999\"
  - name: security
    id: \"222222222222\"
";

const DISAGREE_TFVARS: &str = "\
project          = \"yy\"
project_long     = \"other\"
region           = \"eu-west-1\"
region_secondary = \"eu-west-2\"
accounts = {
  management = { email = \"m@example.com\", id = \"111111111111\" }
  shared     = { id = \"033333333333\" }
}
";

fn layouts() -> Vec<Layout> {
    vec![
        Layout {
            name: "project.yaml only",
            files: vec![("project.yaml", YAML_ONLY)],
            short: "ac",
            region: "us-west-2",
            project_name: Some("acme"),
            // `network` has no id anywhere: no profile (a warning).
            profiles: vec![("management", "111111111111"), ("shared", "033333333333")],
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "build.env only (region asked, default taken)",
            files: vec![("build.env", "# settings\nexport PROJECT='ab'\nMFA_ENABLED=false\n")],
            answers: vec![Answer::Text(String::new())],
            short: "ab",
            region: "us-east-1",
            ..Layout::default()
        },
        Layout {
            name: "common.tfvars only",
            files: vec![("config/common.tfvars", TFVARS_ONLY)],
            short: "cd",
            region: "eu-west-1",
            project_name: Some("cdproj"),
            profiles: vec![("management", "111111111111"), ("security", "222222222222")],
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "all three disagreeing: project.yaml wins, then the tfvars map",
            files: vec![
                ("project.yaml", DISAGREE_YAML),
                ("build.env", "PROJECT=xx\n"),
                ("config/common.tfvars", DISAGREE_TFVARS),
            ],
            short: "bb",
            // Both files have `region` only: project.yaml's comes first.
            region: "us-west-1",
            secondary: Some("eu-west-2"),
            project_name: Some("binbash"),
            // The map first (its management id beats the YAML's), then the
            // YAML account the map lacks.
            profiles: vec![("management", "111111111111"), ("shared", "033333333333"), ("security", "222222222222")],
            ..Layout::default()
        },
        Layout {
            name: "build.env root first, deeper files override",
            files: vec![
                ("build.env", "PROJECT=aa\nOTHER=1\n"),
                ("layer/build.env", "OTHER=2\n"),
                ("layer/sub/build.env", "# closer to me\nPROJECT=\"bb\"\n"),
                ("config/common.tfvars", "region_primary = \"us-east-2\"\n"),
            ],
            cwd: "layer/sub",
            short: "bb",
            region: "us-east-2",
            ..Layout::default()
        },
        Layout {
            name: "build.env below the current directory is not read",
            files: vec![
                ("build.env", "PROJECT=aa\n"),
                ("layer/sub/build.env", "PROJECT=bb\n"),
                ("config/common.tfvars", "region_primary = \"us-east-2\"\n"),
            ],
            cwd: "layer",
            short: "aa",
            region: "us-east-2",
            ..Layout::default()
        },
        Layout {
            name: "build.env only below the root, in the chain: none created",
            files: vec![
                ("layer/build.env", "PROJECT=bb\n"),
                ("config/common.tfvars", "project = \"tf\"\nregion = \"us-east-2\"\n"),
            ],
            cwd: "layer/sub",
            short: "bb",
            region: "us-east-2",
            ..Layout::default()
        },
        Layout {
            name: "build.env outside the chain is ignored: tfvars project, build.env created",
            files: vec![
                ("elsewhere/build.env", "PROJECT=bb\n"),
                ("config/common.tfvars", "project = \"tf\"\nregion = \"us-east-2\"\n"),
            ],
            cwd: "layer",
            short: "tf",
            region: "us-east-2",
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "a deeper empty PROJECT= overrides and counts as absent",
            files: vec![
                ("build.env", "PROJECT=aa\n"),
                ("layer/build.env", "PROJECT=\n"),
                ("config/common.tfvars", "project = \"tf\"\nregion = \"us-east-2\"\n"),
            ],
            cwd: "layer",
            short: "tf",
            region: "us-east-2",
            ..Layout::default()
        },
        Layout {
            name: "v1 region_primary beats v2 region in the same file",
            files: vec![("project.yaml", "short_name: bb\nregion: us-west-1\nregion_primary: us-west-2\n")],
            region: "us-west-2",
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "region_primary in common.tfvars beats region in project.yaml",
            files: vec![
                ("project.yaml", "short_name: bb\nregion: us-west-1\n"),
                ("config/common.tfvars", "region_primary = \"eu-west-1\"\nregion = \"eu-west-3\"\n"),
            ],
            region: "eu-west-1",
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "region_primary: project.yaml before common.tfvars",
            files: vec![
                ("project.yaml", "short_name: bb\nregion_primary: ap-south-1\n"),
                ("config/common.tfvars", "region_primary = \"eu-west-1\"\n"),
            ],
            region: "ap-south-1",
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "tfvars region beats the template's primary_region",
            files: vec![
                ("project.yaml", "short_name: bb\nprimary_region: ap-south-1\n"),
                ("config/common.tfvars", "region = \"eu-central-1\"\n"),
            ],
            region: "eu-central-1",
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "the project init template's primary_region and secondary_region are read",
            files: vec![("project.yaml", "short_name: bb\nprimary_region: ap-southeast-2\nsecondary_region: ap-southeast-1\n")],
            region: "ap-southeast-2",
            secondary: Some("ap-southeast-1"),
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "null and empty region keys count as absent",
            files: vec![("project.yaml", "short_name: bb\nregion_primary:\nregion: \"\"\nprimary_region: us-gov-west-1\n")],
            region: "us-gov-west-1",
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "region_secondary in common.tfvars beats project.yaml's secondary_region",
            files: vec![
                ("project.yaml", "short_name: bb\nprimary_region: us-east-1\nsecondary_region: us-west-1\n"),
                ("config/common.tfvars", "region_secondary = \"us-west-2\"\n"),
            ],
            secondary: Some("us-west-2"),
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "accounts split across the tfvars map and project.yaml",
            files: vec![
                (
                    "project.yaml",
                    "short_name: bb\nregion: us-east-1\norganization:\n  accounts:\n  - name: shared\n    id: \"033333333333\"\n  - name: management\n    id: \"999999999999\"\n  - name: security\n    id: \"222222222222\"\n  - name: network\n",
                ),
                (
                    "config/common.tfvars",
                    "accounts = {\n  management = { id = \"111111111111\" }\n  security = { email = \"s@example.com\" }\n}\n",
                ),
            ],
            // The map's order and ids first; security's missing id is the
            // YAML's; then shared (network has no id anywhere).
            profiles: vec![("management", "111111111111"), ("security", "222222222222"), ("shared", "033333333333")],
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "the 2022 layout: <name>_account_id attributes only",
            files: vec![
                (
                    "config/common.tfvars",
                    "project = \"bb\"\nregion_primary = \"us-east-1\"\n\nmanagement_account_id = \"111111111111\"\nsecurity_account_id   = \"222222222222\"\nshared_account_id     = \"033333333333\"\n",
                ),
            ],
            profiles: vec![("management", "111111111111"), ("security", "222222222222"), ("shared", "033333333333")],
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "<name>_account_id fills an id the map lacks and never beats the map",
            files: vec![
                (
                    "config/common.tfvars",
                    "project = \"bb\"\nregion = \"us-east-1\"\naccounts = {\n  management = { id = \"111111111111\" }\n  shared = { email = \"sh@example.com\" }\n}\nmanagement_account_id = \"999999999999\"\nshared_account_id = \"033333333333\"\napps_account_id = \"444444444444\"\n",
                ),
            ],
            profiles: vec![("management", "111111111111"), ("shared", "033333333333"), ("apps", "444444444444")],
            creates_build_env: true,
            ..Layout::default()
        },
        Layout {
            name: "project name: project.yaml project_name before tfvars project_long",
            files: vec![
                ("project.yaml", "short_name: bb\nproject_name: fromyaml\nregion: us-east-1\n"),
                ("config/common.tfvars", "project_long = \"fromtf\"\n"),
            ],
            project_name: Some("fromyaml"),
            creates_build_env: true,
            ..Layout::default()
        },
    ]
}

#[test]
fn layouts_resolve_as_spec_says() {
    let layouts = layouts();
    assert!(layouts.len() >= 20);
    for layout in layouts {
        let mut scenario = world(&layout.files);
        scenario.answers = layout.answers.clone();
        let got = resolve(&request_in(layout.cwd), scenario);
        let name = layout.name;
        assert_eq!(got.short, layout.short, "{name}: short name");
        assert_eq!(got.region, layout.region, "{name}: primary region");
        let want: Vec<(String, String)> = layout
            .profiles
            .iter()
            .map(|(a, i)| (a.to_string(), i.to_string()))
            .collect();
        assert_eq!(got.profiles, want, "{name}: account profiles");
        let expected_build_env = layout
            .creates_build_env
            .then(|| (path("build.env"), format!("PROJECT={}\n", layout.short)));
        assert_eq!(got.build_env, expected_build_env, "{name}: build.env");
        let head = format!(
            "log.level::debug project `{}` ({}), primary region {}, secondary region {},",
            layout.short,
            layout.project_name.unwrap_or("no project name"),
            layout.region,
            layout.secondary.unwrap_or("none")
        );
        assert!(
            got.describe.starts_with(&head),
            "{name}:\n{}\nwanted {head}",
            got.describe
        );
        // The organization was read with the new keys, in the resolved region.
        assert!(
            got.transcript
                .contains(&format!("aws.list-accounts {KEY_ID} {}", layout.region)),
            "{name}"
        );
        // No question asked beyond the scripted answers.
        let prompts = got.transcript.iter().filter(|l| l.starts_with("prompt.text")).count();
        assert_eq!(prompts, layout.answers.len(), "{name}: {:#?}", got.transcript);
    }
}

#[test]
fn project_name_strips_the_prefix_of_organization_accounts() {
    // The organization's `<project name>-shared` is the declared `shared`:
    // its id is learned only when the right project name is resolved.
    for (files, project_name) in [
        (vec![("project.yaml", "short_name: bb\nproject_name: acme\nregion: us-east-1\norganization:\n  accounts:\n  - name: shared\n"), ("config/common.tfvars", "project_long = \"other\"\n")], "acme"),
        (vec![("config/common.tfvars", "project = \"bb\"\nproject_long = \"other\"\nregion = \"us-east-1\"\naccounts = {\n  shared = { email = \"s@example.com\" }\n}\n")], "other"),
    ] {
        let mut scenario = world(&files);
        let org = |name: &str, id: &str| OrganizationAccount { id: id.into(), name: name.into(), email: format!("{name}@example.com") };
        scenario.organizations.insert(
            KEY_ID.into(),
            Ok(vec![org("acme-shared", "033333333333"), org("other-shared", "055555555555")]),
        );
        let got = resolve(&request_in(""), scenario);
        let id = if project_name == "acme" { "033333333333" } else { "055555555555" };
        assert_eq!(got.profiles, vec![("shared".to_string(), id.to_string())], "project name {project_name}");
    }
}

// ---------------------------------------------------------------------------
// 2. Malformed input: an error naming the file (and line), no AWS call,
//    no question, no plan.

#[derive(Default)]
struct Bad {
    name: &'static str,
    files: Vec<(&'static str, &'static str)>,
    directories: Vec<&'static str>,
    cwd: &'static str,
    /// The file the error must name, relative to the root.
    file: &'static str,
    line: Option<u32>,
    /// Words the message must hold.
    says: &'static str,
}

const GOOD_YAML: &str = "short_name: bb\nregion: us-east-1\n";

fn malformed() -> Vec<Bad> {
    let y = "project.yaml";
    let e = "build.env";
    let t = "config/common.tfvars";
    vec![
        // --- project.yaml
        Bad {
            name: "yaml: flow sequence never closed",
            files: vec![(y, "short_name: bb\norganization:\n  accounts: [\n")],
            file: y,
            line: Some(4),
            says: "",
            ..Bad::default()
        },
        Bad {
            name: "yaml: bad indentation",
            files: vec![(y, "short_name: bb\nregion: us-east-1\n  bad: indent\n")],
            file: y,
            line: Some(3),
            says: "",
            ..Bad::default()
        },
        Bad {
            name: "yaml: tab indentation",
            files: vec![(y, "short_name: bb\norganization:\n\taccounts: []\n")],
            file: y,
            line: Some(3),
            says: "",
            ..Bad::default()
        },
        Bad {
            name: "yaml: duplicate key",
            files: vec![(y, "short_name: bb\nregion: us-east-1\nshort_name: cc\n")],
            file: y,
            line: Some(3),
            says: "duplicate",
            ..Bad::default()
        },
        Bad {
            name: "yaml: quoted string never closed",
            files: vec![(y, "short_name: \"bb\nregion: us-east-1\n")],
            file: y,
            line: Some(3),
            says: "quoted scalar at line 1",
            ..Bad::default()
        },
        Bad {
            name: "yaml: short_name a number",
            files: vec![(y, "project_name: x\nshort_name: 12\n")],
            file: y,
            line: Some(2),
            says: "short_name",
            ..Bad::default()
        },
        Bad {
            name: "yaml: short_name a list",
            files: vec![(y, "short_name: [a, b]\n")],
            file: y,
            line: Some(1),
            says: "short_name",
            ..Bad::default()
        },
        Bad {
            name: "yaml: short_name B1",
            files: vec![(y, "project_name: x\nshort_name: B1\n")],
            file: y,
            line: Some(2),
            says: "`short_name` is `B1`; it must be 2 to 4 lower-case letters",
            ..Bad::default()
        },
        Bad {
            name: "yaml: short_name too long",
            files: vec![(y, "short_name: abcde\n")],
            file: y,
            line: Some(1),
            says: "abcde",
            ..Bad::default()
        },
        Bad {
            name: "yaml: region us-middle-9",
            files: vec![(y, "short_name: bb\nregion: us-middle-9\n")],
            file: y,
            line: Some(2),
            says: "`region` is `us-middle-9`",
            ..Bad::default()
        },
        Bad {
            name: "yaml: region_primary with gov twice",
            files: vec![(y, "short_name: bb\n\nregion_primary: us-gov-gov-west-1\n")],
            file: y,
            line: Some(3),
            says: "region_primary",
            ..Bad::default()
        },
        Bad {
            name: "yaml: primary_region a map",
            files: vec![(y, "short_name: bb\nprimary_region: {a: 1}\n")],
            file: y,
            line: Some(2),
            says: "primary_region",
            ..Bad::default()
        },
        Bad {
            name: "yaml: secondary_region invalid",
            files: vec![(
                y,
                "short_name: bb\nprimary_region: us-east-1\nsecondary_region: mars-north-1\n",
            )],
            file: y,
            line: Some(3),
            says: "secondary_region",
            ..Bad::default()
        },
        Bad {
            name: "yaml: organization a list",
            files: vec![(y, "short_name: bb\norganization: [a]\n")],
            file: y,
            line: Some(2),
            says: "organization",
            ..Bad::default()
        },
        Bad {
            name: "yaml: accounts not a list",
            files: vec![(y, "short_name: bb\norganization:\n  accounts: not-a-list\n")],
            file: y,
            line: Some(3),
            says: "organization.accounts",
            ..Bad::default()
        },
        Bad {
            name: "yaml: accounts a mapping",
            files: vec![(y, "short_name: bb\norganization:\n  accounts:\n    name: x\n")],
            file: y,
            line: Some(4),
            says: "organization.accounts",
            ..Bad::default()
        },
        Bad {
            name: "yaml: account without name",
            files: vec![(
                y,
                "short_name: bb\norganization:\n  accounts:\n  - name: a\n  - email: b@example.com\n    id: \"1\"\n",
            )],
            file: y,
            line: Some(5),
            says: "missing field `name`",
            ..Bad::default()
        },
        Bad {
            name: "yaml: account with an empty name",
            files: vec![(y, "short_name: bb\norganization:\n  accounts:\n  - name: \"\"\n")],
            file: y,
            line: Some(4),
            says: "name",
            ..Bad::default()
        },
        Bad {
            name: "yaml: account a plain string",
            files: vec![(y, "short_name: bb\norganization:\n  accounts:\n  - shared\n")],
            file: y,
            line: Some(4),
            says: "accounts[0]",
            ..Bad::default()
        },
        Bad {
            name: "yaml: account id a list",
            files: vec![(
                y,
                "short_name: bb\norganization:\n  accounts:\n  - name: a\n    id: [12]\n",
            )],
            file: y,
            line: Some(5),
            says: "id",
            ..Bad::default()
        },
        Bad {
            name: "yaml: account email a list",
            files: vec![(
                y,
                "short_name: bb\norganization:\n  accounts:\n  - name: a\n    email: [x]\n",
            )],
            file: y,
            line: Some(5),
            says: "email",
            ..Bad::default()
        },
        Bad {
            name: "yaml: document a list",
            files: vec![(y, "- a\n- b\n")],
            file: y,
            line: Some(1),
            says: "mapping",
            ..Bad::default()
        },
        Bad {
            name: "yaml: document a scalar",
            files: vec![(y, "just text\n")],
            file: y,
            line: Some(1),
            says: "mapping",
            ..Bad::default()
        },
        Bad {
            name: "yaml: unknown alias",
            files: vec![(y, "short_name: bb\nregion: *nope\n")],
            file: y,
            line: Some(2),
            says: "anchor",
            ..Bad::default()
        },
        // serde_norway gives no position for this one.
        Bad {
            name: "yaml: two documents",
            files: vec![(y, "short_name: bb\n---\nshort_name: cc\n")],
            file: y,
            line: None,
            says: "more than one document",
            ..Bad::default()
        },
        Bad {
            name: "yaml: is a directory",
            directories: vec![y],
            file: y,
            line: None,
            says: "is a directory",
            ..Bad::default()
        },
        Bad {
            name: "yaml: broken even though build.env names the project",
            files: vec![(y, "short_name: bb\norganization: {accounts: [\n"), (e, "PROJECT=bb\n")],
            file: y,
            line: Some(3),
            says: "",
            ..Bad::default()
        },
        // --- build.env
        Bad {
            name: "env: line without =",
            files: vec![(e, "A=1\nPROJECT\n")],
            file: e,
            line: Some(2),
            says: "no `=`",
            ..Bad::default()
        },
        Bad {
            name: "env: double quote never closed",
            files: vec![(e, "# x\nPROJECT=\"bb\n")],
            file: e,
            line: Some(2),
            says: "not closed",
            ..Bad::default()
        },
        Bad {
            name: "env: single quote never closed",
            files: vec![(e, "PROJECT='bb\n")],
            file: e,
            line: Some(1),
            says: "not closed",
            ..Bad::default()
        },
        Bad {
            name: "env: name starts with a digit",
            files: vec![(e, "1PROJECT=bb\n")],
            file: e,
            line: Some(1),
            says: "not a valid variable name",
            ..Bad::default()
        },
        Bad {
            name: "env: name with a space",
            files: vec![(e, "A=1\n\nMY KEY=1\n")],
            file: e,
            line: Some(3),
            says: "a space",
            ..Bad::default()
        },
        Bad {
            name: "env: no name before =",
            files: vec![(e, "=bb\n")],
            file: e,
            line: Some(1),
            says: "no variable name",
            ..Bad::default()
        },
        Bad {
            name: "env: text after the closing quote",
            files: vec![(e, "PROJECT=\"bb\" x\n")],
            file: e,
            line: Some(1),
            says: "after the closing quote",
            ..Bad::default()
        },
        Bad {
            name: "env: PROJECT B1",
            files: vec![(e, "MFA_ENABLED=false\nPROJECT=B1\n")],
            file: e,
            line: Some(2),
            says: "`PROJECT` is `B1`",
            ..Bad::default()
        },
        Bad {
            name: "env: CRLF and a bad PROJECT",
            files: vec![(e, "\u{feff}A=1\r\nexport PROJECT=\"b-b\" # mine\r\n")],
            file: e,
            line: Some(2),
            says: "`PROJECT` is `b-b`",
            ..Bad::default()
        },
        Bad {
            name: "env: a deeper file's bad PROJECT is the one named",
            files: vec![(e, "PROJECT=bb\n"), ("layer/build.env", "X=1\nPROJECT=toolong\n")],
            cwd: "layer",
            file: "layer/build.env",
            line: Some(2),
            says: "toolong",
            ..Bad::default()
        },
        Bad {
            name: "env: syntax error in a deeper file even when project.yaml names the project",
            files: vec![
                (y, GOOD_YAML),
                (e, "PROJECT=bb\n"),
                ("layer/sub/build.env", "OK=1\nBROKEN\n"),
            ],
            cwd: "layer/sub",
            file: "layer/sub/build.env",
            line: Some(2),
            says: "no `=`",
            ..Bad::default()
        },
        Bad {
            name: "env: is a directory",
            files: vec![(y, GOOD_YAML)],
            directories: vec![e],
            file: e,
            line: None,
            says: "is a directory",
            ..Bad::default()
        },
        Bad {
            name: "env: a deeper one is a directory",
            files: vec![(y, GOOD_YAML)],
            directories: vec!["layer/build.env"],
            cwd: "layer",
            file: "layer/build.env",
            line: None,
            says: "is a directory",
        },
        // --- config/common.tfvars
        Bad {
            name: "tfvars: brace never closed",
            files: vec![(t, "project = \"bb\"\naccounts = {\n  a = { id = \"1\" }\n")],
            file: t,
            line: Some(2),
            says: "HCL syntax error",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: missing value",
            files: vec![(t, "project = \n")],
            file: t,
            line: Some(1),
            says: "HCL syntax error",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: == for =",
            files: vec![(t, "project = \"bb\"\nregion == \"x\"\n")],
            file: t,
            line: Some(2),
            says: "HCL syntax error",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: no = at all",
            files: vec![(t, "project \"bb\"\n")],
            file: t,
            line: Some(1),
            says: "HCL syntax error",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: comment never closed",
            files: vec![(t, "project = \"bb\"\n/* unterminated\n")],
            file: t,
            line: Some(2),
            says: "comment left unterminated",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: junk after an object item",
            files: vec![(
                t,
                "project = \"bb\"\naccounts = {\n  shared = { id = \"1\" } extra\n}\n",
            )],
            file: t,
            line: Some(3),
            says: "HCL syntax error",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: project a number",
            files: vec![(t, "region = \"us-east-1\"\nproject = 5\n")],
            file: t,
            line: Some(2),
            says: "`project` must be a quoted string",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: project a template",
            files: vec![(t, "project = \"${var.x}\"\n")],
            file: t,
            line: Some(1),
            says: "`project`",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: project B1",
            files: vec![(t, "region = \"us-east-1\"\n\nproject = \"B1\"\n")],
            file: t,
            line: Some(3),
            says: "`project` is `B1`",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: region us-middle-9",
            files: vec![(y, "short_name: bb\n"), (t, "# r\nregion = \"us-middle-9\"\n")],
            file: t,
            line: Some(2),
            says: "`region` is `us-middle-9`",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: region_primary gov twice",
            files: vec![(y, GOOD_YAML), (t, "region_primary = \"us-gov-gov-west-1\"\n")],
            file: t,
            line: Some(1),
            says: "region_primary",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: region_secondary invalid",
            files: vec![(y, GOOD_YAML), (t, "\n\nregion_secondary = \"us-east-9\"\n")],
            file: t,
            line: Some(3),
            says: "region_secondary",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: region a list",
            files: vec![(y, GOOD_YAML), (t, "region = [\"us-east-1\"]\n")],
            file: t,
            line: Some(1),
            says: "`region` must be a quoted string",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: accounts a string",
            files: vec![(y, GOOD_YAML), (t, "project = \"bb\"\naccounts = \"x\"\n")],
            file: t,
            line: Some(2),
            says: "`accounts` must be an object",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: account entry a string",
            files: vec![(y, GOOD_YAML), (t, "accounts = {\n  shared = \"x\"\n}\n")],
            file: t,
            line: Some(2),
            says: "`accounts.shared`",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: account email a number",
            files: vec![
                (y, GOOD_YAML),
                (t, "accounts = {\n  shared = {\n    email = 5\n  }\n}\n"),
            ],
            file: t,
            line: Some(3),
            says: "`accounts.shared.email`",
            ..Bad::default()
        },
        Bad {
            name: "tfvars: is a directory",
            files: vec![(y, GOOD_YAML)],
            directories: vec![t],
            file: t,
            line: None,
            says: "is a directory",
            ..Bad::default()
        },
    ]
}

#[test]
fn malformed_input_names_the_file_and_line_and_calls_nothing() {
    let cases = malformed();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let per_format = |prefix: &str| cases.iter().filter(|c| c.name.starts_with(prefix)).count();
    assert!(per_format("yaml:") >= 10 && per_format("env:") >= 10 && per_format("tfvars:") >= 10);
    for case in &cases {
        let mut scenario = world(&case.files);
        scenario.directories = case.directories.iter().map(|d| path(d)).collect();
        let (result, transcript) = run(&request_in(case.cwd), scenario);
        let name = case.name;
        let Err(ConfigureError::InvalidInput(error)) = &result else {
            panic!("{name}: expected invalid input, got {result:?}")
        };
        assert_eq!(
            error.file.as_deref(),
            Some(path(case.file).as_str()),
            "{name}: {error:?}"
        );
        assert_eq!(error.line, case.line, "{name}: {error:?}");
        assert!(
            error.message.contains(case.says),
            "{name}: {:?} does not say {:?}",
            error.message,
            case.says
        );
        assert!(!error.message.trim().is_empty(), "{name}");
        // Stopped while reading the project: no AWS call, no question, and
        // not even the AWS files were read.
        for line in &transcript {
            assert!(
                !line.starts_with("aws.") && !line.starts_with("prompt."),
                "{name}: {line}"
            );
            if let Some(read) = line.strip_prefix("files.read ") {
                assert!(read.starts_with(ROOT), "{name}: read {read} after bad input");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Identification

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

// ---------------------------------------------------------------------------
// 4. Prompts

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
