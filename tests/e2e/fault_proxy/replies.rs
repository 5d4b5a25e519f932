//! Replies the core does not expect, made by rewriting moto's.

use super::*;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const FAKE_TOKEN: &str = "leverage-fault-proxy-empty-page";

/// ListAccounts' first page comes back empty with a next token; the next
/// request (which must carry that token) is sent to moto without it, so moto
/// answers with the real first page. Every account must still be found.
#[test]
fn an_empty_page_with_a_next_token_is_followed() {
    let w = world();
    let followed = Arc::new(AtomicBool::new(false));
    let saw_token = followed.clone();
    w.proxy.fault(
        "ListAccounts",
        Fault::Rewrite(Arc::new(|_, _| {
            json!({"Accounts": [], "NextToken": FAKE_TOKEN}).to_string()
        })),
        Times::First(1),
    );
    w.proxy.rewrite_requests(move |body| {
        let Ok(mut request) = serde_json::from_str::<Value>(body) else {
            return body.to_string();
        };
        if request.get("NextToken").and_then(Value::as_str) == Some(FAKE_TOKEN) {
            saw_token.store(true, Ordering::SeqCst);
            request.as_object_mut().unwrap().remove("NextToken");
        }
        request.to_string()
    });
    w.succeeds(&[]);
    assert!(
        followed.load(Ordering::SeqCst),
        "no request carried the empty page's next token"
    );
}

/// A paginator that never ends (every page empty, each with a new token) is
/// cut off with a clear error, not followed forever.
#[test]
fn endless_pagination_ends_in_a_clear_error() {
    let w = world();
    let counter = Arc::new(Mutex::new(0u64));
    w.proxy.fault(
        "ListAccounts",
        Fault::Rewrite(Arc::new(move |_, _| {
            let mut n = counter.lock().unwrap();
            *n += 1;
            json!({"Accounts": [], "NextToken": format!("page-{n}")}).to_string()
        })),
        Times::Always,
    );
    w.proxy.rewrite_requests(|body| {
        let Ok(mut request) = serde_json::from_str::<Value>(body) else {
            return body.to_string();
        };
        request.as_object_mut().unwrap().remove("NextToken");
        request.to_string()
    });
    w.fails(&[], &["organizations:ListAccounts", "pages", "nothing was written"]);
}

/// An organization account without a name is skipped with a warning; the
/// others get their profiles.
#[test]
fn an_account_without_a_name_is_skipped_with_a_warning() {
    let w = world();
    let shared = w.org_id("binbash-shared");
    w.proxy.fault(
        "ListAccounts",
        Fault::Rewrite(Arc::new(move |_, body| {
            let mut page: Value = serde_json::from_str(body).unwrap();
            for account in page["Accounts"].as_array_mut().unwrap() {
                if account["Id"] == json!(shared) {
                    account.as_object_mut().unwrap().remove("Name");
                }
            }
            page.to_string()
        })),
        Times::Always,
    );
    let (out, _) = w.run(&["--all-accounts"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("without a usable name"), "{}", out.stderr);
    let config = w.project.read_aws("bb", "config");
    assert!(config.contains(&w.org_id("binbash-security")), "{config}");
    // `shared` is declared in project.yaml but has no id there: without its
    // organization entry it cannot get a profile.
    assert!(!config.contains("bb-shared-oaar"), "{config}");
}

/// GetCallerIdentity without an account: a clear error, nothing written.
#[test]
fn a_caller_identity_without_an_account_is_an_error() {
    let w = world();
    w.proxy.fault(
        "GetCallerIdentity",
        Fault::Rewrite(Arc::new(|_, body| {
            let start = body.find("<Account>").unwrap();
            let end = body.find("</Account>").unwrap() + "</Account>".len();
            format!("{}{}", &body[..start], &body[end..])
        })),
        Times::Always,
    );
    w.fails(&[], &["without a valid account id", "nothing was written"]);
}

/// An MFA device whose serial is not an MFA ARN is not used.
#[test]
fn an_mfa_serial_of_an_unknown_shape_is_not_used() {
    let w = world();
    w.proxy.fault(
        "ListMFADevices",
        Fault::Rewrite(Arc::new(|_, body| {
            let start = body.find("<SerialNumber>").unwrap() + "<SerialNumber>".len();
            let end = body.find("</SerialNumber>").unwrap();
            format!("{}GAHT12345678{}", &body[..start], &body[end..])
        })),
        Times::Always,
    );
    let out = w.fails(&["--fetch-mfa-device"], &["no MFA device found"]);
    assert!(
        out.stderr.contains("GAHT12345678"),
        "the unusable device is named:\n{}",
        out.stderr
    );
}

/// A user who may not list their MFA devices: `--fetch-mfa-device` ends in
/// the error the README's troubleshooting names, with AWS's reason, after
/// one attempt (access denied is not retried), and nothing is written.
#[test]
fn mfa_listing_denied_is_a_clear_error_and_writes_nothing() {
    let w = world();
    w.proxy.fault(
        "ListMFADevices",
        Fault::Refuse(
            403,
            "AccessDenied",
            "User jane is not authorized to perform: iam:ListMFADevices",
        ),
        Times::Always,
    );
    w.fails(
        &["--fetch-mfa-device"],
        &[
            "Error: could not list the MFA devices of jane",
            "not authorized to perform: iam:ListMFADevices",
            "nothing was written",
        ],
    );
    assert_eq!(w.proxy.seen("ListMFADevices").len(), 1, "access denied was retried");
}
