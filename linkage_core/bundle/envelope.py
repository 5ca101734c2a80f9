"""The sealed file: a short versioned header, one AEAD-sealed body, one signature over both.

Layout (like ``age``, small enough to describe in four lines)::

    MAGIC (12 bytes) | format version (u16, big-endian) | header length (u32) | header (UTF-8 JSON)
    body: AES-256-GCM(data key, zlib(SQLite bytes)), associated data = everything before the body
    signature: Ed25519 by the publisher over everything before it (64 bytes; all zero when unsigned)

The header says how the data key is wrapped: once per passphrase (Argon2id) and once per X25519 recipient.
Every byte is covered by the signature and the body's tag, so any change fails loudly.
"""

from __future__ import annotations

import json
import os
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from linkage_core.bundle.keys import PrivateKey, PublicKey, TrustStore, b64d, b64e, public_key_from_doc
from linkage_core.errors import (
    CorruptBundle,
    NotABundle,
    TamperedBundle,
    TruncatedBundle,
    UnsignedBundle,
    UnsupportedVersion,
    UntrustedPublisher,
    WrongSecret,
)

MAGIC = b"BOLD-BUNDLE\n"
FORMAT_VERSION = 1
SIGNATURE_SIZE = 64
_PREFIX = struct.Struct(">HI")
_MAX_HEADER = 1 << 20
_UNSIGNED = b"\x00" * SIGNATURE_SIZE
_SLOT_INFO = b"bold-bundle x25519 key slot v1"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default (64 MiB, 3 passes) follows the RFC 9106 second recommended option."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4

    def to_doc(self) -> dict:
        return {"alg": "argon2id", "memory_kib": self.memory_kib, "iterations": self.iterations, "lanes": self.lanes}

    @classmethod
    def from_doc(cls, doc: dict) -> KdfParams:
        if doc.get("alg") != "argon2id":
            raise UnsupportedVersion("This bundle uses a key method this version of BOLD Insights does not know.")
        params = cls(int(doc["memory_kib"]), int(doc["iterations"]), int(doc["lanes"]))
        # A hostile header must not make us allocate gigabytes or spin for minutes.
        if not (8 <= params.memory_kib <= 4 * 1024 * 1024 and 1 <= params.iterations <= 64 and 1 <= params.lanes <= 64):
            raise CorruptBundle("This bundle asks for an unreasonable key-derivation cost, so it was not opened.")
        return params


Secret = str | PrivateKey


def _normalise(passphrase: str) -> bytes:
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    kdf = Argon2id(
        salt=salt, length=32, iterations=params.iterations, lanes=params.lanes, memory_cost=params.memory_kib
    )
    return kdf.derive(_normalise(passphrase))


def _x25519_wrap_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_SLOT_INFO).derive(shared)


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass
class Envelope:
    """A parsed bundle file whose layout is sound. Nothing in it is trusted until ``verify`` passes."""

    header: dict
    signed_part: memoryview  # prefix + header + body
    prefix: memoryview  # everything before the body (the body's associated data)
    body: memoryview
    signature: bytes
    _publisher: PublicKey | None = field(default=None, repr=False)

    @property
    def bundle_id(self) -> bytes:
        return b64d(self.header["bundle_id"])

    @property
    def publisher_doc(self) -> dict | None:
        return self.header.get("publisher")

    @property
    def synthetic(self) -> bool:
        return bool(self.header.get("synthetic"))

    @property
    def title(self) -> str:
        return str(self.header.get("title", ""))

    def publisher_key(self) -> PublicKey | None:
        doc = self.publisher_doc
        return None if doc is None else public_key_from_doc(doc, "The bundle's publisher key")

    def verify(self, trust: TrustStore) -> PublicKey:
        """Check the signature, then that its key is one the reader trusts. Returns the trusted key."""
        if self.publisher_doc is None or self.signature == _UNSIGNED:
            raise UnsignedBundle()
        try:
            claimed = self.publisher_key()
        except Exception:
            raise TamperedBundle() from None
        try:
            claimed.verifier().verify(self.signature, bytes(self.signed_part))
        except InvalidSignature:
            raise TamperedBundle() from None
        trusted = trust.get(claimed.key_id)
        if trusted is None or trusted.signing != claimed.signing:
            raise UntrustedPublisher(
                f"This bundle was signed by '{claimed.name}' (key {claimed.key_id}), a publisher you have not "
                "chosen to trust. If you expected it, add their public key with: bold trust add FILE.pub"
            )
        self._publisher = trusted
        return trusted

    def unwrap(self, secret: Secret) -> bytes:
        """Recover the data key from the slot the secret fits. Wrong secrets all fail the same way."""
        slots = self.header.get("slots", [])
        aad = self.bundle_id
        try:
            if isinstance(secret, PrivateKey):
                mine = _raw(secret.recipient_key.public_key())
                for slot in slots:
                    if slot.get("type") != "x25519" or b64d(slot["recipient"]) != mine:
                        continue
                    ephemeral = b64d(slot["ephemeral"])
                    shared = secret.recipient_key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
                    wrap = _x25519_wrap_key(shared, ephemeral, mine)
                    return AESGCM(wrap).decrypt(b64d(slot["nonce"]), b64d(slot["wrapped"]), aad)
                raise WrongSecret("This bundle was not issued to that key file.")
            params = KdfParams.from_doc(self.header["kdf"])
            for slot in slots:
                if slot.get("type") != "passphrase":
                    continue
                wrap = derive_passphrase_key(secret, b64d(slot["salt"]), params)
                try:
                    return AESGCM(wrap).decrypt(b64d(slot["nonce"]), b64d(slot["wrapped"]), aad)
                except InvalidTag:
                    continue
        except (KeyError, ValueError, TypeError) as exc:
            raise CorruptBundle() from exc
        except InvalidTag:
            raise WrongSecret() from None
        if not any(s.get("type") == "passphrase" for s in slots):
            raise WrongSecret("This bundle cannot be opened with a passphrase; it needs a key file.")
        raise WrongSecret()

    def decrypt(self, data_key: bytes) -> bytes:
        body = self.header.get("body", {})
        try:
            sealed = AESGCM(data_key).decrypt(b64d(body["nonce"]), bytes(self.body), bytes(self.prefix))
        except InvalidTag:
            raise TamperedBundle() from None
        except (KeyError, ValueError, TypeError):
            raise CorruptBundle() from None
        if body.get("compression") != "zlib":
            raise UnsupportedVersion("This bundle uses a compression this version of BOLD Insights does not know.")
        try:
            return zlib.decompress(sealed)
        except zlib.error:
            raise CorruptBundle() from None


def parse(data: bytes | memoryview) -> Envelope:
    """Split a file into its parts, refusing anything that is not laid out as a bundle."""
    view = memoryview(data)
    if len(view) < len(MAGIC) or bytes(view[: len(MAGIC)]) != MAGIC:
        if len(view) < len(MAGIC) and MAGIC.startswith(bytes(view)) and len(view) > 0:
            raise TruncatedBundle()
        raise NotABundle()
    start = len(MAGIC) + _PREFIX.size
    if len(view) < start:
        raise TruncatedBundle()
    version, header_len = _PREFIX.unpack(view[len(MAGIC) : start])
    if version != FORMAT_VERSION:
        raise UnsupportedVersion(
            f"This bundle uses format version {version}; this app reads version {FORMAT_VERSION}. "
            "Update BOLD Insights to open it."
        )
    if header_len > _MAX_HEADER:
        raise CorruptBundle()
    if len(view) < start + header_len:
        raise TruncatedBundle()
    try:
        header = json.loads(bytes(view[start : start + header_len]).decode("utf-8"))
        body_len = int(header["body"]["length"])
        b64d(header["bundle_id"])
    except (ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError):
        raise CorruptBundle() from None
    if not isinstance(header, dict) or body_len < 0:
        raise CorruptBundle()
    body_start = start + header_len
    body_end = body_start + body_len
    expected = body_end + SIGNATURE_SIZE
    if len(view) < expected:
        raise TruncatedBundle()
    if len(view) > expected:
        raise CorruptBundle("This bundle has extra bytes after its end, so it may have been changed.")
    return Envelope(
        header=header,
        signed_part=view[:body_end],
        prefix=view[:body_start],
        body=view[body_start:body_end],
        signature=bytes(view[body_end:expected]),
    )


def seal(
    plaintext: bytes,
    *,
    passphrases: list[str],
    recipients: list[PublicKey],
    signer: PrivateKey | None,
    title: str,
    synthetic: bool,
    schema_version: int,
    created: str,
    kdf: KdfParams = KdfParams(),
) -> bytes:
    """Seal database bytes for the given passphrases and recipients, signed by ``signer``."""
    if not passphrases and not recipients:
        raise ValueError("a bundle needs at least one passphrase or recipient")
    data_key = AESGCM.generate_key(bit_length=256)
    bundle_id = os.urandom(16)
    slots: list[dict] = []
    for passphrase in passphrases:
        salt, nonce = os.urandom(16), os.urandom(12)
        wrap = derive_passphrase_key(passphrase, salt, kdf)
        slots.append(
            {"type": "passphrase", "salt": b64e(salt), "nonce": b64e(nonce),
             "wrapped": b64e(AESGCM(wrap).encrypt(nonce, data_key, bundle_id))}
        )
    for recipient in recipients:
        ephemeral = X25519PrivateKey.generate()
        eph_raw = _raw(ephemeral.public_key())
        shared = ephemeral.exchange(recipient.x25519())
        wrap = _x25519_wrap_key(shared, eph_raw, recipient.recipient)
        nonce = os.urandom(12)
        slots.append(
            {"type": "x25519", "recipient": b64e(recipient.recipient), "recipient_name": recipient.name,
             "ephemeral": b64e(eph_raw), "nonce": b64e(nonce),
             "wrapped": b64e(AESGCM(wrap).encrypt(nonce, data_key, bundle_id))}
        )
    compressed = zlib.compress(plaintext, 6)
    body_nonce = os.urandom(12)
    publisher = None
    if signer is not None:
        pub = signer.public
        publisher = {"name": pub.name, "key_id": pub.key_id, "demo": pub.demo,
                     "ed25519": b64e(pub.signing), "x25519": b64e(pub.recipient)}
    header = {
        "format": "bold-bundle",
        "bundle_id": b64e(bundle_id),
        "schema_version": schema_version,
        "title": title,
        "synthetic": synthetic,
        "created": created,
        "publisher": publisher,
        "kdf": kdf.to_doc(),
        "slots": slots,
        "body": {"cipher": "aes-256-gcm", "compression": "zlib", "nonce": b64e(body_nonce),
                 "length": len(compressed) + 16},
    }
    header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    prefix = MAGIC + _PREFIX.pack(FORMAT_VERSION, len(header_bytes)) + header_bytes
    body = AESGCM(data_key).encrypt(body_nonce, compressed, prefix)
    signed = prefix + body
    signature = signer.signing_key.sign(signed) if signer is not None else _UNSIGNED
    return signed + signature
