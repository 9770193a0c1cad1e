"""Storage: one repository per aggregate over a small set of backend primitives, two backends
(SQLite, the default; MongoDB through PyMongo's async API).

Decision (issue 13, item 5): the single ~45-method ``Store`` interface over 14 collections,
with collection names passed around as strings, is split into repositories per aggregate:

- ``store.accounts`` (``accounts.py``): users, revoked tokens, the audit log;
- ``store.sessions`` (``sessions.py``): sessions and their events (segments, questions,
  suggestions and the feedback on them);
- ``store.banks`` (``banks.py``): the built-in and the users' question banks;
- ``store.material`` (``material.py``): profile, stories, jobs, practice attempts;
- ``store.bots`` (``bots.py``): the meeting bots' saved snapshots.

``Store`` (``facade.py``) holds them on one backend and does the two deletions that cross
aggregates (``delete_session``, ``delete_user``). Each repository owns its collections
(``Collection`` values naming the queried fields and indexes), so no caller names one.
Repositories return typed records (``models.py``, pydantic): fields the code reads are
declared, everything else a document holds is kept verbatim, and ``public()`` is what the API
shows (``HIDDEN`` fields such as ``password_hash``, ``search_text`` or a bank's owner are left
out by the model, not by hand in each route). The contract suite
(``tests/api/test_store_contract.py``) runs every repository on every backend.

A backend (``backend.Backend``) implements only these primitives on a ``Collection``:
``open`` (create collections and indexes, idempotent), ``close``, ``insert`` (``Conflict`` on a
taken id or unique field), ``put`` (insert or replace by id), ``get`` by id, ``update`` (set
top-level fields of one document atomically), ``find`` (field equality, optional substring
``contains``, ordered page), ``count`` and ``delete`` by filter. Documents are JSON dicts with
a string ``id`` and ``created_at``; the stored format is the one before the split, so existing
data files and databases open unchanged.
"""

from cuecard.store.backend import Backend, Collection, Conflict, NotFound
from cuecard.store.facade import Store
from cuecard.store.models import BUILTIN_OWNER

__all__ = ["BUILTIN_OWNER", "Backend", "Collection", "Conflict", "NotFound", "Store"]
