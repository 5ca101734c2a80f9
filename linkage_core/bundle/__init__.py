"""The encrypted, signed bundle: one file of aggregate findings. Read it only through ``open_bundle``.

Names are resolved on first use (ordinary imports inside ``__getattr__``), so checking a file's signature
never loads the schema models.
"""

from __future__ import annotations

__all__ = sorted({"KdfParams", "Secret", "parse", "PrivateKey", "PublicKey", "TrustStore", "load_private_key",
                  "load_public_key", "inspect", "Bundle", "open_bundle"})


def __getattr__(name: str):
    if name in {"KdfParams", "Secret", "parse"}:
        from linkage_core.bundle import envelope as module
    elif name in {"PrivateKey", "PublicKey", "TrustStore", "load_private_key", "load_public_key"}:
        from linkage_core.bundle import keys as module
    elif name == "inspect":
        from linkage_core.bundle import files as module
    elif name in {"Bundle", "open_bundle"}:
        from linkage_core.bundle import reader as module
    else:
        raise AttributeError(name)
    return getattr(module, name)
