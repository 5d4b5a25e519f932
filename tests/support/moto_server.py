#!/usr/bin/env python3
"""`moto_server`, patched where it differs from AWS in a way the tests see.

Usage: moto_server.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)

- IAM ListMFADevices without a UserName: AWS lists the devices of the user
  the request's access key belongs to; moto fails ("user with name None
  cannot be found"). `leverage` asks without a user name, so that it need
  not wait for GetCallerIdentity's answer first.

- New keys reaching STS late, as on AWS (where a new key takes seconds to
  be accepted): for a user named `unpropagated-*`, GetCallerIdentity
  rejects every key but the user's first (InvalidClientTokenId); for a
  user named `slow-*`, it rejects them during their first 4 seconds of
  use. moto accepts a new key at once.

`patch()` applies the patches in-process, for other launchers
(tests/bench/moto_aws_like.py).
"""
import sys


def patch():
    from moto.iam.responses import IamResponse

    original = IamResponse.list_mfa_devices

    def list_mfa_devices(self):
        if not self._get_param("UserName"):
            key = self.get_access_key()
            for user in self.backend.users.values():
                if any(k.access_key_id == key for k in user.access_keys):
                    if self.automated_parameter_parsing:
                        self.params["UserName"] = user.name
                    else:
                        self.querystring["UserName"] = [user.name]
                    break
        return original(self)

    IamResponse.list_mfa_devices = list_mfa_devices

    import time

    from moto.core.exceptions import InvalidClientTokenIdError
    from moto.iam.models import iam_backends
    from moto.sts.responses import TokenResponse

    original_identity = TokenResponse.get_caller_identity
    first_seen = {}

    def owner_of(key):
        for regions in iam_backends.values():
            for backend in regions.values():
                for user in backend.users.values():
                    if any(k.access_key_id == key for k in user.access_keys):
                        return user
        return None

    def get_caller_identity(self):
        key = self.get_access_key()
        user = owner_of(key)
        if user is not None and user.access_keys and user.access_keys[0].access_key_id != key:
            if user.name.startswith("unpropagated-"):
                raise InvalidClientTokenIdError()
            if user.name.startswith("slow-"):
                seen = first_seen.setdefault(key, time.monotonic())
                if time.monotonic() - seen < 4:
                    raise InvalidClientTokenIdError()
        return original_identity(self)

    TokenResponse.get_caller_identity = get_caller_identity


if __name__ == "__main__":
    patch()
    import moto.server

    moto.server.main(sys.argv[1:])
