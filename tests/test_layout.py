"""The layout shows the layers: which module may import which, no two modules of one name, no import
cycle, and each stage's dvc.yaml deps exactly the modules it imports.

The rules, read from every module's imports (``ast``: those inside functions too, which run as
surely as the others when their function does):

- ``tables/`` imports nothing of the package outside ``tables/``;
- ``model/`` imports ``tables/`` at most;
- ``render/`` and ``publishing/`` import ``model/`` and ``tables/``, and never each other;
- ``stages/`` import the four layers and never another stage: each is a recipe, run by dvc.yaml
  alone;
- the commands (``cli``, ``curator``, ``check``) import the layers and each other, and a stage only
  for what the stage declares a command may call (its ``__all__``: ``main`` and ``run``, and the
  checks that ``check`` runs as the stage runs them);
- a package's ``__init__`` holds no code (a docstring; the root's ``__version__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

PACKAGE = "stopitnow_figures"
COMMANDS = "commands"  # the layer of the modules beside the subpackages: cli, curator, check
ALLOWED = {
    "tables": {"tables"},
    "model": {"model", "tables"},
    "render": {"render", "model", "tables"},
    "publishing": {"publishing", "model", "tables"},
    "stages": {"model", "tables", "render", "publishing"},
    COMMANDS: {COMMANDS, "stages", "model", "tables", "render", "publishing", PACKAGE},
    PACKAGE: set(),
}
# files a module reads beside its code, and the modules that read them (a stage importing one
# depends on it)
PACKAGE_DATA = {
    "render/templates": {"render.pages", "render.datasheet", "render.quality"},
    "publishing/releases.json": {"publishing.release"},
}


# -- reading a package's imports -------------------------------------------------------------------


def modules(src: Path) -> dict[str, Path]:
    """Every module of the package under ``src`` by its dotted name relative to the package
    ("tables.csvio"; a package by its own name, "tables", and the root package as PACKAGE)."""
    out = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src / PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts) or PACKAGE] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the package that module ``name`` imports anywhere in its code (a name imported
    from a package is its module where it is one, else the package)."""
    is_package = path.name == "__init__.py"
    here = [] if name == PACKAGE else name.split(".")
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {_local(a.name) for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)] + ([node.module] if node.module else [])
                module = ".".join(base) or PACKAGE
            elif node.module.split(".")[0] == PACKAGE:
                module = _local(node.module)
            else:
                continue
            for a in node.names:
                sub = a.name if module == PACKAGE else f"{module}.{a.name}"
                out.add(sub if sub in known else module)
    return out


def _local(dotted: str) -> str:
    return dotted.partition(".")[2] or PACKAGE


def layer(module: str) -> str:
    """The layer a module belongs to: its subpackage, the commands beside them, or the root
    package."""
    if module == PACKAGE:
        return PACKAGE
    first = module.split(".")[0]
    return first if first in ALLOWED else COMMANDS


def graph(src: Path) -> dict[str, set[str]]:
    known = modules(src)
    return {name: imports(name, path, set(known)) for name, path in known.items()}


def declared(path: Path) -> set[str] | None:
    """A stage's ``__all__`` (the names a command may call), or None where it has none."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return None


# -- the rules -------------------------------------------------------------------------------------


def layer_problems(src: Path) -> list[str]:
    """Each import that crosses the layers the wrong way."""
    out = []
    for module, targets in sorted(graph(src).items()):
        for target in sorted(targets):
            if target == module:
                out.append(f"{module} imports itself")
            elif layer(module) == "stages" and layer(target) == "stages":
                out.append(
                    f"{module} imports {target}: a stage imports helpers, never another stage"
                )
            elif (
                layer(target) not in ALLOWED[layer(module)]
                and target.split(".")[0] != module.split(".")[0]
            ):
                out.append(f"{module} ({layer(module)}) imports {target} ({layer(target)})")
    return out


def stage_call_problems(src: Path) -> list[str]:
    """Each name of a stage a command uses that the stage does not declare in its ``__all__``."""
    known = modules(src)
    stages = {m: declared(p) for m, p in known.items() if layer(m) == "stages" and m != "stages"}
    out = []
    for module, path in sorted(known.items()):
        if layer(module) != COMMANDS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = {}  # the local name of each stage module the command imports
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(_local(a.name) in stages for a in node.names):
                out.append(
                    f"{module}: import a stage as `from .stages import <stage>`, not `import ...`"
                )
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _from_module(module, node)
            for a in node.names:
                if f"{source}.{a.name}" in stages:
                    bound[a.asname or a.name] = f"{source}.{a.name}"
                elif source in stages and a.name not in (stages[source] or set()):
                    out.append(
                        f"{module} imports {source}.{a.name}, which {source} does not declare in "
                        "__all__"
                    )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
            ):
                stage = bound[node.value.id]
                if node.attr not in (stages[stage] or set()):
                    out.append(
                        f"{module} calls {stage}.{node.attr}, which {stage} does not declare in "
                        "__all__"
                    )
    return out


def _from_module(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return _local(node.module)
    base = module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)] + ([node.module] if node.module else [])
    return ".".join(base) or PACKAGE


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each set of modules that import one another, round and round (Tarjan's strongly connected
    components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def same_names(src: Path) -> list[str]:
    """Each name that two modules (or a module and a package) of the package share."""
    seen: dict[str, list[str]] = {}
    for module in modules(src):
        seen.setdefault(module.split(".")[-1], []).append(module)
    return sorted(
        f"{short}: {', '.join(sorted(full))}" for short, full in seen.items() if len(full) > 1
    )


def closure(edges: dict[str, set[str]], start: str) -> set[str]:
    """The modules ``start`` imports, and those they import, and so on (``start`` included)."""
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(edges.get(m, ()))
    return seen


def code_deps(src: Path, stage: str) -> set[str]:
    """What a stage's dvc.yaml deps must list of src/: every module it imports, and the files they
    read (a package, whose __init__ holds no code, is not listed)."""
    known = modules(src)
    used = closure(graph(src), f"stages.{stage}")
    out = {
        f"src/{PACKAGE}/{known[m].relative_to(src / PACKAGE).as_posix()}"
        for m in used
        if known[m].name != "__init__.py"
    }
    out |= {f"src/{PACKAGE}/{data}" for data, readers in PACKAGE_DATA.items() if readers & used}
    return out


# -- the package as it is --------------------------------------------------------------------------

SRC = ROOT / "src"
STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def test_each_layer_imports_only_the_layers_below_it():
    assert layer_problems(SRC) == []


def test_a_command_calls_a_stage_only_through_what_the_stage_declares():
    assert stage_call_problems(SRC) == []
    stage_modules = {
        m: p for m, p in modules(SRC).items() if layer(m) == "stages" and m != "stages"
    }
    assert set(stage_modules) == {f"stages.{name}" for name in STAGES}  # each stage is a dvc stage
    for module, path in stage_modules.items():
        names = declared(path)
        assert names is not None and {"main", "run"} <= names, module
        defined = {
            n.name
            for n in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(n, ast.FunctionDef)
        }
        assert names <= defined, (module, names - defined)


def test_no_import_cycle():
    assert cycles(graph(SRC)) == []


def test_no_two_modules_share_a_name():
    assert same_names(SRC) == []


def test_a_package_init_holds_no_code():
    for module, path in modules(SRC).items():
        if path.name != "__init__.py":
            continue
        body = ast.parse(path.read_text(encoding="utf-8")).body
        assert isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), (
            module
        )  # its docstring
        rest = [ast.unparse(n) for n in body[1:]]
        assert all(
            r == "from __future__ import annotations" or r.startswith("__version__ = ")
            for r in rest
        ), (module, rest)


def test_every_import_is_seen_by_reading_the_code():
    """No module imports by a name made at run time, so reading the code finds every import."""
    for module, path in modules(SRC).items():
        text = path.read_text(encoding="utf-8")
        assert "importlib" not in text and "__import__" not in text, module


def test_every_file_beside_the_code_is_known_to_be_read_by_its_modules():
    files = {
        p.relative_to(SRC / PACKAGE).as_posix() for p in (SRC / PACKAGE).rglob("*") if p.is_file()
    }
    data = {f for f in files if not f.endswith(".py") and "__pycache__" not in f}
    assert {
        f for f in data if not any(f == d or f.startswith(d + "/") for d in PACKAGE_DATA)
    } == set()
    known = modules(SRC)
    assert set().union(*PACKAGE_DATA.values()) <= set(known)


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stages_dvc_deps_under_src_are_exactly_what_it_imports(stage):
    deps = STAGES[stage]["deps"]
    assert len(deps) == len(set(deps)), sorted({d for d in deps if deps.count(d) > 1})
    listed = {d for d in deps if d.startswith("src/")}
    needed = code_deps(SRC, stage)
    assert (sorted(needed - listed), sorted(listed - needed)) == (
        [],
        [],
    )  # (missing from dvc.yaml, listed but unused)


# -- the rules find what they are for (a small package written for each) ---------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": '"""root"""\n', **files}.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


INITS = {
    f"{p}/__init__.py": '"""a layer"""\n'
    for p in ("tables", "model", "render", "publishing", "stages")
}


def test_an_import_against_the_layers_is_found_wherever_it_is(tmp_path):
    src = _package(
        tmp_path,
        {
            **INITS,
            "tables/csvio.py": "def f():\n    from ..render import pages\n",  # inside a function
            "render/pages.py": "from ..publishing.gate import check\n",
            "publishing/gate.py": "def check(): ...\n",
            "stages/clean.py": "from . import reader\n",
            "stages/reader.py": "from ..tables import csvio\n",
            "model/values.py": "import stopitnow_figures.tables.csvio\nfrom ..stages import "
            "clean\n",
        },
    )
    assert layer_problems(src) == [
        "model.values (model) imports stages.clean (stages)",
        "render.pages (render) imports publishing.gate (publishing)",
        "stages.clean imports stages.reader: a stage imports helpers, never another stage",
        "tables.csvio (tables) imports render.pages (render)",
    ]


def test_a_command_calling_what_a_stage_does_not_declare_is_found(tmp_path):
    src = _package(
        tmp_path,
        {
            **INITS,
            "stages/clean.py": '__all__ = ["check", "main", "run"]\n\ndef check(): ...\ndef '
            "coverage(): ...\n",
            "check.py": "def go():\n    from .stages import clean\n    clean.check()\n    "
            "clean.coverage()\n",
            "cli.py": "from .stages.clean import coverage\n",
        },
    )
    assert stage_call_problems(src) == [
        "check calls stages.clean.coverage, which stages.clean does not declare in __all__",
        "cli imports stages.clean.coverage, which stages.clean does not declare in __all__",
    ]


def test_a_cycle_is_found_through_imports_inside_functions(tmp_path):
    src = _package(
        tmp_path,
        {
            **INITS,
            "tables/errors.py": "def report():\n    from .csvio import write\n",
            "tables/csvio.py": "from .errors import Collector\n",
            "tables/paths.py": "from . import vocab\n",
            "tables/vocab.py": "from .paths import Paths\n",
            "tables/raw.py": "from .csvio import read\n",
        },
    )
    assert cycles(graph(src)) == [
        ["tables.csvio", "tables.errors"],
        ["tables.paths", "tables.vocab"],
    ]


def test_two_modules_of_one_name_are_found(tmp_path):
    src = _package(
        tmp_path,
        {**INITS, "model/reconcile.py": "", "stages/reconcile.py": "", "render/publishing.py": ""},
    )
    assert same_names(src) == [
        "publishing: publishing, render.publishing",
        "reconcile: model.reconcile, stages.reconcile",
    ]


def test_a_stages_deps_follow_its_imports_to_the_end(tmp_path):
    src = _package(
        tmp_path,
        {
            **INITS,
            "stages/reader.py": "from ..render import pages\n",
            "render/pages.py": "def f():\n    from ..model.values import x\n",
            "model/values.py": "from ..tables.vocab import y\n",
            "tables/vocab.py": "",
            "tables/unused.py": "",
        },
    )
    expected = {
        f"src/{PACKAGE}/{m}"
        for m in ("stages/reader.py", "render/pages.py", "model/values.py", "tables/vocab.py")
    }
    assert code_deps(src, "reader") == expected | {f"src/{PACKAGE}/render/templates"}
