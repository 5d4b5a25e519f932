//! Test-only switches (`LEVERAGE_TEST_*` environment variables), read only
//! by builds with the `test-hooks` feature: the binary the e2e tests run.
//! Any other build ignores them, so that no environment can make a user's
//! run inject faults, pause or shorten its timeouts.

/// The value of the test switch `name`, when this build reads test switches.
pub fn var(name: &str) -> Option<String> {
    read(cfg!(feature = "test-hooks"), name)
}

fn read(enabled: bool, name: &str) -> Option<String> {
    if !enabled {
        return None;
    }
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    #[test]
    fn without_the_feature_a_variable_set_in_the_environment_is_ignored() {
        assert!(std::env::var("PATH").is_ok(), "the test needs PATH set");
        assert_eq!(read(false, "PATH"), None);
        assert!(read(true, "PATH").is_some());
    }

    /// The features a build of the `leverage` package gets, as cargo
    /// resolves them: with or without its dev-dependencies.
    fn resolved_features(with_dev: bool) -> String {
        let edges = if with_dev { "features" } else { "features,no-dev" };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args([
                "tree",
                "-p",
                "leverage",
                "-i",
                "leverage",
                "--locked",
                "--offline",
                "-e",
                edges,
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("running cargo tree");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A build of the binary (`cargo build`, `cargo install`: no
    /// dev-dependencies) does not enable `test-hooks`, so its `var` is
    /// always none; only the tests' build does.
    #[test]
    fn only_the_tests_build_enables_the_test_hooks() {
        assert!(
            !resolved_features(false).contains("\"test-hooks\""),
            "{}",
            resolved_features(false)
        );
        assert!(resolved_features(true).contains("\"test-hooks\""));
    }
}
