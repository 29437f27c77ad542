"""Publishing the candidate package as one unit, and recovering from a publish
that was interrupted.

The stages build the package in ``build/package/``; only ``publish`` changes
the published package (``processed/``, ``datapackage.json``, ``CITATION.cff``,
``.zenodo.json``), and only after every check has passed:

1. copy every file of the candidate into ``.publishing/files/`` (nothing
   published has changed yet; an interruption here is undone by deleting it);
2. write ``.publishing/MANIFEST.json`` atomically: from this instant the
   publish is decided, and an interruption is finished, not undone;
3. move each file into place by a rename, the descriptor last, then remove
   published files the candidate no longer has, then the manifest.

Between steps 2 and 3's end (a window of renames) ``datapackage.json`` may
disagree with the files beside it; ``recover`` closes the window, and every
command that reads the package (each stage, ``make repro``, ``release``,
``check``) calls it before anything else. The guarantee is about
interruption (a kill, a crash): the files are not flushed to disk one by one,
so a power cut inside the window can lose what the renames moved.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from .csvio import WriteError, atomic_write_text
from .paths import Paths, Tree

MANIFEST = "MANIFEST.json"


def publish(paths: Paths) -> list[str]:
    """Move the candidate package into place as one unit; return the published files (relative paths)."""
    recover(paths)
    candidate, published = paths.candidate, paths.published
    files = [p.relative_to(candidate.base) for p in candidate.files()]
    stage = paths.publishing
    try:
        shutil.rmtree(stage, ignore_errors=True)
        for rel in files:
            target = stage / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(candidate.base / rel, target)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise WriteError(stage, exc.strerror or str(exc)) from None
    keep = {published.base / rel for rel in files}
    stale = [p.relative_to(published.base) for p in published.files() if p not in keep]
    manifest = {"publish": [str(r) for r in files], "remove": [str(r) for r in stale]}
    atomic_write_text(stage / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    _finish(paths, manifest)
    return manifest["publish"]


def recover(paths: Paths) -> str | None:
    """Finish a publish whose manifest was written, or undo one whose was not; say which (None if there was none)."""
    stage = paths.publishing
    if not stage.exists():
        return None
    try:
        manifest = json.loads((stage / MANIFEST).read_text(encoding="utf-8"))
        manifest["publish"], manifest["remove"]  # noqa: B018 - both keys must be there
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(stage, ignore_errors=True)
        return "undid a publish that was interrupted before it had changed anything"
    _finish(paths, manifest)
    return "finished a publish that was interrupted half-way"


def _finish(paths: Paths, manifest: dict) -> None:
    """The renames of step 3; each is done again harmlessly if the last attempt was cut short."""
    stage, root = paths.publishing, paths.published.base
    try:
        for rel in manifest["publish"]:
            staged = stage / "files" / rel
            if staged.exists():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, root / rel)
        for rel in manifest["remove"]:
            (root / rel).unlink(missing_ok=True)
        _remove_empty_folders(paths.published.processed)
        (stage / MANIFEST).unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
    except OSError as exc:
        raise WriteError(root, exc.strerror or str(exc)) from None


def _remove_empty_folders(top: Path) -> None:
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


def mismatches(tree: Tree) -> list[str]:
    """Where the descriptor's hashes and bytes disagree with the files beside it (empty when they agree)."""
    try:
        descriptor = json.loads(tree.datapackage.read_text(encoding="utf-8"))
        resources = descriptor["resources"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{tree.datapackage.name}: cannot be read ({exc})"]
    out = []
    for res in resources:
        path = tree.base / str(res.get("path", ""))
        if not res.get("path") or not path.is_file():
            out.append(f"{res.get('path')}: listed in datapackage.json but missing")
            continue
        data = path.read_bytes()
        if len(data) != res.get("bytes") or "sha256:" + hashlib.sha256(data).hexdigest() != res.get("hash"):
            out.append(f"{res['path']}: does not match its hash and bytes in datapackage.json")
    return out
