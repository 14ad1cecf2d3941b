"""Settings for the test suites: the test environment unless the caller chose otherwise."""

import os

os.environ.setdefault("FEDERE_ENV", "test")

from federe.config.settings import *  # noqa: F403

# Tests serve feeds from 127.0.0.1: loopback only; private ranges and the metadata address stay refused.
FEDERE_NET_ALLOW_HOSTS = ["127.0.0.0/8", "::1/128"]
# No network call inside a database transaction: refused in tests (federe.core.netsafe), logged in production.
FEDERE_NET_FORBID_IN_TRANSACTION = True
