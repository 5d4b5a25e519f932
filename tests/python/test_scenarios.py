"""The shared scenario table (tests/fixtures/scenarios/table.json) through the
component on PyPI wasmtime: every plan must be, byte for byte, what the native
core recorded in plans.json, with the world's files served from memory and
from a real directory by the host's own `files_read`."""

import json

import leverage_host
import scripted


def recorded_plans() -> str:
    return (scripted.FIXTURES / "plans.json").read_text(encoding="utf-8")


def check(outcomes):
    native = json.loads(recorded_plans())
    for (name, outcome), expected in zip(outcomes, native):
        # Scenario by scenario first, so a failure names the scenario.
        assert expected["name"] == name, "plans.json is not recorded from this table"
        mine = scripted.recorded("outcome", [(name, outcome)])
        assert mine == scripted.recorded("outcome", [(name, expected["outcome"])]), f"{name}: the plan differs"
    assert scripted.recorded("outcome", outcomes) == recorded_plans()


def test_python_host_writes_the_recorded_plans_byte_for_byte(core):
    outcomes = [
        (s["name"], core.call(s["request"], scripted.ScriptedHost(s["world"]), leverage_host.RUST))
        for s in scripted.table()
    ]
    check(outcomes)


def test_python_host_writes_the_recorded_plans_with_files_read_from_disk(core, tmp_path):
    outcomes = []
    for s in scripted.table():
        # The world's absolute paths live under a scenario's own root; every
        # path of the request gets that prefix, taken off the plan again.
        root = tmp_path / s["name"]
        for path, content in s["world"].get("files", {}).items():
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode("utf-8"))
        for path in s["world"].get("directories", []):
            (root / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
        request = dict(s["request"])
        for key in ("project_root", "current_dir", "aws_root"):
            request[key] = f"{root}{request[key]}"
        if request["credentials_file"] not in (None, "-"):
            request["credentials_file"] = f"{root}{request['credentials_file']}"
        host = scripted.ScriptedHost(s["world"], files=leverage_host.TerminalHost(interactive=False))
        outcome = core.call(request, host, leverage_host.RUST)
        outcomes.append((s["name"], json.loads(json.dumps(outcome).replace(str(root), ""))))
    check(outcomes)


def test_the_table_covers_every_kind_of_run():
    names = " ".join(s["name"] for s in scripted.table())
    for kind in ["bootstrap", "management", "security", "mfa", "access-denied", "malformed", "skip", "overwrite"]:
        assert kind in names, f"no scenario covers {kind}"
    outcomes = [next(iter(p["outcome"])) for p in json.loads(recorded_plans())]
    assert "Ok" in outcomes and "Err" in outcomes
