"""Key files: one private file holds a publisher's signing key and a recipient key; ``.pub`` holds both halves.

The files are small JSON documents so a person can see what they are. The key id is derived from the
signing key, so a label can never be swapped onto another key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from linkage_core.errors import BoldError, UsageError

PRIVATE_TYPE = "bold-private-key"
PUBLIC_TYPE = "bold-public-key"


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id_for(signing_public: bytes) -> str:
    return hashlib.sha256(b"bold-key-id\x00" + signing_public).hexdigest()[:16]


def _raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class PublicKey:
    name: str
    signing: bytes  # Ed25519, raw 32 bytes
    recipient: bytes  # X25519, raw 32 bytes
    demo: bool = False

    @property
    def key_id(self) -> str:
        return key_id_for(self.signing)

    @property
    def label(self) -> str:
        return f"{self.name} (demo key)" if self.demo else self.name

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.signing)

    def x25519(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(self.recipient)

    def to_json(self) -> str:
        doc = {
            "type": PUBLIC_TYPE,
            "version": 1,
            "name": self.name,
            "key_id": self.key_id,
            "demo": self.demo,
            "ed25519": b64e(self.signing),
            "x25519": b64e(self.recipient),
        }
        return json.dumps(doc, indent=2) + "\n"


@dataclass(frozen=True)
class PrivateKey:
    name: str
    signing_key: Ed25519PrivateKey
    recipient_key: X25519PrivateKey
    demo: bool = False

    @classmethod
    def generate(cls, name: str, demo: bool = False) -> PrivateKey:
        return cls(name, Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), demo)

    @property
    def public(self) -> PublicKey:
        return PublicKey(
            self.name,
            _raw_public(self.signing_key.public_key()),
            _raw_public(self.recipient_key.public_key()),
            self.demo,
        )

    def record_key_secret(self) -> str:
        """The secret behind every person's record key (the cell key method), as 32 hex digits.

        Derived from the publisher's signing key, so it stays in the secure stage with that key, and every
        bundle the publisher builds gives the same people the same keys: rebuilding cannot be averaged.
        """
        raw = self.signing_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return hashlib.blake2b(raw, key=b"bold record keys", digest_size=16).hexdigest()

    def to_json(self) -> str:
        raw = lambda k: k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())  # noqa: E731
        doc = {
            "type": PRIVATE_TYPE,
            "version": 1,
            "warning": "Private key. Keep this file secret; anyone holding it can sign or open bundles.",
            "name": self.name,
            "key_id": self.public.key_id,
            "demo": self.demo,
            "ed25519": b64e(raw(self.signing_key)),
            "x25519": b64e(raw(self.recipient_key)),
        }
        return json.dumps(doc, indent=2) + "\n"


def _load_doc(path: Path, want: str) -> dict:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"There is no key file at {path}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise BoldError(f"{path} is not a BOLD key file.") from None
    if not isinstance(doc, dict) or doc.get("type") != want:
        kind = "private" if want == PRIVATE_TYPE else "public"
        raise BoldError(f"{path} is not a BOLD {kind} key file.")
    return doc


def load_private_key(path: Path | str) -> PrivateKey:
    doc = _load_doc(Path(path), PRIVATE_TYPE)
    try:
        return PrivateKey(
            str(doc.get("name", "")),
            Ed25519PrivateKey.from_private_bytes(b64d(doc["ed25519"])),
            X25519PrivateKey.from_private_bytes(b64d(doc["x25519"])),
            bool(doc.get("demo", False)),
        )
    except (KeyError, ValueError, TypeError):
        raise BoldError(f"{path} is a damaged BOLD private key file.") from None


def public_key_from_doc(doc: dict, source: str = "key") -> PublicKey:
    try:
        key = PublicKey(
            str(doc.get("name", "")),
            b64d(doc["ed25519"]),
            b64d(doc["x25519"]),
            bool(doc.get("demo", False)),
        )
        key.verifier()
        key.x25519()
    except (KeyError, ValueError, TypeError):
        raise BoldError(f"{source} is a damaged BOLD public key.") from None
    return key


def load_public_key(path: Path | str) -> PublicKey:
    path = Path(path)
    try:
        doc = _load_doc(path, PUBLIC_TYPE)
    except BoldError:
        # A private key file also tells us its public half.
        try:
            return load_private_key(path).public
        except BoldError:
            raise BoldError(f"{path} is not a BOLD public key file.") from None
    return public_key_from_doc(doc, str(path))


def write_keypair(prefix: Path | str, name: str, demo: bool = False) -> tuple[Path, Path]:
    prefix = Path(prefix)
    private_path, public_path = prefix, prefix.with_name(prefix.name + ".pub")
    if private_path.exists():
        raise UsageError(f"{private_path} already exists; choose another name so no key is overwritten.")
    key = PrivateKey.generate(name, demo)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key.to_json())
    public_path.write_text(key.public.to_json(), encoding="utf-8")
    return private_path, public_path


class TrustStore:
    """The publisher keys a reader accepts: the user's own folder, the demo key, and any given for one run."""

    def __init__(self, keys: list[PublicKey] | None = None) -> None:
        self._keys: dict[str, PublicKey] = {}
        for key in keys or []:
            self.add(key)

    def add(self, key: PublicKey) -> None:
        self._keys[key.key_id] = key

    def get(self, key_id: str) -> PublicKey | None:
        return self._keys.get(key_id)

    def __iter__(self):
        return iter(sorted(self._keys.values(), key=lambda k: (not k.demo, k.name)))

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def from_folder(cls, folder: Path) -> TrustStore:
        store = cls()
        if folder.is_dir():
            for path in sorted(folder.glob("*.pub")):
                try:
                    store.add(load_public_key(path))
                except BoldError:
                    continue
        return store


def add_to_folder(folder: Path, key: PublicKey) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key.key_id}.pub"
    target.write_text(key.to_json(), encoding="utf-8")
    return target
