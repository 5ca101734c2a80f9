"""The encrypted, signed bundle: one file of aggregate findings. Read it only through ``open_bundle``."""

from linkage_core.bundle.envelope import KdfParams, Secret, parse
from linkage_core.bundle.keys import PrivateKey, PublicKey, TrustStore, load_private_key, load_public_key
from linkage_core.bundle.reader import Bundle, inspect, open_bundle

__all__ = [
    "Bundle", "KdfParams", "PrivateKey", "PublicKey", "Secret", "TrustStore",
    "inspect", "load_private_key", "load_public_key", "open_bundle", "parse",
]
