"""End to end: the Python host configures a project against a local AWS
emulator (moto_server on a free loopback port), and the real AWS CLI then
assumes a role through a profile the host wrote."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

HOST_PROGRAM = Path(__file__).with_name("leverage_host.py")
PROJECT_YAML = """project_name: binbash
short_name: bb
primary_region: us-east-1
organization:
  accounts:
  - name: management
    email: aws+management@example.com
  - name: security
    email: aws+security@example.com
  - name: shared
    email: aws+shared@example.com
"""


def test_python_host_configures_a_project_the_aws_cli_then_assumes_a_role_with(emulator, tmp_path):
    setup = dict(endpoint_url=emulator, region_name="us-east-1", aws_access_key_id="AKIASETUPSETUPSETUP0",
                 aws_secret_access_key="setupsetupsetupsetupsetupsetupsetupsetup")
    org = boto3.client("organizations", **setup)
    org.create_organization(FeatureSet="ALL")
    ids = {name: org.create_account(AccountName=f"binbash-{name}", Email=f"aws+{name}@example.com")
           ["CreateAccountStatus"]["AccountId"] for name in ["security", "shared"]}
    iam = boto3.client("iam", **setup)
    iam.create_user(UserName="jane")
    key = iam.create_access_key(UserName="jane")["AccessKey"]

    project = tmp_path / "project"
    project.mkdir()
    (project / "project.yaml").write_text(PROJECT_YAML)
    keys = tmp_path / "jane_accessKeys.csv"
    with open(keys, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([["Access key ID", "Secret access key"], [key["AccessKeyId"], key["SecretAccessKey"]]])
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "AWS_ENDPOINT_URL": emulator,
           "AWS_EC2_METADATA_DISABLED": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    if "LEVERAGE_COMPONENT" in os.environ:
        env["LEVERAGE_COMPONENT"] = os.environ["LEVERAGE_COMPONENT"]

    run = subprocess.run(
        [sys.executable, str(HOST_PROGRAM), "--type", "MANAGEMENT", "--credentials-file", str(keys),
         "--non-interactive", "--aws-root", str(home / ".aws")],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert key["SecretAccessKey"] not in run.stdout + run.stderr, "the secret was shown"
    report = json.loads(run.stdout)
    assert report["profile"] == "bb-management" and report["keys_written"]
    assert "bb-shared-oaar" in [p["name"] for p in report["profiles"]]

    credentials = home / ".aws" / "bb" / "credentials"
    config = home / ".aws" / "bb" / "config"
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    assert f"aws_secret_access_key = {key['SecretAccessKey']}" in credentials.read_text()
    assert f"role_arn = arn:aws:iam::{ids['shared']}:role/OrganizationAccountAccessRole" in config.read_text()
    assert ids["shared"] in (project / "project.yaml").read_text(), "the account id was not written back"

    # The real AWS CLI assumes the role of the generated profile.
    aws = subprocess.run(
        ["aws", "sts", "get-caller-identity", "--profile", "bb-shared-oaar", "--output", "json"],
        env={**env, "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
             "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True, text=True, timeout=120,
    )
    assert aws.returncode == 0, aws.stderr
    identity = json.loads(aws.stdout)
    assert identity["Account"] == ids["shared"]
    assert identity["Arn"].startswith(f"arn:aws:sts::{ids['shared']}:assumed-role/OrganizationAccountAccessRole/")


def test_python_host_rotates_keys_through_the_rotate_exports(core, emulator, tmp_path, monkeypatch, capsys):
    """`rotate` and `finish-rotation`, served by boto3: the new key is
    written, the old one deactivated in IAM, and no secret is shown."""
    import leverage_host

    setup = dict(endpoint_url=emulator, region_name="us-east-1", aws_access_key_id="AKIASETUPSETUPSETUP0",
                 aws_secret_access_key="setupsetupsetupsetupsetupsetupsetupsetup")
    iam = boto3.client("iam", **setup)
    iam.create_user(UserName="jane")
    old = iam.create_access_key(UserName="jane")["AccessKey"]
    project = tmp_path / "project"
    project.mkdir()
    (project / "project.yaml").write_text(PROJECT_YAML)
    aws_root = tmp_path / "home" / ".aws"
    (aws_root / "bb").mkdir(parents=True)
    credentials = aws_root / "bb" / "credentials"
    credentials.write_text(
        f"[bb-management]\naws_access_key_id = {old['AccessKeyId']}\naws_secret_access_key = {old['SecretAccessKey']}\n"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    host = leverage_host.TerminalHost(interactive=False)
    request = {"credentials_type": "management", "delete_old": False, "dry_run": False, "non_interactive": True,
               "project_root": str(project), "current_dir": str(project), "aws_root": str(aws_root),
               "home_dir": str(tmp_path / "home")}

    rotation = core.rotate(request, host)
    (change,) = rotation["plan"]["changes"]
    assert change["path"] == str(credentials)
    credentials.write_text(change["after"])
    report = core.finish_rotation(rotation["state"], leverage_host.Ok(None), host)

    new_id = report["new_key_id"]
    assert new_id != old["AccessKeyId"] and new_id in credentials.read_text()
    assert report["new_key"] == "written" and report["old_key_outcome"] == "deactivated"
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="jane")["AccessKeyMetadata"]}
    assert statuses == {old["AccessKeyId"]: "Inactive", new_id: "Active"}
    new_secret = credentials.read_text().split("aws_secret_access_key = ")[1].strip()
    shown = capsys.readouterr()
    for text in (shown.out, shown.err, json.dumps(report), change["masked_after"]):
        assert new_secret not in text and old["SecretAccessKey"] not in text
