//! Where things live and which value comes from where (SPEC "Where things
//! live", "Which values come from where" and the identification step).

use crate::flow::{input_error, Ctx};
use crate::host::{ConfigureError, Level};
use crate::model::DeclaredAccount;
use crate::project_yaml::ProjectYaml;
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
}

const SHORT_NAME_RULE: &str = "2 to 4 lower-case letters";

pub fn load(ctx: &mut Ctx<'_>) -> Result<Project, ConfigureError> {
    let root = ctx.request.project_root.clone();
    let yaml_path = join(&root, "project.yaml");
    let tfvars_path = join(&root, "config/common.tfvars");

    let yaml = match ctx.read(&yaml_path)? {
        Some(text) => {
            let parsed = project_yaml::read(&text).map_err(|e| input_error(&yaml_path, e))?;
            Some(SourceFile { path: yaml_path.clone(), text, parsed })
        }
        None => None,
    };

    // build.env: root first, deeper files override.
    let mut build_env_found = false;
    let mut env_project: Option<(String, String)> = None; // (value, file)
    for dir in dirs_root_to_cwd(&root, &ctx.request.current_dir) {
        let path = join(&dir, "build.env");
        if let Some(text) = ctx.read(&path)? {
            build_env_found = true;
            let pairs = dotenv::parse(&text).map_err(|e| input_error(&path, e))?;
            for (key, value) in pairs {
                if key == "PROJECT" {
                    env_project = Some((value, path.clone()));
                }
            }
        }
    }

    let tfvars = match ctx.read(&tfvars_path)? {
        Some(text) => {
            let parsed = tfvars::read(&text).map_err(|e| input_error(&tfvars_path, e))?;
            Some(SourceFile { path: tfvars_path.clone(), text, parsed })
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

    let short_name = resolve_short_name(ctx, yaml.as_ref(), env_project, tfvars.as_ref())?;
    let new_build_env = (!build_env_found).then(|| (join(&root, "build.env"), format!("PROJECT={short_name}\n")));

    let y = yaml.as_ref().map(|f| &f.parsed);
    let t = tfvars.as_ref().map(|f| &f.parsed);
    let project_name = y.and_then(|y| y.project_name.clone()).or_else(|| t.and_then(|t| t.project_long.clone()));

    let primary_region = resolve_primary_region(ctx, yaml.as_ref(), tfvars.as_ref())?;
    let secondary_region = match (t.and_then(|t| t.region_secondary.clone()), y.and_then(|y| y.secondary_region.clone())) {
        (Some(r), _) => Some(checked_region(r, &tfvars_path, "region_secondary")?),
        (None, Some(r)) => Some(checked_region(r, &yaml_path, "secondary_region")?),
        (None, None) => None,
    };

    let accounts = merge_accounts(y, t);
    Ok(Project { short_name, project_name, primary_region, secondary_region, accounts, yaml, tfvars, new_build_env })
}

fn resolve_short_name(
    ctx: &mut Ctx<'_>,
    yaml: Option<&SourceFile<ProjectYaml>>,
    env_project: Option<(String, String)>,
    tfvars: Option<&SourceFile<TfvarsConfig>>,
) -> Result<String, ConfigureError> {
    if let Some(file) = yaml {
        // An existing project.yaml must identify the project itself.
        return match &file.parsed.short_name {
            Some(name) if validate::is_short_name(name) => Ok(name.clone()),
            Some(name) => Err(invalid_value(&file.path, "short_name", name, SHORT_NAME_RULE)),
            None => Err(input_error(
                &file.path,
                crate::model::InputError::new(format!("`short_name` is missing; it must be {SHORT_NAME_RULE}")),
            )),
        };
    }
    if let Some((value, path)) = env_project {
        return if validate::is_short_name(&value) {
            Ok(value)
        } else {
            Err(invalid_value(&path, "PROJECT", &value, SHORT_NAME_RULE))
        };
    }
    if let Some(file) = tfvars {
        if let Some(value) = &file.parsed.project {
            return if validate::is_short_name(value) {
                Ok(value.clone())
            } else {
                Err(invalid_value(&file.path, "project", value, SHORT_NAME_RULE))
            };
        }
    }
    ctx.ask_validated(
        "Project short name",
        None,
        "the project's short name (`short_name` in project.yaml, or PROJECT in build.env)",
        |answer| validate::is_short_name(answer).then_some(()).ok_or(format!("the short name must be {SHORT_NAME_RULE}")),
    )
}

fn resolve_primary_region(
    ctx: &mut Ctx<'_>,
    yaml: Option<&SourceFile<ProjectYaml>>,
    tfvars: Option<&SourceFile<TfvarsConfig>>,
) -> Result<String, ConfigureError> {
    // `region_primary` wins over `region` when either file has it; then our
    // reading of the `project init` template's `primary_region`.
    let mut candidates: Vec<(Option<String>, &str, &'static str)> = Vec::new();
    let y = yaml.map(|f| (&f.parsed, f.path.as_str()));
    let t = tfvars.map(|f| (&f.parsed, f.path.as_str()));
    if let Some((y, path)) = y {
        candidates.push((y.region_primary.clone(), path, "region_primary"));
    }
    if let Some((t, path)) = t {
        candidates.push((t.region_primary.clone(), path, "region_primary"));
    }
    if let Some((y, path)) = y {
        candidates.push((y.region.clone(), path, "region"));
    }
    if let Some((t, path)) = t {
        candidates.push((t.region.clone(), path, "region"));
    }
    if let Some((y, path)) = y {
        candidates.push((y.primary_region.clone(), path, "primary_region"));
    }
    if let Some((value, path, key)) = candidates.into_iter().find_map(|(v, p, k)| v.map(|v| (v, p, k))) {
        return checked_region(value, path, key);
    }
    ctx.ask_validated(
        "Primary region",
        Some("us-east-1"),
        "the primary region (`primary_region` in project.yaml or `region_primary` in config/common.tfvars)",
        |answer| {
            validate::is_region(answer)
                .then_some(())
                .ok_or(format!("`{answer}` is not an AWS region name such as us-east-1"))
        },
    )
}

fn checked_region(value: String, path: &str, key: &str) -> Result<String, ConfigureError> {
    if validate::is_region(&value) {
        Ok(value)
    } else {
        Err(invalid_value(path, key, &value, "an AWS region name such as us-east-1"))
    }
}

fn invalid_value(path: &str, key: &str, value: &str, rule: &str) -> ConfigureError {
    let shown: String = value.chars().take(40).collect();
    input_error(path, crate::model::InputError::new(format!("`{key}` is `{shown}`; it must be {rule}")))
}

fn merge_accounts(yaml: Option<&ProjectYaml>, tfvars: Option<&TfvarsConfig>) -> Vec<DeclaredAccount> {
    let mut accounts: Vec<DeclaredAccount> = tfvars.map(|t| t.accounts.clone()).unwrap_or_default();
    let mut known: std::collections::BTreeSet<String> = accounts.iter().map(|a| a.name.clone()).collect();
    for account in yaml.and_then(|y| y.accounts.clone()).unwrap_or_default() {
        if let Some(existing) = accounts.iter_mut().find(|a| a.name == account.name) {
            // The map wins, but may lack what the YAML knows.
            if existing.email.is_none() {
                existing.email = account.email.clone();
            }
            if existing.id.is_none() {
                existing.id = account.id.clone();
            }
        } else if known.insert(account.name.clone()) {
            accounts.push(account);
        }
    }
    // The 2022 layout: ids as `<name>_account_id` attributes only.
    for (name, id) in tfvars.map(|t| t.account_id_attributes.clone()).unwrap_or_default() {
        if let Some(existing) = accounts.iter_mut().find(|a| a.name == name) {
            if existing.id.is_none() {
                existing.id = Some(id);
            }
        } else if known.insert(name.clone()) {
            accounts.push(DeclaredAccount { name, email: None, id: Some(id) });
        }
    }
    accounts
}

/// Log where the project's identity came from, for `--verbose`.
pub fn describe(ctx: &mut Ctx<'_>, project: &Project) {
    ctx.log(
        Level::Debug,
        &format!(
            "project `{}`, primary region {}, {} declared account(s)",
            project.short_name,
            project.primary_region,
            project.accounts.len()
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
            accounts: vec![DeclaredAccount { name: "management".into(), email: None, id: Some("111111111111".into()) }],
            account_id_attributes: vec![("legacy".into(), "333333333333".into())],
            ..Default::default()
        };
        let y = ProjectYaml {
            accounts: Some(vec![
                DeclaredAccount { name: "management".into(), email: Some("m@x".into()), id: Some("999999999999".into()) },
                DeclaredAccount { name: "shared".into(), email: None, id: None },
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
