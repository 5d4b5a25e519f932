"""The Python host's own pieces: files, prompts, log, AWS error kinds, the
apply, and the values crossing the component boundary."""

import io
import stat

import botocore.exceptions
import pytest

import leverage_host
from leverage_host import Conflict, ConfigureError, Err, Ok, TerminalHost, apply

KEYS_CSV = "\ufeffAccess key ID,Secret access key\r\nAKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n"


def test_files_read_gives_the_text_as_it_is_or_none_when_nothing_is_there(tmp_path):
    host = TerminalHost(interactive=False)
    (tmp_path / "keys.csv").write_bytes(KEYS_CSV.encode())
    assert host.files_read(str(tmp_path / "keys.csv")) == Ok(KEYS_CSV)
    assert host.files_read(str(tmp_path / "missing.csv")) == Ok(None)
    (tmp_path / "link.csv").symlink_to(tmp_path / "keys.csv")
    assert host.files_read(str(tmp_path / "link.csv")) == Ok(KEYS_CSV)


def test_files_read_reports_a_directory_and_a_file_that_is_not_utf8(tmp_path):
    host = TerminalHost(interactive=False)
    assert host.files_read(str(tmp_path)) == Err({"tag": "is-directory"})
    (tmp_path / "latin1.csv").write_bytes(b"caf\xe9\n")
    assert host.files_read(str(tmp_path / "latin1.csv")) == Err({"tag": "not-text"})


def test_standard_input_is_read_once_and_kept():
    stdin = io.TextIOWrapper(io.BytesIO(KEYS_CSV.encode()))
    host = TerminalHost(interactive=False, stdin=stdin)
    assert host.files_read_stdin() == Ok(KEYS_CSV)
    assert host.files_read_stdin() == Ok(KEYS_CSV)


SHORT_NAME = {"text": "Short name", "answered_by": "PROJECT=<short name> in build.env"}
PICK = {"text": "Pick", "answered_by": "--pick"}


def test_without_a_terminal_every_question_is_unavailable_naming_what_answers_it():
    host = TerminalHost(interactive=False, stdin=io.StringIO(""))
    answer = host.prompt_text(SHORT_NAME, "bb")
    assert isinstance(answer, Err) and answer.value["tag"] == "unavailable"
    assert "Short name" in answer.value["val"]
    assert "PROJECT=<short name> in build.env" in answer.value["val"]
    assert host.prompt_select(PICK, ["a", "b"], 0).value["tag"] == "unavailable"


def test_prompts_take_defaults_and_a_closed_input_cancels(monkeypatch):
    host = TerminalHost(interactive=True, out=io.StringIO())
    answers = iter(["", "7", "2"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    assert host.prompt_text(SHORT_NAME, "bb") == Ok("bb")
    assert host.prompt_select(PICK, ["a", "b"], 0) == Ok(1)  # 7 is refused, 2 is the second
    monkeypatch.setattr("builtins.input", lambda _prompt: (_ for _ in ()).throw(EOFError()))
    assert host.prompt_text(SHORT_NAME, None) == Err({"tag": "cancelled"})


def test_debug_lines_show_only_when_verbose():
    quiet, loud = io.StringIO(), io.StringIO()
    TerminalHost(interactive=False, out=quiet).log_line("debug", "calling sts")
    TerminalHost(interactive=False, out=quiet).log_line("warn", "no id for shared")
    TerminalHost(interactive=False, out=loud, verbose=True).log_line("debug", "calling sts")
    assert quiet.getvalue() == "warn: no id for shared\n"
    assert loud.getvalue() == "debug: calling sts\n"


def client_error(code, status, operation="GetCallerIdentity"):
    return botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": f"{code} happened"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


@pytest.mark.parametrize(
    "request_tag, error, kind",
    [
        ("get-caller-identity", client_error("InvalidClientTokenId", 403), "invalid-credentials"),
        ("get-caller-identity", client_error(None, 403), "invalid-credentials"),
        ("list-accounts", client_error("AccessDeniedException", 400), "access-denied"),
        ("list-accounts", client_error("AWSOrganizationsNotInUseException", 400), "organization-not-in-use"),
        ("list-mfa-devices", client_error("Throttling", 400), "throttled"),
        ("list-accounts", client_error("ServiceException", 500), "other"),
        ("list-accounts", botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "network"),
    ],
)
def test_aws_failures_become_the_wit_error_kinds_with_the_aws_code(request_tag, error, kind):
    found = leverage_host.aws_error(request_tag, error)
    assert found["kind"] == kind
    if isinstance(error, botocore.exceptions.ClientError) and error.response["Error"]["Code"]:
        assert found["code"] == error.response["Error"]["Code"]
        assert found["message"] == f"{found['code']} happened"


def change(path, before, after, secrets=False):
    return {"path": str(path), "kind": "aws-config", "before": before, "after": after, "holds_secrets": secrets,
            "masked_before": before, "masked_after": after}


def test_apply_creates_secret_files_0600_in_a_0700_directory_and_keeps_modes(tmp_path):
    existing = tmp_path / "common.tfvars"
    existing.write_text("old\n")
    existing.chmod(0o640)
    credentials = tmp_path / "aws" / "bb" / "credentials"
    written = apply({"changes": [change(credentials, None, "[bb]\n", secrets=True), change(existing, "old\n", "new\n")]})
    assert written == [str(credentials), str(existing)]
    assert credentials.read_text() == "[bb]\n" and existing.read_text() == "new\n"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aws", "common.tfvars"], "a temporary file was left"


def test_apply_writes_through_a_symbolic_link(tmp_path):
    (tmp_path / "real").write_text("old\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    apply({"changes": [change(tmp_path / "link", "old\n", "new\n")]})
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real").read_text() == "new\n"


def test_apply_refuses_a_file_changed_since_the_plan_and_writes_nothing(tmp_path):
    first, second = tmp_path / "config", tmp_path / "common.tfvars"
    second.write_text("edited by someone else\n")
    with pytest.raises(Conflict, match="common.tfvars"):
        apply({"changes": [change(first, None, "new\n"), change(second, "old\n", "new\n")]})
    assert not first.exists()
    assert second.read_text() == "edited by someone else\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["common.tfvars"]


def project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "project.yaml").write_text("project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\n")
    return root


def request(root, tmp_path, **fields):
    return {"credentials_type": "management", "credentials_file": None, "fetch_mfa_device": False,
            "overwrite_existing_credentials": False, "skip_access_keys_setup": False,
            "skip_assumable_roles_setup": False, "non_interactive": True, "all_accounts": False,
            "prune": False, "skip_account_check": False,
            "project_root": str(root), "current_dir": str(root), "aws_root": str(tmp_path / "aws"), **fields}


def test_a_files_error_reaches_the_component_and_comes_back_as_invalid_input_naming_the_file(core, tmp_path):
    root = project(tmp_path)
    (tmp_path / "keys-dir.csv").mkdir()
    req = request(root, tmp_path, credentials_file=str(tmp_path / "keys-dir.csv"))
    with pytest.raises(ConfigureError) as failure:
        core.configure(req, TerminalHost(interactive=False, out=io.StringIO()))
    assert failure.value.error["tag"] == "invalid-input"
    assert failure.value.error["val"]["file"] == str(tmp_path / "keys-dir.csv")


def test_a_non_interactive_run_without_keys_names_what_supplies_them(core, tmp_path):
    root = project(tmp_path)
    with pytest.raises(ConfigureError) as failure:
        core.configure(request(root, tmp_path), TerminalHost(interactive=False, out=io.StringIO()))
    assert failure.value.error["tag"] == "answer-needed"
    assert "--credentials-file" in failure.value.error["val"]


def test_a_host_missing_an_import_is_refused_naming_it(core, tmp_path):
    class NoLog(TerminalHost):
        log_line = None

    with pytest.raises(TypeError, match="log_line"):
        core.configure(request(project(tmp_path), tmp_path), NoLog(interactive=False))


def test_the_component_is_found_as_the_node_tests_find_it(tmp_path):
    assert leverage_host.component_path({"LEVERAGE_COMPONENT": str(tmp_path / "c.wasm")}) == tmp_path / "c.wasm"
    default = leverage_host.component_path({})
    assert default == leverage_host.REPOSITORY / "target/wasm-core/wasm32-wasip2/release/leverage_core.wasm"
    assert leverage_host.component_path({"CARGO_TARGET_DIR": "/t"}) == __import__("pathlib").Path(
        "/t/wasm-core/wasm32-wasip2/release/leverage_core.wasm"
    )


def test_the_core_reports_the_wit_version_of_wit_world(core):
    world = (leverage_host.REPOSITORY / "wit" / "world.wit").read_text()
    assert f"package leverage:credentials@{core.version};" in world
