#!/usr/bin/env python3
"""Writes the bad-input corpus: one folder per case, each with a case.json.

    python3 tests/bad-input/generate.py        rewrite every case folder

The cases are committed; this script is how they were made (and how to add
more: add a `case(...)` call and run it). The test that runs them is
tests/e2e/bad_input.rs (`cargo test -p leverage --test e2e bad_input::`).

case.json
---------
  about     what is wrong, in a few words
  args      the command line after `leverage`; `{home}` and `{root}` are
            replaced by the temporary HOME and project root
  env       extra environment variables (same placeholders; null removes
            one the harness sets, e.g. HOME)
  cwd       the directory to run in, relative to the project root
  stdin     standard input (a file spec, below); empty when absent
  files     path -> file spec; a path starts with `project/` (laid into the
            project root, a git work tree) or `home/` (laid into HOME)
  secrets   strings that must not appear in anything the binary prints
  expect    code: the exit code (1, or 2 for usage errors)
            where: text the `Error:` line must contain: the file as shown
              (`project.yaml`, `~/.aws/bb/credentials`...) with `:<line>`
              when the line is known, or the flag / variable to blame
            message: more texts the error paragraph must contain

A file spec is one of
  {"text": "..."}                 UTF-8 text (JSON escapes show CR, NUL, BOM)
  {"hex": "ff fe 00"}             raw bytes (invalid UTF-8)
  {"parts": [spec, ...]}          concatenated; a part may have "times": N,
                                  and "numbered": true replaces `{n}` in
                                  each copy by its index (0, 1, ...)
  {"dir": true}                   a directory where a file is expected
  {"symlink": "target"}           a symbolic link (relative to its folder)
  and "unreadable": true next to text/hex/parts: mode 000, and the binary
  runs as an unprivileged user when the test runs as root (root reads
  through mode 000).
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
OLD_KEY_ID = "AKIAI44QH8DHBEXAMPLE"
OLD_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
SECRETS = [SECRET, OLD_SECRET]

PROJECT_YAML = """\
# Project definition
project_name: binbash
short_name: bb
primary_region: us-east-1
secondary_region: us-west-2
organization:
  accounts:
  - name: management
    email: aws+management@example.com
  - name: security
    email: aws+security@example.com
  - name: shared
    email: aws+shared@example.com
    id: "333333333333"
"""

TFVARS = """\
project      = "bb"
project_long = "binbash"
region_primary   = "us-east-1"
region_secondary = "us-west-2"

accounts = {
  management = {
    email = "aws+management@example.com"
  }
  shared = {
    email = "aws+shared@example.com"
    id    = "333333333333"
  }
}
"""

CURRENT_CSV = "\ufeffAccess key ID,Secret access key\r\n%s,%s\r\n" % (KEY_ID, SECRET)

CONFIGURE = ["credentials", "configure"]
# Keys from a CSV in HOME: the CSV is read before any AWS call.
KEYS = CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file", "{home}/keys.csv", "--non-interactive"]
# Keys kept: with no keys configured nothing can read the organization, so
# the run never reaches AWS; the declared ids are used for the profiles.
SKIP_KEYS = CONFIGURE + ["--type", "MANAGEMENT", "--skip-access-keys-setup", "--non-interactive"]

CASES = []


def text(t):
    return {"text": t}


def hexbytes(b):
    return {"hex": b.hex(" ")}


def case(name, about, files, where, message=(), args=None, code=1, env=None, stdin=None, cwd=None):
    assert all(c.isalnum() or c == "-" for c in name), name
    assert name not in [c[0] for c in CASES], name
    spec = {"about": about, "args": args if args is not None else SKIP_KEYS}
    if env:
        spec["env"] = env
    if cwd:
        spec["cwd"] = cwd
    if stdin is not None:
        spec["stdin"] = stdin
    spec["files"] = {path: content for path, content in files.items() if content is not None}
    dump = json.dumps(spec)
    spec["secrets"] = [s for s in SECRETS if s in dump]
    spec["expect"] = {"code": code, "where": where, "message": list(message)}
    CASES.append((name, spec))


def yaml_project(**extra):
    files = {"project/project.yaml": text(PROJECT_YAML)}
    files.update(extra)
    return files


# ---------------------------------------------------------------------------
# The access keys CSV. The project is fine; the CSV is not.


def csv_case(name, about, content, where="~/keys.csv", message=(), **kw):
    case("csv-" + name, about, yaml_project(**{"home/keys.csv": content}), where, message, args=KEYS, **kw)


csv_case("empty", "an empty file", text(""), message=["empty"])
csv_case("only-bom", "only a byte order mark", text("\ufeff"), message=["empty"])
csv_case("only-blank-lines", "blank lines only", text("\n\r\n   \n\t\n"), message=["empty"])
csv_case("header-only", "the header row and no keys", text("Access key ID,Secret access key\n"), message=["no row with the keys"])
csv_case("header-only-bom-crlf", "the console's header with BOM and CRLF, no keys", text("\ufeffAccess key ID,Secret access key\r\n"), message=["no row with the keys"])
csv_case("header-then-blank-rows", "the header, then rows of empty fields", text("Access key ID,Secret access key\n,\n , \n\n"), message=["no row with the keys"])
csv_case("header-then-many-blank-lines", "the header, then a thousand blank lines", {"parts": [text("Access key ID,Secret access key\n"), {"text": "\n", "times": 1000}]}, message=["no row with the keys"])
csv_case("no-secret-column", "no `Secret access key` column", text("Access key ID\n%s\n" % KEY_ID), "~/keys.csv:1", ["no `Secret access key` column"])
csv_case("no-key-id-column", "no `Access key ID` column", text("Secret access key\n%s\n" % SECRET), "~/keys.csv:1", ["no `Access key ID` column"])
csv_case("neither-column", "a CSV of something else", text("User name,Password\njane,hunter2\n"), "~/keys.csv:1", ["neither"])
csv_case("keys-without-header", "the keys with no header row", text("%s,%s\n" % (KEY_ID, SECRET)), "~/keys.csv:1", ["looks like keys"])
csv_case("duplicate-column", "two `Access key ID` columns", text("Access key ID,Access key ID,Secret access key\n%s,%s,%s\n" % (KEY_ID, KEY_ID, SECRET)), "~/keys.csv:1", ["more than one"])
csv_case("swapped-values", "the values under the wrong headers", text("Access key ID,Secret access key\n%s,%s\n" % (SECRET, KEY_ID)), "~/keys.csv:2", ["swapped"])
csv_case("key-id-short", "a 19-character key id", text("Access key ID,Secret access key\n%s,%s\n" % (KEY_ID[:19], SECRET)), "~/keys.csv:2", ["access key id", "19 characters"])
csv_case("key-id-long", "a 21-character key id", text("Access key ID,Secret access key\n%sX,%s\n" % (KEY_ID, SECRET)), "~/keys.csv:2", ["access key id", "21 characters"])
csv_case("key-id-lower-case", "a key id in lower case", text("Access key ID,Secret access key\n%s,%s\n" % (KEY_ID.lower(), SECRET)), "~/keys.csv:2", ["access key id", "another character"])
csv_case("key-id-inner-space", "a space inside the key id", text("Access key ID,Secret access key\nAKIAIOSFOD NN7EXAMPL,%s\n" % SECRET), "~/keys.csv:2", ["access key id"])
csv_case("key-id-empty", "an empty key id", text("Access key ID,Secret access key\n,%s\n" % SECRET), "~/keys.csv:2", ["access key id is empty"])
csv_case("key-id-unicode", "a key id with a look-alike letter", text("Access key ID,Secret access key\nAKIAIOSFODNN7EXAMPL\u0415,%s\n" % SECRET), "~/keys.csv:2", ["access key id"])
csv_case("secret-short", "a 39-character secret", text("Access key ID,Secret access key\n%s,%s\n" % (KEY_ID, SECRET[:39])), "~/keys.csv:2", ["secret access key", "39 characters"])
csv_case("secret-long", "a 41-character secret", text("Access key ID,Secret access key\n%s,%sx\n" % (KEY_ID, SECRET)), "~/keys.csv:2", ["secret access key", "41 characters"])
csv_case("secret-bad-character", "a `-` in the secret", text("Access key ID,Secret access key\n%s,%s-\n" % (KEY_ID, SECRET[:39])), "~/keys.csv:2", ["secret access key", "another character"])
csv_case("secret-empty", "an empty secret", text("Access key ID,Secret access key\n%s,\n" % KEY_ID), "~/keys.csv:2", ["secret access key is empty"])
csv_case("row-extra-field", "a row with a third field", text("Access key ID,Secret access key\n%s,%s,extra\n" % (KEY_ID, SECRET)), "~/keys.csv:2", ["3 field(s)", "header row has 2"])
csv_case("row-missing-field", "a row with one field", text("Access key ID,Secret access key\n%s\n" % KEY_ID), "~/keys.csv:2", ["1 field(s)"])
csv_case("legacy-password-with-comma", "the create-user layout, a password with an unquoted comma", text("User name,Password,Access key ID,Secret access key,Console login link\njane,pa,ss,%s,%s,https://x.signin.aws.amazon.com/console\n" % (KEY_ID, SECRET)), "~/keys.csv:2", ["6 field(s)", "double quotes"])
csv_case("legacy-bad-key-id", "the create-user layout with a broken key id", text("User name,Password,Access key ID,Secret access key,Console login link\njane,pw,AKIA123,%s,https://x\n" % SECRET), "~/keys.csv:2", ["access key id"])
csv_case("unterminated-quote", "a quote opened and never closed", text("Access key ID,Secret access key\n\"%s,%s\n" % (KEY_ID, SECRET)), "~/keys.csv:2", ["field(s)"])
csv_case("quote-in-field", "a quote in the middle of a field", text("Access key ID,Secret access key\nAKIA\"IOSFODNN7EXAMPLE,%s\n" % SECRET), "~/keys.csv:2", ["access key id"])
csv_case("tab-separated", "tabs instead of commas", text("Access key ID\tSecret access key\n%s\t%s\n" % (KEY_ID, SECRET)), "~/keys.csv:1", ["neither"])
csv_case("semicolon-separated", "semicolons, as a spreadsheet in some locales saves it", text("Access key ID;Secret access key\n%s;%s\n" % (KEY_ID, SECRET)), "~/keys.csv:1", ["neither"])
csv_case("header-one-quoted-field", "the whole header in one quoted field", text("\"Access key ID,Secret access key\"\n%s,%s\n" % (KEY_ID, SECRET)), "~/keys.csv:1", ["neither"])
csv_case("only-commas", "separators and nothing else", text(",,,\n,,,\n"), message=["empty"])
csv_case("json-instead", "a JSON file", text('{"AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' % (KEY_ID, SECRET)), "~/keys.csv:1", ["neither"])
csv_case("ini-instead", "a credentials file given as the CSV", text("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (KEY_ID, SECRET)), "~/keys.csv:1", ["neither"])
csv_case("invalid-utf8", "Latin-1 bytes", hexbytes(b"Access key ID,Secret access key\n" + KEY_ID.encode() + b",\xe9t\xe9\n"), message=["not UTF-8"])
csv_case("utf16", "saved as UTF-16 with a byte order mark", hexbytes("Access key ID,Secret access key\r\n".encode("utf-16")), message=["not UTF-8"])
csv_case("binary-junk", "random bytes", hexbytes(bytes((i * 97 + 13) % 256 for i in range(512))), message=["not UTF-8"])
csv_case("nul-bytes", "NUL bytes in the header", text("Access\u0000key ID,Secret\u0000access key\n%s,%s\n" % (KEY_ID, SECRET)), "~/keys.csv:1", ["neither"])
csv_case("control-characters", "control characters in the key id", text("Access key ID,Secret access key\nAKIA\u0007IOSFODNN7EXAMPL,%s\n" % SECRET), "~/keys.csv:2", ["access key id"])
csv_case("huge-row", "a one-megabyte row", {"parts": [text("Access key ID,Secret access key\n%s," % KEY_ID), {"text": "A", "times": 1 << 20}, text("\n")]}, "~/keys.csv:2", ["secret access key", "characters"])
csv_case("huge-header", "a two-megabyte header line with no line end", {"parts": [{"text": "x,", "times": 1 << 20}]}, "~/keys.csv:1", ["neither"])
csv_case("cr-only-bad-key", "old Mac line ends, a bad key id on the second line", text("Access key ID,Secret access key\r%s,%s\r" % (KEY_ID[:10], SECRET)), "~/keys.csv:2", ["access key id"])
csv_case("second-row-line", "blank lines before the data row: the error names its line", text("Access key ID,Secret access key\n\n\n\nAKIA,%s\n" % SECRET), "~/keys.csv:5", ["access key id"])
csv_case("directory", "the path is a directory", {"dir": True}, message=["is a directory"])
csv_case("missing", "the file does not exist", None, message=["does not exist"])
csv_case("symlink-loop", "a symbolic link to itself", {"symlink": "keys.csv"}, message=["cannot be read"])
csv_case("dangling-symlink", "a symbolic link to nothing", {"symlink": "gone.csv"}, message=["does not exist"])
csv_case("unreadable", "no permission to read it", {"text": CURRENT_CSV, "unreadable": True}, message=["permission denied"])
csv_case("character-device", "a link to a character device (/dev/null)", {"symlink": "/dev/null"}, message=["a character device, not a regular file"])
case("csv-parent-is-a-file", "a path through a regular file", yaml_project(**{"home/keys.csv": text(CURRENT_CSV)}),
     "~/keys.csv/keys.csv", ["cannot be read"], args=CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file", "{home}/keys.csv/keys.csv", "--non-interactive"])
case("csv-relative-path-missing", "a relative path that does not exist from the current directory",
     yaml_project(**{"project/layer/README": text("a layer\n")}),
     "layer/keys.csv", ["does not exist"], args=CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file", "keys.csv", "--non-interactive"], cwd="layer")

# Standard input (`--credentials-file -`).
STDIN = CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file", "-", "--non-interactive"]
case("stdin-empty", "standard input is empty", yaml_project(), "standard input", ["empty"], args=STDIN, stdin=text(""))
case("stdin-header-only", "standard input has the header only", yaml_project(), "standard input", ["no row with the keys"], args=STDIN, stdin=text("Access key ID,Secret access key\n"))
case("stdin-invalid-utf8", "standard input is not UTF-8", yaml_project(), "standard input", ["not UTF-8"], args=STDIN, stdin=hexbytes(b"\xff\xfeA\x00"))
case("stdin-swapped", "standard input has the values swapped", yaml_project(), "standard input:2", ["swapped"], args=STDIN, stdin=text("Access key ID,Secret access key\n%s,%s\n" % (SECRET, KEY_ID)))
case("stdin-huge-junk", "four megabytes of one line on standard input", yaml_project(), "standard input:1", ["neither"], args=STDIN, stdin={"parts": [{"text": "junk;", "times": 800000}]})
case("stdin-over-size-limit", "more than 16 MiB on standard input (`yes |` never ends)", yaml_project(), "standard input", ["more than 16 MiB"], args=STDIN,
     stdin={"parts": [{"text": "y\n", "times": (16 << 20) // 2 + 1}]})
case("stdin-bad-secret", "standard input with a short secret", yaml_project(), "standard input:2", ["secret access key"], args=STDIN, stdin=text("Access key ID,Secret access key\n%s,%s\n" % (KEY_ID, SECRET[:30])))

# ---------------------------------------------------------------------------
# project.yaml: read before anything else.


def yaml_case(name, about, content, where="project.yaml", message=()):
    case("yaml-" + name, about, {"project/project.yaml": content}, where, message)


yaml_case("bad-indentation", "a key indented under a scalar", text("short_name: bb\n  primary_region: us-east-1\n"), "project.yaml:2")
yaml_case("tab-indentation", "a tab used for indentation", text("short_name: bb\norganization:\n\taccounts: []\n"), "project.yaml:3")
yaml_case("unclosed-double-quote", "a double quote never closed", text("short_name: \"bb\nprimary_region: us-east-1\n"), "project.yaml:")
yaml_case("unclosed-single-quote", "a single quote never closed", text("project_name: 'binbash\nshort_name: bb\n"), "project.yaml:")
yaml_case("unclosed-flow-sequence", "a `[` never closed", text("short_name: bb\norganization: {accounts: [\n"), "project.yaml:")
yaml_case("unclosed-flow-mapping", "a `{` never closed", text("short_name: bb\norganization: {accounts: []\n"), "project.yaml:")
yaml_case("missing-short-name", "no short_name", text("project_name: binbash\nprimary_region: us-east-1\n"), "project.yaml", ["`short_name` is missing"])
yaml_case("null-short-name", "short_name with no value", text("short_name:\nprimary_region: us-east-1\n"), "project.yaml", ["`short_name` is missing"])
yaml_case("tilde-short-name", "short_name: ~", text("short_name: ~\n"), "project.yaml", ["`short_name` is missing"])
yaml_case("empty-file", "an empty project.yaml", text(""), "project.yaml", ["`short_name` is missing"])
yaml_case("only-comments", "comments only", text("# nothing here\n# yet\n"), "project.yaml", ["`short_name` is missing"])
yaml_case("short-name-upper-case", "short_name in capitals", text("short_name: BB\n"), "project.yaml", ["`short_name` is `BB`", "lower-case"])
yaml_case("short-name-too-long", "a five-letter short_name", text("short_name: abcde\n"), "project.yaml", ["`short_name` is `abcde`"])
yaml_case("short-name-one-letter", "a one-letter short_name", text("short_name: b\n"), "project.yaml", ["`short_name` is `b`"])
yaml_case("short-name-empty-string", "short_name: \"\"", text("short_name: \"\"\n"), "project.yaml", ["`short_name`"])
yaml_case("short-name-digits", "short_name: 12 (a number)", text("short_name: 12\n"), "project.yaml:1", ["a string"])
yaml_case("short-name-bool", "short_name: true", text("short_name: true\n"), "project.yaml:1", ["a string"])
yaml_case("short-name-list", "short_name is a list", text("short_name:\n  - bb\n"), "project.yaml:2", ["a string"])
yaml_case("short-name-mapping", "short_name is a mapping", text("short_name:\n  value: bb\n"), "project.yaml:2", ["a string"])
yaml_case("short-name-huge", "a one-megabyte short_name", {"parts": [text("short_name: "), {"text": "b", "times": 1 << 20}, text("\n")]}, "project.yaml", ["`short_name` is `bbbbbbbb"])
yaml_case("short-name-with-newline-escape", "a short_name with an escaped line break", text("short_name: \"b\\nb\"\n"), "project.yaml", ["`short_name`"])
yaml_case("region-invalid", "primary_region is not a region", text("short_name: bb\nprimary_region: us-east-9\n"), "project.yaml", ["`primary_region` is `us-east-9`"])
yaml_case("region-upper-case", "primary_region in capitals", text("short_name: bb\nprimary_region: US-EAST-1\n"), "project.yaml", ["`primary_region`"])
yaml_case("region-primary-invalid", "region_primary (which wins) is not a region", text("short_name: bb\nregion_primary: mars-north-1\nprimary_region: us-east-1\n"), "project.yaml", ["`region_primary` is `mars-north-1`"])
yaml_case("region-number", "region: 1", text("short_name: bb\nregion: 1\n"), "project.yaml:2", ["a string"])
yaml_case("secondary-region-invalid", "secondary_region is not a region", text("short_name: bb\nprimary_region: us-east-1\nsecondary_region: nowhere\n"), "project.yaml", ["`secondary_region` is `nowhere`"])
yaml_case("organization-list", "organization is a list", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  - accounts\n"), "project.yaml:4", ["mapping"])
yaml_case("accounts-mapping", "organization.accounts is a mapping", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n    shared: {}\n"), "project.yaml:5")
yaml_case("accounts-string", "organization.accounts is a string", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts: all of them\n"), "project.yaml:4")
yaml_case("account-is-string", "an account entry is a plain string", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - shared\n"), "project.yaml:5")
yaml_case("account-without-name", "an account entry without name", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - email: a@example.com\n"), "project.yaml:5", ["name"])
yaml_case("account-empty-name", "an account named \"\"", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: \"\"\n"), "project.yaml:5", ["non-empty"])
yaml_case("account-name-number", "an account named 7", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: 7\n"), "project.yaml:5")
yaml_case("account-id-list", "an account id that is a list", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: shared\n    id: [1]\n"), "project.yaml:6", ["account id"])
yaml_case("account-email-number", "an email that is a number", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: shared\n    email: 42\n"), "project.yaml:6", ["a string"])
yaml_case("duplicate-key", "short_name twice", text("short_name: bb\nprimary_region: us-east-1\nshort_name: cc\n"), "project.yaml:3", ["duplicate"])
yaml_case("duplicate-key-in-account", "name twice in one account", text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts:\n  - name: shared\n    name: apps\n"), "project.yaml:6", ["duplicate"])
yaml_case("top-level-list", "the document is a list", text("- short_name: bb\n"), "project.yaml:1", ["mapping"])
yaml_case("top-level-scalar", "the document is a plain string", text("hello world\n"), "project.yaml:1", ["mapping"])
yaml_case("multi-document", "two YAML documents", text("short_name: bb\n---\nshort_name: cc\n"), "project.yaml", ["more than one document"])
yaml_case("control-characters", "control characters YAML does not allow", text("short_name: b\u0001b\n"), "project.yaml:1")
yaml_case("nul-byte", "a NUL byte", text("short_name: bb\u0000\n"), "project.yaml:1")
yaml_case("invalid-utf8", "Latin-1 bytes", hexbytes(b"project_name: caf\xe9\nshort_name: bb\n"), "project.yaml", ["not UTF-8"])
yaml_case("utf16", "saved as UTF-16", hexbytes("short_name: bb\n".encode("utf-16")), "project.yaml", ["not UTF-8"])
yaml_case("binary-junk", "random bytes", hexbytes(bytes((i * 31 + 7) % 256 for i in range(600))), "project.yaml", ["not UTF-8"])
yaml_case("deep-nesting", "ten thousand nested lists where the accounts go", {"parts": [text("short_name: bb\nprimary_region: us-east-1\norganization:\n  accounts: "), {"text": "[", "times": 10000}, {"text": "]", "times": 10000}, text("\n")]}, "project.yaml:4")
yaml_case("alias-bomb", "a billion laughs of aliases, expanded where a string is expected", text("primary_region: us-east-1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\nshort_name: *i\n"), "project.yaml")
yaml_case("undefined-alias", "an alias to an anchor that does not exist", text("short_name: *nothing\n"), "project.yaml:1", ["unknown anchor"])
yaml_case("crlf-error-line", "CRLF line ends, the error on line 4", text("# p\r\nproject_name: binbash\r\nshort_name: bb\r\nprimary_region: [\r\n"), "project.yaml:")
yaml_case("crlf-bad-value-line", "CRLF line ends, a wrong type on line 3", text("project_name: binbash\r\nshort_name: bb\r\nregion: 5\r\n"), "project.yaml:3", ["a string"])
yaml_case("lone-cr", "old Mac line ends with a duplicate key", text("short_name: bb\rprimary_region: us-east-1\rshort_name: cc\r"), "project.yaml:", ["duplicate"])
yaml_case("bom-then-error", "a byte order mark, then a wrong type", text("\ufeffshort_name: [bb]\n"), "project.yaml:1", ["a string"])
yaml_case("error-after-many-lines", "the error on line 5002", {"parts": [text("short_name: bb\nprimary_region: us-east-1\n"), {"text": "# filler\n", "times": 5000}, text("region: [1]\n")]}, "project.yaml:5003", ["a string"])
yaml_case("binary-tag", "a !!binary short_name", text("short_name: !!binary YmI=\n"), "project.yaml:1")
yaml_case("directory", "project.yaml is a directory", {"dir": True}, "project.yaml", ["is a directory"])
yaml_case("unreadable", "no permission to read project.yaml", {"text": PROJECT_YAML, "unreadable": True}, "project.yaml", ["permission denied"])
yaml_case("symlink-loop", "project.yaml links to itself", {"symlink": "project.yaml"}, "project.yaml", ["cannot be read"])
yaml_case("character-device", "project.yaml links to a character device (/dev/null)", {"symlink": "/dev/null"}, "project.yaml", ["a character device, not a regular file"])
yaml_case("over-size-limit", "a valid project.yaml padded with comments past 16 MiB", {"parts": [text(PROJECT_YAML), {"text": "# " + "padding " * 7 + "\n", "times": (16 << 20) // 58 + 1}]},
          "project.yaml", ["larger than 16 MiB"])
yaml_case("nesting-100000-unknown-key", "100,000 nested lists under a key nobody reads (libyaml takes the square of the depth)",
          {"parts": [text("short_name: bb\nprimary_region: us-east-1\nx: "), {"text": "[", "times": 100000}, {"text": "]", "times": 100000}, text("\n")]}, "project.yaml:3", ["nested more than 64 levels"])
yaml_case("nesting-70-block-levels", "mappings nested 70 levels deep under a key nobody reads",
          {"parts": [text("short_name: bb\nprimary_region: us-east-1\n")] + [text(" " * i + "k%d:\n" % i) for i in range(70)] + [text(" " * 70 + "v\n")]}, "project.yaml:67", ["nested more than 64 levels"])

# ---------------------------------------------------------------------------
# build.env (every one from the root down to the current directory).


def env_case(name, about, content, where="build.env", message=(), cwd=None, files=None, **kw):
    all_files = yaml_project(**{"project/build.env": content}) if files is None else files
    case("build-env-" + name, about, all_files, where, message, cwd=cwd, **kw)


env_case("no-equals", "a line without `=`", text("PROJECT=bb\nTERRAFORM_IMAGE_TAG\n"), "build.env:2", ["no `=`"])
env_case("no-name", "`=value` with no name", text("PROJECT=bb\n=value\n"), "build.env:2", ["no variable name"])
env_case("name-starts-with-digit", "a name starting with a digit", text("1PROJECT=bb\n"), "build.env:1", ["`1PROJECT` is not a valid variable name"])
env_case("name-with-dash", "a name with `-`", text("PROJECT=bb\nMY-VAR=1\n"), "build.env:2", ["`MY-VAR`"])
env_case("name-with-space", "a name with a space", text("PROJECT=bb\nMY VAR=1\n"), "build.env:2", ["a space"])
env_case("unclosed-double-quote", "a double quote never closed", text("PROJECT=\"bb\n"), "build.env:1", ["not closed"])
env_case("unclosed-single-quote", "a single quote never closed", text("PROJECT=bb\nX='a\n"), "build.env:2", ["not closed"])
env_case("text-after-quote", "text after the closing quote", text("PROJECT=\"bb\" extra\n"), "build.env:1", ["after the closing quote"])
env_case("multi-line-value", "a quoted value spanning lines", text("PROJECT=bb\nNOTE=\"line one\nline two\"\n"), "build.env:2", ["not closed"])
env_case("export-alone", "a bare `export NAME`", text("PROJECT=bb\nexport AWS_PROFILE\n"), "build.env:2", ["no `=`"])
env_case("backslash-end", "a double-quoted value ending in a backslash", text("PROJECT=bb\nX=\"abc\\\n"), "build.env:2", ["not closed"])
env_case("nul-byte", "a NUL byte in a name", text("PROJECT=bb\nA\u0000B=1\n"), "build.env:2", ["not a valid variable name"])
env_case("invalid-utf8", "Latin-1 bytes", hexbytes(b"PROJECT=bb\nOWNER=Jos\xe9\n"), "build.env", ["not UTF-8"])
env_case("binary-junk", "random bytes", hexbytes(bytes((i * 53 + 11) % 256 for i in range(400))), "build.env", ["not UTF-8"])
env_case("huge-line", "a one-megabyte line without `=`", {"parts": [text("PROJECT=bb\n"), {"text": "A", "times": 1 << 20}, text("\n")]}, "build.env:2", ["no `=`"])
env_case("directory", "build.env is a directory", {"dir": True}, "build.env", ["is a directory"])
env_case("unreadable", "no permission to read build.env", {"text": "PROJECT=bb\n", "unreadable": True}, "build.env", ["permission denied"])
env_case("symlink-loop", "build.env links to itself", {"symlink": "build.env"}, "build.env", ["cannot be read"])
env_case("crlf-error-line", "CRLF line ends, the bad line is 3", text("# settings\r\nPROJECT=bb\r\nBAD LINE\r\n"), "build.env:3", ["no `=`"])
env_case("bom-then-error", "a byte order mark, then a bad line", text("\ufeffPROJECT=bb\nnot a setting\n"), "build.env:2", ["no `=`"])
env_case("secret-in-bad-line", "a pasted secret on a line without `=`: the error must not echo it", text("PROJECT=bb\n%s\n" % SECRET), "build.env:2", ["no `=`"])
env_case("secret-as-name", "a pasted secret as a name: the error must not echo it", text("PROJECT=bb\n%s=1\n" % SECRET), "build.env:2", ["the variable name is not valid"])
# Without project.yaml, build.env's PROJECT identifies the project.
BUILD_ENV_ONLY = "PROJECT=%s\n"
env_case("project-upper-case", "PROJECT in capitals", None, "build.env", ["`PROJECT` is `BB`"], files={"project/build.env": text(BUILD_ENV_ONLY % "BB")})
env_case("project-too-long", "a five-letter PROJECT", None, "build.env", ["`PROJECT` is `abcde`"], files={"project/build.env": text(BUILD_ENV_ONLY % "abcde")})
# An empty PROJECT counts as absent: the short name must then be asked.
env_case("project-empty", "PROJECT=", None, "short name", ["PROJECT", "--non-interactive"], files={"project/build.env": text(BUILD_ENV_ONLY % "")})
env_case("project-quoted-space", "PROJECT=' bb'", None, "build.env", ["`PROJECT`"], files={"project/build.env": text("PROJECT=' bb'\n")})
env_case("project-lone-cr", "old Mac line ends glue two settings into PROJECT's value", None, "build.env", ["`PROJECT`"], files={"project/build.env": text("PROJECT=bb\rMFA_ENABLED=false\r")})
env_case("deeper-bad-line", "a layer's build.env has a bad line", None, "layer/build.env:2", ["no `=`"], cwd="layer",
         files=yaml_project(**{"project/build.env": text("PROJECT=bb\n"), "project/layer/build.env": text("# layer\nBROKEN\n")}))
env_case("deeper-bad-project", "a layer's build.env overrides PROJECT with a bad value", None, "account/layer/build.env", ["`PROJECT` is `Bad`"], cwd="account/layer",
         files={"project/build.env": text("PROJECT=bb\n"), "project/account/build.env": text("X=1\n"), "project/account/layer/build.env": text("PROJECT=Bad\n")})
env_case("deeper-directory", "a layer's build.env is a directory", None, "layer/build.env", ["is a directory"], cwd="layer",
         files=yaml_project(**{"project/layer/build.env": {"dir": True}}))

# ---------------------------------------------------------------------------
# config/common.tfvars


def tf_case(name, about, content, where="config/common.tfvars", message=(), with_yaml=True, **kw):
    files = yaml_project() if with_yaml else {}
    files["project/config/common.tfvars"] = content
    case("tfvars-" + name, about, files, where, message, **kw)


tf_case("unclosed-brace", "an object never closed", text('project = "bb"\naccounts = {\n  shared = {\n'), "config/common.tfvars:", ["HCL syntax error"])
tf_case("unclosed-string", "a string never closed", text('project = "bb\nregion = "us-east-1"\n'), "config/common.tfvars:", ["HCL syntax error"])
tf_case("unterminated-heredoc", "a heredoc without its end marker", text('project = "bb"\nnote = <<EOT\nhello\n'), "config/common.tfvars:", ["HCL syntax error"])
tf_case("unterminated-comment", "a /* comment never closed", text('project = "bb"\n/* note\n'), "config/common.tfvars:", ["HCL syntax error"])
tf_case("missing-value", "`project =` with no value", text('project =\nregion = "us-east-1"\n'), "config/common.tfvars:", ["HCL syntax error"])
tf_case("missing-equals", "a key and a value without `=`", text('project "bb"\n'), "config/common.tfvars:1", ["HCL syntax error"])
tf_case("missing-comma-one-line", "two items on one line without a comma", text('accounts = { a = { id = "1" } b = { id = "2" } }\n'), "config/common.tfvars:1", ["HCL syntax error"])
tf_case("project-number", "project = 12", text('project = 12\n'), "config/common.tfvars:1", ["`project` must be a quoted string", "a number"], with_yaml=False)
tf_case("project-template", "project = \"${var.x}\"", text('project = "${var.short}"\n'), "config/common.tfvars:1", ["`project` must be a quoted string"], with_yaml=False)
tf_case("project-upper-case", "project = \"BB\"", text('project = "BB"\n'), "config/common.tfvars", ["`project` is `BB`"], with_yaml=False)
tf_case("project-long-number", "project_long = 5", text('project_long = 5\n'), "config/common.tfvars:1", ["`project_long`"])
tf_case("region-primary-invalid", "region_primary is not a region", text('project = "bb"\nregion_primary = "moon-1"\n'), "config/common.tfvars", ["`region_primary` is `moon-1`"], with_yaml=False)
tf_case("region-list", "region = [\"us-east-1\"]", text('region = ["us-east-1"]\n'), "config/common.tfvars:1", ["`region` must be a quoted string", "a list"])
tf_case("region-secondary-invalid", "region_secondary is not a region", text('project = "bb"\nregion_primary = "us-east-1"\nregion_secondary = "west"\n'), "config/common.tfvars", ["`region_secondary` is `west`"], with_yaml=False)
tf_case("accounts-string", "accounts = \"all\"", text('accounts = "all"\n'), "config/common.tfvars:1", ["`accounts` must be an object"])
tf_case("accounts-list", "accounts is a list", text('accounts = [\n  "shared",\n]\n'), "config/common.tfvars:1", ["`accounts` must be an object", "a list"])
tf_case("account-entry-string", "an entry of accounts is a string", text('accounts = {\n  shared = "a@example.com"\n}\n'), "config/common.tfvars:2", ["`accounts.shared` must be an object"])
tf_case("account-email-number", "an email that is a number", text('accounts = {\n  shared = {\n    email = 5\n  }\n}\n'), "config/common.tfvars:3", ["`accounts.shared.email`"])
tf_case("account-key-expression", "an accounts key that is an expression", text('accounts = {\n  (var.name) = { id = "1" }\n}\n'), "config/common.tfvars:2", ["a key in `accounts`"])
tf_case("invalid-utf8", "Latin-1 bytes", hexbytes(b'project = "bb"\nowner = "Jos\xe9"\n'), "config/common.tfvars", ["not UTF-8"])
tf_case("binary-junk", "random bytes", hexbytes(bytes((i * 71 + 5) % 256 for i in range(700))), "config/common.tfvars", ["not UTF-8"])
tf_case("nul-byte", "a NUL byte between attributes", text('project = "bb"\n\u0000\nregion = "us-east-1"\n'), "config/common.tfvars:2", ["HCL syntax error"])
tf_case("huge-line", "a one-megabyte line of garbage", {"parts": [text('project = "bb"\n'), {"text": "@", "times": 1 << 20}, text("\n")]}, "config/common.tfvars:2", ["HCL syntax error"])
tf_case("deep-nesting", "ten thousand nested lists", {"parts": [text("x = "), {"text": "[", "times": 10000}, {"text": "]", "times": 10000}, text("\n")]}, "config/common.tfvars", ["nested"])
tf_case("nesting-100000", "100,000 nested lists", {"parts": [text("x = "), {"text": "[", "times": 100000}, {"text": "]", "times": 100000}, text("\n")]}, "config/common.tfvars", ["nest"])
tf_case("crlf-error-line", "CRLF line ends, the bad value on line 3", text('project = "bb"\r\nregion_primary = "us-east-1"\r\naccounts = "x"\r\n'), "config/common.tfvars:3", ["`accounts` must be an object"])
tf_case("bom-then-error", "a byte order mark, then a bad value", text('\ufeffaccounts = 1\n'), "config/common.tfvars:1", ["`accounts` must be an object"])
tf_case("directory", "common.tfvars is a directory", {"dir": True}, "config/common.tfvars", ["is a directory"])
tf_case("unreadable", "no permission to read common.tfvars", {"text": TFVARS, "unreadable": True}, "config/common.tfvars", ["permission denied"])
tf_case("symlink-loop", "common.tfvars links to itself", {"symlink": "common.tfvars"}, "config/common.tfvars", ["cannot be read"])
case("tfvars-config-is-a-file", "config/ is a file, so config/common.tfvars cannot be reached", yaml_project(**{"project/config": text("not a directory\n")}),
     "config/common.tfvars", ["cannot be read"])
# The write-back refuses a file its editor cannot reproduce byte for byte
# (reached without AWS: no keys can read the organization, so the declared
# ids are written back).
tf_case("write-back-unicode-escape", "a `\\u` escape the HCL editor would rewrite, and an id to write back",
        text('project = "bb"\nowner = "caf\\u00e9"\naccounts = {\n  shared = {\n    email = "aws+shared@example.com"\n    id = "333333333333"\n  }\n}\n'),
        "config/common.tfvars", ["cannot reproduce this file"])

# ---------------------------------------------------------------------------
# The AWS credentials and config files of the project (~/.aws/bb/).


def ini_case(name, about, which, content, line=None, message=(), extra=None, **kw):
    where = "~/.aws/bb/%s" % which + (":%d" % line if line else "")
    files = yaml_project(**{"home/.aws/bb/%s" % which: content})
    files.update(extra or {})
    case("%s-%s" % (which, name), about, files, where, message, **kw)


for which in ("credentials", "config"):
    prefix = "" if which == "credentials" else "profile "
    ini_case("duplicate-section", "a section appears twice", which, text("[%sbb-management]\nx = 1\n\n[%sbb-management]\ny = 2\n" % (prefix, prefix)), 4, ["appears a second time", "line 1"])
    ini_case("key-before-section", "a key before any section header", which, text("region = us-east-1\n[default]\n"), 1)
    ini_case("duplicate-key", "a key twice in a section", which, text("[default]\nregion = us-east-1\nregion = us-west-2\n"), 3)
    ini_case("duplicate-key-other-case", "a key twice, in two letter cases", which, text("[default]\nregion = us-east-1\nREGION = us-west-2\n"), 3)
    ini_case("no-delimiter", "a line with neither `=` nor `:`", which, text("[default]\njust some words\n"), 2)
    ini_case("empty-key", "`= value` with no key", which, text("[default]\n= value\n"), 2)
    ini_case("unclosed-header", "a header without `]`", which, text("[default]\nx = 1\n[bb-management\ny = 2\n"), 3)
    ini_case("header-two-brackets", "a header with two `]`", which, text("[a]b]\nx = 1\n"), 1)
    ini_case("repeated-default", "[DEFAULT] twice", which, text("[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n"), 3)
    ini_case("nested-without-equals", "a nested value without `=`", which, text("[default]\ns3 =\n  max_concurrent_requests\n"), 3)
    ini_case("continuation-like-header", "an indented continuation that looks like a header", which, text("[default]\nx = 1\n  [other]\n"), 3)
    ini_case("invalid-utf8", "Latin-1 bytes", which, hexbytes(b"[default]\n# caf\xe9\nregion = us-east-1\n"), None, ["not UTF-8"])
    ini_case("binary-junk", "random bytes", which, hexbytes(bytes((i * 89 + 3) % 256 for i in range(500))), None, ["not UTF-8"])
    ini_case("control-junk", "control characters, valid UTF-8", which, text("\u0001\u0002\u0003\u0004\n\u0005\u0006\n"), 1)
    ini_case("huge-line", "a one-megabyte line with no `=`", which, {"parts": [text("[default]\n"), {"text": "x", "times": 1 << 20}, text("\n")]}, 2)
    ini_case("crlf-duplicate", "CRLF line ends, a repeated section on line 5", which, text("[default]\r\nx = 1\r\n\r\n# again\r\n[default]\r\n"), 5)
    ini_case("lone-cr-duplicate", "old Mac line ends, a repeated section on line 3", which, text("[default]\rx = 1\r[default]\r"), 3)
    ini_case("mixed-line-ends", "CRLF, LF and CR mixed, a bad line 4", which, text("[default]\r\nx = 1\ny = 2\rbroken line\r\n"), 4)
    ini_case("bom", "a byte order mark before the first header", which, text("\ufeff[default]\nregion = us-east-1\n"), 1)
    ini_case("nul-byte", "a NUL byte on a line of its own", which, text("[default]\n\u0000\n"), 2)
    ini_case("directory", "%s is a directory" % which, which, {"dir": True}, None, ["is a directory"])
    ini_case("unreadable", "no permission to read %s" % which, which, {"text": "[default]\nregion = us-east-1\n", "unreadable": True}, None, ["permission denied"])
    ini_case("symlink-loop", "%s links to itself" % which, which, {"symlink": which}, None, ["cannot be read"])
    ini_case("over-size-limit", "%s padded with comments past 16 MiB" % which, which, {"parts": [text("[default]\n"), {"text": "# " + "padding " * 7 + "\n", "times": (16 << 20) // 58 + 1}]}, None, ["larger than 16 MiB"])
    ini_case("many-sections-duplicate-last", "twenty thousand sections, the last one repeats the first", which,
             {"parts": [text("[p]\nx = 1\n"), {"text": "[s{n}]\nx = 1\n", "times": 20000, "numbered": True}, text("[p]\n")]}, 40003)

# Names quoted in errors must not carry control characters to the terminal
# (an escape sequence in a section name would repaint it).
ini_case("escape-in-section-name", "a repeated section whose name holds a terminal escape sequence", "credentials", text("[a\u001b[2Jb]\nx = 1\n[a\u001b[2Jb]\n"), 3, ["appears a second time", "\\u{1b}"])
ini_case("escape-in-key-name", "a repeated key whose name holds a terminal escape sequence", "config", text("[default]\nx\u001b[31m = 1\nX\u001b[31m = 2\n"), 3, ["\\u{1b}"])
ini_case("carriage-return-in-name", "a lone CR inside a header line (a line break for botocore)", "credentials", text("[bb-man\ragement]\n"), 1)
case("aws-dir-is-a-file", "~/.aws/bb is a file, so the credentials file cannot be reached", yaml_project(**{"home/.aws/bb": text("not a directory\n")}),
     "~/.aws/bb/credentials", ["cannot be read"])
# Edits the AWS CLI's writer would get wrong are refused, naming the line
# (reached without AWS: the declared id of `shared` gives a profile).
ini_case("refuse-key-other-case", "the profile has `Output` where `output` is set", "config", text("[profile bb-shared-oaar]\nOutput = text\n"), 2, ["two `output` keys"])
ini_case("refuse-indented-header", "the profile's header is indented", "config", text("[default]\nregion = us-east-1\n  [profile bb-shared-oaar]\noutput = json\n"), None, ["indented"])
ini_case("refuse-nested-key", "`region` first appears as a nested value", "config", text("[profile bb-shared-oaar]\ns3 =\n  region = us-east-1\n"), None, ["edit the section by hand"])

# ---------------------------------------------------------------------------
# Answers: prompts that cannot be asked, and keys from the environment.

ENV_KEYS = CONFIGURE + ["--type", "MANAGEMENT", "--non-interactive"]
case("answer-no-keys-non-interactive", "no keys and --non-interactive", yaml_project(), "--credentials-file", ["LEVERAGE_AWS_ACCESS_KEY_ID"], args=ENV_KEYS)
case("answer-no-keys-no-terminal", "no keys and no terminal to ask on", yaml_project(), "--credentials-file", ["no terminal"], args=CONFIGURE + ["--type", "MANAGEMENT"])
case("answer-env-key-id-lower-case", "LEVERAGE_AWS_ACCESS_KEY_ID in lower case", yaml_project(), "LEVERAGE_AWS_ACCESS_KEY_ID", ["not an access key id"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": KEY_ID.lower(), "LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET})
case("answer-env-key-id-short", "LEVERAGE_AWS_ACCESS_KEY_ID too short", yaml_project(), "LEVERAGE_AWS_ACCESS_KEY_ID", ["not an access key id"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": "AKIA", "LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET})
case("answer-env-key-id-unicode", "LEVERAGE_AWS_ACCESS_KEY_ID with a non-ASCII letter", yaml_project(), "LEVERAGE_AWS_ACCESS_KEY_ID", ["not an access key id"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPL\u00c9", "LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET})
case("answer-env-secret-short", "LEVERAGE_AWS_SECRET_ACCESS_KEY too short", yaml_project(), "LEVERAGE_AWS_SECRET_ACCESS_KEY", ["not a secret access key"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": KEY_ID, "LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET[:20]})
case("answer-env-secret-inner-newline", "LEVERAGE_AWS_SECRET_ACCESS_KEY with a line break inside", yaml_project(), "LEVERAGE_AWS_SECRET_ACCESS_KEY", ["not a secret access key"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": KEY_ID, "LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET[:20] + "\n" + SECRET[20:]})
case("answer-env-secret-space", "LEVERAGE_AWS_SECRET_ACCESS_KEY with a space inside", yaml_project(), "LEVERAGE_AWS_SECRET_ACCESS_KEY", ["not a secret access key"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": KEY_ID, "LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET[:20] + " " + SECRET[21:]})
case("answer-env-secret-missing", "only LEVERAGE_AWS_ACCESS_KEY_ID is set", yaml_project(), "--credentials-file", ["LEVERAGE_AWS_SECRET_ACCESS_KEY"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_ACCESS_KEY_ID": KEY_ID})
case("answer-env-key-id-missing", "only LEVERAGE_AWS_SECRET_ACCESS_KEY is set", yaml_project(), "--credentials-file", ["LEVERAGE_AWS_ACCESS_KEY_ID"], args=ENV_KEYS,
     env={"LEVERAGE_AWS_SECRET_ACCESS_KEY": SECRET})
CONFIGURED = text("[bb-management]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (OLD_KEY_ID, OLD_SECRET))
case("answer-configured-non-interactive", "keys already configured, neither overwrite nor skip given", yaml_project(**{"home/.aws/bb/credentials": CONFIGURED, "home/keys.csv": text(CURRENT_CSV)}),
     "--overwrite-existing-credentials", ["--skip-access-keys-setup"], args=KEYS)
case("answer-configured-no-terminal", "keys already configured and no terminal to ask on", yaml_project(**{"home/.aws/bb/credentials": CONFIGURED, "home/keys.csv": text(CURRENT_CSV)}),
     "no terminal", ["--overwrite-existing-credentials"], args=CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file", "{home}/keys.csv"])
case("answer-short-name-needed", "build.env without PROJECT and no other file: the short name must be asked", {"project/build.env": text("TERRAFORM_IMAGE_TAG=1.6.0\n")},
     "short name", ["PROJECT"], args=SKIP_KEYS)
case("answer-region-needed", "PROJECT known but no region anywhere", {"project/build.env": text("PROJECT=bb\n")},
     "primary region", ["add the line `region_primary = \"us-east-1\"` to config/common.tfvars"], args=SKIP_KEYS)
case("answer-region-needed-no-terminal", "PROJECT known, no region, no terminal", {"project/build.env": text("PROJECT=bb\n")},
     "Primary region", ["no terminal"], args=CONFIGURE + ["--type", "MANAGEMENT", "--skip-access-keys-setup"])
case("answer-fetch-mfa-without-keys", "--fetch-mfa-device with the keys skipped and none configured", yaml_project(),
     "--fetch-mfa-device", ["none are configured"], args=SKIP_KEYS + ["--fetch-mfa-device"])
case("answer-not-a-project", "none of project.yaml, build.env, config/common.tfvars", {"project/README.md": text("# not a Leverage project\n")},
     "none of project.yaml, build.env, config/common.tfvars", [], args=SKIP_KEYS)
case("answer-home-unset", "HOME is not set", yaml_project(), "HOME is not set", [], args=SKIP_KEYS, env={"HOME": None})
case("answer-home-empty", "HOME is empty", yaml_project(), "HOME is not set", [], args=SKIP_KEYS, env={"HOME": ""})
case("answer-home-is-a-file", "HOME is a regular file", yaml_project(**{"home/not-a-dir": text("x\n")}), "not-a-dir", [], args=SKIP_KEYS, env={"HOME": "{home}/not-a-dir"})

# ---------------------------------------------------------------------------
# Flags: usage errors exit with 2 and name the flag.


def flag_case(name, about, args, where, message=(), code=2):
    case("flag-" + name, about, yaml_project(), where, message, args=args, code=code)


flag_case("type-missing", "no --type", CONFIGURE + ["--non-interactive"], "--type")
flag_case("type-unknown", "--type ADMIN", CONFIGURE + ["--type", "ADMIN"], "ADMIN", ["--type"])
flag_case("type-empty", "--type ''", CONFIGURE + ["--type", ""], "--type")
flag_case("type-twice", "--type given twice", CONFIGURE + ["--type", "MANAGEMENT", "--type", "SECURITY"], "--type", ["cannot be used multiple times"])
flag_case("type-no-value", "--type at the end with no value", CONFIGURE + ["--type"], "--type")
flag_case("unknown-flag", "--bogus", CONFIGURE + ["--type", "MANAGEMENT", "--bogus"], "--bogus")
flag_case("unknown-short-flag", "-x", CONFIGURE + ["--type", "MANAGEMENT", "-x"], "-x")
flag_case("misspelled-flag", "--credential-file (no s)", CONFIGURE + ["--type", "MANAGEMENT", "--credential-file", "k.csv"], "--credential-file", ["--credentials-file"])
flag_case("positional", "an extra positional argument", CONFIGURE + ["--type", "MANAGEMENT", "keys.csv"], "keys.csv")
flag_case("unknown-subcommand", "credentials list", ["credentials", "list"], "list")
flag_case("unknown-command", "an unknown top-level command", ["configure", "--type", "MANAGEMENT"], "configure")
flag_case("overwrite-and-skip", "--overwrite-existing-credentials with --skip-access-keys-setup", CONFIGURE + ["--type", "MANAGEMENT", "--overwrite-existing-credentials", "--skip-access-keys-setup"], "--overwrite-existing-credentials", ["--skip-access-keys-setup"])
flag_case("verbose-and-quiet", "--verbose with --quiet", CONFIGURE + ["--type", "MANAGEMENT", "--verbose", "--quiet"], "--verbose", ["--quiet"])
flag_case("output-xml", "--output xml", CONFIGURE + ["--type", "MANAGEMENT", "--output", "xml"], "xml", ["--output"])
flag_case("output-no-value", "--output with no value", CONFIGURE + ["--type", "MANAGEMENT", "--output"], "--output")
flag_case("credentials-file-no-value", "--credentials-file with no value", CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file"], "--credentials-file")
flag_case("dry-run-with-value", "--dry-run=yes", CONFIGURE + ["--type", "MANAGEMENT", "--dry-run=yes"], "--dry-run")
flag_case("non-interactive-twice", "--non-interactive twice", CONFIGURE + ["--type", "MANAGEMENT", "--non-interactive", "--non-interactive"], "--non-interactive")
flag_case("role-name-space", "--role-name with a space", CONFIGURE + ["--type", "MANAGEMENT", "--role-name", "Org Admin"], "--role-name", ["not a valid IAM role name"])
flag_case("role-name-too-long", "--role-name of 65 characters", CONFIGURE + ["--type", "MANAGEMENT", "--role-name", "R" * 65], "--role-name", ["not a valid IAM role name"])
flag_case("role-name-empty", "--role-name ''", CONFIGURE + ["--type", "MANAGEMENT", "--role-name", ""], "--role-name")
flag_case("role-name-slash", "--role-name with a path", CONFIGURE + ["--type", "MANAGEMENT", "--role-name", "path/Role"], "--role-name", ["not a valid IAM role name"])
flag_case("mfa-serial-not-arn", "--mfa-serial abc", CONFIGURE + ["--type", "MANAGEMENT", "--mfa-serial", "abc"], "--mfa-serial", ["MFA device ARN"])
flag_case("mfa-serial-bad-account", "--mfa-serial with an 11-digit account", CONFIGURE + ["--type", "MANAGEMENT", "--mfa-serial", "arn:aws:iam::12345678901:mfa/jane"], "--mfa-serial", ["MFA device ARN"])
flag_case("mfa-serial-empty", "--mfa-serial ''", CONFIGURE + ["--type", "MANAGEMENT", "--mfa-serial", ""], "--mfa-serial")
flag_case("mfa-serial-user-arn", "--mfa-serial naming a user, not a device", CONFIGURE + ["--type", "MANAGEMENT", "--mfa-serial", "arn:aws:iam::123456789012:user/jane"], "--mfa-serial", ["MFA device ARN"])
flag_case("completions-unknown-shell", "completions for an unknown shell", ["completions", "cmd.exe"], "cmd.exe")
flag_case("credentials-file-empty", "--credentials-file ''", CONFIGURE + ["--type", "MANAGEMENT", "--credentials-file", "", "--non-interactive"], "--credentials-file", code=2)


def main():
    for entry in os.listdir(HERE):
        path = os.path.join(HERE, entry)
        if os.path.isdir(path):
            shutil.rmtree(path)
    for name, spec in CASES:
        os.makedirs(os.path.join(HERE, name))
        with open(os.path.join(HERE, name, "case.json"), "w", encoding="utf-8", newline="\n") as f:
            json.dump(spec, f, indent=1, ensure_ascii=True)
            f.write("\n")
    areas = {}
    for name, _ in CASES:
        area = name.split("-")[0]
        areas[area] = areas.get(area, 0) + 1
    print("%d cases: %s" % (len(CASES), ", ".join("%s %d" % kv for kv in sorted(areas.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
