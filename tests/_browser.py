"""Helpers for the real-browser test: a throw-away JupyterLab server and a headless Chromium.

Nothing here downloads anything: Chromium is the system's (Debian's ``chromium`` package),
never a browser fetched by Playwright, and JupyterLab runs from the project's environment
against a temporary copy of ``lessons/``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The path of the system Chromium, or None when it is not installed."""
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LabServer:
    """A running ``jupyter lab`` process serving ``root_dir`` on ``url``."""

    process: subprocess.Popen
    url: str
    root_dir: Path
    log_path: Path

    def log_tail(self, n_chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n_chars:]
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the server answers ``/api/status``; RuntimeError (with its log) if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server and every process it started (kernels run in their own sessions).

        The kernels are throw-away, so they are killed first; then the server gets SIGTERM
        (SIGKILL after 10 s).  Only this server's own descendants are touched.
        """
        if self.process.poll() is not None:
            return
        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        for child in descendants:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        psutil.wait_procs(descendants, timeout=5)


def launch_lab(root_dir: Path, *, log_path: Path) -> LabServer:
    """Start JupyterLab from this environment on a free port, token and password off.

    Returns at once; call :meth:`LabServer.wait_ready` before using it (so that the
    browser can start meanwhile).
    """
    port = free_port()
    runtime = Path(tempfile.mkdtemp(prefix="lab-runtime-", dir=root_dir.parent))
    notification = runtime / "lab-settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    # No "get notified about news?" pop-up over the notebook, and never a news request.
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # The language-server extension probes for node and npm at start-up (seconds, and
    # nothing this test needs); the user's own config dir is replaced by this one.
    (runtime / "config").mkdir()
    (runtime / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"jupyter_lsp": False}}})
    )
    env = dict(os.environ)
    env.update(
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_CONFIG_DIR=str(runtime / "config"),
        JUPYTER_DATA_DIR=str(runtime / "data"),  # no user kernelspecs: the kernel is this Python
        JUPYTER_PREFER_ENV_PATH="1",
        JUPYTERLAB_SETTINGS_DIR=str(runtime / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(runtime / "lab-workspaces"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=",  # no news feed and no update check: the test runs offline
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # never query a package index
        "--ServerApp.open_browser=False",
    ]
    log = open(log_path, "wb")
    process = subprocess.Popen(cmd, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return LabServer(process=process, url=f"http://127.0.0.1:{port}", root_dir=root_dir, log_path=log_path)
