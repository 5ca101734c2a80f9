"""The sealed file: a short versioned header, one AEAD-sealed body, one signature over both.

Layout (like ``age``, small enough to describe in four lines)::

    MAGIC (12 bytes) | format version (u16, big-endian) | header length (u32) | header (UTF-8 JSON)
    body: AES-256-GCM(data key, zlib(SQLite bytes)), associated data = everything before the body
    signature: Ed25519 by the publisher over everything before it (64 bytes; all zero when unsigned)

The header says how the data key is wrapped: once per passphrase (Argon2id) and once per X25519 recipient.
Every byte is covered by the signature and the body's tag, so any change fails loudly.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
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
    BoldError,
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
#: Limits checked before anything in the file is believed. A real header is about 1 KB; a real body a few MB.
MAX_HEADER = 64 * 1024
MAX_SLOTS = 64
#: Key derivation a laptop finishes in about a second: the default cost, once. The total over every
#: passphrase slot counts, since a wrong passphrase is tried against each.
MAX_KDF_MEMORY_KIB = 128 * 1024
MAX_KDF_ITERATIONS = 8
MAX_KDF_LANES = 8
MAX_KDF_WORK = 64 * 1024 * 3  # KiB x passes, summed over passphrase slots
#: How far the decrypted body may unpack; unpacking stops as soon as this is passed. A bundle's SQLite
#: compresses about 8:1 (the demo 7.6:1; very repetitive figures up to about 22:1), so 32x its body, never
#: under 16 MiB nor over 512 MiB: a 1 MB body cannot claim 2 GB, while a 1,000,000-estimate bundle (18 MiB body,
#: about 390 MiB of SQLite) still opens.
MAX_DATABASE = 512 * 1024 * 1024
MIN_DATABASE_CAP = 16 * 1024 * 1024
MAX_UNPACK_RATIO = 32
_UNPACK_CHUNK = 1 << 20
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

    @property
    def work(self) -> int:
        return self.memory_kib * self.iterations

    @classmethod
    def from_doc(cls, doc: object) -> KdfParams:
        if not isinstance(doc, dict):
            raise CorruptBundle("This bundle's key-derivation settings are damaged, so it was not opened.")
        if doc.get("alg") != "argon2id":
            raise UnsupportedVersion("This bundle uses a key method this version of BOLD Insights does not know.")
        values = [doc.get(k) for k in ("memory_kib", "iterations", "lanes")]
        if not all(_is_int(v) for v in values):
            raise CorruptBundle("This bundle's key-derivation settings are damaged, so it was not opened.")
        params = cls(*values)
        params.check()
        return params

    def check(self) -> None:
        """A hostile header must not make the reader allocate gigabytes or spin for minutes."""
        if not (8 * self.lanes <= self.memory_kib <= MAX_KDF_MEMORY_KIB and 1 <= self.iterations <= MAX_KDF_ITERATIONS
                and 1 <= self.lanes <= MAX_KDF_LANES and self.work <= MAX_KDF_WORK):
            raise CorruptBundle("This bundle asks for more key-derivation work than a laptop does in about a "
                                "second, so it was not opened.")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    whole: memoryview | None = field(default=None, repr=False)
    _publisher: PublicKey | None = field(default=None, repr=False)

    @property
    def bundle_id(self) -> bytes:
        return b64d(self.header["bundle_id"])

    @property
    def publisher_doc(self) -> dict | None:
        return self.header.get("publisher")

    @property
    def synthetic(self) -> bool:
        """The header's own claim: shown as a claim, never used to decide what to trust."""
        return self.header.get("synthetic") is True

    @property
    def title(self) -> str:
        return str(self.header.get("title", ""))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.whole if self.whole is not None else bytes(self.signed_part) + self.signature
                              ).hexdigest()

    def publisher_key(self) -> PublicKey | None:
        doc = self.publisher_doc
        return None if doc is None else public_key_from_doc(doc, "The bundle's publisher key")

    def verify(self, trust: TrustStore) -> PublicKey:
        """Check the signature, then that its key is one the reader trusts. Returns the trusted key.

        Every label the reader shows comes from the returned key (the trust store's entry), never from the
        header's claims about its publisher.
        """
        if self.publisher_doc is None and self.signature == _UNSIGNED:
            raise UnsignedBundle()
        if self.publisher_doc is None or self.signature == _UNSIGNED:
            raise TamperedBundle()
        try:
            claimed = self.publisher_key()
            claimed.verifier().verify(self.signature, bytes(self.signed_part))
        except (BoldError, InvalidSignature, ValueError, TypeError):
            raise TamperedBundle() from None
        trusted = trust.get(claimed.key_id)
        if trusted is None or trusted.signing != claimed.signing:
            raise UntrustedPublisher(
                f"This bundle was signed by key {claimed.key_id}, a publisher you have not chosen to trust. "
                "If you expected it, add their public key with: bold trust add FILE.pub --name NAME"
            )
        if trusted.only_for and self.sha256 not in trusted.only_for:
            raise UntrustedPublisher(
                "This bundle was signed with the demo key, which vouches only for the demo bundle shipped with "
                "BOLD Insights, so it cannot be trusted."
            )
        self._publisher = trusted
        return trusted

    def unwrap(self, secret: Secret) -> bytes:
        """Recover the data key from the slot the secret fits. Wrong secrets all fail the same way."""
        slots = self.header["slots"]
        aad = self.bundle_id
        try:
            if isinstance(secret, PrivateKey):
                mine = _raw(secret.recipient_key.public_key())
                for slot in slots:
                    if slot["type"] != "x25519" or b64d(slot["recipient"]) != mine:
                        continue
                    ephemeral = b64d(slot["ephemeral"])
                    shared = secret.recipient_key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
                    wrap = _x25519_wrap_key(shared, ephemeral, mine)
                    return AESGCM(wrap).decrypt(b64d(slot["nonce"]), b64d(slot["wrapped"]), aad)
                raise WrongSecret("This bundle was not issued to that key file.")
            params = KdfParams.from_doc(self.header["kdf"])
            for slot in slots:
                if slot["type"] != "passphrase":
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
        if not any(s["type"] == "passphrase" for s in slots):
            raise WrongSecret("This bundle cannot be opened with a passphrase; it needs a key file.")
        raise WrongSecret()

    def decrypt(self, data_key: bytes) -> bytearray:
        """The database bytes, in a buffer the caller zeroes once loaded (``wipe``)."""
        body = self.header["body"]
        try:
            sealed = AESGCM(data_key).decrypt(b64d(body["nonce"]), bytes(self.body), bytes(self.prefix))
        except InvalidTag:
            raise TamperedBundle() from None
        except (KeyError, ValueError, TypeError):
            raise CorruptBundle() from None
        return unpack(sealed, database_cap(len(sealed)))


def database_cap(body_size: int) -> int:
    return min(MAX_DATABASE, max(MIN_DATABASE_CAP, MAX_UNPACK_RATIO * body_size))


def unpack(sealed: bytes, limit: int | None = None) -> bytearray:
    """zlib-decompress, stopping as soon as the output passes ``limit`` (a 1 MB body can claim 2 GB)."""
    limit = MAX_DATABASE if limit is None else limit
    out = bytearray()
    inflater = zlib.decompressobj()
    pending = sealed
    try:
        while True:
            chunk = inflater.decompress(pending, _UNPACK_CHUNK)
            out += chunk
            if len(out) > limit:
                wipe(out)
                raise CorruptBundle(f"This bundle unpacks to more than {limit // (1024 * 1024)} MB, more than any "
                                    "bundle of aggregate findings needs, so it was not opened.")
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
            if not chunk and not pending:
                raise CorruptBundle("This bundle's contents stop part-way through, so it cannot be read.")
    except zlib.error:
        wipe(out)
        raise CorruptBundle() from None
    if inflater.unused_data:
        wipe(out)
        raise CorruptBundle("This bundle's contents have extra bytes after their end, so it cannot be read.")
    return out


def wipe(buffer: bytearray) -> None:
    """Overwrite a buffer in place (no copy). Python's immutable ``bytes`` cannot be wiped; see docs."""
    if buffer:
        ctypes.memset((ctypes.c_char * len(buffer)).from_buffer(buffer), 0, len(buffer))


# -- the header: every field checked for type and size before anything else reads it ------------------------
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _b64_field(doc: dict, name: str, sizes: tuple[int, int]) -> None:
    value = doc.get(name)
    if not isinstance(value, str) or len(value) > 4 * sizes[1] or not _B64.fullmatch(value):
        raise CorruptBundle()
    try:
        raw = b64d(value)
    except ValueError:
        raise CorruptBundle() from None
    if not sizes[0] <= len(raw) <= sizes[1]:
        raise CorruptBundle()


def _str_field(doc: dict, name: str, longest: int, *, optional: bool = False) -> None:
    value = doc.get(name)
    if optional and value is None:
        return
    if not isinstance(value, str) or len(value) > longest:
        raise CorruptBundle()


def check_header(header: object) -> None:
    """Every field the reader uses, of the right type and size; anything else is a damaged bundle (exit 4)."""
    if not isinstance(header, dict) or header.get("format") != "bold-bundle":
        raise CorruptBundle()
    _b64_field(header, "bundle_id", (16, 16))
    if not _is_int(header.get("schema_version")) or not isinstance(header.get("synthetic"), bool):
        raise CorruptBundle()
    _str_field(header, "title", 2000)
    _str_field(header, "created", 100)
    publisher = header.get("publisher")
    if publisher is not None:
        if not isinstance(publisher, dict):
            raise CorruptBundle()
        _str_field(publisher, "name", 500, optional=True)
        _str_field(publisher, "key_id", 100, optional=True)
        _b64_field(publisher, "ed25519", (32, 32))
        _b64_field(publisher, "x25519", (32, 32))
    slots = header.get("slots")
    if not isinstance(slots, list) or not slots:
        raise CorruptBundle()
    if len(slots) > MAX_SLOTS:
        raise CorruptBundle(f"This bundle has {len(slots)} key slots, more than the {MAX_SLOTS} a bundle may "
                            "have, so it was not opened.")
    for slot in slots:
        if not isinstance(slot, dict) or slot.get("type") not in ("passphrase", "x25519"):
            raise CorruptBundle()
        _b64_field(slot, "nonce", (12, 12))
        _b64_field(slot, "wrapped", (48, 48))
        if slot["type"] == "passphrase":
            _b64_field(slot, "salt", (16, 64))
        else:
            _b64_field(slot, "recipient", (32, 32))
            _b64_field(slot, "ephemeral", (32, 32))
            _str_field(slot, "recipient_name", 500, optional=True)
    passphrase_slots = sum(1 for slot in slots if slot["type"] == "passphrase")
    if passphrase_slots:
        params = KdfParams.from_doc(header.get("kdf"))
        if params.work * passphrase_slots > MAX_KDF_WORK:
            raise CorruptBundle("This bundle asks for more key-derivation work than a laptop does in about a "
                                "second, so it was not opened.")
    body = header.get("body")
    if not isinstance(body, dict) or not _is_int(body.get("length")) or body["length"] < 16:
        raise CorruptBundle()
    if body.get("cipher") != "aes-256-gcm":
        raise UnsupportedVersion("This bundle uses a cipher this version of BOLD Insights does not know.")
    if body.get("compression") != "zlib":
        raise UnsupportedVersion("This bundle uses a compression this version of BOLD Insights does not know.")
    _b64_field(body, "nonce", (12, 12))


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
    if header_len > MAX_HEADER:
        raise CorruptBundle(f"This bundle's header is larger than the {MAX_HEADER // 1024} KB a bundle may have, "
                            "so it was not opened.")
    if len(view) < start + header_len:
        raise TruncatedBundle()
    try:
        header = json.loads(bytes(view[start : start + header_len]).decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise CorruptBundle() from None
    check_header(header)
    body_start = start + header_len
    body_end = body_start + header["body"]["length"]
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
        whole=view,
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
    kdf.check()
    if kdf.work * len(passphrases) > MAX_KDF_WORK or len(passphrases) + len(recipients) > MAX_SLOTS:
        raise ValueError("too many passphrases for the key-derivation cost a reader accepts")
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
