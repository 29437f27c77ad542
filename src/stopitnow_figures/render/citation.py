"""Citations, from one place: package.yaml and the sources table.

The package stage writes CITATION.cff and .zenodo.json from here, so the two
never drift; the ``cite`` command formats the same record as APA, BibTeX, biblatex
or CFF, for the package or for a single figure, metric or claim; the reader view
cites each figure on its panel with the same ``cite``.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from urllib.parse import quote

from ..model.periods import MONTH_NAMES as MONTHS
from ..tables.config import homepage

CFF_MESSAGE = (
    "If you use this data package, please cite it as below. To cite a single number, "
    "give its id (stopitnow-figures cite ID) and cite the original article too."
)
AUTHOR_NOTE = "No author names were found for the articles; each is credited to its publisher."


def cff_text(meta: dict, sources: list[dict], released: str) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the package, crediting the articles'
    publishers."""
    import yaml

    refs = [
        {
            "type": _types()[s["kind"]]["cff"],
            "title": s["headline"],
            "authors": [{"name": s["publisher"]}],
            "publisher": {"name": s["publisher"]},
            "url": s["url"],
            "year": int(s["published_earliest"][:4]),
            "notes": f"Publication date {s['date_basis']}: {s['published_earliest']} to "
            f"{s['published_latest']}. {AUTHOR_NOTE}",
        }
        for s in sources
    ]
    record = {
        "cff-version": "1.2.0",
        "message": CFF_MESSAGE,
        "type": "dataset",
        "title": meta["title"],
        "abstract": meta["description"],
        "version": meta["version"],
        "date-released": released,
        "license": meta["licenses"][0]["name"],
        **({"url": homepage(meta)} if homepage(meta) else {}),  # none until one is recorded
        "authors": [{"name": c["title"]} for c in meta["contributors"]],
        "keywords": meta["keywords"],
        "references": refs,
    }
    # libyaml's emitter where PyYAML has it (three times faster on thousands of
    # articles); a test checks that it writes the same bytes as the Python one
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(record, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def zenodo_text(meta: dict, sources: list[dict], released: str) -> str:
    """.zenodo.json: the same record as CITATION.cff, in Zenodo's deposit metadata."""
    record = {
        "title": meta["title"],
        "upload_type": "dataset",
        "description": meta["description"],
        "version": meta["version"],
        "publication_date": released,
        "creators": [{"name": c["title"]} for c in meta["contributors"]],
        "keywords": meta["keywords"],
        "access_right": "open",
        # an id of Zenodo's licence vocabulary: SPDX ids in lower case (the license's
        # $comment in schemas/zenodo/deposit-metadata.schema.json says where documented)
        "license": meta["licenses"][0]["name"].lower(),
        "related_identifiers": [
            {
                "identifier": s["url"],
                "relation": "isDerivedFrom",
                "resource_type": _types()[s["kind"]]["zenodo"],
            }
            for s in sources
        ],
        "notes": AUTHOR_NOTE,
    }
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _article_date(s: dict) -> str:
    a, b = date.fromisoformat(s["published_earliest"]), date.fromisoformat(s["published_latest"])
    if a == b:
        text = f"{a.year}, {MONTHS[a.month - 1]} {a.day}"
    elif (a.year, a.month) == (b.year, b.month):
        text = f"{a.year}, {MONTHS[a.month - 1]} {a.day}-{b.day}"
    elif a.year == b.year:
        text = f"{a.year}, {MONTHS[a.month - 1]}-{MONTHS[b.month - 1]}"
    else:
        text = f"{a.year}-{b.year}"
    return text + (f", date {s['date_basis']}" if s["date_basis"] != _confirmed() else "")


@functools.cache
def _types() -> dict[str, dict]:
    """Each kind of source with the type it takes in CITATION.cff and .zenodo.json
    (schemas/vocabulary.json, sources)."""
    from ..tables.vocab import load

    return load().source_kinds


@functools.cache
def _default_kind() -> str:
    from ..tables.vocab import load

    return load().default_kind


@functools.cache
def _confirmed() -> str:
    from ..tables.vocab import load

    return load().names("sources", "date_basis").confirmed


# LaTeX's special characters, each written as text-mode LaTeX that prints the
# character itself. Braces become commands rather than \{ and \}: BibTeX counts
# every brace, escaped or not, to find where a field ends.
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # not special, but LaTeX's default OT1 font encoding prints them as ¡, ¿ and an em dash
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_ESCAPE = str.maketrans(LATEX_ESCAPES)
_UNESCAPE = {v: k for k, v in LATEX_ESCAPES.items()}
_ESCAPED = re.compile("|".join(re.escape(v) for v in sorted(_UNESCAPE, key=len, reverse=True)))
# RFC 3986's reserved and unreserved characters, and % for what is already encoded
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_BIB_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]*")


def latex_escape(text: str) -> str:
    """Plain text as LaTeX that prints that text, for a BibTeX or biblatex field.

    Each character in LATEX_ESCAPES becomes its LaTeX command; every other
    character is kept as it is. Non-ASCII text (“ ” ‘ ’ £ é –) stays UTF-8:
    biber reads it as text, classic bibtex copies its bytes through, and LaTeX
    has read UTF-8 by default since 2018 (older ones need inputenc's utf8).
    Whitespace is kept too: BibTeX reads any run of it as one space. LaTeX's
    ligatures (``--`` for an en dash, two backquotes for an opening quote)
    are left to work as usual.
    """
    return text.translate(_ESCAPE)


def latex_unescape(latex: str) -> str:
    """The inverse of latex_escape: latex_unescape(latex_escape(t)) == t for any text t.

    It undoes only what latex_escape writes, so it reads this module's output
    back; it is not a LaTeX-to-text converter.
    """
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group()], latex)


def bib_url(url: str) -> str:
    """The address for a url field: percent-encoded where RFC 3986 does not allow a character.

    A url field is verbatim in biblatex and in natbib's \\url, so an address
    is not LaTeX-escaped; only what no address may hold (braces, backslash,
    spaces, non-ASCII) is encoded, so a valid address is written unchanged.
    """
    return quote(url, safe=_URL_SAFE)


FORMATS = ("apa", "bibtex", "biblatex", "csl-json", "cff")


def cite(
    meta: dict,
    released: str,
    fmt: str,
    ident: str | None = None,
    kind: str | None = None,
    articles: list[dict] | None = None,
) -> str:
    """The package citation, or that of one number with its original articles (``cite_numbers`` of
    one)."""
    return cite_numbers(
        meta, released, fmt, [(ident, kind or "")] if ident else [], articles or [], []
    )


def cite_numbers(
    meta: dict,
    released: str,
    fmt: str,
    numbers: list[tuple[str, str]],
    articles: list[dict],
    references: list[dict],
) -> str:
    """The citation of the package, or of some of its numbers ((id, kind) pairs) with the works they
    rest on: each original article once, and each population table (``references``: reference rows)
    once.

    fmt is ``apa`` (plain text), ``bibtex`` (@misc, and @article for each article), ``biblatex``
    (@dataset and @article with journaltitle and date), ``csl-json`` (CSL-JSON items for Zotero,
    Pandoc and citeproc) or ``cff`` (the package only: the caller prints CITATION.cff). One entry
    per work: the package once, whatever the number of ids. Raises ValueError for a format it does
    not know, cff with ids, or an id that cannot be a BibTeX key."""
    if fmt == "cff":
        if not numbers:
            return ""  # the caller prints CITATION.cff itself
        raise ValueError(
            "cff is for the package; use apa, bibtex, biblatex or csl-json for a single number"
        )
    tables = _reference_works(references)
    if fmt == "apa":
        return _apa(meta, released, numbers, articles, tables)
    if fmt in ("bibtex", "biblatex"):
        entries = [_package_entry(meta, released, fmt, numbers)] + [
            _article_entry(s, fmt) for s in articles
        ]
        entries += [_reference_entry(w, fmt) for w in tables]
        return "\n\n".join(entries) + "\n"
    if fmt == "csl-json":
        items = (
            [_package_csl(meta, released, numbers)]
            + [_article_csl(s) for s in articles]
            + [_reference_csl(w) for w in tables]
        )
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def _what(numbers: list[tuple[str, str]]) -> str:
    """The numbers cited, in words: "Figure herald-2017-scotland-f04" or "Figure a; metric b"."""
    said = "; ".join(f"{kind} {ident}" for ident, kind in numbers)
    return said[:1].upper() + said[1:]


def _package_key(meta: dict, numbers: list[tuple[str, str]]) -> str:
    """The package's key: with the id where one number is cited; the package's alone for none or
    several."""
    return f"stopitnow-figures-{meta['version']}" + (
        f"-{numbers[0][0]}" if len(numbers) == 1 else ""
    )


def _apa(
    meta: dict,
    released: str,
    numbers: list[tuple[str, str]],
    articles: list[dict],
    tables: list[dict],
) -> str:
    """APA 7 in plain text: nothing in it is markup, so the data is written as it is."""
    author, title, version = meta["contributors"][0]["title"], meta["title"], meta["version"]
    what = f" {_what(numbers)}." if numbers else ""
    url = f" {homepage(meta)}" if homepage(meta) else ""
    out = [f"{author}. ({released[:4]}). {title} (Version {version}) [Data set].{what}{url}"]
    for s in articles:
        out.append(
            f"Original source: {s['publisher']}. ({_article_date(s)}). {s['headline']}. {s['url']}"
        )
    for w in tables:
        out.append(
            f"Population source: {w['publisher']}. {w['table']} [Data set]. {w['note']}. {w['url']}"
        )
    return "\n".join(out) + "\n"


def _package_entry(meta: dict, released: str, fmt: str, numbers: list[tuple[str, str]]) -> str:
    """@misc (bibtex) or @dataset (biblatex) for the package, or for some of its numbers."""
    version = meta["version"]
    key = _package_key(meta, numbers)
    fields = [
        ("author", _protected(meta["contributors"][0]["title"])),
        ("title", _protected(meta["title"])),
    ]
    if fmt == "bibtex":
        note = f"Data package, version {version}" + (
            f"; {_what(numbers)[:1].lower() + _what(numbers)[1:]}" if numbers else ""
        )
        fields += [
            ("year", released[:4]),
            ("version", latex_escape(version)),
            *_url_field(meta),
            ("note", latex_escape(note)),
        ]
        return _bib_entry("misc", key, fields)
    fields += [("date", released), ("version", latex_escape(version)), *_url_field(meta)]
    if numbers:
        fields.append(("note", latex_escape(_what(numbers))))
    return _bib_entry("dataset", key, fields)


def _url_field(meta: dict) -> list[tuple[str, str]]:
    """The package's url field: none until a maintainer records where it is published."""
    return [("url", bib_url(homepage(meta)))] if homepage(meta) else []


def _reference_works(rows: list[dict]) -> list[dict]:
    """The population tables the reference rows come from, each once (by publisher, table and
    address), with the rows it gives in a note, in the order first met."""
    works: dict[tuple[str, str, str], dict] = {}
    for r in rows:
        work = works.setdefault(
            (r["publisher"], r["table"], r["url"]), {**r, "ids": [], "rows": []}
        )
        work["ids"].append(r["id"])
        work["rows"].append(f"{r['geography']} {r['year']}")
    return [
        {**w, "key": w["ids"][0], "note": "Population of " + "; ".join(w["rows"])}
        for w in works.values()
    ]


def _reference_entry(w: dict, fmt: str) -> str:
    """@misc (bibtex) or @dataset (biblatex) for one population table."""
    fields = [
        ("author", _protected(w["publisher"])),
        ("title", _protected(w["table"])),
        ("url", bib_url(w["url"])),
    ]
    fields.append(("note", latex_escape(w["note"])))
    return _bib_entry("misc" if fmt == "bibtex" else "dataset", w["key"], fields)


def _date_parts(day: str) -> list[int]:
    d = date.fromisoformat(day)
    return [d.year, d.month, d.day]


def _package_csl(meta: dict, released: str, numbers: list[tuple[str, str]]) -> dict:
    """CSL-JSON for the package: type dataset, its version, address and release date."""
    author = meta["contributors"][0]["title"]
    item = {
        "id": _package_key(meta, numbers),
        "type": "dataset",
        "title": meta["title"],
        "author": [{"literal": author}],
        "publisher": author,
        "issued": {"date-parts": [_date_parts(released)]},
        "version": meta["version"],
    }
    item |= {"URL": homepage(meta)} if homepage(meta) else {}
    return item | ({"note": _what(numbers)} if numbers else {})


def _article_csl(s: dict) -> dict:
    """CSL-JSON for one original article: its kind's type, its publisher as author and container,
    its date (a range where only a window is known, said in the note)."""
    first, last = s["published_earliest"], s["published_latest"]
    kind = s.get("kind") or _default_kind()
    return {
        "id": s["source_id"],
        "type": _types()[kind]["csl"],
        "title": s["headline"],
        "author": [{"literal": s["publisher"]}],
        "container-title": s["publisher"],
        "publisher": s["publisher"],
        "issued": {
            "date-parts": [_date_parts(first)] + ([_date_parts(last)] if last != first else [])
        },
        "URL": s["url"],
        "note": f"Publication date {s['date_basis']}: {first} to {last}",
    }


def _reference_csl(w: dict) -> dict:
    """CSL-JSON for one population table."""
    return {
        "id": w["key"],
        "type": "dataset",
        "title": w["table"],
        "author": [{"literal": w["publisher"]}],
        "publisher": w["publisher"],
        "URL": w["url"],
        "note": w["note"],
    }


def _article_entry(s: dict, fmt: str) -> str:
    """@article for one original article; biblatex's journaltitle and date where bibtex has journal
    and year."""
    first, last = s["published_earliest"], s["published_latest"]
    fields = [("author", _protected(s["publisher"])), ("title", _protected(s["headline"]))]
    if fmt == "bibtex":
        fields += [("journal", latex_escape(s["publisher"])), ("year", first[:4])]
    else:  # an ISO 8601 range when the day is not known; the note says why
        fields += [
            ("journaltitle", latex_escape(s["publisher"])),
            ("date", first if first == last else f"{first}/{last}"),
        ]
    fields += [
        ("url", bib_url(s["url"])),
        ("note", latex_escape(f"Publication date {s['date_basis']}: {first} to {last}")),
    ]
    return _bib_entry("article", s["source_id"], fields)


def _protected(text: str) -> str:
    """Escaped text in one brace group, which no style changes the case of and bibtex never splits
    into names.

    A headline keeps the capitals its publisher gave it (proper nouns included),
    and a publisher stays one corporate author. A group that would open with a
    backslash is a "special character" to BibTeX, whose letters it does change,
    so such a group opens with an empty {} instead.
    """
    escaped = latex_escape(text)
    return "{" + ("{}" if escaped.startswith("\\") else "") + escaped + "}"


def _bib_entry(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    """One entry, a field a line; values are LaTeX already."""
    if not _BIB_KEY.fullmatch(key):
        raise ValueError(f"{key!r} cannot be a BibTeX key: use letters, digits and . _ : + - only")
    lines = [f"@{entry_type}{{{key},"] + [f"  {name} = {{{value}}}," for name, value in fields]
    return "\n".join(lines)[:-1] + "\n}"
