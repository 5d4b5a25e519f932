//! Where things live, which value comes from where, and how the project is
//! identified.

use crate::accounts::{self, Placeholder};
use crate::host::{ConfigureError, Level, Question};
use crate::model::DeclaredAccount;
use crate::project_yaml::ProjectYaml;
use crate::run::{input_error, Ctx};
use crate::tfvars::TfvarsConfig;
use crate::{dotenv, project_yaml, tfvars, validate};

/// `a/b`, without doubling a separator.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The directories from the project root down to the current directory,
/// root first. A current directory outside the root yields only the root.
pub fn dirs_root_to_cwd(root: &str, cwd: &str) -> Vec<String> {
    let root_trimmed = root.trim_end_matches('/');
    let mut dirs = vec![root.to_string()];
    let below = cwd.strip_prefix(root_trimmed).and_then(|rest| rest.strip_prefix('/'));
    if let Some(rest) = below {
        let mut current = root_trimmed.to_string();
        for part in rest.split('/').filter(|p| !p.is_empty()) {
            current = join(&current, part);
            dirs.push(current.clone());
        }
    }
    dirs
}

/// A file the run read and may rewrite.
#[derive(Debug, Clone)]
pub struct SourceFile<T> {
    pub path: String,
    pub text: String,
    pub parsed: T,
}

/// The project's resolved configuration.
#[derive(Debug, Clone)]
pub struct Project {
    pub short_name: String,
    pub project_name: Option<String>,
    pub primary_region: String,
    pub secondary_region: Option<String>,
    /// tfvars `accounts` first, then YAML accounts not in it, then accounts
    /// only known from `<name>_account_id` attributes.
    pub accounts: Vec<DeclaredAccount>,
    pub yaml: Option<SourceFile<ProjectYaml>>,
    pub tfvars: Option<SourceFile<TfvarsConfig>>,
    /// `<root>/build.env` with `PROJECT=<short>`, when no build.env exists.
    pub new_build_env: Option<(String, String)>,
    /// Values in an id's place that are not ids, in file order (project.yaml
    /// first); the accounts above hold no id for them.
    pub placeholders: Vec<Placeholder>,
}

const SHORT_NAME_RULE: &str = "2 to 4 lower-case letters";

pub fn load(ctx: &mut Ctx<'_>) -> Result<Project, ConfigureError> {
    let root = ctx.request.project_root.clone();
    let yaml_path = join(&root, "project.yaml");
    let tfvars_path = join(&root, "config/common.tfvars");

    let yaml = match ctx.read(&yaml_path)? {
        Some(text) => {
            let parsed = project_yaml::read(&text).map_err(|e| input_error(&yaml_path, e))?;
            Some(SourceFile {
                path: yaml_path.clone(),
                text,
                parsed: without_empty_values(parsed),
            })
        }
        None => None,
    };

    // build.env: root first, deeper files override.
    let mut build_env_found = false;
    let mut env_project: Option<EnvProject> = None;
    for dir in dirs_root_to_cwd(&root, &ctx.request.current_dir) {
        let path = join(&dir, "build.env");
        if let Some(text) = ctx.read(&path)? {
            build_env_found = true;
            dotenv::parse(&text).map_err(|e| input_error(&path, e))?;
            if let Some((value, line)) = last_project_line(&text) {
                env_project = Some(EnvProject {
                    value,
                    path: path.clone(),
                    line,
                });
            }
        }
    }
    // `PROJECT=` (empty) counts as absent, as it does for the original
    // (python-dotenv's empty string is falsy); a deeper empty one still
    // overrides a shallower value.
    let env_project = env_project.filter(|p| !p.value.is_empty());

    let tfvars = match ctx.read(&tfvars_path)? {
        Some(text) => {
            let parsed = tfvars::read(&text).map_err(|e| input_error(&tfvars_path, e))?;
            Some(SourceFile {
                path: tfvars_path.clone(),
                text,
                parsed,
            })
        }
        None => None,
    };

    if yaml.is_none() && !build_env_found && tfvars.is_none() {
        return Err(input_error(
            &root,
            crate::model::InputError::new(
                "this does not look like a Leverage project: none of project.yaml, build.env, config/common.tfvars was found in the project root",
            ),
        ));
    }

    // Values in an id's place that are not ids (a template's placeholders)
    // are what the run fills in: set aside, reported when replaced.
    let mut yaml = yaml;
    let mut tfvars = tfvars;
    let mut placeholders = Vec::new();
    if let Some(file) = yaml.as_mut() {
        if let Some(accounts) = file.parsed.accounts.as_mut() {
            placeholders.extend(accounts::set_aside_placeholders(&file.path, accounts, |name| {
                format!("organization.accounts[{name}].id")
            }));
        }
    }
    if let Some(file) = tfvars.as_mut() {
        placeholders.extend(accounts::set_aside_placeholders(
            &file.path,
            &mut file.parsed.accounts,
            |name| format!("{}.id", tfvars::map_path(name)),
        ));
        placeholders.extend(accounts::set_aside_placeholder_pairs(
            &file.path,
            &mut file.parsed.account_id_attributes,
            |name| format!("{name}_account_id"),
        ));
    }
    let short_name = resolve_short_name(ctx, yaml.as_ref(), env_project, tfvars.as_ref())?;
    let new_build_env = (!build_env_found).then(|| (join(&root, "build.env"), format!("PROJECT={short_name}\n")));

    let y = yaml.as_ref().map(|f| &f.parsed);
    let t = tfvars.as_ref().map(|f| &f.parsed);
    let project_name = y
        .and_then(|y| y.project_name.clone())
        .or_else(|| t.and_then(|t| t.project_long.clone()));

    let primary_region = resolve_primary_region(ctx, yaml.as_ref(), tfvars.as_ref())?;
    let secondary_region = match (
        t.and_then(|t| t.region_secondary.clone()),
        y.and_then(|y| y.secondary_region.clone()),
    ) {
        (Some(r), _) => Some(checked_region(
            r,
            &tfvars_path,
            tfvars_line(tfvars.as_ref(), "region_secondary"),
            "region_secondary",
        )?),
        (None, Some(r)) => Some(checked_region(
            r,
            &yaml_path,
            yaml_line(yaml.as_ref(), "secondary_region"),
            "secondary_region",
        )?),
        (None, None) => None,
    };

    let accounts = merge_accounts(y, t);
    Ok(Project {
        short_name,
        project_name,
        primary_region,
        secondary_region,
        accounts,
        yaml,
        tfvars,
        new_build_env,
        placeholders,
    })
}

/// The last `PROJECT=` of one build.env: its value and 1-based line.
#[derive(Debug)]
struct EnvProject {
    value: String,
    path: String,
    line: u32,
}

/// The value and line of the last `PROJECT` definition in dotenv text that
/// parses. The parser is line-based, so each line parses on its own.
fn last_project_line(text: &str) -> Option<(String, u32)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found = None;
    for (index, line) in text.split('\n').enumerate() {
        let Ok(pairs) = dotenv::parse(line) else { continue };
        if let Some((_, value)) = pairs.into_iter().rev().find(|(key, _)| key == "PROJECT") {
            found = Some((value, u32::try_from(index + 1).unwrap_or(u32::MAX)));
        }
    }
    found
}

/// `key: ""` counts as absent, as an empty `project = ""` does in
/// common.tfvars (and as any empty value did for the original).
fn without_empty_values(mut yaml: ProjectYaml) -> ProjectYaml {
    for field in [
        &mut yaml.short_name,
        &mut yaml.project_name,
        &mut yaml.region,
        &mut yaml.region_primary,
        &mut yaml.primary_region,
        &mut yaml.secondary_region,
    ] {
        if field.as_deref() == Some("") {
            *field = None;
        }
    }
    yaml
}

/// The 1-based line of a top-level `key:` in project.yaml, when it is
/// written in block style at the start of a line (the usual layout). The
/// YAML reader reports no position for a value that parsed but is invalid.
fn yaml_line(file: Option<&SourceFile<ProjectYaml>>, key: &str) -> Option<u32> {
    let text = file?.text.as_str();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let index = text.lines().position(|line| {
        let unquoted = ['"', '\''].iter().find_map(|q| {
            line.strip_prefix(*q)
                .and_then(|rest| rest.strip_prefix(key))
                .and_then(|rest| rest.strip_prefix(*q))
        });
        unquoted
            .or_else(|| line.strip_prefix(key))
            .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
    })?;
    u32::try_from(index + 1).ok()
}

/// The 1-based line of the value of the top-level attribute `key` in
/// common.tfvars (the last one, which is the one read).
fn tfvars_line(file: Option<&SourceFile<TfvarsConfig>>, key: &str) -> Option<u32> {
    use hcl_edit::Span;
    let text = file?.text.as_str();
    let src = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = hcl_edit::parser::parse_body(src).ok()?;
    let start = body
        .attributes()
        .filter(|a| a.key.as_str() == key)
        .last()?
        .value
        .span()?
        .start;
    let before = src.get(..start)?;
    u32::try_from(before.matches('\n').count() + 1).ok()
}

fn resolve_short_name(
    ctx: &mut Ctx<'_>,
    yaml: Option<&SourceFile<ProjectYaml>>,
    env_project: Option<EnvProject>,
    tfvars: Option<&SourceFile<TfvarsConfig>>,
) -> Result<String, ConfigureError> {
    if let Some(file) = yaml {
        // An existing project.yaml must identify the project itself.
        return match &file.parsed.short_name {
            Some(name) if validate::is_short_name(name) => Ok(name.clone()),
            Some(name) => Err(invalid_value(&file.path, yaml_line(yaml, "short_name"), "short_name", name, SHORT_NAME_RULE)),
            None => Err(input_error(
                &file.path,
                crate::model::InputError::new(format!(
                    "`short_name` is missing; an existing project.yaml must name the project with a `short_name` of {SHORT_NAME_RULE}"
                )),
            )),
        };
    }
    if let Some(env) = env_project {
        return if validate::is_short_name(&env.value) {
            Ok(env.value)
        } else {
            Err(invalid_value(
                &env.path,
                Some(env.line),
                "PROJECT",
                &env.value,
                SHORT_NAME_RULE,
            ))
        };
    }
    if let Some(file) = tfvars {
        if let Some(value) = &file.parsed.project {
            return if validate::is_short_name(value) {
                Ok(value.clone())
            } else {
                Err(invalid_value(
                    &file.path,
                    tfvars_line(tfvars, "project"),
                    "project",
                    value,
                    SHORT_NAME_RULE,
                ))
            };
        }
    }
    ctx.ask_validated(
        &Question::new(
            "Project short name",
            "`short_name` in project.yaml or PROJECT=<short name> in build.env",
        ),
        None,
        "the project's short name (`short_name` in project.yaml, or PROJECT in build.env)",
        |answer| {
            validate::is_short_name(answer)
                .then_some(())
                .ok_or(format!("the short name must be {SHORT_NAME_RULE}"))
        },
    )
}

fn resolve_primary_region(
    ctx: &mut Ctx<'_>,
    yaml: Option<&SourceFile<ProjectYaml>>,
    tfvars: Option<&SourceFile<TfvarsConfig>>,
) -> Result<String, ConfigureError> {
    // `region_primary` wins over `region` when either file has it; then our
    // reading of the `project init` template's `primary_region`.
    let y = yaml.map(|f| &f.parsed);
    let t = tfvars.map(|f| &f.parsed);
    let from_yaml = |value: Option<&String>, key: &'static str| value.cloned().map(|v| (v, Source::Yaml, key));
    let from_tfvars = |value: Option<&String>, key: &'static str| value.cloned().map(|v| (v, Source::Tfvars, key));
    let chosen = from_yaml(y.and_then(|y| y.region_primary.as_ref()), "region_primary")
        .or_else(|| from_tfvars(t.and_then(|t| t.region_primary.as_ref()), "region_primary"))
        .or_else(|| from_yaml(y.and_then(|y| y.region.as_ref()), "region"))
        .or_else(|| from_tfvars(t.and_then(|t| t.region.as_ref()), "region"))
        .or_else(|| from_yaml(y.and_then(|y| y.primary_region.as_ref()), "primary_region"));
    match chosen {
        Some((value, Source::Yaml, key)) => {
            let path = yaml.map(|f| f.path.as_str()).unwrap_or_default();
            return checked_region(value, path, yaml_line(yaml, key), key);
        }
        Some((value, Source::Tfvars, key)) => {
            let path = tfvars.map(|f| f.path.as_str()).unwrap_or_default();
            return checked_region(value, path, tfvars_line(tfvars, key), key);
        }
        None => {}
    }
    let needed = format!(
        "the primary region (so that it is never asked: {})",
        region_line(yaml, "us-east-1")
    );
    let answered_by = region_answered_by(yaml);
    let region = ctx.ask_validated(
        &Question::new("Primary region", &answered_by),
        Some("us-east-1"),
        &needed,
        |answer| {
            validate::is_region(answer)
                .then_some(())
                .ok_or(format!("`{answer}` is not an AWS region name such as us-east-1"))
        },
    )?;
    // The line to copy goes on a line of its own: a terminal would break it
    // anywhere inside a sentence.
    let (file, line) = region_setting(yaml, &region);
    ctx.log(
        Level::Info,
        &format!("To use {region} without being asked next time, add this line to {file}:"),
    );
    ctx.log(Level::Info, &format!("  {line}"));
    Ok(region)
}

/// Where the project can keep its primary region, and the exact line:
/// project.yaml's `primary_region` (the key `leverage project init` writes)
/// when there is a project.yaml, else common.tfvars's `region_primary` (a
/// new project.yaml would have to name the project too).
fn region_setting(yaml: Option<&SourceFile<ProjectYaml>>, region: &str) -> (&'static str, String) {
    match yaml {
        Some(_) => ("project.yaml", format!("primary_region: {region}")),
        None => ("config/common.tfvars", format!("region_primary = \"{region}\"")),
    }
}

/// What gives the primary region without a prompt: the line to add.
fn region_answered_by(yaml: Option<&SourceFile<ProjectYaml>>) -> String {
    let (file, line) = region_setting(yaml, "us-east-1");
    format!("the line `{line}` (your region) in {file}")
}

fn region_line(yaml: Option<&SourceFile<ProjectYaml>>, region: &str) -> String {
    let (file, line) = region_setting(yaml, region);
    format!("add the line `{line}` to {file}")
}

#[derive(Clone, Copy)]
enum Source {
    Yaml,
    Tfvars,
}

fn checked_region(value: String, path: &str, line: Option<u32>, key: &str) -> Result<String, ConfigureError> {
    if validate::is_region(&value) {
        Ok(value)
    } else {
        Err(invalid_value(
            path,
            line,
            key,
            &value,
            "an AWS region name such as us-east-1",
        ))
    }
}

fn invalid_value(path: &str, line: Option<u32>, key: &str, value: &str, rule: &str) -> ConfigureError {
    let shown: String = value.chars().take(40).collect();
    let message = format!("`{key}` is `{shown}`; it must be {rule}");
    input_error(path, crate::model::InputError { line, message })
}

fn merge_accounts(yaml: Option<&ProjectYaml>, tfvars: Option<&TfvarsConfig>) -> Vec<DeclaredAccount> {
    let mut accounts: Vec<DeclaredAccount> = tfvars.map(|t| t.accounts.clone()).unwrap_or_default();
    // Name → position of its first entry: a search per account would be
    // quadratic for thousands of accounts.
    let mut known: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (i, account) in accounts.iter().enumerate() {
        known.entry(account.name.clone()).or_insert(i);
    }
    for account in yaml.and_then(|y| y.accounts.clone()).unwrap_or_default() {
        if let Some(existing) = known.get(&account.name).and_then(|&i| accounts.get_mut(i)) {
            // The map wins, but may lack what the YAML knows.
            if existing.email.is_none() {
                existing.email = account.email.clone();
            }
            if existing.id.is_none() {
                existing.id = account.id.clone();
            }
        } else {
            known.insert(account.name.clone(), accounts.len());
            accounts.push(account);
        }
    }
    // The 2022 layout: ids as `<name>_account_id` attributes only.
    for (name, id) in tfvars.map(|t| t.account_id_attributes.clone()).unwrap_or_default() {
        if let Some(existing) = known.get(&name).and_then(|&i| accounts.get_mut(i)) {
            if existing.id.is_none() {
                existing.id = Some(id);
            }
        } else {
            known.insert(name.clone(), accounts.len());
            accounts.push(DeclaredAccount {
                name,
                email: None,
                id: Some(id),
            });
        }
    }
    accounts
}

/// Log where the project's identity came from, for `--verbose`.
pub fn describe(ctx: &mut Ctx<'_>, project: &Project) {
    let accounts: Vec<String> = project
        .accounts
        .iter()
        .map(|a| format!("{} ({})", a.name, a.id.as_deref().unwrap_or("no id")))
        .collect();
    ctx.log(
        Level::Debug,
        &format!(
            "project `{}` ({}), primary region {}, secondary region {}, {} declared account(s): {}",
            project.short_name,
            project.project_name.as_deref().unwrap_or("no project name"),
            project.primary_region,
            project.secondary_region.as_deref().unwrap_or("none"),
            project.accounts.len(),
            accounts.join(", ")
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_env_chain_is_root_first() {
        assert_eq!(dirs_root_to_cwd("/p", "/p"), vec!["/p"]);
        assert_eq!(dirs_root_to_cwd("/p", "/p/a/b"), vec!["/p", "/p/a", "/p/a/b"]);
        assert_eq!(dirs_root_to_cwd("/p", "/pq/a"), vec!["/p"]);
        assert_eq!(dirs_root_to_cwd("/p/", "/p/a"), vec!["/p/", "/p/a"]);
    }

    #[test]
    fn accounts_merge_map_first_then_yaml_then_attributes() {
        let t = TfvarsConfig {
            accounts: vec![DeclaredAccount {
                name: "management".into(),
                email: None,
                id: Some("111111111111".into()),
            }],
            account_id_attributes: vec![("legacy".into(), "333333333333".into())],
            ..Default::default()
        };
        let y = ProjectYaml {
            accounts: Some(vec![
                DeclaredAccount {
                    name: "management".into(),
                    email: Some("m@x".into()),
                    id: Some("999999999999".into()),
                },
                DeclaredAccount {
                    name: "shared".into(),
                    email: None,
                    id: None,
                },
            ]),
            ..Default::default()
        };
        let merged = merge_accounts(Some(&y), Some(&t));
        let names: Vec<_> = merged.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["management", "shared", "legacy"]);
        assert_eq!(merged[0].id.as_deref(), Some("111111111111"));
        assert_eq!(merged[0].email.as_deref(), Some("m@x"));
    }
}
