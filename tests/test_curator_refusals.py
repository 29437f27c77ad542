"""The curator's commands refuse what they cannot trust, by name and with nothing changed:
`diff` checks every revision before git sees it and opens archives with `download`'s checks,
`add-source` reads only a regular, non-empty text file of bounded size and never blocks.
Every case asserts a located refusal, no traceback, a non-zero exit and the package unchanged."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_repo
from stopitnow_figures.cli import main

ADD = [
    "--publisher", "The Courier", "--headline", "More Scots seek help",
    "--url", "https://example.org/courier/help", "--place", "Scotland",
    "--published", "2020-01-10", "--date-basis", "confirmed",
    "--date-reasoning", "dated on the page",
]  # fmt: skip
TEXT = "In total, 214 people from Scotland called the helpline last year.\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """One copy for every refusal (each changes nothing, and each test checks that)."""
    return copy_repo(tmp_path_factory.mktemp("refusals") / "repo")


def state(repo: Path) -> dict[str, bytes]:
    """Every file a refusal must leave as it was: raw/, processed/, the descriptor, and git's
    refs."""
    files = [
        p for top in ("raw", "processed") for p in sorted((repo / top).rglob("*")) if p.is_file()
    ]
    files += [repo / "datapackage.json", repo / ".git" / "HEAD"]
    return {str(p.relative_to(repo)): p.read_bytes() for p in files}


def run(repo: Path, *args: str):
    return CliRunner().invoke(main, [args[0], "--root", str(repo), *args[1:]])


def refused(repo: Path, args: list[str], message: str) -> str:
    """Run a command that must refuse; assert how, and that nothing changed."""
    before = state(repo)
    out = run(repo, *args)
    assert out.exit_code == 1, out.output
    assert not isinstance(out.exception, Exception) or isinstance(out.exception, SystemExit), (
        out.exception
    )
    assert "Traceback" not in out.output and message in out.output, out.output
    assert state(repo) == before
    return out.output


# -- diff -------------------------------------------------------------------------


@pytest.mark.parametrize("revision", ["--output=written.txt", "-p", "--", "-", "--no-index"])
def test_a_revision_git_would_read_as_an_option_is_refused(repo, revision):
    out = refused(
        repo,
        ["diff", "--", revision, "HEAD"],
        "is not a version: a git revision never begins with '-'",
    )
    assert not (repo / "written.txt").exists() and revision in out


@pytest.mark.parametrize(
    "revision", ["no-such-branch", "0" * 40, "HEAD~999", "HEAD:package.yaml", "9.9.9"]
)
def test_a_revision_that_names_no_commit_is_refused_not_read_as_an_empty_package(repo, revision):
    refused(repo, ["diff", revision, "HEAD"], f"no version '{revision}'")


def test_a_version_number_names_the_last_commit_holding_it(repo):
    """In a clone, bump package.yaml to 9.0.0 and change the first figure's notes in one commit:
    `versions` lists 9.0.0 then the copy's own version, and `diff OLD 9.0.0` finds that one
    change."""
    version = next(
        line.split()[1]
        for line in (repo / "package.yaml").read_text().splitlines()
        if line.startswith("version:")
    )
    work = repo.parent / "versions"
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    yaml = work / "package.yaml"
    yaml.write_text(yaml.read_text().replace(f"version: {version}", "version: 9.0.0"))
    path = work / "processed" / "figures.csv"
    table = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    table[0]["notes"] += " (edited)"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    path.write_text(buf.getvalue(), encoding="utf-8")
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qam", "bump"],
        cwd=work,
        check=True,
    )
    listed = run(work, "versions")
    assert listed.exit_code == 0, listed.output
    assert [line.split()[0] for line in listed.output.splitlines()][:2] == ["9.0.0", version]
    changed = run(work, "diff", version, "9.0.0")
    assert changed.exit_code == 0, changed.output
    assert changed.output.splitlines() == [
        f"figures changed: {table[0]['figure_id']} (notes)",
        f"1 changes between {version} and 9.0.0",
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip at all", "not a readable zip file"),
        (b"", "not a readable zip file"),
        (_zip({"processed/figures.csv": b"figure_id\n\xff\xfe\n"}), "has no SHA256SUMS file"),
        (_zip({"../escape.csv": b"x"}), "unsafe path in the archive"),
        (
            _zip(
                {
                    "SHA256SUMS": b"",
                    "datapackage.json": b"{}",
                    "processed/figures.csv": b"\0" * (2 * 1024 * 1024),
                }
            ),
            "not listed",
        ),
    ],
    ids=["not-a-zip", "empty", "no-sums", "escaping-path", "unlisted-member"],
)
def test_an_archive_is_opened_with_downloads_checks(repo, tmp_path, content, message):
    archive = tmp_path / "old.zip"
    archive.write_bytes(content)
    refused(repo, ["diff", str(archive), "HEAD"], message)


def test_a_name_with_control_characters_reaches_the_terminal_escaped(repo):
    out = refused(repo, ["diff", "\x1b[31mred\x07\u202e", "HEAD"], "no version")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\\x1b[31mred" in out


# -- add-source ---------------------------------------------------------------------


def test_an_empty_file_is_refused(repo, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    refused(repo, ["add-source", str(tmp_path / "a.txt"), *ADD], "a.txt: empty")


@pytest.mark.parametrize("blank", [b" ", b"\n\n\n", b" \t\r\n", "\u00a0\u3000\n".encode()])
def test_a_blank_file_is_refused(repo, tmp_path, blank):
    (tmp_path / "a.txt").write_bytes(blank)
    refused(repo, ["add-source", str(tmp_path / "a.txt"), *ADD], "a.txt: blank (white space only)")


def test_a_file_over_the_limit_is_refused_and_the_limit_is_an_option(repo, tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    limit = len(TEXT.encode()) - 1
    refused(
        repo,
        ["add-source", str(tmp_path / "a.txt"), *ADD, "--max-bytes", str(limit)],
        f"larger than {limit} bytes (--max-bytes)",
    )


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused_before_it_is_read(repo, special):
    if not Path(special).exists():
        pytest.fail(f"{special} is missing on this machine")
    refused(repo, ["add-source", special, *ADD], f"{special}: not a regular file")


def test_a_folder_is_refused(repo, tmp_path):
    refused(repo, ["add-source", str(tmp_path), *ADD], "not a regular file")


def test_a_fifo_is_refused_without_blocking(repo, tmp_path):
    """Run in a child process with a deadline: a FIFO with no writer blocks a plain open() for
    ever."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    before = state(repo)
    code = "from stopitnow_figures.cli import main; main()"
    out = subprocess.run(
        [sys.executable, "-c", code, "add-source", "--root", str(repo), str(fifo), *ADD],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        out.returncode == 1
        and "pipe.txt: not a regular file" in out.stderr
        and "Traceback" not in out.stderr
    ), out.stderr
    assert state(repo) == before


def test_a_file_name_with_control_characters_reaches_the_terminal_escaped(repo, tmp_path):
    name = tmp_path / "a\x1b[2Jb\u202e.txt"
    name.write_bytes(b"")
    out = refused(repo, ["add-source", str(name), *ADD], "empty")
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[2Jb\\u202e.txt" in out
