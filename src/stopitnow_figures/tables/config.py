"""params.yaml and package.yaml, validated like every other input.

Each is checked against its JSON Schema in ``schemas/config/`` before a stage
uses it; every problem names the file, the line of the key, the key and the
rule, as a problem in a CSV table does.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

from .errors import Collector
from .paths import Paths

# the fields the templates of package.yaml may name, which ``render.prose`` fills from the published
# tables
FIELDS = (
    "sources",
    "source_count",
    "publishers",
    "publisher_count",
    "published_years",
    "published_between",
    "period_years",
    "period_between",
    "rate_per",
)
TEMPLATES = (
    "title",
    "description",
    "resource_titles",
    "quotes_notice",
    "license_data",
)  # the keys of package.yaml that are templates


def homepage(meta: dict) -> str | None:
    """The address citations and the descriptor give for the package: package.yaml's
    ``published_at.homepage``, or None until a maintainer records where it is published."""
    return (meta.get("published_at") or {}).get("homepage")


def release_url(meta: dict) -> str | None:
    """The address of this version's release archive (``published_at.archive`` with the version
    filled in), or None until a maintainer records where releases are published."""
    archive = (meta.get("published_at") or {}).get("archive")
    return archive.replace("{version}", meta["version"]) if archive else None


def load(paths: Paths, name: str) -> dict:
    """The validated contents of ``params.yaml`` (name "params") or ``package.yaml`` (name
    "package")."""
    problems = Collector()
    data = read(paths, name, problems)
    problems.raise_if_any()
    return data


def read(paths: Paths, name: str, problems: Collector) -> dict:
    """As ``load``, adding problems to ``problems`` instead of raising; {} where the file is
    unusable."""
    import yaml

    path = {"params": paths.params, "package": paths.package_meta}[name]
    display = paths.rel(path)
    text = _text(path, display, problems)
    if text is None:
        return {}
    try:
        if not _plain_yaml(text, display, problems):
            return {}
        data, node = yaml.load(text, Loader=loader()), yaml.compose(text, Loader=loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.add(
            "bad-config",
            display,
            mark.line + 1 if mark else None,
            None,
            None,
            f"not valid YAML: {exc}",
        )
        return {}
    before = len(problems.problems)
    _validate(
        data,
        node,
        json.loads(paths.config_schema(name).read_text(encoding="utf-8")),
        display,
        problems,
    )
    if name == "params" and len(problems.problems) == before:
        _check_ranges(data, node, display, problems)
    if name == "package" and len(problems.problems) == before:
        _check_templates(data, node, display, problems)
    return data if len(problems.problems) == before else {}


def loader():
    """PyYAML's safe loader, in C where PyYAML was built with libyaml (the same documents, a
    twentieth of the time)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


MAX_DEPTH = 16  # the deepest key of params.yaml is 4 levels down


def _plain_yaml(text: str, display: str, problems: Collector) -> bool:
    """The document read as a stream of events (no recursion, nothing expanded): no anchors or
    aliases (a file of settings needs none, and a chain of them expands to gigabytes in the
    readers DVC uses), nesting at most MAX_DEPTH deep, and no key twice in one mapping."""
    import yaml

    open_: list[_Open] = []
    for event in yaml.parse(text, Loader=loader()):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            problems.add(
                "bad-config",
                display,
                line,
                None,
                None,
                "anchors and aliases (&, *) are not allowed here: write each value out",
            )
            return False
        if isinstance(event, yaml.CollectionEndEvent):
            open_.pop()
        elif isinstance(event, yaml.NodeEvent):
            if open_ and not open_[-1].take(event):
                problems.add(
                    "bad-config",
                    display,
                    line,
                    None,
                    event.value,
                    f"the key {event.value!r} appears twice in one mapping",
                )
                return False
            if isinstance(event, yaml.CollectionStartEvent):
                open_.append(_Open(isinstance(event, yaml.MappingStartEvent)))
                if len(open_) > MAX_DEPTH:
                    problems.add(
                        "bad-config",
                        display,
                        line,
                        None,
                        None,
                        f"nested more than {MAX_DEPTH} levels deep",
                    )
                    return False
    return True


class _Open:
    """A mapping or sequence being read: its keys so far, and whether the next node is a key."""

    def __init__(self, mapping: bool) -> None:
        self.mapping, self.keys, self.next_is_key = mapping, set(), mapping

    def take(self, event) -> bool:
        """Note a node read inside this collection; False for a key seen before."""
        import yaml

        if not self.mapping:
            return True
        is_key, self.next_is_key = self.next_is_key, not self.next_is_key
        if is_key and isinstance(event, yaml.ScalarEvent):
            if event.value in self.keys:
                return False
            self.keys.add(event.value)
        return True


def _text(path: Path, display: str, problems: Collector) -> str | None:
    if not path.is_file():
        problems.add("missing-file", display, None, None, None, "the file does not exist")
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            "not-utf8",
            display,
            None,
            None,
            None,
            f"byte {exc.start} is not UTF-8; save the file as UTF-8",
        )
        return None


def _validate(data, node, schema: dict, display: str, problems: Collector) -> None:
    from jsonschema import Draft202012Validator

    for err in sorted(
        Draft202012Validator(schema).iter_errors(data),
        key=lambda e: [str(p) for p in e.absolute_path],
    ):
        keys = list(err.absolute_path)
        value = (
            "" if isinstance(err.instance, (dict, list)) else err.instance
        )  # a missing or extra key: the mapping has no value to show
        problems.add(
            "bad-config",
            display,
            _line(node, keys),
            ".".join(map(str, keys)) or None,
            value,
            f"{err.message} (schemas/config/)",
        )


def _check_ranges(data: dict, node, display: str, problems: Collector) -> None:
    """What a JSON Schema cannot say: each vague range is ordered."""
    for word, (lo, hi) in data["clean"]["vague_ranges"].items():
        if lo > hi:
            keys = ["clean", "vague_ranges", word]
            problems.add(
                "bad-config",
                display,
                _line(node, keys),
                ".".join(keys),
                f"[{lo}, {hi}]",
                "the least must not exceed the most",
            )


def _check_templates(data: dict, node, display: str, problems: Collector) -> None:
    """What a JSON Schema cannot say: each template of package.yaml names only the fields ``prose``
    fills."""
    for key in TEMPLATES:
        texts = data[key].items() if isinstance(data[key], dict) else [(None, data[key])]
        for name, text in texts:
            keys = [key] if name is None else [key, name]
            why = template_problems(text)
            if why:
                problems.add("bad-config", display, _line(node, keys), ".".join(keys), text, why)


def template_problems(text: str) -> str | None:
    """Why a template of package.yaml cannot be filled (None where it can): a field that is not one
    of FIELDS, a field with a format or index, or a brace that opens no field."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"{exc} (write a brace as {{{{ or }}}})"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            return f"unknown field {{{name}}}: the fields are " + ", ".join(
                f"{{{x}}}" for x in FIELDS
            )
    return None


def _line(node, keys: list) -> int | None:
    """The editor line of the key (or item) at ``keys`` in a composed YAML document (of its first
    key for the whole)."""
    line = None if node is None else node.start_mark.line + 1
    for key in keys:
        if node is None:
            break
        line = node.start_mark.line + 1
        if (
            hasattr(node, "value")
            and isinstance(node.value, list)
            and node.value
            and isinstance(node.value[0], tuple)
        ):
            match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif (
            isinstance(getattr(node, "value", None), list)
            and isinstance(key, int)
            and key < len(node.value)
        ):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line
