"""The locks hold every dependency pyproject.toml names, inside its range, with hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def read_lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Each pinned package of a pip-compile lock: its version and its hashes."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = (match[2], [])
        elif current and (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current][1].append(hashed[1])
        elif not line.startswith((" ", "\t")):
            current = None
    return pins


LOCKS = {
    "requirements/run.txt": lambda project: project["dependencies"],
    "requirements/test.txt": lambda project: [
        *project["dependencies"],
        *project["optional-dependencies"]["test"],
    ],
}


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_each_dependency_is_pinned_inside_its_range_with_hashes(lock):
    pins = read_lock(ROOT / lock)
    problems = []
    for text in LOCKS[lock](_project()):
        wanted = Requirement(text)
        name = canonicalize_name(wanted.name)
        if name not in pins:
            problems.append(f"{wanted.name} is not in {lock}: run make lock")
            continue
        version, _hashes = pins[name]
        if not wanted.specifier.contains(version, prereleases=True):
            problems.append(f"{wanted.name}=={version} is outside {wanted.specifier}")
    assert problems == []
    assert all(hashes for _version, hashes in pins.values()), "every pin needs its hashes"


def test_the_test_lock_installs_the_same_runtime_as_the_run_lock():
    run = read_lock(ROOT / "requirements/run.txt")
    test = read_lock(ROOT / "requirements/test.txt")
    assert {name: test[name][0] for name in run if name in test} == {
        name: version for name, (version, _hashes) in run.items()
    }


def test_the_reader_sees_a_missing_hash_and_a_pin_out_of_range(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "django==4.2.1 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via lumeire\nqrcode==8.0\n",
        encoding="utf-8",
    )
    pins = read_lock(lock)
    assert pins == {"django": ("4.2.1", ["a" * 64]), "qrcode": ("8.0", [])}
    assert not Requirement("Django>=5.2,<5.3").specifier.contains(pins["django"][0])


def test_installs_check_hashes_and_take_wheels_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --only-binary :all:" in makefile
    assert "-r requirements/run.txt" in makefile and "-r requirements/test.txt" in makefile
    assert "pip install --quiet -e" not in makefile
