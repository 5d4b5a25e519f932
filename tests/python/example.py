# Plan `leverage credentials configure --type management` from Python with the core component.
# Usage: python3 example.py <core.wasm> <project-dir> <keys.csv> <aws-dir>
# AWS is called with boto3, which follows the usual environment (e.g. AWS_ENDPOINT_URL).
import sys

from leverage_host import ConfigureError, Core, TerminalHost

wasm, project, keys, aws_root = sys.argv[1:]
core = Core(wasm)  # compiled once; every configure runs in a fresh instance
request = {  # records are dicts with snake_case keys; a missing option is None
    "credentials_type": "management", "credentials_file": keys, "fetch_mfa_device": False,
    "overwrite_existing_credentials": False, "skip_access_keys_setup": False,
    "skip_assumable_roles_setup": False, "non_interactive": True, "all_accounts": False,
    "prune": False, "skip_account_check": False,
    "project_root": project, "current_dir": project, "aws_root": aws_root,
}
try:
    # aws: boto3, files: the disk, prompt: the terminal (none here), log: standard error.
    plan = core.configure(request, TerminalHost(interactive=False))
except ConfigureError as e:
    print("error:", e.error, file=sys.stderr)  # a configure-error variant: {"tag": ..., "val": ...}
    sys.exit(1)
# Show the plan with secrets masked; leverage_host.apply(plan) would write every change.
for change in plan["changes"]:
    print(f"--- {change['path']}\n{change['masked_after']}")
print([profile["name"] for profile in plan["report"]["profiles"]])
