"""The terminal app and the ``bold`` command. Reads bundles only through ``linkage_core.bundle``."""

__version__ = "0.1.0"
