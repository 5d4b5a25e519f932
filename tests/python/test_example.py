"""The Python example of wit/README.md (tests/python/example.py) runs as an
embedder would run it: a separate process, against the AWS emulator."""

import os
import re
import subprocess
import sys
from pathlib import Path

import boto3

import leverage_host

EXAMPLE = Path(__file__).with_name("example.py")
BEGIN = "<!-- tests/python/example.py begins -->\n```python\n"
END = "```\n<!-- tests/python/example.py ends -->"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def run_example(tmp_path, endpoint, project_yaml):
    project = tmp_path / "project"
    project.mkdir()
    (project / "project.yaml").write_text(project_yaml)
    keys = tmp_path / "keys.csv"
    keys.write_text(f"\ufeffAccess key ID,Secret access key\r\n{KEY_ID},{SECRET}\r\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_ENDPOINT_URL": endpoint,
           "AWS_EC2_METADATA_DISABLED": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    args = [str(leverage_host.component_path()), str(project), str(keys), str(tmp_path / "aws")]
    return subprocess.run([sys.executable, str(EXAMPLE), *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_readme_example_plans_with_secrets_masked_and_writes_nothing(emulator, tmp_path):
    org = boto3.client("organizations", endpoint_url=emulator, region_name="us-east-1",
                       aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    org.create_organization(FeatureSet="ALL")
    shared = org.create_account(AccountName="binbash-shared", Email="aws+shared@example.com")
    shared_id = shared["CreateAccountStatus"]["AccountId"]
    run = run_example(tmp_path, emulator, "project_name: binbash\nshort_name: bb\nprimary_region: us-east-1\n"
                      "organization:\n  accounts:\n  - name: shared\n    email: aws+shared@example.com\n")
    assert run.returncode == 0, run.stderr
    assert re.search(rf"^--- {tmp_path}/aws/bb/credentials$", run.stdout, re.M)
    assert f"aws_access_key_id = {KEY_ID}" in run.stdout
    assert f"role_arn = arn:aws:iam::{shared_id}:role/OrganizationAccountAccessRole" in run.stdout
    assert run.stdout.rstrip().endswith("['bb-shared-oaar']")
    assert SECRET not in run.stdout + run.stderr, "the secret was shown"
    assert re.search(r"^info: ", run.stderr, re.M), "the log import printed nothing"
    assert not (tmp_path / "aws").exists(), "the example must only plan"


def test_the_readme_example_reports_a_configure_error_for_a_malformed_project_yaml(emulator, tmp_path):
    run = run_example(tmp_path, emulator, "short_name: bb\norganization:\n  accounts: [\n")
    assert run.returncode == 1
    assert "error: {'tag': 'invalid-input'" in run.stderr
    assert str(tmp_path / "project" / "project.yaml") in run.stderr
    assert run.stdout == ""


def test_the_readme_shows_the_tested_example():
    readme = (leverage_host.REPOSITORY / "wit" / "README.md").read_text()
    assert BEGIN in readme and END in readme, f"wit/README.md must hold the example between {BEGIN!r} and {END!r}"
    shown = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)]
    assert shown == EXAMPLE.read_text(), "the example in wit/README.md differs from tests/python/example.py"
