use super::*;

fn change(path: &Path, kind: FileKind) -> FileChange {
    FileChange {
        path: path.display().to_string(),
        kind,
        before: None,
        after: "[default]\n".into(),
        holds_secrets: true,
        masked_before: None,
        masked_after: "[default]\n".into(),
    }
}

/// In a linked worktree (or a submodule) `.git` is a file naming the
/// git directory: the project files' backups go there.
#[test]
fn backups_go_to_the_git_directory_a_dot_git_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("worktree");
    std::fs::create_dir_all(root.join("config")).unwrap();
    std::fs::create_dir_all(dir.path().join("main.git/worktrees/w")).unwrap();
    std::fs::write(root.join(".git"), "gitdir: ../main.git/worktrees/w\n").unwrap();
    let git = git_dir(&root).unwrap();
    assert_eq!(git, root.join("../main.git/worktrees/w"));
    let tfvars = root.join("config/common.tfvars");
    assert_eq!(
        backup_dir(&change(&tfvars, FileKind::TerraformVars), &tfvars, &root, Some(&git)),
        git.join("leverage-backups/config")
    );
    let credentials = dir.path().join("credentials");
    assert_eq!(
        backup_dir(
            &change(&credentials, FileKind::AwsCredentials),
            &credentials,
            &root,
            Some(&git)
        ),
        dir.path()
    );
    assert_eq!(git_dir(dir.path()), None);
}

/// A link to a device is refused before anything is opened or
/// written: replacing it would put a regular file (with the secret) in
/// place of the device node.
#[test]
fn a_link_to_a_device_or_a_folder_is_never_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let credentials = root.join("credentials");
    std::os::unix::fs::symlink("/dev/null", &credentials).unwrap();
    let folder = root.join("config");
    std::fs::create_dir(&folder).unwrap();
    let show = |p: &Path| p.display().to_string();
    let error = resolve_targets(&[change(&credentials, FileKind::AwsCredentials)], root, &show).unwrap_err();
    assert!(
        error.to_string().contains("a character device, not a regular file"),
        "{error}"
    );
    let error = resolve_targets(&[change(&folder, FileKind::AwsConfig)], root, &show).unwrap_err();
    assert!(error.to_string().contains("a directory, not a regular file"), "{error}");
    let error = apply_plan(&[change(&credentials, FileKind::AwsCredentials)], &[], root, &show).unwrap_err();
    assert!(error.to_string().contains("a character device"), "{error}");
}

#[test]
fn temp_owner_reads_only_our_temporaries() {
    assert_eq!(temp_owner(".credentials.leverage-1234.tmp"), Some(1234));
    assert_eq!(temp_owner(".common.tfvars.leverage-7.tmp"), Some(7));
    assert_eq!(temp_owner("credentials.leverage-1234.tmp"), None);
    assert_eq!(temp_owner(".credentials.leverage-.tmp"), None);
    assert_eq!(temp_owner(".credentials.leverage-12a.tmp"), None);
    assert_eq!(temp_owner(".leverage-12.tmp"), None);
    assert_eq!(temp_owner(".credentials.20260101T000000Z.bak"), None);
}
