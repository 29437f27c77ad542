"""One error class for bad input, and the registry of every rule it can name.

Every problem names the file, the line a text editor shows, the column, the
value and the rule, so a curator can fix the raw table without reading code.
Each rule is a stable kebab-case type, registered once below with its title
and its fix (as frictionless-py's error catalogue does); ``Collector.add``
refuses a type that is not registered, and the README's table of types is
generated from the registry (``python -m stopitnow_figures.tables.errors``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ErrorType:
    type: str
    title: str
    fix: str


def _registry(*rows: tuple[str, str, str]) -> dict[str, ErrorType]:
    out: dict[str, ErrorType] = {}
    for type_, title, fix in rows:
        if type_ in out:
            raise RuntimeError(f"error type {type_!r} is registered twice")
        out[type_] = ErrorType(type_, title, fix)
    return out


# fmt: off
REGISTRY = _registry(
    # files and their form
    ("missing-file", "A table is missing", "restore the file; every table in raw/ is required"),
    ("empty-file", "A table is empty", "give the file at least its header row"),
    ("not-utf8", "Bytes that are not UTF-8", "save the file as UTF-8"),
    ("wrong-delimiter", "Cells not separated by commas", "save the file as CSV with commas"),
    ("bad-header", "The header cannot be read", "give the file the documented header row"),
    ("missing-column", "A column is missing from the header",
     "add the column to the header (the message names it)"),
    ("unknown-column", "A column the table does not have", "remove the column, or fix its name"),
    ("duplicate-column", "A column appears twice in the header", "keep each column once"),
    ("wrong-cell-count", "A row with too many or too few cells",
     "give each row as many cells as the header; quote a cell that holds a comma"),
    ("bad-csv", "A row the CSV reader cannot parse",
     "close a quoted cell before the next comma, and write a quote inside it twice (\"\")"),
    ("formula-cell", "A cell a spreadsheet would run",
     "remove the leading =, +, - or @ that a spreadsheet would run"),
    ("control-character", "A control character in a cell",
     "remove the control character (only tab and newline are allowed in a cell)"),
    ("unsafe-path", "A path outside the repository or not a regular file",
     "name a regular file inside the repository (no links out, no folders)"),
    ("cannot-write", "An output cannot be written",
     "make the folder writable (and free some disk space), then rebuild"),
    # configuration
    ("bad-config", "params.yaml or package.yaml breaks its schema",
     "give the key the type and range its schema in schemas/config/ says"),
    # cells, as the schemas type them
    ("wrong-type", "A cell of the wrong type",
     "type the value as the column's schema in schemas/ says (a number, an integer, a date "
     "YYYY-MM-DD)"),
    ("required", "An empty cell that must be filled", "fill the cell"),
    ("out-of-range", "A number outside its range",
     "give a value within the range the schema states"),
    ("pattern", "A cell that does not match its pattern",
     "write the value in the form the schema's pattern states"),
    ("not-in-vocabulary", "A word outside a closed vocabulary",
     "use a word from the vocabulary the message lists"),
    ("duplicate-id", "An id used twice", "give every row its own id"),
    ("unknown-id", "A reference to an id that does not exist",
     "name an existing id (the message says where it is looked for)"),
    ("unused-row", "A curated row that nothing uses",
     "remove the row, or fix what should use it; a reading that explains one figure belongs in "
     "that figure's notes"),
    ("typed-row-mismatch", "The typed row of clean does not match the figures schema",
     "add the field to CleanedFigure in src/stopitnow_figures/stages/clean.py, in the schema's "
     "order, with the function that fills it"),
    ("draft-row", "A drafted row a curator has not finished",
     "fill in the columns the message lists and clear the draft mark"),
    # sources
    ("source-hash-mismatch", "An article text that does not match its sha256",
     "restore the article text, or record the new sha256 with a reason"),
    ("missing-source-file", "A listed article without its text",
     "add the text file raw/sources/<source_id>.txt"),
    ("unlisted-source-file", "An article text not listed in raw/sources.csv",
     "add its row to raw/sources.csv, or remove the file"),
    ("number-claimed-twice", "Two figures that claim the same number of an article",
     "each number of an article is one figure: remove the copy, or point its quote at the other "
     "mention"),
    ("unaccounted-number", "A numeric mention nothing accounts for",
     "add the number to raw/figures.csv, or to raw/not_figures.csv with a reason"),
    ("context-not-in-source", "A not-figure context that is not in its article once",
     "in raw/not_figures.csv, give a context that occurs exactly once in the article and holds "
     "the text"),
    # figures
    ("quote-not-in-source", "A quote that does not occur in its article",
     "copy the quote from the article again; the message says if a non-breaking space was typed "
     "as a plain one"),
    ("quote-ambiguous", "A quote that occurs more than once",
     "lengthen the quote until it occurs once"),
    ("number-not-in-quote", "The number as written is not in the quote",
     "make as_written whole words of the quote, exactly as the article writes them"),
    ("unparseable-number", "A number that cannot be read", "write the number as the article does"),
    ("unknown-hedge", "A hedge word outside the vocabulary",
     "use a hedge word the vocabulary knows (schemas/vocabulary.json), or add it there"),
    ("unit-mismatch", "A unit that does not fit the number",
     "match the unit to the number's kind (percentages in percent, multiples in times)"),
    ("unknown-place", "A place with no reading",
     "add the place to raw/places.csv with its GSS code, or say it has none"),
    ("union-members", "A union of areas whose members or code do not agree",
     "list two or more member codes (rows of raw/geographies.csv, none a union) separated by "
     "spaces, give the row the kind union of areas, and give it their codes sorted and joined by "
     "'+' (S12000036+S12000049)"),
    ("unknown-period", "Period words the parser cannot read",
     "fix what the message names (period_ref, the article's publication dates), or add a reading "
     "to raw/period_readings.csv; docs/CURATING.md lists the forms the parser reads"),
    ("period-length-mismatch", "A stated length that disagrees with the dates of its period",
     "read the words by hand: add a row to raw/period_readings.csv with the dates you judge "
     "right and your reasoning (the message names both readings)"),
    ("period-ref-cycle", "A period_ref that leads back to its own figure",
     "a period_ref must not lead back, through other figures, to the figure itself"),
    ("bad-date", "A date that does not exist", "write a real date as YYYY-MM-DD"),
    ("period-ordered", "A period that ends before it starts",
     "fix the dates: a period cannot end before it starts"),
    ("period-after-publication", "A period that ends after its article appeared",
     "fix the period or the publication window"),
    ("period-complete", "A period with one date only",
     "give a period both its dates or neither (rebuild rather than edit processed/)"),
    ("offsets-ordered", "A quote whose offsets are out of order",
     "char_start comes before char_end (rebuild rather than edit processed/)"),
    ("quote-not-at-offsets", "A published quote that is not at its offsets",
     "processed/ was edited by hand; rebuild it with dvc repro"),
    ("count-not-negative", "A negative count", "a count is never negative"),
    ("share-at-most-100", "A share above 100 per cent", "a share is never above 100 per cent"),
    ("bounds-ordered", "An interval out of order", "lower <= value <= upper"),
    ("qualifier-interval", "A qualifier its interval contradicts",
     "give the figure the interval its qualifier implies (an exact count is a point; read a "
     "round count with reading round, whose qualifier is rounded): see schemas/vocabulary.json, "
     "qualifiers"),
    ("identity-basis", "An identity across articles that does not say it rests on a reading",
     "give an identity whose quantities no one article gives all of the basis reading, and name "
     "the alternative reading in its note"),
    ("vague-floor", "A vague count read against its article's own numbers",
     "read a vague word open (reading open <figure id>) where, and only where, a figure of the "
     "same article, measure, unit, place and period already exceeds the word's range: see "
     "docs/CURATING.md, Vague words"),
    ("stated-ordered", "A stated interval out of order", "stated_lower <= stated <= stated_upper"),
    ("series-clash", "Two quantities of one series for the same period",
     "they are one number in the world: join their mentions into one quantity in "
     "raw/quantities.csv; or they count different things: say how in the measure, unit, counting "
     "or place of one of them"),
    ("quantity-mismatch", "A figure that does not fit the quantity it mentions",
     "give the figure the quantity's measure, unit and place, and a period within the quantity's, "
     "or name the right quantity"),
    # formulas, derivations and claims
    ("bad-formula", "A formula outside the documented form",
     "formulas use numbers, {id}, + - * / and parentheses, and refer to at least one id"),
    ("no-inputs", "A formula that refers to no id",
     "refer to at least one figure, quantity, metric or reference row"),
    ("derivation-cycle", "A derivation that depends on itself",
     "a formula must never refer, through other metrics, to its own id"),
    ("bad-period", "A derivation period rule outside the documented form",
     "the period of a derivation is of:<id>, shift:<id>:<years>, span or empty"),
    ("unchecked-relation", "A relation an article states that no claim checks",
     "add a row to raw/claims.csv naming the figure, with the formula that computes the relation "
     "from quantities (or correct the figure's measure)"),
    # publishing
    ("hash-mismatch",
     "A file of the package that does not match its hash and bytes in datapackage.json",
     "a file was changed after the descriptor was written: rebuild with dvc repro rather than "
     "editing the package"),
    ("untraced-cell", "A published number without provenance",
     "a published number lost its provenance: rebuild with dvc repro rather than editing "
     "processed/"),
    ("not-passed", "A candidate a check did not pass",
     "publish publishes only a candidate every check passed: run dvc repro and fix what the "
     "failing stage reports"),
    ("not-as-checked", "A candidate file that is not as its check passed it",
     "a file was changed, added or removed after the checks ran: rebuild with dvc repro rather "
     "than editing build/package/"),
    ("publish-running", "A command that would recover the package while a publish is running",
     "wait for the publish under way (a dvc repro or make repro) to finish, then run the command "
     "again; nothing was touched"),
    ("half-published", "A publish that could neither finish nor be undone",
     "make processed/ writable (and free some disk space), then run make repro: it puts back the "
     "previous package kept in .publishing/"),
    ("expectation-failed", "The quality report found the package inconsistent",
     "open build/quality_report.html, which marks the failing check and its rows, and fix the raw "
     "input behind them"),
    ("missing-changelog-entry", "A version without its CHANGELOG entry",
     "add '## <version> - YYYY-MM-DD' to CHANGELOG.md for the version in package.yaml"),
    ("source-not-in-changelog", "A source no CHANGELOG entry up to the current version names",
     "name the source's id in the CHANGELOG entry of the version that adds it"),
)
# fmt: on


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    type: str
    value: str | None
    message: str

    def __post_init__(self) -> None:
        if self.type not in REGISTRY:
            raise ValueError(
                f"unregistered error type {self.type!r}: add it to errors.REGISTRY with its title "
                "and fix"
            )

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f" column {self.column!r}" if self.column else ""
        val = "" if self.value is None else f" value {printable(short(self.value))}"
        return f"{where}: [{self.type}]{col}{val}: {self.message}"


def short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def printable(text: str) -> str:
    """``repr`` of a cell, so control characters and escape sequences are shown, never sent to the
    terminal."""
    return repr(text)


class InputError(Exception):
    """Raised with every problem found, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.column or "", p.type, p.value or "", p.message)


class Collector:
    """Gathers problems across a stage so all of them are reported in one run."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        type: str,
        file: str | Path,
        line: int | None,
        column: str | None,
        value: object,
        message: str,
    ) -> None:
        self.problems.append(
            Problem(str(file), line, column, type, None if value is None else str(value), message)
        )

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def files_with_problems(self) -> set[str]:
        return {p.file for p in self.problems}

    def __bool__(self) -> bool:
        return bool(self.problems)


def markdown_table() -> str:
    """The README's table of error types, generated from the registry."""
    rows = ["| type | what it means | fix |", "|---|---|---|"]
    rows += [f"| {e.type} | {e.title} | {_cell(e.fix)} |" for e in REGISTRY.values()]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
