"""The ways opening a bundle or running the pipeline can fail, each with one plain sentence and an exit code.

Every failure a user can meet is one of these types, so the CLI and the app can show the sentence and never
a traceback.
"""

from __future__ import annotations


class BoldError(Exception):
    """Base class: ``str(error)`` is one plain sentence for a person to read."""

    exit_code = 1
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class UsageError(BoldError):
    exit_code = 2
    default_message = "That command was not written the way it expects."


class WrongSecret(BoldError):
    exit_code = 3
    default_message = "That passphrase or key does not open this bundle. Check it and try again."


class NotABundle(BoldError):
    exit_code = 4
    default_message = "This file is not a BOLD bundle."


class TruncatedBundle(NotABundle):
    default_message = "This bundle is incomplete: the file was cut short, perhaps during a copy or download."


class TamperedBundle(NotABundle):
    default_message = "This bundle has been changed since it was signed, so it cannot be trusted."


class CorruptBundle(NotABundle):
    default_message = "This bundle is damaged and cannot be read."


class UntrustedPublisher(BoldError):
    exit_code = 5
    default_message = "This bundle was signed by a publisher you have not chosen to trust."


class UnsignedBundle(UntrustedPublisher):
    default_message = "This bundle carries no publisher signature, so it cannot be trusted."


class DisclosureViolation(BoldError):
    exit_code = 6
    default_message = "This bundle holds a figure that breaks the disclosure rules, so it will not be shown."


class UnsupportedVersion(BoldError):
    exit_code = 7
    default_message = "This bundle was made by a newer version of BOLD Insights. Update the app to open it."


class MissingExtra(BoldError):
    exit_code = 2
    default_message = (
        "This command needs the pipeline tools. Install them with: pip install 'bold-insights[pipeline]'"
    )


# -- the secure-stage pipeline: a run that outgrows the machine, or is told to stop (linkage_core.memory)

class NotEnoughMemory(BoldError):
    """The run needs (or reached) more memory than this machine has."""

    exit_code = 1
    default_message = "This run needs more memory than this machine has free."


class NotEnoughDisk(NotEnoughMemory):
    """DuckDB's spill to disk outgrew the room it was given."""

    default_message = "This run needed more room for temporary files than the disk has free."


class Stopped(BoldError):
    """The run was asked to stop (SIGTERM): temporary files are removed on the way out."""

    exit_code = 143
    default_message = "Stopped before the end; its temporary files were removed."
