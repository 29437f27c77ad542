"""Publishing the candidate package as one unit, and recovering from a publish
that was interrupted or could not be completed.

The stages build the package in ``build/package/``; only ``publish`` changes
the published package (``processed/``, ``datapackage.json``, ``CITATION.cff``,
``.zenodo.json``), and only after every check has passed:

1. copy every file of the candidate into ``.publishing/files/``, and keep the
   published files it replaces or removes in ``.publishing/previous/`` (hard
   links, or copies where links cannot be made): nothing published has
   changed yet, and an interruption here is undone by deleting the folder;
2. write ``.publishing/MANIFEST.json`` atomically: from this instant the
   publish is decided, and an interruption is finished, not undone;
3. move each file into place by a rename, the descriptor last, then remove
   published files the candidate no longer has, then the folder.

If a rename or removal of step 3 fails (a read-only folder, a file in the way,
a full disk), the publish is rolled back: the manifest is marked so, and the
previous files are put back from ``.publishing/previous/`` (``_rollback``),
so the package is as it was; only if that too fails is the package left
half-replaced, said so (``PublishFailed``, "half-published"), and put back by
the next ``recover``.

Between steps 2 and 3's end (a window of renames) ``datapackage.json`` may
disagree with the files beside it; ``recover`` closes the window, finishing
the publish (or, if finishing fails or a rollback had begun, rolling it
back), and every command that reads the package (each stage, ``make
repro``'s preflight, ``release``, ``check``) calls it before anything else.
A publish holds an advisory lock (``.publishing.lock``, ``flock``) from its
first copy to its last rename; ``recover`` takes the same lock, and where a
publish holds it, refuses at once (``PublishRunning``) and touches nothing:
the staging folder of a publish under way is not an interrupted one.
The guarantee is about interruption and failure (a kill, a crash, a refused
write): the files are not flushed to disk one by one, so a power cut inside
the window can lose what the renames moved.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..tables.csvio import Table, WriteError, atomic_write_text, read_table
from ..tables.errors import Collector, Problem
from ..tables.paths import Paths, Tree
from .approval import sha256_file

MANIFEST = "MANIFEST.json"
# where datapackage.json lists the files that are not tables (path, format, media type, bytes,
# hash): not among its resources, which frictionless validate (5.x) and the JavaScript library read
# as tables (a Parquet resource fails frictionless's byte count; a SQLite one the JavaScript reader)
FILES_PROPERTY = "stopitnow:files"  # files listed beside the resources (descriptor.py)
PUT_BACK = (
    "nothing was published: the files it had already replaced were put back, and the "
    "published package is as it was"
)
HALF = (
    "the published package is left half-replaced (processed/ and datapackage.json may disagree) "
    "and could not be put back; "
    "fix the cause, then run make repro, which puts back the previous package kept in .publishing/"
)


class PublishFailed(WriteError):
    """Step 3 failed at ``path``; ``state`` says what the published package is now (see the module's
    docstring)."""

    def __init__(self, path: Path, reason: str, rolled_back: bool):
        super().__init__(path, reason)
        self.type, self.state = (
            ("cannot-write", PUT_BACK) if rolled_back else ("half-published", HALF)
        )


class PublishRunning(WriteError):
    """Another process is publishing: a command that would recover the package touches nothing and
    says so."""

    type = "publish-running"
    state = "nothing was touched: the publish under way is left to finish"


@contextlib.contextmanager
def publish_lock(paths: Paths) -> Iterator[None]:
    """Hold the publish lock (``.publishing.lock``, an advisory ``flock``) for the block, or raise
    ``PublishRunning`` at once where another process holds it. The kernel drops the lock when its
    holder exits, however it ends, so a killed publish never leaves it held."""
    lock = paths.publish_lock
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(
            lock, f"the publish lock cannot be opened ({exc.strerror or exc})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishRunning(
                lock, "another process is publishing the package now (it holds this lock)"
            ) from None
        yield
    finally:
        os.close(fd)


def write_problem(paths: Paths, exc: WriteError) -> Problem:
    """A write that failed as a located problem, saying what state the published package is in."""
    lead = "" if isinstance(exc, PublishRunning) else "cannot write it: "
    return Problem(
        paths.rel(exc.path), None, None, exc.type, None, f"{lead}{exc.reason}; {exc.state}"
    )


def publish(paths: Paths, texts: dict[Path, str] | None = None) -> list[str]:
    """Move the candidate package into place as one unit, holding the publish lock throughout;
    return the published files (relative paths). ``texts``: candidate files published with other
    contents (the descriptor as publish completes it), the candidate's own left as the checks
    passed them. ``PublishRunning`` where another process is publishing."""
    with publish_lock(paths):
        _recover(paths)
        return _publish(paths, texts or {})


def _publish(paths: Paths, texts: dict[Path, str]) -> list[str]:
    candidate, published = paths.candidate, paths.published
    files = [p.relative_to(candidate.base) for p in candidate.files()]
    keep = {published.base / rel for rel in files}
    stale = [p.relative_to(published.base) for p in published.files() if p not in keep]
    previous = [rel for rel in files if (published.base / rel).is_file()] + stale
    stage = paths.publishing
    try:
        shutil.rmtree(stage, ignore_errors=True)
        for rel in files:
            if candidate.base / rel in texts:
                _place(texts[candidate.base / rel], stage / "files" / rel, _write_text)
            else:
                _place(candidate.base / rel, stage / "files" / rel, shutil.copyfile)
        for rel in previous:
            _place(published.base / rel, stage / "previous" / rel, _link_or_copy)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise WriteError(stage, exc.strerror or str(exc)) from None
    manifest = {
        "publish": [str(r) for r in files],
        "remove": [str(r) for r in stale],
        "previous": [str(r) for r in previous],
    }
    atomic_write_text(stage / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    _finish(paths, manifest)
    return manifest["publish"]


def _place(src: Path, dst: Path, how) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    how(src, dst)


def _write_text(text: str, dst: Path) -> None:
    dst.write_text(text, encoding="utf-8", newline="")


def _link_or_copy(src: Path, dst: Path) -> None:
    """Keep the bytes of ``src`` at ``dst``: a hard link (no copy, and the bytes survive ``src``
    being replaced), or a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def recover(paths: Paths) -> str | None:
    """Finish a publish whose manifest was written, or undo one whose was not; say which (None if
    there was none). A publish that cannot be finished, or whose rollback had begun, is rolled back
    (``PublishFailed`` if it cannot be). A publish still running is never touched:
    ``PublishRunning``, at once, where another process holds the lock."""
    if not paths.publishing.exists():
        return None
    with publish_lock(paths):
        return _recover(paths)


def _recover(paths: Paths) -> str | None:
    """``recover``'s work, for a caller that holds the publish lock."""
    stage = paths.publishing
    if not stage.exists():
        return None
    try:
        manifest = json.loads((stage / MANIFEST).read_text(encoding="utf-8"))
        manifest["publish"], manifest["remove"], manifest["previous"]  # noqa: B018 - the keys must be there
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(stage, ignore_errors=True)
        return "undid a publish that was interrupted before it had changed anything"
    if manifest.get("rollback"):
        _rollback_or_raise(paths, manifest, stage, "a rollback was interrupted")
        return "put back the previous package, whose publish had failed half-way"
    try:
        _finish(paths, manifest)
    except PublishFailed as exc:
        if exc.type == "half-published":
            raise
        return (
            "put back the previous package: a publish interrupted half-way could not be "
            f"finished ({paths.rel(exc.path)}: {exc.reason})"
        )
    return "finished a publish that was interrupted half-way"


def _finish(paths: Paths, manifest: dict) -> None:
    """The renames of step 3; each is done again harmlessly if the last attempt was cut short. If
    one fails, what was done is rolled back (``PublishFailed`` says whether that worked)."""
    stage, root = paths.publishing, paths.published.base
    at = root
    try:
        for rel in manifest["publish"]:
            staged, at = stage / "files" / rel, root / rel
            if staged.exists():
                at.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, at)
        for rel in manifest["remove"]:
            at = root / rel
            at.unlink(missing_ok=True)
        at = paths.published.processed
        _remove_empty_folders(at)
    except OSError as exc:
        _rollback_or_raise(paths, manifest, at, exc.strerror or str(exc))
        raise PublishFailed(at, exc.strerror or str(exc), rolled_back=True) from None
    _discard(stage)


def _rollback_or_raise(paths: Paths, manifest: dict, at: Path, reason: str) -> None:
    """Mark the manifest as rolling back, then put every previous file back; ``PublishFailed``
    (half-published) if either cannot be done. Marked first, so that a rollback cut short is
    continued, never finished forwards."""
    try:
        atomic_write_text(
            paths.publishing / MANIFEST, json.dumps({**manifest, "rollback": True}, indent=1) + "\n"
        )
        _rollback(paths, manifest)
    except (OSError, WriteError):
        raise PublishFailed(at, reason, rolled_back=False) from None
    _discard(paths.publishing)


def _rollback(paths: Paths, manifest: dict) -> None:
    """Undo step 3, in any state it was left in: each previous file back in place (where it is not
    there already), each file that was not published before removed. Done again harmlessly if cut
    short."""
    stage, root = paths.publishing, paths.published.base
    previous = set(manifest["previous"])
    for rel in [*reversed(manifest["publish"]), *manifest["remove"]]:  # the descriptor first
        kept, at = stage / "previous" / rel, root / rel
        if rel not in previous:
            if at.is_file() or at.is_symlink():  # (not a folder that stood in its way)
                at.unlink()
        elif kept.exists() and not _same(kept, at):
            at.parent.mkdir(parents=True, exist_ok=True)
            os.replace(kept, at)
    _remove_empty_folders(paths.published.processed)


def _same(kept: Path, at: Path) -> bool:
    """Whether the published file is still the previous one (the same file, or the same bytes)."""
    try:
        return os.path.samefile(kept, at) or filecmp.cmp(kept, at, shallow=False)
    except OSError:
        return False


def _discard(stage: Path) -> None:
    """Remove the staging folder once the package is whole again (the manifest first: no
    half-removed folder is ever taken for a publish to finish)."""
    try:
        (stage / MANIFEST).unlink(missing_ok=True)
    except OSError:
        pass
    shutil.rmtree(stage, ignore_errors=True)


def _remove_empty_folders(top: Path) -> None:
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


def mismatches(tree: Tree, known: dict[Path, tuple[int, str]] | None = None) -> list[str]:
    """Where the descriptor's hashes and bytes (of its resources and of the files that are not
    tables) disagree with the files beside it (empty when they agree). ``known``: the size and
    sha256 of files already read (the tables, by ``candidate_tables``)."""
    try:
        descriptor = json.loads(tree.datapackage.read_text(encoding="utf-8"))
        resources = descriptor["resources"] + descriptor.get(FILES_PROPERTY, [])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{tree.datapackage.name}: cannot be read ({exc})"]
    out = []
    for res in resources:
        path = tree.base / str(res.get("path", ""))
        if not res.get("path") or not path.is_file():
            out.append(f"{res.get('path')}: listed in datapackage.json but missing")
            continue
        size, digest = (known or {}).get(path) or (path.stat().st_size, sha256_file(path))
        if size != res.get("bytes") or "sha256:" + digest != res.get("hash"):
            out.append(f"{res['path']}: does not match its hash and bytes in datapackage.json")
    return out


# -- reading the candidate's tables ----------------------------------------------------------


def candidate_tables(
    paths: Paths, problems: Collector, digests: dict[str, tuple[int, str]] | None = None
) -> dict[str, Table]:
    """The candidate's tables, each by its schema's columns, read by ``csvio.read_table`` as every
    stage reads a table the pipeline wrote. ``digests``, where given, gets each table's bytes and
    sha256 as read."""
    from ..tables.paths import PUBLISHED_TABLES
    from ..tables.schema import field_names, load_schema

    tree, out = paths.candidate, {}
    # the largest first, so that Arrow's working memory for it comes before the others are held
    for name in sorted(PUBLISHED_TABLES, key=lambda n: -_size(tree.table(n))):
        path = tree.table(name)
        columns = field_names(load_schema(paths.schema(name)))
        out[name] = read_table(
            path, columns, problems, display=paths.rel(path), written_by_pipeline=True, digest=True
        )
        if digests is not None and out[name].digest is not None:
            digests[name] = out[name].digest
    return {name: out[name] for name in PUBLISHED_TABLES}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
