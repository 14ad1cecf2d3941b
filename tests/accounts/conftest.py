from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request made as a French-speaking user leaves French active in the thread; the next test starts afresh."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
