"""The two-command set-up: pinned, consistent, idempotent, and `make lab` really serves."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# conda-forge names that differ from the PyPI names pyproject.toml uses.
CONDA_TO_PYPI = {"pysoundfile": "soundfile", "soxr-python": "soxr"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_pins() -> dict[str, str]:
    """name -> version for Python 3.11 (the environment.yml's Python)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["dev"]
    pins = {}
    for dep in deps:
        spec, _, marker = dep.partition(";")
        if marker and "python_version < '3.12'" not in marker:
            continue  # the 3.12+ variant
        name, _, version = spec.strip().partition("==")
        assert version, f"pyproject.toml: {dep!r} is not pinned with =="
        pins[_norm(name)] = version.strip()
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if pip_dep.startswith("-e"):
                    continue
                name, _, version = pip_dep.partition("==")
                pins[_norm(name)] = version
        elif "=" in dep:
            name, _, version = dep.partition("=")
            name = CONDA_TO_PYPI.get(name, name)
            if name != "python":
                pins[_norm(name)] = version
    return pins


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    assert _environment_pins() == _pyproject_pins()


def test_torch_is_pinned_to_the_local_cpu_wheel_version():
    assert _pyproject_pins()["torch"] == "2.13.0"


def test_librosa_pins_cover_python_311_and_312():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    librosa = [d for d in deps if d.startswith("librosa")]
    assert "librosa==0.11.0; python_version < '3.12'" in librosa
    assert "librosa==1.0.0; python_version >= '3.12'" in librosa


def _stamp_is_current() -> bool:
    stamp = ROOT / ".venv" / ".asrlab-installed"
    return stamp.exists() and stamp.stat().st_mtime >= (ROOT / "pyproject.toml").stat().st_mtime


@pytest.mark.skipif(not _stamp_is_current(), reason="the venv was not installed by make (run `make setup`)")
def test_make_setup_does_nothing_when_everything_is_installed():
    dry = subprocess.run(["make", "-n", "setup"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "pip install" not in dry.stdout and "warmup" not in dry.stdout, dry.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.slow
@pytest.mark.skipif(not _stamp_is_current(), reason="the venv was not installed by make (run `make setup`)")
def test_make_lab_serves_the_lessons_folder(tmp_path):
    port = _free_port()
    log = tmp_path / "lab.log"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["make", "lab", f"PORT={port}",
             "LAB_ARGS=--no-browser --IdentityProvider.token= --ServerApp.password= --ServerApp.ip=127.0.0.1"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    status, _ = _get(f"{base}/api/status")
                    if status == 200:
                        break
                except OSError:
                    pass
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 90 s:\n" + log.read_text()
                time.sleep(0.5)
            status, page = _get(f"{base}/lab")
            assert status == 200 and b"JupyterLab" in page
            status, listing = _get(f"{base}/api/contents/")
            names = {item["name"] for item in json.loads(listing)["content"]}
            expected = {p.name for p in (ROOT / "lessons").glob("*.ipynb")}
            assert expected and expected <= names
            assert not any(n.endswith(".py") for n in names), "the server root must be lessons/, not the project"
            assert f"127.0.0.1:{port}/lab" in log.read_text(), "make lab must print the URL"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
