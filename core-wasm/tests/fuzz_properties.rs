//! The fuzz targets' properties, run on stable over their seed corpus.
//! The long runs happen under `cargo +nightly fuzz run` in
//! `core-wasm/fuzz` (see its README); this test makes CI compile the property
//! code the targets use and check it on every seed, so a property that no
//! longer holds on a known input fails here first.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod props;

use std::path::Path;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The seed files each target reads (see `seed_sources`): exactly these, so
/// that a seed directory that goes missing or moves fails here instead of
/// leaving a target with nothing to check.
const SEED_FILES: &[(&str, usize)] = &[
    ("csv", 6),
    ("dotenv", 7),
    ("project_yaml_read", 16),
    ("project_yaml_set", 16),
    ("tfvars_read", 28),
    ("tfvars_write_back", 28),
    ("ini_parse", 82),
    ("ini_set", 82),
    ("flow", 7),
];

#[test]
fn every_target_holds_on_its_seeds() {
    assert_eq!(
        SEED_FILES.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        props::TARGETS.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        "a target was added or removed: update SEED_FILES"
    );
    for ((target, property), (_, files)) in props::TARGETS.iter().zip(SEED_FILES) {
        let seeds = props::seeds(repo(), target);
        let per_file = if props::takes_params(target) {
            props::SEED_PARAMS.len()
        } else {
            1
        };
        assert_eq!(
            seeds.len(),
            files * per_file,
            "{target}: {} seed(s) where {files} file(s) were expected: update SEED_FILES when adding or removing one",
            seeds.len()
        );
        for (name, input) in &seeds {
            let outcome = std::panic::catch_unwind(|| property(input));
            assert!(outcome.is_ok(), "{target} fails on seed {name}");
        }
    }
}

/// Every byte-prefix of every seed (the fuzzer's favourite mutation: a file
/// cut short), through every target.
#[test]
fn every_target_holds_on_truncated_seeds() {
    for (target, property) in props::TARGETS {
        for (name, input) in props::seeds(repo(), target).iter().step_by(3) {
            for cut in (0..input.len()).step_by(7) {
                let outcome = std::panic::catch_unwind(|| property(&input[..cut]));
                assert!(outcome.is_ok(), "{target} fails on seed {name} cut at byte {cut}");
            }
        }
    }
}

/// The whole-flow seeds reach a plan, so the fuzzer starts from runs that
/// write files (and checks those files), not only from early errors.
#[test]
fn most_flow_seeds_reach_a_plan() {
    let seeds = props::seeds(repo(), "flow");
    let plans = seeds
        .iter()
        .filter(|(_, input)| props::flow_outcome(input) == "plan")
        .count();
    assert!(
        plans * 2 >= seeds.len(),
        "only {plans} of {} flow seeds reach a plan",
        seeds.len()
    );
}

/// The properties can fail: a broken editor is caught.
#[test]
fn the_line_window_check_catches_a_rewrite() {
    assert_eq!(props::line_diff("a\nb\nc\n", "a\nb\nc\n"), (0, 0));
    assert_eq!(props::line_diff("a\nb\nc\n", "a\nB\nc\nd\n"), (1, 2));
    assert_eq!(props::line_diff("a\r\nb\r\n", "a\nb\n"), (0, 0));
}
