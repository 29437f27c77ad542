"""params.yaml, read once per stage: one section per stage."""

from __future__ import annotations

from pathlib import Path


def load(path: Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}
