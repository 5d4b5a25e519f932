//! Which file each change really writes: symbolic links followed, and the
//! links and files that are refused.

use super::*;

/// Follow symbolic links to the file that is really written.
pub(super) fn final_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target =
                    fs::read_link(&current).with_context(|| format!("reading the link {}", current.display()))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

/// Whether the file is the project's (under the project root) rather than
/// one of the AWS files under `~/.aws`.
pub(super) fn is_project_file(kind: FileKind) -> bool {
    match kind {
        FileKind::ProjectYaml | FileKind::TerraformVars | FileKind::BuildEnv => true,
        FileKind::AwsCredentials | FileKind::AwsConfig => false,
    }
}

/// The nearest ancestor of `path` (itself included) that exists, with links
/// resolved; `None` when none can be resolved.
pub(super) fn canonical_existing_ancestor(path: &Path) -> Option<PathBuf> {
    path.ancestors().find_map(|p| fs::canonicalize(p).ok())
}

/// The file each change really writes: its path, or a symbolic link's final
/// target. Refused, naming the file, before anything is written:
/// - a target that exists and is not a regular file (a device, a FIFO, a
///   socket, a directory): replacing it would turn a device node into a
///   file, and a FIFO blocks whoever reads it;
/// - a project file whose final target is outside the project root (a
///   committed `build.env -> ../../outside/.bash_profile` must not create
///   or change a file of the user's home);
/// - a link whose target's folder does not exist: folders are created for
///   the AWS files themselves (`~/.aws/<short>`), never for a link's target
///   (links under `~/.aws` are written through, as dotfile managers expect).
pub fn resolve_targets(changes: &[FileChange], root: &Path, show: &dyn Fn(&Path) -> String) -> Result<Vec<PathBuf>> {
    let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    changes
        .iter()
        .map(|change| {
            let path = Path::new(&change.path);
            let target = final_target(path)?;
            let linked = target != path;
            let shown = match fs::read_link(path) {
                Ok(link) if linked => format!("{} (a link to {})", show(path), link.display()),
                _ => show(path),
            };
            if let Ok(meta) = fs::metadata(&target) {
                if let Some(why) = not_a_regular_file(&meta) {
                    bail!("{shown} cannot be written: {why}; nothing was written");
                }
            }
            let folder = parent_of(&target);
            if is_project_file(change.kind) {
                let inside = canonical_existing_ancestor(&folder).is_some_and(|f| f.starts_with(&canonical_root));
                if !inside {
                    bail!(
                        "{shown} cannot be written: it leads outside the project, and a project file is written \
                         through a link only when its target is inside the project; nothing was written"
                    );
                }
            }
            if linked && !folder.is_dir() {
                bail!(
                    "{shown} cannot be written: the folder of the link's target does not exist, and folders are \
                     not created for a link's target; nothing was written"
                );
            }
            Ok(target)
        })
        .collect()
}
