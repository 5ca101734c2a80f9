"""The encrypted, signed bundle: one file of aggregate findings. Read it only through ``open_bundle``.

Names are resolved on first use, so checking a file's signature never loads the schema models.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "KdfParams": "envelope", "Secret": "envelope", "parse": "envelope",
    "PrivateKey": "keys", "PublicKey": "keys", "TrustStore": "keys", "load_private_key": "keys",
    "load_public_key": "keys", "inspect": "files", "Bundle": "reader", "open_bundle": "reader",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"linkage_core.bundle.{_WHERE[name]}"), name)
