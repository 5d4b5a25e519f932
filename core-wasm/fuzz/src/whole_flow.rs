//! The whole flow: the `flow` target's property.

use super::*;

use leverage_core::ini::IniDocument;
use leverage_core::{dotenv, project_yaml, tfvars};

/// `configure` on a project whose files come from the input (project.yaml,
/// config/common.tfvars, build.env, the credentials file and the config
/// file, in that order, separated by [`FILE_SEPARATOR`]), with an AWS that
/// accepts the keys and lists an organization: no panic; a plan's every file
/// parses again with its own parser and no masked text shows the secret; an
/// error names a line inside its file and carries no control character.
pub fn flow(data: &[u8]) {
    flow_outcome(data);
}

/// What [`flow`] ended with: `"plan"`, `"input error"` or `"other error"`.
pub fn flow_outcome(data: &[u8]) -> &'static str {
    use leverage_core::scenarios;
    use leverage_core::scripted::{Scenario, ScriptedHost};
    use leverage_core::{AwsCredentials, ConfigureError, CredentialsType, FileKind};

    let (params, text) = Params::split(data);
    let mut parts = text.split(FILE_SEPARATOR);
    let root = scenarios::ROOT;
    let aws = format!("{}/bb", scenarios::AWS_ROOT);
    let paths = [
        format!("{root}/project.yaml"),
        format!("{root}/config/common.tfvars"),
        format!("{root}/build.env"),
        format!("{aws}/credentials"),
        format!("{aws}/config"),
    ];
    let mut world: Scenario = scenarios::base_world();
    world.files.remove(&paths[0]);
    for path in &paths {
        match parts.next() {
            Some(content) if !content.is_empty() => {
                world.files.insert(path.clone(), content.to_string());
            }
            _ => {}
        }
    }
    // The organization's reader may be any of the configured keys.
    for id in ["AKIAI44QH8DHBEXAMPLE", "AKIAOLDOLDOLDOLDOLD1", "AKIABOOTBOOTBOOTBOOT"] {
        world.identities.insert(
            id.into(),
            Ok(leverage_core::CallerIdentity {
                account: scenarios::CALLER_ACCOUNT.into(),
                arn: format!("arn:aws:iam::{}:user/jane", scenarios::CALLER_ACCOUNT),
                user_id: "AIDAEXAMPLE".into(),
            }),
        );
        world.organizations.insert(id.into(), Ok(scenarios::organization()));
    }
    world.mfa_devices.insert(
        "jane".into(),
        vec![format!("arn:aws:iam::{}:mfa/jane", scenarios::CALLER_ACCOUNT)],
    );

    let flags = params.byte(0);
    let mut request = scenarios::request(match params.byte(1) % 3 {
        0 => CredentialsType::Management,
        1 => CredentialsType::Bootstrap,
        _ => CredentialsType::Security,
    });
    request.non_interactive = true;
    request.overwrite_existing_credentials = flags & 1 != 0;
    request.skip_access_keys_setup = flags & 2 != 0 && flags & 1 == 0;
    request.skip_assumable_roles_setup = flags & 4 != 0;
    request.all_accounts = flags & 8 != 0;
    request.fetch_mfa_device = flags & 16 != 0;
    if flags & 32 != 0 {
        request.credentials_file = None;
        request.environment_keys = Some(AwsCredentials {
            access_key_id: scenarios::KEY_ID.into(),
            secret_access_key: scenarios::SECRET.into(),
            session_token: None,
        });
    }

    let mut host = ScriptedHost::new(world);
    let outcome = match leverage_core::configure(&mut host, &request) {
        Ok(plan) => {
            for change in &plan.changes {
                let after = &change.after;
                let reparsed = match change.kind {
                    FileKind::AwsCredentials | FileKind::AwsConfig => IniDocument::parse(after).err(),
                    FileKind::TerraformVars => tfvars::read(after).err(),
                    FileKind::ProjectYaml => project_yaml::read(after).err(),
                    FileKind::BuildEnv => dotenv::parse(after).err(),
                };
                assert!(
                    reparsed.is_none(),
                    "the plan writes {} that does not parse: {reparsed:?}\n{after}",
                    change.path
                );
                for masked in change.masked_before.iter().chain([&change.masked_after]) {
                    assert!(!masked.contains(scenarios::SECRET), "a masked text shows the secret");
                }
            }
            "plan"
        }
        Err(ConfigureError::InvalidInput(e)) => {
            assert!(
                !e.message.contains(char::is_control),
                "an error holds a control character: {:?}",
                e.message
            );
            if let (Some(file), Some(line)) = (&e.file, e.line) {
                let text = host.scenario.files.get(file).map(String::as_str).unwrap_or("");
                let lines = line_count(text);
                assert!(
                    line >= 1 && line as usize <= lines + 1,
                    "{file}: error on line {line} of {lines}: {}",
                    e.message
                );
            }
            "input error"
        }
        Err(_) => "other error",
    };
    for line in &host.transcript {
        assert!(!line.contains(scenarios::SECRET), "the secret reached the transcript");
    }
    outcome
}
