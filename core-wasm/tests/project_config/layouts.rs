//! Configuration layouts and the resolved values.

use super::*;

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
