#!/usr/bin/env python3
"""Build a benchmark's AWS state in a running moto server, with boto3.

Like tests/e2e/moto_state.py, but made for large organizations: it prints
progress on stderr while it creates accounts.

Reads a JSON spec on stdin, prints a JSON result on stdout:
  spec:   {"endpoint": URL, "accounts": [names], "user": str, "mfa": int}
  result: {"org_accounts": {name: id}, "user": {"access_key_id",
           "secret_access_key", "arn", "mfa": [serials]}}
"""
import json
import sys
import time

import boto3

spec = json.load(sys.stdin)
common = dict(
    endpoint_url=spec["endpoint"],
    region_name="us-east-1",
    aws_access_key_id="AKIASETUPSETUPSETUP0",
    aws_secret_access_key="setupsetupsetupsetupsetupsetupsetupsetup",
)
result = {"org_accounts": {}, "user": None}

org = boto3.client("organizations", **common)
org.create_organization(FeatureSet="ALL")
names = spec.get("accounts", [])
started = time.monotonic()
last_report = started
for index, name in enumerate(names, 1):
    status = org.create_account(AccountName=name, Email=f"aws+{name}@example.com")["CreateAccountStatus"]
    result["org_accounts"][name] = status["AccountId"]
    now = time.monotonic()
    if len(names) >= 500 and (now - last_report >= 10 or index == len(names)):
        last_report = now
        print(f"    moto: {index}/{len(names)} accounts created ({now - started:.0f} s)", file=sys.stderr, flush=True)

iam = boto3.client("iam", **common)
name = spec.get("user", "jane")
arn = iam.create_user(UserName=name)["User"]["Arn"]
key = iam.create_access_key(UserName=name)["AccessKey"]
serials = []
for i in range(spec.get("mfa", 1)):
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{name}-device-{i}")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=name,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    serials.append(device["SerialNumber"])
result["user"] = {
    "access_key_id": key["AccessKeyId"],
    "secret_access_key": key["SecretAccessKey"],
    "arn": arn,
    "mfa": serials,
}
json.dump(result, sys.stdout)
