//! Every fault point of the apply in error and crash (abort) mode, a
//! read-only directory, a full disk.

use super::*;

use std::os::unix::process::CommandExt;

use crate::support::give_to_nobody;

/// The new content of every target after a clean rotation in a twin project.
fn expected_after_rotation(world: &World) -> Vec<Option<Vec<u8>>> {
    let (project, args) = rotation(world);
    let out = run(&project, world, &args, &[]);
    assert_eq!(out.code, 0, "the reference rotation failed:\n{}", out.stderr);
    let after = contents(&Targets::of(&project));
    assert!(after.iter().all(Option::is_some));
    after
}

/// Crash safety: the apply fails, or the process dies, at every step in
/// turn — before each temporary (it is created, then the fault fires before
/// its content is written), each backup, each rename — of a run that changes
/// five files. After a failure every file is exactly as before and nothing
/// of the run is left; after a crash every file is wholly old or wholly new.
/// Either way a re-run completes the job and leaves no temporary behind
/// (a crashed run's temporaries are removed by the next run).
#[test]
fn every_fault_point_leaves_each_file_old_or_new() {
    let world = World::start();
    let new = expected_after_rotation(&world);
    let order = planned_order(&world);
    // 5 temporaries, 4 backups (build.env is new), 5 renames.
    let points: Vec<(&str, usize)> = [("temp", 5), ("backup", 4), ("rename", 5)]
        .iter()
        .flat_map(|&(step, count)| (1..=count).map(move |n| (step, n)))
        .collect();
    let cases: Vec<(&str, usize, bool)> = points
        .iter()
        .flat_map(|&(step, n)| [(step, n, false), (step, n, true)])
        .collect();

    // Two at a time: each case has its own project; the emulator is shared.
    std::thread::scope(|scope| {
        for chunk in cases.chunks(cases.len().div_ceil(2)) {
            let (world, new, order) = (&world, &new, &order);
            scope.spawn(move || {
                for &(step, n, abort) in chunk {
                    fault_case(world, new, order, step, n, abort);
                }
            });
        }
    });
}

/// The rotation's files (as indices into [`Targets::all`]) in the order of
/// the plan, read from `--dry-run --output json`; the core decides it to be
/// build.env, config, project.yaml, common.tfvars, credentials (the files
/// that decide what a re-run does go last).
fn planned_order(world: &World) -> Vec<usize> {
    let (project, args) = rotation(world);
    let targets = Targets::of(&project);
    let out = run(&project, world, &args, &["--dry-run", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan: Value = serde_json::from_str(&out.stdout).unwrap();
    let order: Vec<usize> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = Path::new(f["path"].as_str().unwrap());
            let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            targets
                .all()
                .iter()
                .position(|t| t.canonicalize().unwrap_or_else(|_| t.to_path_buf()) == path)
                .unwrap_or_else(|| panic!("not a target: {}", path.display()))
        })
        .collect();
    assert_eq!(order, [0, 2, 4, 3, 1], "the plan's order of the files");
    order
}

fn fault_case(world: &World, new: &[Option<Vec<u8>>], order: &[usize], step: &str, n: usize, abort: bool) {
    let case = format!("{step}:{n}{}", if abort { ":abort" } else { "" });
    let (project, args) = rotation(world);
    let targets = Targets::of(&project);
    let old = contents(&targets);
    let before = bytes_only(&project);
    let modes_before: Vec<Option<u32>> = targets.all().iter().map(|p| p.exists().then(|| mode(p))).collect();

    let out = run_with_env(&project, world, &args, "LEVERAGE_TEST_FAULT", &case);
    let now = contents(&targets);
    if abort {
        assert!(
            out.code != 0 && out.code != 1,
            "{case}: the process should have died:\n{}",
            out.stderr
        );
        for (i, path) in targets.all().iter().enumerate() {
            assert!(
                now[i] == old[i] || now[i] == new[i],
                "{case}: {} is neither old nor new",
                path.display()
            );
        }
        // Files are replaced in the plan's order: the first n-1 of them are
        // new, the rest old.
        let renamed = if step == "rename" { n - 1 } else { 0 };
        for (position, &i) in order.iter().enumerate() {
            let expected = if position < renamed { &new[i] } else { &old[i] };
            assert_eq!(&now[i], expected, "{case}: {}", targets.all()[i].display());
        }
        if step == "temp" {
            // The crash left the temporaries written so far (and the empty one it died in).
            assert_eq!(temporaries(&project).len(), n, "{case}");
        }
        // Whatever backups the crash left are whole: each holds its file's old content.
        for backup in backups(&project) {
            let name = backup.file_name().unwrap().to_str().unwrap();
            let i = targets.all().iter().position(|t| {
                Some(backup_folder(&project, t).as_path()) == backup.parent()
                    && name.starts_with(&format!("{}.", t.file_name().unwrap().to_str().unwrap()))
            });
            let i = i.unwrap_or_else(|| panic!("{case}: a backup of what? {}", backup.display()));
            assert_eq!(
                Some(std::fs::read(&backup).unwrap()),
                old[i],
                "{case}: {} is not a whole backup",
                backup.display()
            );
        }
    } else {
        assert_eq!(out.code, 1, "{case}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("Error: could not write the changes; nothing was changed")
                && out.stderr.contains("injected fault (LEVERAGE_TEST_FAULT)"),
            "{case}: {}",
            out.stderr
        );
        assert_eq!(bytes_only(&project), before, "{case}: the files are not all as before");
        let modes_now: Vec<Option<u32>> = targets.all().iter().map(|p| p.exists().then(|| mode(p))).collect();
        assert_eq!(modes_now, modes_before, "{case}: modes changed");
    }

    let out = run(&project, world, &args, &[]);
    assert_eq!(out.code, 0, "{case}: the re-run failed:\n{}", out.stderr);
    assert_eq!(contents(&targets), new, "{case}: the re-run did not complete the job");
    assert_eq!(
        temporaries(&project),
        Vec::<PathBuf>::new(),
        "{case}: temporaries left behind"
    );
    assert_eq!(mode(&targets.credentials), 0o600, "{case}");
    for backup in backups(&project) {
        assert_eq!(mode(&backup), 0o600, "{case}: {}", backup.display());
    }
}

/// Whether writing into `dir` is refused.
fn mode_stops_writes(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    match std::fs::write(&probe, "") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(_) => true,
    }
}

/// A read-only AWS directory: a clear error naming the file, nothing changed.
/// Root writes through the mode, so under root (as in CI) the binary runs as
/// an unprivileged user who owns the temporary HOME.
#[test]
fn read_only_aws_directory_changes_nothing() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let aws_dir = project.home.join(".aws/bb");
    let mut cmd = project.command(Some(&world.moto));
    if running_as_root() {
        give_to_nobody(project.home.parent().unwrap());
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let before = project.snapshot();
    std::fs::set_permissions(&aws_dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    assert!(
        running_as_root() || mode_stops_writes(&aws_dir),
        "this user writes into a directory of mode 0500 (a capability?): the test cannot make a read-only directory"
    );
    let out = project.run_with(cmd, &strs(&args), None);
    std::fs::set_permissions(&aws_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The first file of the plan in that directory (see `planned_order`).
    let temp = aws_dir.join(".config.leverage-");
    assert!(
        out.stderr
            .contains("Error: could not write the changes; nothing was changed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("Caused by: writing {}", temp.display()))
            && out.stderr.contains("Permission denied (os error 13)"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("LEVERAGE_TEST_FAULT"),
        "the refusal must be the file system's: {}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "a refused write changed files");
}

/// A tmpfs of `size` mounted on `dir` for the test's duration (root with
/// CAP_SYS_ADMIN may mount one; CI runs as root), or why it could not be.
struct TinyDisk(PathBuf);

impl TinyDisk {
    fn mount(dir: &Path, size: &str) -> Result<TinyDisk, String> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("running mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(TinyDisk(dir.to_path_buf()))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk: a clear error, nothing changed, no temporary left, on a real
/// full file system (a tiny tmpfs on ~/.aws/bb, filled up).
#[test]
fn full_disk_changes_nothing() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let aws_dir = project.home.join(".aws/bb");
    let saved: Vec<(PathBuf, Vec<u8>)> = ["credentials", "config"]
        .iter()
        .map(|n| (aws_dir.join(n), std::fs::read(aws_dir.join(n)).unwrap()))
        .collect();
    let disk = TinyDisk::mount(&aws_dir, "16k").unwrap_or_else(|why| {
        panic!(
            "this test needs a small tmpfs mounted on {} (as root): {why}",
            aws_dir.display()
        )
    });
    for (path, bytes) in &saved {
        std::fs::write(path, bytes).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // Fill what is left.
    let filler = aws_dir.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    while std::io::Write::write_all(&mut file, &[0u8; 1024]).is_ok() {}
    drop(file);
    let before = project.snapshot();
    let out = run(&project, &world, &args, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Error: could not write the changes; nothing was changed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "Caused by: writing {}",
            aws_dir.join(".config.leverage-").display()
        )) && out.stderr.contains("No space left on device (os error 28)"),
        "{}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "a full disk changed files");
    assert!(temporaries(&project).is_empty(), "{:?}", temporaries(&project));
    drop(disk);
}
