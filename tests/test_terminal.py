"""What a command prints on a terminal: every command, run in a pseudo-terminal (where click strips
nothing), is given text the package did not write (article text, a file name, an id, a revision git
does not know, a URL) that holds escape sequences, BEL, NUL, a bare carriage return and U+202E; none
of the characters of the table of those not shown (``tables/characters``) reaches the terminal raw.
Where the command refuses, it says where (a located problem or a refusal naming what it refused),
without a traceback, and exits non-zero; the published package is untouched either way."""

from __future__ import annotations

import hashlib
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_repo, env, snapshot
from stopitnow_figures.tables import characters

# a terminal escape (clear the screen), a colour, a title set by OSC and ended by BEL, NUL, a bare
# carriage return, the right-to-left override, a zero-width space and a line separator
HOSTILE = "\x1b[2J\x1b[31m\x1b]0;owned\x07\x00\rmid\u202eevil\u200b\u2028"
IN_ARGV = HOSTILE.replace("\x00", "")  # (an argument cannot hold NUL)
SOURCE = "herald-2017-scotland"


def in_pty(repo: Path, *args: str, stage: str | None = None) -> tuple[int, str]:
    """Run the command (or a ``stage``, as DVC runs it) in a pseudo-terminal (its stdin, stdout and
    stderr) in ``repo``; its exit status and what reached the terminal, the terminal's own line ends
    (carriage return and line feed) read as line feeds."""
    main, child = pty.openpty()
    e = env() | {"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200", "TERM": "xterm"}
    if stage:
        cmd = [sys.executable, "-m", f"stopitnow_figures.stages.{stage}", str(repo)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "stopitnow_figures.cli",
            args[0],
            "--root",
            str(repo),
            *args[1:],
        ]
    proc = subprocess.Popen(
        cmd, stdin=child, stdout=child, stderr=child, cwd=repo, env=e, close_fds=True
    )
    os.close(child)
    out = b""
    while True:
        try:
            piece = os.read(main, 1 << 16)
        except OSError:  # the child's end is closed
            break
        if not piece:
            break
        out += piece
    os.close(main)
    return proc.wait(timeout=300), out.replace(b"\r\n", b"\n").decode("utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("repo"))


def _nothing_raw(out: str) -> None:
    raw = sorted({f"U+{ord(c):04X}" for c in characters.PATTERN.findall(out)})
    assert not raw, f"{raw} reached the terminal: {out!r}"
    assert "Traceback" not in out, out


def _file_named(repo: Path, data: bytes) -> Path:
    """A file named by the hostile text (without NUL and slash, which no file name holds)."""
    path = repo.parent / f"article{IN_ARGV}.txt"
    path.write_bytes(data)
    return path


def _article_with_an_unaccounted_number(repo: Path) -> None:
    """The hostile text around a number no row accounts for, added to an article, and its new
    sha256 recorded."""
    path = repo / "raw" / "sources" / f"{SOURCE}.txt"
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(
        path.read_text(encoding="utf-8") + f"\nA further {HOSTILE}4817{HOSTILE} people called.\n",
        encoding="utf-8",
    )
    listed = repo / "raw" / "sources.csv"
    listed.write_bytes(
        listed.read_bytes().replace(
            old.encode(), hashlib.sha256(path.read_bytes()).hexdigest().encode()
        )
    )


# (the command's arguments, what to do to the copy first, the exit status, a pattern the output must
# match) a refusal quoting: article text (check, coverage); a file name (add-source); git's message
# (diff); an id (trace, cite, propose); a URL (download)
CASES = {
    "check": (
        ["check"],
        _article_with_an_unaccounted_number,
        1,
        rf"raw/sources/{SOURCE}\.txt:\d+: \[unaccounted-number\]",
    ),
    "coverage": (
        ["coverage"],
        _article_with_an_unaccounted_number,
        1,
        rf"{SOURCE} @\d+: '4817' -> UNACCOUNTED",
    ),
    "add-source": (
        lambda repo: [
            "add-source",
            str(_file_named(repo, b"caf\xe9 \xff")),
            *(
                "--publisher",
                f"The {IN_ARGV} Times",
                "--headline",
                IN_ARGV,
                "--url",
                f"https://example.org/{IN_ARGV}",
            ),
            *(
                "--place",
                "Fife",
                "--published",
                "2020-03-02",
                "--date-basis",
                "confirmed",
                "--date-reasoning",
                IN_ARGV,
            ),
        ],
        None,
        1,
        r"Error: .*article\\x1b\[2J.*mid\\u202eevil.* is not UTF-8 \(byte 3\)",
    ),
    "diff": (
        ["diff", f"v{IN_ARGV}", "HEAD"],
        None,
        1,
        r"Error: no version 'v\\x1b\[2J.* here: it names no commit",
    ),
    "trace": (["trace", IN_ARGV], None, 1, r"Error: .*\\x1b\[2J"),
    "trace --json": (["trace", "--json", IN_ARGV], None, 1, r"Error: .*\\x1b\[2J"),
    "cite": (["cite", IN_ARGV, "--format", "bibtex"], None, 1, r"Error: .*\\x1b\[2J"),
    "propose": (["propose", IN_ARGV], None, 1, r"\\x1b\[2J"),
    "download": (
        ["download", f"http://example.org/{IN_ARGV}.zip", "--to", "unused"],
        None,
        1,
        r"Error: .*\\x1b\[2J.* is not a URL",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_no_command_sends_a_control_or_bidi_character_to_the_terminal(repo, case):
    args, prepare, status, located = CASES[case]
    saved = {p: p.read_bytes() for p in (repo / "raw").rglob("*") if p.is_file()}
    before = snapshot(repo)
    try:
        if prepare:
            prepare(repo)
        code, out = in_pty(repo, *(args(repo) if callable(args) else args))
    finally:
        for p in (repo / "raw").rglob("*"):
            if p.is_file() and p not in saved:
                p.unlink()
        for p, data in saved.items():
            p.write_bytes(data)
    _nothing_raw(out)
    assert code == status, out
    assert re.search(located, out), out
    assert snapshot(repo) == before
    assert not (repo / "unused").exists()


def test_what_the_package_writes_passes_through_as_it_is(repo):
    """Escaping touches only the characters of the table: a command's ordinary output (tab, newline,
    quotes, letters beyond ASCII) reaches the terminal unchanged, and trace's JSON parses."""
    import json

    code, out = in_pty(repo, "trace", "--json", "herald-2017-scotland-f04")
    assert code == 0, out
    _nothing_raw(out)
    assert json.loads(out)["id"] == "herald-2017-scotland-f04"


def test_a_stage_prints_its_problems_escaped(repo):
    """As DVC runs it, a stage prints each problem on the terminal: clean, given the article above,
    locates the unaccounted number and sends nothing of the table raw."""
    saved = {p: p.read_bytes() for p in (repo / "raw").rglob("*") if p.is_file()}
    try:
        _article_with_an_unaccounted_number(repo)
        code, out = in_pty(repo, stage="clean")
    finally:
        for p, data in saved.items():
            p.write_bytes(data)
    _nothing_raw(out)
    assert code == 1, out
    assert re.search(rf"raw/sources/{SOURCE}\.txt:\d+: \[unaccounted-number\]", out), out
