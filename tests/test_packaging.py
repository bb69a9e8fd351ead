"""dateline as a user installs it: from a wheel, not from this checkout.

The default theme sits at the top of the repository, outside the package; a wheel
that left it behind installed a dateline that could build nothing.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

THEME = ROOT / "theme"


def _build_wheel(tmp_path: Path) -> Path:
    """A wheel built from a copy of what the repository packages (so the build writes
    nothing into the checkout), without a network: setuptools comes from the test
    dependencies."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("dateline", "theme"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    wheels = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    proc = subprocess.run(
        [*pip_wheel, "-q", "--wheel-dir", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = wheels.glob("dateline-*.whl")
    return wheel


def test_a_wheel_carries_the_theme_and_builds_the_sample_site(
    tmp_path: Path, sample_site: Path
) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        theme_files = {
            f"dateline/default_theme/{path.relative_to(THEME).as_posix()}"
            for path in THEME.rglob("*")
            if path.is_file()
        }
        assert theme_files, "the repository's theme has files"
        assert theme_files <= names, sorted(theme_files - names)
        # A pure-Python wheel is the installed tree, zipped: unpacked, it is an install.
        installed = tmp_path / "installed"
        archive.extractall(installed)

    out = tmp_path / "site"
    # The unpacked wheel comes first on the path, ahead of this checkout's editable
    # install; the libraries dateline needs come from the test environment.
    env = {**os.environ, "PYTHONPATH": str(installed)}
    proc = subprocess.run(
        [sys.executable, "-m", "dateline", "--content", str(ROOT / "content"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"into {out}" in proc.stdout  # the build's summary line
    where = subprocess.run(
        [sys.executable, "-c", "import dateline.theme as t; print(t.DEFAULT_THEME)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert Path(where.stdout.strip()) == installed / "dateline" / "default_theme"

    # The installed dateline makes the very site the checkout makes.
    def differences(compared: filecmp.dircmp) -> list[str]:
        found = [*compared.left_only, *compared.right_only, *compared.diff_files]
        for sub in compared.subdirs.values():
            found += differences(sub)
        return found

    assert (out / "index.html").is_file()
    assert differences(filecmp.dircmp(out, sample_site)) == []
