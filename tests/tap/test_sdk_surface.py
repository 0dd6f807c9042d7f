"""tap-spotify stays on the SDK's public surface, and says so where it hooks in.

Fails on: an import from a private SDK module or of a private SDK name; an `_`-prefixed
attribute of anything but our own objects; a write to an attribute of the SDK's state
manager; an override of a method the SDK documents as internal; a filter of log
lines by their text; an SDK hook overridden without `@override`; an import of a
package the project does not declare as a dependency.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.metadata
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest
import singer_sdk
import tomllib

import tap_spotify

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(tap_spotify.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))


def modules() -> list:
    names = [info.name for info in pkgutil.walk_packages([str(PACKAGE)], "tap_spotify.")
             if not info.name.endswith("__main__")]
    return [tap_spotify, *(importlib.import_module(name) for name in names)]


def sdk_classes_of_ours() -> list[type]:
    found = []
    for module in modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and any(
                    base.__module__.startswith("singer_sdk") for base in cls.__mro__[1:]):
                found.append(cls)
    return found


def parsed() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in SOURCES]


def test_no_private_sdk_module_or_name_is_imported():
    found = []
    for path, tree in parsed():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
                private = any(p.startswith("_") for p in (node.module or "").split("."))
                names = [a.name for a in node.names if a.name.startswith("_")]
                if private or names:
                    found.append(f"{path.name}:{node.lineno} from {node.module} import ...")
            elif isinstance(node, ast.Import):
                found += [f"{path.name}:{node.lineno} import {a.name}" for a in node.names
                          if a.name.startswith("singer_sdk") and "._" in a.name]
    assert not found, found


def sdk_private_names() -> set[str]:
    """`_`-prefixed names the SDK's classes define or set on themselves."""
    names = set()
    for cls in {base for ours in sdk_classes_of_ours() for base in ours.__mro__
                if base.__module__.startswith("singer_sdk")}:
        names |= {name for name in vars(cls) if name.startswith("_")
                  and not name.startswith("__")}
        with contextlib.suppress(OSError, TypeError):
            names |= set(re.findall(r"self\.(_[a-z]\w*)\s*(?::[^=]+)?=",
                                    inspect.getsource(cls)))
    return names


def test_no_private_sdk_attribute_is_touched():
    private = sdk_private_names()
    assert "_tap" in private  # the check reads the SDK
    found = [f"{path.name}:{node.lineno} .{node.attr}"
             for path, tree in parsed() for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr in private]
    assert not found, found


def test_no_attribute_of_the_sdk_state_manager_is_written():
    found = []
    for path, tree in parsed():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
            for target in targets:
                if isinstance(target, ast.Attribute) and "state_manager" in ast.unparse(
                        target.value):
                    found.append(f"{path.name}:{node.lineno} {ast.unparse(target)}")
    assert not found, found


def internal_sdk_methods() -> set[str]:
    """Methods of the SDK's base classes that their docstrings call internal."""
    names = set()
    for cls in {base for ours in sdk_classes_of_ours() for base in ours.__mro__
                if base.__module__.startswith("singer_sdk")}:
        for name, member in vars(cls).items():
            doc = inspect.getdoc(member) or ""
            if re.search(r"internal to the SDK|should not need to be overridden", doc):
                names.add(name)
    return names


def test_no_method_the_sdk_calls_internal_is_overridden():
    internal = internal_sdk_methods()
    assert "finalize_state_progress_markers" in internal  # the check reads the SDK
    found = [f"{cls.__name__}.{name}" for cls in sdk_classes_of_ours()
             for name in vars(cls) if name in internal]
    assert not found, found


def test_log_lines_are_never_filtered_by_their_text():
    found = []
    for path, tree in parsed():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    "Filter" in ast.unparse(base) for base in node.bases):
                found.append(f"{path.name}:{node.lineno} class {node.name}")
            if isinstance(node, ast.Attribute) and node.attr in ("addFilter", "filters"):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not found, found


def overridden_hooks(cls: type) -> list[str]:
    """Methods `cls` defines that an SDK base class defines too."""
    sdk_bases = [b for b in cls.__mro__[1:] if b.__module__.startswith("singer_sdk")]
    return [name for name, member in vars(cls).items()
            if not name.startswith("__") and callable(getattr(cls, name, None))
            and any(name in vars(base) for base in sdk_bases)
            and not isinstance(member, type)]


def decorated_with_override(cls: type, name: str) -> bool:
    member = inspect.getattr_static(cls, name)
    function = member.fget if isinstance(member, property) else getattr(
        member, "__func__", member)
    return bool(getattr(function, "__override__", False))


def test_every_sdk_hook_we_override_says_so():
    found = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in sdk_classes_of_ours()
             for name in overridden_hooks(cls) if not decorated_with_override(cls, name)]
    assert not found, f"@override missing on {found}"


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        names.add(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace(
            "_", "-"))
    return names


def test_every_import_is_a_declared_dependency():
    providers = importlib.metadata.packages_distributions()
    declared = declared_distributions()
    missing = {}
    for path, tree in parsed():
        for node in ast.walk(tree):
            roots = [a.name.split(".")[0] for a in node.names] if isinstance(
                node, ast.Import) else [(node.module or "").split(".")[0]] if isinstance(
                node, ast.ImportFrom) and not node.level else []
            for root in roots:
                if not root or root in sys.stdlib_module_names or root == "tap_spotify":
                    continue
                dists = {d.lower().replace("_", "-") for d in providers.get(root, [root])}
                if not dists & declared:
                    missing[root] = f"{path.name}:{node.lineno}"
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


@pytest.mark.parametrize("name", ["finalize_state_progress_markers", "sync"])
def test_the_internal_check_would_catch_an_override(name):
    """The check is not vacuous: a class overriding an internal method is caught."""
    internal = internal_sdk_methods()
    bad = type("Bad", (singer_sdk.Stream,), {name: lambda self: None})
    assert [n for n in vars(bad) if n in internal] == [name]
