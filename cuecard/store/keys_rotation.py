"""``cuecard keys rotate``: re-wrap every data key under a new master key, servers running;
``cuecard keys encrypt-existing``: encrypt documents an older version stored in clear.

Decision: rotation changes only the wrapping of the data keys (one atomic ``update`` per key
document), never the data keys, so no stored value is re-encrypted and the command takes
milliseconds per account. Servers keep working during it because they accept every master key
they know, chosen by the id stored with each wrapped key:

- **Key-file mode** (no ``CUECARD_MASTER_KEY``): the command first re-wraps any straggler under
  the current key, then moves the current key to ``master.key.previous`` and installs the new
  one as ``master.key`` (each an atomic file replace), then re-wraps. A running server that
  meets a key wrapped by a master it does not know re-reads both files, so it needs no
  restart. Delete ``master.key.previous`` once every server has restarted (running the command
  again with the same file re-wraps keys a not-yet-reloaded server created meanwhile).
- **Environment mode**: a server cannot learn a new environment variable, so the new key must
  be configured first (rolling restart with ``CUECARD_MASTER_KEY=<new>`` and
  ``CUECARD_PREVIOUS_MASTER_KEY=<old>``); the command refuses a key the configuration does not
  accept, then re-wraps. Afterwards drop ``CUECARD_PREVIOUS_MASTER_KEY``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cuecard.store.crypto import (
    MASTER_KEY_FILE,
    PREVIOUS_MASTER_KEY_FILE,
    MasterKey,
    MasterKeyError,
    encode_key,
    parse_key,
    write_private_file,
)


def _new_key(key_file: str | None) -> MasterKey:
    text = Path(key_file).read_text() if key_file else os.environ.get("CUECARD_NEW_MASTER_KEY", "")
    if not text.strip():
        raise MasterKeyError("give the new master key with --new-master-key-file or CUECARD_NEW_MASTER_KEY")
    return MasterKey(parse_key(text))


async def rotate(settings, key_file: str | None) -> int:
    """Exit code 0 after re-wrapping every data key; 2 with a message on stderr otherwise."""
    from cuecard.pipeline.services import make_store

    try:
        new = _new_key(key_file)
        store = make_store(settings)
        await store.open()
    except (MasterKeyError, OSError) as e:
        print(f"cuecard keys rotate: {e}", file=sys.stderr)
        return 2
    try:
        masters = store.keyring.masters
        if settings.master_key is None and masters.current.id != new.id:
            directory = settings.ensure_data_dir()
            await store.keyring.rewrap_all(masters.current)  # nothing left under an older key
            write_private_file(
                directory / PREVIOUS_MASTER_KEY_FILE, encode_key(masters.current.secret).encode(), replace=True
            )
            write_private_file(directory / MASTER_KEY_FILE, encode_key(new.secret).encode(), replace=True)
            masters.reload()
        elif masters.find(new.id) is None:
            print(
                "cuecard keys rotate: with CUECARD_MASTER_KEY, configure every server to accept the new key first "
                "(CUECARD_MASTER_KEY=<new>, CUECARD_PREVIOUS_MASTER_KEY=<old>, rolling restart), then run this",
                file=sys.stderr,
            )
            return 2
        count = await store.keyring.rewrap_all(new)
    finally:
        await store.close()
    print(f"re-wrapped {count} data keys under master key {new.id}")
    if settings.master_key is None:
        print(f"the old key is kept in {PREVIOUS_MASTER_KEY_FILE}: delete it once every server has restarted")
    return 0


async def encrypt_existing(settings) -> int:
    """``cuecard keys encrypt-existing``: encrypt what an older version stored in clear."""
    from cuecard.pipeline.services import make_store

    try:
        store = make_store(settings)
        await store.open()
    except (MasterKeyError, OSError) as e:
        print(f"cuecard keys encrypt-existing: {e}", file=sys.stderr)
        return 2
    try:
        count = 0
        for repository in store.repositories:
            for coll in repository.COLLECTIONS:
                count += await store.backend.encrypt_existing(coll)
        await store.backend.scrub()
    finally:
        await store.close()
    print(f"encrypted {count} documents that were stored in clear")
    return 0
