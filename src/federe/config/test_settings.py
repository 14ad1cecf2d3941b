"""Settings for the test suites: the test environment unless the caller chose otherwise."""

import os

os.environ.setdefault("FEDERE_ENV", "test")

from federe.config.settings import *  # noqa: F403
