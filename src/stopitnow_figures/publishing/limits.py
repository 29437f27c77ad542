"""The limits of one download (``download --max-bytes`` and the others), apart from the download
itself so that the CLI's help can state their defaults without importing it."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """What one download may take; passing any limit is a refusal that names it.
    In the main thread an alarm enforces the deadline even inside one network
    wait; elsewhere it is checked after every read (so it may overrun by one ``timeout``)."""

    max_bytes: int = 256 * MiB  # bytes downloaded
    max_unpacked: int = GiB  # bytes inflated, summed over all members, counted while inflating
    max_members: int = 10_000  # entries in the archive (a release has about 20)
    deadline: float = (
        900.0  # seconds for the whole download, from the first connection to the last move
    )
    timeout: float = 30.0  # seconds any one network wait may take


DEFAULT_LIMITS = Limits()  # what a download may take where no limit is given
