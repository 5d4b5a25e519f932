#!/usr/bin/env python3
"""A Python host of the leverage credentials core component.

The core (a WebAssembly component, WIT package ``leverage:credentials``) plans
``leverage credentials configure``: it reads files, asks questions and calls
AWS through imports that its host serves, and returns a plan of file changes.
This module runs it on PyPI ``wasmtime`` and serves the imports with boto3 for
AWS, plain file reads, prompts on the terminal and log lines on standard
error; ``apply`` writes a plan (temporary file + rename per file).

    core = Core()                         # the component; see component_path()
    plan = core.configure(request, TerminalHost())
    apply(plan)

Values cross the boundary as plain Python data, driven by the component's own
types: a record is a dict with snake_case keys, an enum its case name
(``"management"``), a variant ``{"tag": case, "val": payload}``, an option the
value or None, and a ``result`` returned by an import is ``Ok(value)`` or
``Err(error)``. A host is any object with one method per imported function,
named ``<interface>_<function>`` in snake_case (``aws_call_all``,
``files_read``, ``prompt_select``, ``log_line``, ...).

Run as a program, it configures the project of the current directory:
``python3 leverage_host.py --type management --credentials-file keys.csv``.
"""

from __future__ import annotations

import argparse
import ctypes
import getpass
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import wasmtime
import wasmtime.component as wc
from wasmtime import _ffi as ffi

PACKAGE = "leverage:credentials"
REPOSITORY = Path(__file__).resolve().parents[2]


def component_path(env: Optional[Dict[str, str]] = None) -> Path:
    """Where the component is: ``$LEVERAGE_COMPONENT`` when set, else the
    output of ``cargo build -p leverage``,
    ``${CARGO_TARGET_DIR:-<repository>/target}/wasm-core/wasm32-wasip2/release/leverage_core.wasm``
    (the rule the Node tests follow too; ``leverage component --write FILE``
    writes the component the CLI embeds)."""
    env = os.environ if env is None else env
    if env.get("LEVERAGE_COMPONENT"):
        return Path(env["LEVERAGE_COMPONENT"]).resolve()
    target = REPOSITORY / env["CARGO_TARGET_DIR"] if env.get("CARGO_TARGET_DIR") else REPOSITORY / "target"
    return target / "wasm-core" / "wasm32-wasip2" / "release" / "leverage_core.wasm"


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Ok:
    """The ok case of a WIT ``result``."""

    value: Any = None


@dataclass(frozen=True)
class Err:
    """The error case of a WIT ``result``."""

    value: Any = None


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _snake(name: str) -> str:
    return name.replace("-", "_")


def _pascal(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in name.split("-"))


class Style:
    """How records, enums, variants and results look on the Python side.
    ``PLAIN`` is this module's API; ``RUST`` is the serde shape of the Rust
    core's types (``{"Ok": ...}``, ``"Management"``, ``{"AccessDenied": ...}``),
    which the shared scenario table is written in."""

    def __init__(self, name: str, enum_out: Callable[[str], str], variant_out, variant_in, result_out, result_in):
        self.name = name
        self.enum_out = enum_out
        self.variant_out = variant_out  # (tag, payload or None, has_payload) -> value
        self.variant_in = variant_in  # value -> (tag-as-written, payload)
        self.result_out = result_out  # (is_ok, value) -> value
        self.result_in = result_in  # value -> (is_ok, value)


def _plain_result_in(value):
    if isinstance(value, Ok):
        return True, value.value
    if isinstance(value, Err):
        return False, value.value
    raise TypeError(f"an import returning a result must return Ok(...) or Err(...), not {value!r}")


def _plain_variant_in(value):
    if not isinstance(value, dict) or "tag" not in value:
        raise TypeError(f"expected a variant {{'tag': ..., 'val': ...}}, got {value!r}")
    return value["tag"], value.get("val")


def _rust_variant_in(value):
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value.items()))
    raise TypeError(f"expected a Rust-shaped variant, got {value!r}")


def _rust_result_in(value):
    if isinstance(value, dict) and len(value) == 1 and ("Ok" in value or "Err" in value):
        return "Ok" in value, value.get("Ok", value.get("Err"))
    raise TypeError(f'expected {{"Ok": ...}} or {{"Err": ...}}, got {value!r}')


PLAIN = Style(
    "plain",
    enum_out=lambda case: case,
    variant_out=lambda tag, payload, has: {"tag": tag, "val": payload} if has else {"tag": tag},
    variant_in=_plain_variant_in,
    result_out=lambda ok, v: Ok(v) if ok else Err(v),
    result_in=_plain_result_in,
)
RUST = Style(
    "rust",
    enum_out=_pascal,
    variant_out=lambda tag, payload, has: {_pascal(tag): payload} if has else _pascal(tag),
    variant_in=_rust_variant_in,
    result_out=lambda ok, v: {"Ok": v} if ok else {"Err": v},
    result_in=_rust_result_in,
)


def _classes(ty) -> tuple:
    found: set = set()
    ty.add_classes(found)
    return tuple(found)


def _case_of(cases, value) -> str:
    """Which case wasmtime lifted `value` from, for a variant-like type that
    wasmtime-py lifts without its tag: its cases hold distinct Python types
    (it gives a Variant only when two cases hold the same type)."""
    for name, ty in cases:
        if ty is None:
            if value is None:
                return name
        elif isinstance(value, _classes(ty)):
            return name
    raise TypeError(f"no case of the variant holds {value!r}")


def lift(ty, value, style: Style = PLAIN):
    """A value wasmtime-py returned, as `style` shows it."""
    if isinstance(ty, wc.RecordType):
        return {_snake(name): lift(t, getattr(value, name), style) for name, t in ty.fields}
    if isinstance(ty, wc.ListType):
        return [lift(ty.element, item, style) for item in value]
    if isinstance(ty, wc.OptionType):
        return None if value is None else lift(ty.payload, value, style)
    if isinstance(ty, wc.EnumType):
        return style.enum_out(value)
    if isinstance(ty, wc.ResultType):
        cases = [("ok", ty.ok), ("err", ty.err)]
        if ty._tagged():
            tag, payload = value.tag, value.payload
        else:
            tag, payload = _case_of(cases, value), value
        payload_ty = dict(cases)[tag]
        return style.result_out(tag == "ok", None if payload_ty is None else lift(payload_ty, payload, style))
    if isinstance(ty, wc.VariantType):
        cases = ty.cases
        if ty._tagged():
            tag, payload = value.tag, value.payload
        else:
            tag, payload = _case_of(cases, value), value
        payload_ty = dict(cases)[tag]
        if payload_ty is None:
            return style.variant_out(tag, None, False)
        return style.variant_out(tag, lift(payload_ty, payload, style), True)
    return value  # string, bool, integers


def lower(ty, value, style: Style = PLAIN):
    """`value`, written in `style`, as wasmtime-py takes it."""
    if isinstance(ty, wc.RecordType):
        if not isinstance(value, dict):
            raise TypeError(f"expected a record (a dict), got {value!r}")
        known = {_snake(name) for name, _ in ty.fields}
        unknown = set(value) - known
        if unknown:
            raise TypeError(f"unknown record fields {sorted(unknown)}; the record has {sorted(known)}")
        record = wc.Record()
        for name, t in ty.fields:
            key = _snake(name)
            if key not in value and not isinstance(t, wc.OptionType):
                raise TypeError(f"the record field {key} is missing")
            setattr(record, name, lower(t, value.get(key), style))
        return record
    if isinstance(ty, wc.ListType):
        return [lower(ty.element, item, style) for item in value]
    if isinstance(ty, wc.OptionType):
        return None if value is None else lower(ty.payload, value, style)
    if isinstance(ty, wc.EnumType):
        case = next((c for c in ty.names if style.enum_out(c) == value), None)
        if case is None:
            raise TypeError(f"{value!r} is not one of {[style.enum_out(c) for c in ty.names]}")
        return case
    if isinstance(ty, wc.ResultType):
        is_ok, payload = style.result_in(value)
        payload_ty = ty.ok if is_ok else ty.err
        inner = None if payload_ty is None else lower(payload_ty, payload, style)
        return _ExplicitOk(inner) if is_ok else _ExplicitErr(inner)
    if isinstance(ty, wc.VariantType):
        written, payload = style.variant_in(value)
        cases = ty.cases
        tag = next((name for name, _ in cases if style.enum_out(name) == written or name == written), None)
        if tag is None:
            raise TypeError(f"{written!r} is not a case of the variant {[name for name, _ in cases]}")
        payload_ty = dict(cases)[tag]
        inner = None if payload_ty is None else lower(payload_ty, payload, style)
        # wasmtime-py takes a Variant when two cases hold the same Python
        # type, and the bare payload (None for a case without one) otherwise.
        return wc.Variant(tag, inner) if ty._tagged() else inner
    return value


@dataclass(frozen=True)
class _ExplicitOk:
    value: Any


@dataclass(frozen=True)
class _ExplicitErr:
    value: Any


def _lower_result_explicitly(original):
    """wasmtime-py 50 picks a result's case from the Python type of the value,
    and an ok type that admits None (`result<option<string>, files-error>`)
    then takes every value, errors included. `lower` marks the case instead,
    and this lowers a marked value to that very case."""

    def convert_to_c(self, store, val, ptr):
        if not isinstance(val, (_ExplicitOk, _ExplicitErr)):
            return original(self, store, val, ptr)
        payload_ty = self.ok if isinstance(val, _ExplicitOk) else self.err
        raw = None
        if payload_ty is not None:
            c_val = ffi.wasmtime_component_val_t()
            payload_ty.convert_to_c(store, val.value, ctypes.pointer(c_val))
            raw = ffi.wasmtime_component_val_new(ctypes.byref(c_val))
        ptr.contents.kind = ffi.WASMTIME_COMPONENT_RESULT
        ptr.contents.of.result.is_ok = isinstance(val, _ExplicitOk)
        ptr.contents.of.result.val = raw

    convert_to_c.explicit = True
    return convert_to_c


if not getattr(wc.ResultType.convert_to_c, "explicit", False):
    wc.ResultType.convert_to_c = _lower_result_explicitly(wc.ResultType.convert_to_c)


# ---------------------------------------------------------------- the component


class ConfigureError(Exception):
    """The core's `configure-error`: nothing should be written. `error` is
    the variant (`{"tag": "invalid-input", "val": {...}}`); its text is one
    paragraph meant for a person and holds no secret."""

    def __init__(self, error):
        self.error = error
        val = error.get("val")
        text = val.get("message") if isinstance(val, dict) else val
        super().__init__(f"{error['tag']}: {text}" if text else error["tag"])


class Core:
    """The component, compiled once; every `configure` runs in a fresh
    instance (a trap poisons an instance)."""

    def __init__(self, path: Optional[os.PathLike] = None, engine: Optional[wasmtime.Engine] = None):
        self.path = Path(path) if path is not None else component_path()
        if not self.path.is_file():
            raise FileNotFoundError(
                f"no component at {self.path}: build it with `cargo build -p leverage`, "
                "or set LEVERAGE_COMPONENT (`leverage component --write core.wasm` writes it)"
            )
        self.engine = engine or wasmtime.Engine()
        self.component = wc.Component.from_file(self.engine, str(self.path))
        ty = self.component.type
        self.imports = {}  # interface name (e.g. "aws") -> {function name: FuncType}
        self.version = None
        for name, item in ty.imports(self.engine).items():
            if not name.startswith(PACKAGE + "/"):
                continue  # WASI, provided by wasmtime
            self.version = name.rpartition("@")[2]  # e.g. 0.4.0
            self.imports[name] = {
                fn: f.ty for fn, f in item.ty.exports(self.engine).items() if isinstance(f.ty, wc.FuncType)
            }
        exports = ty.exports(self.engine)
        self.configure_type = exports["configure"].ty
        self.export_types = {name: item.ty for name, item in exports.items() if isinstance(item.ty, wc.FuncType)}

    def _linker(self, host, style: Style) -> wc.Linker:
        linker = wc.Linker(self.engine)
        linker.add_wasip2()
        with linker.root() as root:
            for name, functions in self.imports.items():
                interface = _snake(name[len(PACKAGE) + 1 :].split("@")[0])
                with root.add_instance(name) as instance:
                    for fn, fty in functions.items():
                        method = getattr(host, f"{interface}_{_snake(fn)}", None)
                        if method is None:
                            raise TypeError(
                                f"the host serves no {name} function {fn}: it needs a method {interface}_{_snake(fn)}"
                            )
                        instance.add_func(fn, _serving(method, fty, style))
        return linker

    def call(self, request, host, style: Style = PLAIN):
        """`configure(request)` with `host` serving the imports; the result
        as `style` shows it (PLAIN: Ok(plan) or Err(configure-error))."""
        store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        wasi.inherit_stderr()
        store.set_wasi(wasi)
        instance = self._linker(host, style).instantiate(store, self.component)
        configure = instance.get_func(store, "configure")
        (_, request_ty), = self.configure_type.params
        result = configure(store, lower(request_ty, request, style))
        configure.post_return(store)
        return lift(self.configure_type.result, result, style)

    def call_export(self, name: str, args: list, host, style: Style = PLAIN):
        """Any export, by name, with `host` serving the imports."""
        store = wasmtime.Store(self.engine)
        wasi = wasmtime.WasiConfig()
        wasi.inherit_stderr()
        store.set_wasi(wasi)
        instance = self._linker(host, style).instantiate(store, self.component)
        func = instance.get_func(store, name)
        fty = self.export_types[name]
        result = func(store, *(lower(t, a, style) for (_, t), a in zip(fty.params, args)))
        func.post_return(store)
        return lift(fty.result, result, style)

    def rotate(self, request: dict, host) -> dict:
        """The first half of `credentials rotate`: a rotation (a dict: `plan`,
        `state`, `report`), or ConfigureError (any new key was deleted again)."""
        outcome = self.call_export("rotate", [request], host)
        if isinstance(outcome, Err):
            raise ConfigureError(outcome.value)
        return outcome.value

    def finish_rotation(self, state: dict, applied, host) -> dict:
        """The second half: `applied` is Ok(None) when the plan was written,
        else Err(why). Returns the rotate report."""
        return self.call_export("finish-rotation", [state, applied], host)

    def configure(self, request: dict, host) -> dict:
        """The plan (a dict: `changes`, `report`), or ConfigureError."""
        outcome = self.call(request, host, PLAIN)
        if isinstance(outcome, Err):
            raise ConfigureError(outcome.value)
        return outcome.value


def _serving(method, fty: wc.FuncType, style: Style):
    params = [t for _, t in fty.params]
    result_ty = fty.result

    def serve(_store, *args):
        answer = method(*(lift(t, a, style) for t, a in zip(params, args)))
        return None if result_ty is None else lower(result_ty, answer, style)

    return serve


# ---------------------------------------------------------------- the imports


_INVALID_KEYS = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "ExpiredToken",
    "ExpiredTokenException",
}
_THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}


def aws_error(request_tag: str, exc: Exception) -> dict:
    """An exception of boto3 as the WIT's `aws-error` record."""
    import botocore.exceptions as bx

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code") or None
        message = error.get("Message") or str(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _INVALID_KEYS or (request_tag == "get-caller-identity" and status == 403):
            kind = "invalid-credentials"
        elif code == "AWSOrganizationsNotInUseException":
            kind = "organization-not-in-use"
        elif code in ("AccessDenied", "AccessDeniedException") or status == 403:
            kind = "access-denied"
        elif code in _THROTTLED:
            kind = "throttled"
        else:
            kind = "other"
        return {"kind": kind, "code": code, "message": message}
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError, bx.ConnectionError)):
        return {"kind": "network", "code": None, "message": str(exc)}
    return {"kind": "other", "code": None, "message": str(exc)}


def _aws_call(call: dict):
    """One call of `aws.call-all`, with exactly the keys it carries (never
    ambient credentials); the endpoint follows AWS_ENDPOINT_URL as botocore
    reads it."""
    import boto3

    keys = call["credentials"]
    session = boto3.session.Session(
        aws_access_key_id=keys["access_key_id"],
        aws_secret_access_key=keys["secret_access_key"],
        aws_session_token=keys.get("session_token"),
        region_name=call["region"],
    )
    request = call["request"]
    tag = request["tag"]
    try:
        if tag == "get-caller-identity":
            who = session.client("sts").get_caller_identity()
            return Ok(
                {"tag": "caller-identity", "val": {"account": who["Account"], "arn": who["Arn"], "user_id": who["UserId"]}}
            )
        if tag == "list-accounts":
            pages = session.client("organizations").get_paginator("list_accounts")
            accounts = [
                {"id": a["Id"], "name": a["Name"], "email": a["Email"]}
                for page in pages.paginate(PaginationConfig={"PageSize": 20})
                for a in page["Accounts"]
            ]
            return Ok({"tag": "accounts", "val": accounts})
        if tag == "describe-organization":
            organization = session.client("organizations").describe_organization()["Organization"]
            return Ok(
                {
                    "tag": "organization",
                    "val": {"id": organization["Id"], "management_account_id": organization["MasterAccountId"]},
                }
            )
        if tag == "list-mfa-devices":
            user = request.get("val")
            pages = session.client("iam").get_paginator("list_mfa_devices")
            kwargs = {"UserName": user} if user is not None else {}
            serials = [d["SerialNumber"] for page in pages.paginate(**kwargs) for d in page["MFADevices"]]
            return Ok({"tag": "mfa-devices", "val": serials})
        if tag in _KEY_CALLS:
            return _KEY_CALLS[tag](session.client("iam"), request.get("val"))
        return Err({"kind": "other", "code": None, "message": f"this host cannot make the request {tag}"})
    except Exception as exc:  # every failure of one call is that call's answer
        return Err(aws_error(tag, exc))


def _age_days(date) -> Optional[int]:
    import datetime

    return max(0, (datetime.datetime.now(datetime.timezone.utc) - date).days)


def _list_access_keys(iam, user):
    listed = iam.list_access_keys(**({"UserName": user} if user is not None else {}))["AccessKeyMetadata"]
    keys = [
        {
            "access_key_id": k["AccessKeyId"],
            "status": "active" if k["Status"] == "Active" else "inactive",
            "created": k["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "age_days": _age_days(k["CreateDate"]),
            "last_used": None,
        }
        for k in listed
    ]
    return Ok({"tag": "access-keys", "val": keys})


def _last_used(iam, key_id):
    used = iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"].get("LastUsedDate")
    return Ok({"tag": "last-used", "val": used.strftime("%Y-%m-%dT%H:%M:%SZ") if used else None})


def _create_access_key(iam, user):
    key = iam.create_access_key(**({"UserName": user} if user is not None else {}))["AccessKey"]
    creds = {"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"], "session_token": None}
    return Ok({"tag": "created-key", "val": creds})


def _key_args(ref):
    args = {"AccessKeyId": ref["access_key_id"]}
    if ref.get("user_name") is not None:
        args["UserName"] = ref["user_name"]
    return args


def _update_access_key(iam, change):
    status = "Active" if change["status"] == "active" else "Inactive"
    iam.update_access_key(Status=status, **_key_args(change["key"]))
    return Ok({"tag": "done"})


def _delete_access_key(iam, ref):
    iam.delete_access_key(**_key_args(ref))
    return Ok({"tag": "done"})


# The IAM key calls, by request case: (client, the case's payload) -> reply.
_KEY_CALLS = {
    "list-access-keys": _list_access_keys,
    "access-key-last-used": _last_used,
    "create-access-key": _create_access_key,
    "update-access-key": _update_access_key,
    "delete-access-key": _delete_access_key,
}


class TerminalHost:
    """The imports served for real: AWS with boto3, files from the disk,
    questions on the terminal, progress on standard error."""

    def __init__(self, interactive: Optional[bool] = None, verbose: bool = False, stdin=None, out=None):
        self.stdin = stdin if stdin is not None else sys.stdin
        self.out = out if out is not None else sys.stderr
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.verbose = verbose
        self._stdin_text: Optional[Any] = None

    # aws: the calls are independent, so they are made at the same time.
    def aws_call_all(self, calls: List[dict]) -> List[Any]:
        if len(calls) <= 1:
            return [_aws_call(c) for c in calls]
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(_aws_call, calls))

    def aws_wait(self, milliseconds: int):
        time.sleep(milliseconds / 1000)

    # files: read-only; only "nothing there" is none.
    def files_read(self, path: str):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return Ok(None)
        except IsADirectoryError:
            return Err({"tag": "is-directory"})
        except PermissionError:
            return Err({"tag": "permission-denied"})
        except OSError as e:
            return Err({"tag": "other", "val": e.strerror or str(e)})
        return _text(data)

    def files_read_stdin(self):
        if self._stdin_text is None:
            try:
                self._stdin_text = _text(self.stdin.buffer.read())
            except OSError as e:
                self._stdin_text = Err({"tag": "other", "val": e.strerror or str(e)})
        return self._stdin_text

    # prompt: a cancelled question (Ctrl-C, end of input) is `cancelled`;
    # without a terminal, the answer is named: what the core says gives it.
    def _ask(self, question: dict, shown: str, read: Callable[[str], str]):
        if not self.interactive:
            return Err({
                "tag": "unavailable",
                "val": f"cannot ask “{question['text']}”: there is no terminal; give the answer with {question['answered_by']}",
            })
        try:
            return Ok(read(shown))
        except (EOFError, KeyboardInterrupt):
            return Err({"tag": "cancelled"})

    def prompt_text(self, question: dict, default: Optional[str]):
        text = question["text"]
        shown = f"{text} [{default}]: " if default else f"{text}: "
        answer = self._ask(question, shown, input)
        if isinstance(answer, Ok) and answer.value == "" and default is not None:
            return Ok(default)
        return answer

    def prompt_secret(self, question: dict):
        return self._ask(question, f"{question['text']}: ", getpass.getpass)

    def prompt_select(self, question: dict, choices: List[str], default: int):
        def pick(_):
            print(question["text"], file=self.out)
            for i, choice in enumerate(choices, 1):
                print(f"  {i}) {choice}", file=self.out)
            while True:
                answer = input(f"Choose 1-{len(choices)} [{default + 1}]: ").strip()
                if answer == "":
                    return default
                if answer.isdigit() and 1 <= int(answer) <= len(choices):
                    return int(answer) - 1
                print(f"Type a number from 1 to {len(choices)}.", file=self.out)

        return self._ask(question, question["text"], pick)

    # log: lines never hold a secret.
    def log_line(self, level: str, message: str):
        if level != "debug" or self.verbose:
            print(f"{level}: {message}", file=self.out)


def _text(data: bytes):
    try:
        return Ok(data.decode("utf-8"))  # a byte-order mark is kept: the core strips it
    except UnicodeDecodeError:
        return Err({"tag": "not-text"})


# ---------------------------------------------------------------- applying a plan


class Conflict(Exception):
    """A file no longer holds what the plan was made from."""


def _current(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except FileNotFoundError:
        return None


def apply(plan: dict) -> List[str]:
    """Writes every change of `plan`; returns the paths written.

    Minimal, but never half-writes a file: first every target must still
    hold the change's `before` (else Conflict, nothing written); then each
    `after` goes to a temporary file beside its target (a new file that
    holds secrets is created 0600, an existing file keeps its mode, a
    symbolic link is written through), flushed to disk; then each temporary
    is renamed over its target, in the plan's order. Unlike the CLI it takes
    no lock, keeps no backup, and does not put files back if a rename fails
    midway (each file is still wholly old or wholly new)."""
    changes = plan["changes"]
    for change in changes:
        if _current(change["path"]) != change["before"]:
            raise Conflict(f"{change['path']} was changed by something else while the plan was made; plan again")
    staged = []
    try:
        for change in changes:
            target = Path(os.path.realpath(change["path"]))
            if not target.parent.is_dir():
                target.parent.mkdir(mode=0o700, parents=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((temporary, target))
            with os.fdopen(fd, "wb") as f:
                if target.exists():
                    os.fchmod(f.fileno(), target.stat().st_mode & 0o7777)
                elif not change["holds_secrets"]:
                    umask = os.umask(0)
                    os.umask(umask)
                    os.fchmod(f.fileno(), 0o666 & ~umask)
                # else: mkstemp made it 0600
                f.write(change["after"].encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    for directory in {target.parent for _, target in staged}:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return [change["path"] for change in changes]


# ---------------------------------------------------------------- the program


def project_root(cwd: Path) -> Path:
    """The git top-level of `cwd`, else `cwd` (as the CLI finds it)."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        return Path(top) if top else cwd
    except (OSError, subprocess.CalledProcessError):
        return cwd


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Configure AWS CLI credentials with the credentials core, from Python.")
    parser.add_argument("--type", required=True, type=str.lower, choices=["bootstrap", "management", "security"])
    parser.add_argument("--credentials-file")
    parser.add_argument("--fetch-mfa-device", action="store_true")
    parser.add_argument("--non-interactive", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--aws-root", default=str(Path.home() / ".aws"))
    parser.add_argument("--component", help="the component file (default: see component_path)")
    args = parser.parse_args(argv)

    cwd = Path.cwd()
    request = {
        "credentials_type": args.type,
        "credentials_file": str(Path(args.credentials_file).resolve()) if args.credentials_file not in (None, "-") else args.credentials_file,
        "fetch_mfa_device": args.fetch_mfa_device,
        "overwrite_existing_credentials": False,
        "skip_access_keys_setup": False,
        "skip_assumable_roles_setup": False,
        "non_interactive": args.non_interactive,
        "all_accounts": False,
        "prune": False,
        "skip_account_check": False,
        "project_root": str(project_root(cwd)),
        "current_dir": str(cwd),
        "aws_root": str(Path(args.aws_root).resolve()),
    }
    try:
        plan = Core(args.component).configure(request, TerminalHost(interactive=False if args.non_interactive else None))
    except ConfigureError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2 if e.error["tag"] == "usage" else 1
    except (FileNotFoundError, Conflict) as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    for change in plan["changes"]:
        print(f"{'would write' if args.dry_run else 'writing'} {change['path']}", file=sys.stderr)
    if not args.dry_run:
        try:
            apply(plan)
        except (Conflict, OSError) as e:
            print(f"Error: {e}", file=sys.stderr)
            return 1
    print(json.dumps(plan["report"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
