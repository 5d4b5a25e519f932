//! Malformed input: an error naming the file (and line), no AWS call, no
//! question, no plan.

use super::*;

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
