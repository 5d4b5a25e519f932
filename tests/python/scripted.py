"""A scripted host for the shared scenario table, the twin of the Rust core's
`scripted::ScriptedHost` (core-wasm/src/scripted.rs): it plays a world of
tests/fixtures/scenarios/table.json, in that file's shape (the serde shape of
the Rust core's types), so its values pass through `leverage_host.RUST`."""

from __future__ import annotations

import json
from typing import List

import leverage_host
from leverage_host import Ok

FIXTURES = leverage_host.REPOSITORY / "tests" / "fixtures" / "scenarios"


def table() -> List[dict]:
    """Every scenario: name, request (laid over `request_defaults`), world."""
    data = json.loads((FIXTURES / "table.json").read_text(encoding="utf-8"))
    return [
        {"name": s["name"], "request": {**data["request_defaults"], **s["request"]}, "world": s["world"]}
        for s in data["scenarios"]
    ]


def recorded(key: str, entries) -> str:
    """The recorded form of plans.json (see leverage_core::scenarios::recorded)."""
    items = [{"name": name, key: value} for name, value in entries]
    return json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _debug(value) -> str:
    """Rust's `{:?}` of an answer, for the scripted host's messages."""
    if isinstance(value, str):
        return value
    (case, payload), = value.items()
    return f"{case}({json.dumps(payload, ensure_ascii=False)})" if isinstance(payload, str) else f"{case}({payload})"


class ScriptedHost:
    def __init__(self, world: dict, files=None):
        self.world = {
            "files": {},
            "directories": [],
            "stdin": None,
            "identities": {},
            "organizations": {},
            "described_organizations": {},
            "mfa_devices": {},
            "answers": [],
            **world,
        }
        self.answers = list(self.world["answers"])
        self.files = files

    # aws, as one batch of independent calls.
    def aws_call_all(self, calls):
        return [self._one_call(call) for call in calls]

    def _identity(self, key):
        invalid = _aws_error("InvalidCredentials", "InvalidClientTokenId",
                             "InvalidClientTokenId: The security token included in the request is invalid")
        return self.world["identities"].get(key, {"Err": invalid})

    def _one_call(self, call):
        key = call["credentials"]["access_key_id"]
        request = call["request"]
        case = request if isinstance(request, str) else next(iter(request))
        if case == "GetCallerIdentity":
            return _reply(self._identity(key), "CallerIdentity")
        if case == "ListAccounts":
            denied = _aws_error("AccessDenied", "AccessDeniedException", "AccessDeniedException: not allowed")
            return _reply(self.world["organizations"].get(key, {"Err": denied}), "Accounts")
        if case == "DescribeOrganization":
            denied = _aws_error("AccessDenied", "AccessDeniedException", "AccessDeniedException: not allowed")
            return _reply(self.world["described_organizations"].get(key, {"Err": denied}), "Organization")
        if case == "ListMfaDevices":
            user = request[case]
            if user is None:  # without a user name AWS lists the caller's own devices
                caller = self._identity(key)
                if "Err" in caller:
                    return caller
                user = caller["Ok"]["arn"].rsplit("/", 1)[-1]
            return {"Ok": {"MfaDevices": list(self.world["mfa_devices"].get(user, []))}}
        if case == "ListAccessKeys":  # the table's worlds hold no IAM keys
            return {"Ok": {"AccessKeys": []}}
        raise AssertionError(f"unknown request {request!r}")

    def aws_wait(self, milliseconds):
        pass

    # files, from the world or (files=...) from another host's files.
    def files_read(self, path):
        if self.files is not None:
            return _rust_shaped(self.files.files_read(path))
        if path in self.world["directories"]:
            return {"Err": "IsDirectory"}
        return {"Ok": self.world["files"].get(path)}

    def files_read_stdin(self):
        if self.files is not None:
            return _rust_shaped(self.files.files_read_stdin())
        return {"Ok": self.world["stdin"] or ""}

    # prompts, answered in order; when the answers run out, unavailable.
    def _next(self, question):
        if not self.answers:
            return None, {"Err": {"Unavailable": f"no scripted answer for {question}"}}
        answer = self.answers.pop(0)
        if answer == "Cancel":
            return None, {"Err": "Cancelled"}
        return answer, None

    def _mismatch(self, expected, got):
        return {"Err": {"Unavailable": f"the script answers {got} where a {expected} was asked"}}

    def prompt_text(self, question, default):
        answer, error = self._next(question["text"])
        if error:
            return error
        if not isinstance(answer, dict) or "Text" not in answer:
            return self._mismatch("text", _debug(answer))
        return {"Ok": (default or "") if answer["Text"] == "" else answer["Text"]}

    def prompt_secret(self, question):
        answer, error = self._next(question["text"])
        if error:
            return error
        if not isinstance(answer, dict) or "Secret" not in answer:
            return self._mismatch("secret", "an answer that is not a secret")
        return {"Ok": answer["Secret"]}

    def prompt_select(self, question, choices, default):
        answer, error = self._next(question["text"])
        if error:
            return error
        if not isinstance(answer, dict) or "Select" not in answer:
            return self._mismatch("select", _debug(answer))
        return {"Ok": answer["Select"]}

    def log_line(self, level, message):
        pass


def _aws_error(kind: str, code: str, message: str) -> dict:
    """An `aws-error` record, Rust-shaped, as scripted.rs answers it."""
    return {"kind": kind, "code": code, "message": message}


def _reply(outcome: dict, case: str) -> dict:
    """A scenario's `{"Ok": value}` as the reply `case`; an error as it is."""
    return {"Ok": {case: outcome["Ok"]}} if "Ok" in outcome else outcome


def _rust_shaped(result):
    """A PLAIN result of leverage_host (Ok/Err of files-error) as RUST shows it."""
    if isinstance(result, Ok):
        return {"Ok": result.value}
    error = result.value
    case = "".join(w.capitalize() for w in error["tag"].split("-"))
    return {"Err": {case: error["val"]} if "val" in error else case}
