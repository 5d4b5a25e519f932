//! project.yaml: the `project_yaml_read` and `project_yaml_set` targets'
//! properties.

use super::*;

use leverage_core::model::DeclaredAccount;
use leverage_core::project_yaml;

/// `project_yaml::read`: no panic; errors name a line of the file.
pub fn project_yaml_read(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = project_yaml::read(&text) {
        check_error_line("project.yaml", &text, &error);
    }
}

/// `project_yaml::set_account_ids`: the ids set read back, nothing else read
/// differently, a second identical edit changes nothing, and at most one
/// line changes and one line is added per account.
pub fn project_yaml_set(data: &[u8]) {
    let (params, text) = Params::split(data);
    let Ok(before) = project_yaml::read(&text) else { return };
    let Some(accounts) = before.accounts.clone() else {
        // No list: nothing to edit, and the text must come back as it was.
        let update = project_yaml::set_account_ids(&text, &[("management".into(), "111111111111".into())]);
        assert_eq!(update.map(|u| u.text).as_deref().ok(), Some(text.as_ref()));
        return;
    };
    // Which accounts get an id (a bit each), plus one name that is not there.
    let mask = params.byte(0);
    let mut ids: Vec<(String, String)> = Vec::new();
    for (i, account) in accounts.iter().enumerate().take(8) {
        if mask & (1 << i) != 0 {
            ids.push((account.name.clone(), params.pick(1 + i % 2, IDS).to_string()));
        }
    }
    ids.push(("no-such-account".into(), "123456789012".into()));

    let update = match project_yaml::set_account_ids(&text, &ids) {
        Ok(update) => update,
        Err(error) => {
            assert!(
                !(strict() && error.message.contains("refusing")),
                "the YAML editor refused its own result: {error}"
            );
            check_error_line("project.yaml edit", &text, &error);
            return;
        }
    };
    let after = match project_yaml::read(&update.text) {
        Ok(after) => after,
        Err(e) => panic!("the edited project.yaml does not read: {e}\n{}", update.text),
    };
    let wanted = |name: &str| ids.iter().rev().find(|(n, _)| n == name).map(|(_, id)| id.as_str());
    let expected: Vec<DeclaredAccount> = accounts
        .iter()
        .map(|a| DeclaredAccount {
            id: wanted(&a.name).map(str::to_string).or(a.id.clone()),
            ..a.clone()
        })
        .collect();
    assert_eq!(after.accounts.as_ref(), Some(&expected), "the ids set do not read back");
    assert_eq!(
        project_yaml::ProjectYaml {
            accounts: None,
            ..after.clone()
        },
        project_yaml::ProjectYaml {
            accounts: None,
            ..before.clone()
        },
        "an edit of the ids changed another value"
    );
    let again = project_yaml::set_account_ids(&update.text, &ids).ok();
    assert_eq!(
        again.map(|u| u.text).as_deref(),
        Some(update.text.as_str()),
        "a second edit changed the text"
    );

    let entries = accounts.iter().filter(|a| wanted(&a.name).is_some()).count();
    let (removed, added) = line_diff(&text, &update.text);
    assert!(
        removed <= entries && added <= entries,
        "setting {entries} id(s) removed {removed} and added {added} lines:\n--- before\n{text}\n--- after\n{}",
        update.text
    );
}
