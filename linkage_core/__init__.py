"""The secure-stage core: schemas, linkage, statistics, disclosure control and the bundle format.

Nothing here imports the user interface; the app reaches data only through ``linkage_core.bundle``.
"""

__version__ = "0.1.0"
