"""Citations, from one place: package.yaml and the sources table.

The package stage writes CITATION.cff and .zenodo.json from here, so the two
never drift; the ``cite`` command formats the same record as BibTeX, APA or
CFF, for the package or for a single figure, metric or claim.
"""

from __future__ import annotations

import json
from datetime import date

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
CFF_MESSAGE = (
    "If you use this data package, please cite it as below. To cite a single number, "
    "give its id (stopitnow-figures cite ID) and cite the original article too."
)
AUTHOR_NOTE = "No author names were found for the articles; each is credited to its publisher."


def cff_text(meta: dict, sources: list[dict], released: str) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the package, crediting the articles' publishers."""
    import yaml

    refs = [
        {
            "type": "newspaper-article",
            "title": s["headline"],
            "authors": [{"name": s["publisher"]}],
            "publisher": {"name": s["publisher"]},
            "url": s["url"],
            "year": int(s["published_earliest"][:4]),
            "notes": f"Publication date {s['date_basis']}: {s['published_earliest']} to {s['published_latest']}. {AUTHOR_NOTE}",
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
        "url": meta["homepage"],
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
        "license": meta["licenses"][0]["name"].lower(),
        "related_identifiers": [
            {"identifier": s["url"], "relation": "isDerivedFrom", "resource_type": "publication-article"} for s in sources
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
    return text + (", date inferred" if s["date_basis"] == "inferred" else "")


def cite(meta: dict, released: str, fmt: str, ident: str | None = None, kind: str | None = None, articles: list[dict] | None = None) -> str:
    """The package citation, or that of one number with its original articles."""
    title, version, url = meta["title"], meta["version"], meta["homepage"]
    author = meta["contributors"][0]["title"]
    year = released[:4]
    articles = articles or []
    if fmt == "cff":
        if ident is None:
            return ""  # the caller prints CITATION.cff itself
        raise ValueError("cff is for the package; use bibtex or apa for a single number")
    if fmt == "apa":
        what = f" {kind.capitalize()} {ident}." if ident else ""
        out = [f"{author}. ({year}). {title} (Version {version}) [Data set].{what} {url}"]
        for s in articles:
            out.append(f"Original source: {s['publisher']}. ({_article_date(s)}). {s['headline']}. {s['url']}")
        return "\n".join(out) + "\n"
    if fmt == "bibtex":
        key = f"stopitnow-figures-{version}" + (f"-{ident}" if ident else "")
        note = f"Data package, version {version}" + (f"; {kind} {ident}" if ident else "")
        entries = [
            "\n".join(
                [
                    f"@misc{{{key},",
                    f"  author = {{{{{author}}}}},",
                    f"  title = {{{{{title}}}}},",
                    f"  year = {{{year}}},",
                    f"  version = {{{version}}},",
                    f"  url = {{{url}}},",
                    f"  note = {{{note}}}",
                    "}",
                ]
            )
        ]
        for s in articles:
            entries.append(
                "\n".join(
                    [
                        f"@article{{{s['source_id']},",
                        f"  author = {{{{{s['publisher']}}}}},",
                        f"  title = {{{{{s['headline']}}}}},",
                        f"  journal = {{{s['publisher']}}},",
                        f"  year = {{{s['published_earliest'][:4]}}},",
                        f"  url = {{{s['url']}}},",
                        f"  note = {{Publication date {s['date_basis']}: {s['published_earliest']} to {s['published_latest']}}}",
                        "}",
                    ]
                )
            )
        return "\n\n".join(entries) + "\n"
    raise ValueError(f"unknown format {fmt!r}")
