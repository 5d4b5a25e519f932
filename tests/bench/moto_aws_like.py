#!/usr/bin/env python3
"""`moto_server`, patched to cost what AWS costs per call (bench row 4).

Usage: moto_aws_like.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)

moto 5.2 does work in proportion to the size of the organization on every
request, which would make a benchmark of 5,000 accounts measure moto:
- every request looks up its access key in the IAM backend of every known
  account (one per organization account), unless MOTO_ACCOUNT_ID pins the
  account: set here, as every key the benchmark uses lives in moto's default
  account;
- every ListAccounts page describes, sorts and scans all accounts to find its
  place; replaced here by a slice of the creation-ordered list (the order moto
  sorts by), so a page costs the same whatever the organization's size.
Pages follow AWS's ListAccounts contract: at most 20 accounts a page, 20 when
MaxResults is absent (moto's default is 100 and it accepts any MaxResults).

With BENCH_MOTO_CALLS=<path>, each ListAccounts call appends one line
`ListAccounts <MaxResults or -> <accounts returned>` to that file, so tests
can count pages.
"""
import os
import sys

os.environ.setdefault("MOTO_ACCOUNT_ID", "123456789012")

from moto.organizations.models import OrganizationsBackend  # noqa: E402
from moto.organizations.exceptions import AWSOrganizationsNotInUseException  # noqa: E402
from moto.core.exceptions import JsonRESTError  # noqa: E402
import moto.server  # noqa: E402

AWS_MAX_PAGE = 20
CALLS = os.environ.get("BENCH_MOTO_CALLS")


def list_accounts(self, max_results=None, next_token=None):
    if self.org is None:
        raise AWSOrganizationsNotInUseException
    if max_results is not None and not 1 <= max_results <= AWS_MAX_PAGE:
        raise JsonRESTError(
            "InvalidInputException",
            f"MaxResults must be between 1 and {AWS_MAX_PAGE}",
        )
    limit = max_results or AWS_MAX_PAGE
    try:
        start = int(next_token) if next_token else 0
    except ValueError:
        raise JsonRESTError("InvalidInputException", "invalid NextToken")
    page = self.accounts[start : start + limit]
    end = start + len(page)
    token = str(end) if end < len(self.accounts) else None
    if CALLS:
        with open(CALLS, "a") as calls:
            calls.write(f"ListAccounts {max_results if max_results is not None else '-'} {len(page)}\n")
    return [account.describe() for account in page], token


OrganizationsBackend.list_accounts = list_accounts

if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
    import moto_server  # noqa: E402

    moto_server.patch()
    moto.server.main(sys.argv[1:])
