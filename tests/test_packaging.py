"""dateline as a user installs it: from a wheel, not from this checkout.

A newsroom's content repository installs it so: examples/publish.yml with
`pip install "dateline @ git+…"`, and the pre-commit hook into its own environment.
The default theme sits at the top of this repository, outside the package; a wheel
that left it behind installed a dateline that could neither build nor check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT, site_snapshot

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


def test_an_installed_wheel_builds_and_checks_the_sample_site(
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

    # The unpacked wheel comes first on the path, ahead of this checkout's editable
    # install; the libraries dateline needs come from the test environment.
    env = {**os.environ, "PYTHONPATH": str(installed)}

    def installed_python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    where = installed_python("-c", "import dateline.render.theme as t; print(t.DEFAULT_THEME)")
    assert Path(where.stdout.strip()) == installed / "dateline" / "default_theme", where.stderr

    out = tmp_path / "site"
    built = installed_python(
        "-m", "dateline", "--content", str(ROOT / "content"), "--out", str(out)
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert f"into {out}" in built.stdout  # the build's summary line
    # The pre-commit hook's command (it builds the site to check its links).
    checked = installed_python(
        "-m", "dateline", "check", "--strict", "--content", str(ROOT / "content")
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The installed dateline makes the very site the checkout makes.
    assert (out / "index.html").is_file()
    assert site_snapshot(out) == site_snapshot(sample_site)
