"""Key files: one private file holds a publisher's signing key and a recipient key; ``.pub`` holds both halves.

The files are small JSON documents so a person can see what they are. The key id is derived from the
signing key, so a label can never be swapped onto another key.
"""

from __future__ import annotations

import base64
import hashlib
import json
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
    """Strict base64; anything else (a number, a list, non-ASCII) is a ValueError."""
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, base64.binascii.Error) as exc:
        raise ValueError("not base64 text") from exc


def key_id_for(signing_public: bytes) -> str:
    return hashlib.sha256(b"bold-key-id\x00" + signing_public).hexdigest()[:16]


def _raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


#: A key file is a few hundred bytes; anything much bigger (``/dev/zero``, a FIFO, a disk image) is refused.
MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True)
class PublicKey:
    """A publisher's public half. ``name`` is what the *reader* calls it (the name given to ``bold trust add``);
    ``demo`` and ``only_for`` are set only by the reader's own demo anchor, never read from a file."""

    name: str
    signing: bytes  # Ed25519, raw 32 bytes
    recipient: bytes  # X25519, raw 32 bytes
    demo: bool = False
    #: SHA-256 digests of the only files this key may vouch for (empty: any file).
    only_for: frozenset[str] = frozenset()

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
    from linkage_core.bundle.files import read_regular_file

    raw = read_regular_file(path, MAX_KEY_FILE, "key file", error=UsageError)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise UsageError(f"{path} is not a BOLD key file.") from None
    if not isinstance(doc, dict) or doc.get("type") != want:
        kind = "private" if want == PRIVATE_TYPE else "public"
        raise UsageError(f"{path} is not a BOLD {kind} key file.")
    return doc


def load_private_key(path: Path | str) -> PrivateKey:
    doc = _load_doc(Path(path), PRIVATE_TYPE)
    try:
        return PrivateKey(
            str(doc.get("name", "")),
            Ed25519PrivateKey.from_private_bytes(b64d(doc["ed25519"])),
            X25519PrivateKey.from_private_bytes(b64d(doc["x25519"])),
        )
    except (KeyError, ValueError, TypeError):
        raise UsageError(f"{path} is a damaged BOLD private key file.") from None


def public_key_from_doc(doc: dict, source: str = "key", name: str | None = None) -> PublicKey:
    """The two public keys in ``doc``. Its ``name`` and ``demo`` claims are not believed: the name is the one
    the caller gives (the reader's own), and a key is demo only when the reader's demo anchor says so."""
    try:
        key = PublicKey(
            name if name is not None else f"unnamed key {key_id_for(b64d(doc['ed25519']))}",
            b64d(doc["ed25519"]),
            b64d(doc["x25519"]),
        )
        if len(key.signing) != 32 or len(key.recipient) != 32:
            raise ValueError("wrong key size")
        key.verifier()
        key.x25519()
    except (KeyError, ValueError, TypeError, AttributeError):
        raise UsageError(f"{source} is a damaged BOLD public key.") from None
    return key


def load_public_key(path: Path | str, name: str | None = None) -> PublicKey:
    """A public key file's keys, under ``name`` (the reader's name for it; the file's own is not believed)."""
    path = Path(path)
    try:
        doc = _load_doc(path, PUBLIC_TYPE)
    except BoldError as error:
        if not path.is_file():
            raise
        # A private key file also tells us its public half.
        try:
            public = load_private_key(path).public
        except BoldError:
            raise UsageError(f"{path} is not a BOLD public key file.") from None
        return PublicKey(name or f"unnamed key {public.key_id}", public.signing, public.recipient)
    return public_key_from_doc(doc, str(path), name)


def demo_anchor(public_path: Path | str, digest_path: Path | str, name: str) -> PublicKey | None:
    """The shipped demo key, trusted only for the files whose SHA-256 the package ships beside it.

    Its private half is thrown away when the demo is built, and even a leaked copy of it vouches for nothing
    but those exact files. Missing or damaged files mean no demo key (the demo then needs ``--trust``)."""
    try:
        key = load_public_key(public_path, name)
        text = Path(digest_path).read_text(encoding="ascii")
    except (BoldError, OSError, UnicodeDecodeError):
        return None
    digests = frozenset(line.split()[0].lower() for line in text.splitlines() if line.strip())
    if not digests or not all(len(d) == 64 and all(c in "0123456789abcdef" for c in d) for d in digests):
        return None
    return PublicKey(key.name, key.signing, key.recipient, demo=True, only_for=digests)


def write_keypair(prefix: Path | str, name: str, *, force: bool = False) -> tuple[Path, Path]:
    """``PREFIX`` (private, owner-only) and ``PREFIX.pub``; neither replaces a file unless ``force``, and a
    private key never."""
    from linkage_core.safe_output import new_files

    prefix = Path(prefix)
    if not prefix.name or str(prefix) in ("", "."):
        raise UsageError("--out needs a file name for the key, such as --out keys/publisher.")
    private_path, public_path = prefix, prefix.with_name(prefix.name + ".pub")
    key = PrivateKey.generate(name)
    with new_files([private_path, public_path], force=force, private=True) as (tmp_private, tmp_public):
        tmp_private.write_text(key.to_json(), encoding="utf-8")
        tmp_public.write_text(key.public.to_json(), encoding="utf-8")
    return private_path, public_path


class TrustStore:
    """The publisher keys a reader accepts: the user's own folder, the demo key, and any given for one run.

    The demo anchor cannot be replaced or widened: a copy of the demo key added under another name is ignored.
    """

    def __init__(self, keys: list[PublicKey] | None = None) -> None:
        self._keys: dict[str, PublicKey] = {}
        self.warnings: list[str] = []
        for key in keys or []:
            self.add(key)

    def add(self, key: PublicKey) -> None:
        current = self._keys.get(key.key_id)
        if current is not None and current.demo:
            return
        self._keys[key.key_id] = key

    def is_demo_key(self, key: PublicKey) -> bool:
        current = self._keys.get(key.key_id)
        return bool(current is not None and current.demo)

    def get(self, key_id: str) -> PublicKey | None:
        return self._keys.get(key_id)

    def __iter__(self):
        return iter(sorted(self._keys.values(), key=lambda k: (not k.demo, k.name)))

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def from_folder(cls, folder: Path) -> TrustStore:
        """The user's trusted keys, each under the name they gave it. A file that cannot be read is skipped,
        with a warning naming it (in ``warnings``), so one bad file never breaks every command."""
        store = cls()
        if folder.is_dir():
            for path in sorted(folder.glob("*.pub")):
                try:
                    doc = _load_doc(path, PUBLIC_TYPE)
                    given = doc.get("trusted_as")
                    store.add(public_key_from_doc(doc, str(path), given if isinstance(given, str) else None))
                except (BoldError, OSError):
                    store.warnings.append(f"Skipped {path} in your trusted keys: it is not a readable BOLD "
                                          "public key file.")
        return store


def add_to_folder(folder: Path, key: PublicKey, name: str) -> Path:
    """Save ``key`` as trusted under the reader's own ``name`` for it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key.key_id}.pub"
    doc = json.loads(key.to_json()) | {"name": name, "trusted_as": name, "demo": False}
    from linkage_core.safe_output import new_file

    with new_file(target, force=True) as tmp:
        tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return target
