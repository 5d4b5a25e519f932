#!/usr/bin/env python3
"""Fills corpus/<target>/ with the seed inputs of every fuzz target.

The same seeds as `leverage_core_fuzz::seeds` (src/lib.rs), which the
stable test core-wasm/tests/fuzz_properties.rs runs: the test fixtures (and
seeds/dotenv), with the editing targets' argument bytes put in front.

    python3 seed.py && cargo +nightly fuzz run ini_set -- -max_total_time=600
"""
import hashlib
import os
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
PARAMS = [b"\xff\x00\x00\x00", b"\x01\x01\x01\x01", b"\x05\x02\x03\x04", b"\xa0\x05\x06\x05", b"\x00\x07\x07\x02", b"\xf0\x08\x09\x03"]
SOURCES = {
    "csv": [("tests/fixtures/csv", ".csv")],
    "dotenv": [("core-wasm/fuzz/seeds/dotenv", ".env")],
    "project_yaml_read": [("tests/fixtures/project-yaml", ".yaml")],
    "project_yaml_set": [("tests/fixtures/project-yaml", ".yaml")],
    "tfvars_read": [("tests/fixtures/tfvars", ".tfvars")],
    "tfvars_write_back": [("tests/fixtures/tfvars", ".tfvars")],
    "ini_parse": [("tests/fixtures/ini/cases", "input"), ("tests/fixtures/ini/cases", "expected")],
    "ini_set": [("tests/fixtures/ini/cases", "input"), ("tests/fixtures/ini/cases", "expected")],
    "flow": [("core-wasm/fuzz/seeds/flow", ".txt")],
}
TAKES_PARAMS = {"project_yaml_set", "tfvars_write_back", "ini_set", "flow"}

for target, sources in SOURCES.items():
    out = HERE / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for directory, suffix in sources:
        for path in sorted((REPO / directory).rglob("*")):
            if not path.is_file() or not path.name.endswith(suffix):
                continue
            data = path.read_bytes()
            inputs = [p + data for p in PARAMS] if target in TAKES_PARAMS else [data]
            for item in inputs:
                (out / hashlib.sha1(item).hexdigest()).write_bytes(item)
                count += 1
    print(f"{target}: {count} seed(s) in {os.path.relpath(out)}")
