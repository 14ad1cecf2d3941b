from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after():
    """Pages asked for by a French reader leave the thread in French: the next test starts in English again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
