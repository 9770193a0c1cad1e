"""Keys for encryption at rest: the master key, the data keys it wraps, and private files.

- A **master key** (256 bits) comes from ``CUECARD_MASTER_KEY`` (base64 or hex) or, when that
  is unset, from ``<data_dir>/master.key``, created on first run with mode 0600 and an atomic,
  exclusive create (written to a private temporary file, then ``link``ed into place: of two
  processes starting together one wins and both read the same key). Its id is a one-way digest
  (HMAC-SHA256 of a fixed label), stored beside every wrapped key so a wrong key is recognised
  before anything is decrypted.
- A **data key** (256 bits, random, one per account; see ``encrypted.py``) encrypts with
  AES-GCM, a random 96-bit nonce per value and associated data naming where the value belongs.
  Random nonces are safe up to 2^32 encryptions per key; an account writes far fewer values.
- Data keys are stored **wrapped** by the master key with AES key wrap (RFC 3394, AES-KW):
  deterministic, integrity-checked, and made for exactly this (keys wrapping keys).
- ``previous_master_key`` (or ``master.key.previous``): a retired master key still accepted
  for unwrapping during a rotation (``cuecard keys rotate``).

Errors are explicit: ``MasterKeyError`` (wrong, missing or malformed master key: the server
refuses to start), ``DataKeyMissing`` (the data key was destroyed, i.e. the account was
deleted: crypto-shredding), ``CiphertextError`` (a value was altered or moved to another
document).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

KEY_BYTES = 32
NONCE_BYTES = 12
MASTER_KEY_FILE = "master.key"
PREVIOUS_MASTER_KEY_FILE = "master.key.previous"


class MasterKeyError(RuntimeError):
    """The master key is missing, malformed or not the one the data keys were wrapped with."""


class DataKeyMissing(LookupError):
    """The data key is gone (its account or session was deleted): the data cannot be read."""


class CiphertextError(ValueError):
    """A value does not decrypt: altered, or copied from another document or field."""


def parse_key(text: str) -> bytes:
    """32 bytes from base64 (standard or URL-safe) or hex text."""
    text = text.strip()
    candidates: list[Callable[[str], bytes]] = [
        bytes.fromhex,
        lambda t: base64.b64decode(t, validate=True),
        lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)),
    ]
    for decode in candidates:
        try:
            raw = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) == KEY_BYTES:
            return raw
    raise MasterKeyError("a master key must be 32 bytes written as base64 or hex (e.g. `openssl rand -base64 32`)")


def encode_key(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def create_private_file(path: Path) -> None:
    """Make ``path`` exist with mode 0600 (an existing file is tightened, never truncated)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def write_private_file(path: Path, data: bytes, *, replace: bool) -> bool:
    """Write ``data`` to ``path`` (mode 0600) atomically: a complete file or none. Without
    ``replace`` an existing file wins (False)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic and exclusive: fails when the file exists
            return True
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)


def read_key_file(path: Path) -> bytes:
    try:
        return parse_key(path.read_text())
    except MasterKeyError as e:
        raise MasterKeyError(f"{path}: {e}") from None


def key_file(path: Path) -> bytes:
    """The key in ``path``, created (random, mode 0600) if the file does not exist."""
    if not path.exists():
        write_private_file(path, (encode_key(secrets.token_bytes(KEY_BYTES)) + "\n").encode(), replace=False)
    return read_key_file(path)


@dataclass(frozen=True)
class MasterKey:
    secret: bytes = field(repr=False)

    @property
    def id(self) -> str:
        return hmac.new(self.secret, b"cuecard master key id", hashlib.sha256).hexdigest()[:16]

    def wrap(self, data_key: bytes) -> str:
        return encode_key(aes_key_wrap(self.secret, data_key))

    def unwrap(self, wrapped: str) -> bytes:
        try:
            return aes_key_unwrap(self.secret, base64.b64decode(wrapped))
        except (InvalidUnwrap, ValueError, binascii.Error) as e:
            raise MasterKeyError(f"master key {self.id} does not unwrap this data key") from e

    def derive(self, label: str) -> bytes:
        """A subkey for data outside the store (the transcript cache)."""
        return hmac.new(self.secret, f"cuecard subkey:{label}".encode(), hashlib.sha256).digest()

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(KEY_BYTES))


class MasterKeys:
    """The current master key (wraps new data keys) and the retired ones still accepted.

    ``loader`` re-reads the configuration: a running server whose key files were rotated by
    ``cuecard keys rotate`` picks the new key up on the first data key it cannot unwrap."""

    def __init__(self, current: MasterKey, *previous: MasterKey, loader: Callable[[], list[MasterKey]] | None = None):
        self._keys = [current, *previous]
        self._loader = loader
        self.source = "configured key"

    @property
    def current(self) -> MasterKey:
        return self._keys[0]

    @property
    def ids(self) -> list[str]:
        return [k.id for k in self._keys]

    def find(self, master_id: str) -> MasterKey | None:
        return next((k for k in self._keys if k.id == master_id), None)

    def reload(self) -> bool:
        """Re-read the key files; True when a key was added."""
        if self._loader is None:
            return False
        known = set(self.ids)
        fresh = self._loader()
        self._keys = fresh + [k for k in self._keys if k.id not in {f.id for f in fresh}]
        return any(k.id not in known for k in fresh)

    @classmethod
    def ephemeral(cls) -> MasterKeys:
        """A random key kept in memory only (an in-memory store, tests)."""
        keys = cls(MasterKey.generate())
        keys.source = "in-memory key"
        return keys

    @classmethod
    def from_files(cls, directory: Path) -> MasterKeys:
        """``master.key`` in ``directory`` (created if missing) and ``master.key.previous``."""

        def load() -> list[MasterKey]:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            keys = [MasterKey(key_file(directory / MASTER_KEY_FILE))]
            previous = directory / PREVIOUS_MASTER_KEY_FILE
            if previous.exists():
                keys.append(MasterKey(read_key_file(previous)))
            return keys

        first, *rest = load()
        keys = cls(first, *rest, loader=load)
        keys.source = str(directory / MASTER_KEY_FILE)
        return keys


def master_keys(settings) -> MasterKeys:
    """The master keys of ``settings``: ``master_key`` (+ ``previous_master_key``), else the
    key files in the data directory."""
    if settings.master_key is not None:
        current = MasterKey(parse_key(settings.master_key.get_secret_value()))
        previous = settings.previous_master_key
        rest = [MasterKey(parse_key(previous.get_secret_value()))] if previous is not None else []
        keys = MasterKeys(current, *rest)
        keys.source = "CUECARD_MASTER_KEY"
        return keys
    return MasterKeys.from_files(settings.ensure_data_dir())


class DataKey:
    """AES-256-GCM with one key; every value is ``nonce || ciphertext+tag``."""

    def __init__(self, key_id: str, secret: bytes):
        self.id = key_id
        self._aead = AESGCM(secret)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise CiphertextError(f"a value under data key {self.id} does not decrypt here") from None
