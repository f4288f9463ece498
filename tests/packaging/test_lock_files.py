"""The hashed lock files (requirements/*.txt) that Docker, CI and ``make setup`` install from agree with
pyproject.toml: every declared requirement is pinned, at a version its specifier admits, with hashes.
(``make lock`` regenerates them; this catches a dependency added without relocking.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)(?:\s*;[^\\]*)?\s*\\$", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared(*extras: str) -> list[Requirement]:
    requirements = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        requirements += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return [r for r in requirements if canonicalize_name(r.name) != canonicalize_name(PROJECT["name"])]


LOCKS = {"server.txt": ("server",), "run.txt": ("server", "field"), "dev.txt": ("server", "field", "dev")}


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_every_declared_requirement_is_pinned_in_the_lock(lock, extras):
    pinned = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in requirements/{lock}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_has_hashes(lock):
    text = (ROOT / "requirements" / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2] if text.startswith("#") else text)
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]


def test_the_server_lock_has_no_test_tools_and_the_package_alone_no_django():
    pinned = pins("server.txt")
    for tool in ("pytest", "moto", "playwright", "hypothesis", "openapi-python-client"):
        assert tool not in pinned
    assert not [r for r in PROJECT["dependencies"] if canonicalize_name(Requirement(r).name) == "django"]
