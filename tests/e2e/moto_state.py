#!/usr/bin/env python3
"""Build AWS state in a running moto server for one end-to-end test.

Reads a JSON spec on stdin, prints a JSON result on stdout:
  spec:   {"endpoint": URL, "organization": bool, "accounts": [names],
           "users": [{"name": str, "mfa": int, "deny_organizations": bool,
                      "deny": [actions], "second_key": bool, "account": name}],
           "enforce_auth": bool}
  result: {"org_accounts": {name: id}, "management_account_id": id (moto
           lists that account as `master`), "users": {name: {"access_key_id",
           "secret_access_key", "arn", "account_id", "mfa": [serials]}}}
State is made with auth off; with enforce_auth, moto then checks every
signature, so wrong keys are rejected as on AWS. Every user may do anything
("Allow *"), except that a user with deny_organizations also has a Deny on
organizations:* (ListAccounts then answers AccessDenied, as it does to the
security users of a Leverage organization); mfa is the number of virtual MFA
devices made and enabled for the user; deny lists more actions the user is
denied; second_key gives the user a second, inactive key (its id is
`second_access_key_id`); account names the organization account the user
belongs to (default: moto's default account, the management account), so
that STS names that account as the keys' own.
"""
import json
import sys
import urllib.request

import boto3

spec = json.load(sys.stdin)
endpoint = spec["endpoint"]
common = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIASETUPSETUPSETUP0",
    aws_secret_access_key="setupsetupsetupsetupsetupsetupsetupsetup",
)
result = {"org_accounts": {}, "users": {}}

if spec.get("organization"):
    org = boto3.client("organizations", **common)
    organization = org.create_organization(FeatureSet="ALL")["Organization"]
    result["management_account_id"] = organization["MasterAccountId"]
    for name in spec.get("accounts", []):
        status = org.create_account(AccountName=name, Email=f"aws+{name}@example.com")["CreateAccountStatus"]
        result["org_accounts"][name] = status["AccountId"]



def iam_of(account_id):
    """An IAM client acting in `account_id` (moto's own header), or in moto's default account."""
    client = boto3.client("iam", **common)
    if account_id:
        def in_account(request, **_):
            request.headers["x-moto-account-id"] = account_id

        client.meta.events.register("before-send.iam.*", in_account)
    return client


for user in spec.get("users", []):
    name = user["name"]
    account_id = result["org_accounts"][user["account"]] if user.get("account") else None
    iam = iam_of(account_id)
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(
        UserName=name,
        PolicyName="everything",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    if user.get("deny_organizations"):
        iam.put_user_policy(
            UserName=name,
            PolicyName="no-organizations",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Deny", "Action": "organizations:*", "Resource": "*"}],
                }
            ),
        )
    if user.get("deny"):
        iam.put_user_policy(
            UserName=name,
            PolicyName="denied",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": user["deny"], "Resource": "*"}]}
            ),
        )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    second = None
    if user.get("second_key"):
        second = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        iam.update_access_key(UserName=name, AccessKeyId=second, Status="Inactive")
    serials = []
    for i in range(user.get("mfa", 0)):
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{name}-device-{i}")["VirtualMFADevice"]
        iam.enable_mfa_device(
            UserName=name,
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
        serials.append(device["SerialNumber"])
    result["users"][name] = {
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
        "arn": arn,
        "account_id": arn.split(":")[4],
        "mfa": serials,
        "second_access_key_id": second,
    }

if spec.get("enforce_auth"):
    request = urllib.request.Request(
        endpoint + "/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST"
    )
    urllib.request.urlopen(request).read()

json.dump(result, sys.stdout)
