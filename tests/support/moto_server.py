#!/usr/bin/env python3
"""`moto_server`, patched where it differs from AWS in a way the tests see.

Usage: moto_server.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)

- IAM ListMFADevices without a UserName: AWS lists the devices of the user
  the request's access key belongs to; moto fails ("user with name None
  cannot be found"). `leverage` asks without a user name, so that it need
  not wait for GetCallerIdentity's answer first.

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


if __name__ == "__main__":
    patch()
    import moto.server

    moto.server.main(sys.argv[1:])
