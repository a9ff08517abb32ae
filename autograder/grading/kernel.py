"""The sandboxed kernel, seen from the grader: start, execute with limits, restart.

One :class:`Sandbox` is a Jupyter kernel (``jupyter_client.KernelManager``, ``ipc``
transport) started through ``autograder/_kernel/sandbox.py`` with its own memory and pids
cgroups.  :meth:`Sandbox.execute` runs one piece of code with a wall-clock timeout
(interrupt first, then kill and restart when the code swallows ``KeyboardInterrupt``) and
an output budget, and tells what happened as an :class:`Outcome`.
"""

from __future__ import annotations

import compileall
import json
import os
import pwd
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq

_KERNEL_FILES = Path(__file__).resolve().parent.parent / "_kernel"
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel.

    Args:
        timeout: Wall-clock seconds per cell and per case call.
        memory_mb: Memory of the kernel and its children (cgroup), and address space of
            each process (``RLIMIT_AS``), in MiB.
        max_output_bytes: Output (stdout, stderr, displays) one execution may produce.
        max_file_bytes: Largest file the kernel may write (``RLIMIT_FSIZE``).
        scratch_bytes: Size of the scratch directory (a ``tmpfs``).
        max_pids: Processes and threads in the kernel's pids cgroup.
        grace: Seconds between the interrupt and the kill of a timed-out execution.
        cpu: CPU seconds per kernel process (default: 20 timeouts + 60 s).
        max_reply_bytes: Largest single message part the grader accepts on the shell
            channel (the execute reply that carries an answer); the kernel's output
            (iopub) may send parts up to ``max_output_bytes`` + 1 MiB.  Both are enforced
            while receiving (ZeroMQ's ``MAXMSGSIZE``): a larger part is dropped before it
            is buffered, the connection is cut, and the execution ends as ``output-limit``.
    """

    timeout: float = 30.0
    memory_mb: int = 2048
    max_output_bytes: int = 2_000_000
    max_file_bytes: int = 64 * 2**20
    scratch_bytes: int = 128 * 2**20
    max_pids: int = 96
    grace: float = 2.0
    cpu: int | None = None
    max_reply_bytes: int = 72 * 2**20

    @property
    def max_iopub_bytes(self) -> int:
        return self.max_output_bytes + 2**20

    @property
    def cpu_seconds(self) -> int:
        """CPU seconds of the kernel process (``RLIMIT_CPU``): ``cpu``, or 20 cell timeouts + 60."""
        return self.cpu if self.cpu is not None else int(self.timeout * 20) + 60


@dataclass
class Outcome:
    """What one execution did.

    ``status`` is ``"ok"``, ``"error"`` (the code raised: ``ename``/``evalue``),
    ``"timeout"``, ``"output-limit"``, ``"memory"``, ``"pids"``, ``"cpu"``, or ``"died"``
    (the kernel ended otherwise: ``os._exit``, a crash).  ``restarted`` tells that the
    kernel had to be replaced and holds none of the notebook's state.
    """

    status: str
    ename: str = ""
    evalue: str = ""
    output_bytes: int = 0
    expressions: dict[str, Any] = field(default_factory=dict)
    restarted: bool = False


def _parent_id(msg: dict) -> Any:
    parent = msg.get("parent_header")
    return parent.get("msg_id") if isinstance(parent, dict) else None


def _receive(channel, session) -> dict:
    """The next message waiting on a channel's socket (``queue.Empty`` when none), read and
    checked (signature, format) synchronously: the blocking client's own ``get_*_msg`` runs
    an event loop per call, which costs more than the kernel's reply to a small case."""
    try:
        frames = channel.socket.recv_multipart(zmq.NOBLOCK)
    except zmq.Again:
        raise queue.Empty from None
    _, frames = session.feed_identities(frames)
    return session.deserialize(frames)


def _size(content: dict) -> int:
    try:
        return len(json.dumps(content, default=str))
    except (TypeError, ValueError, RecursionError):
        return 10**9  # unmeasurable output counts as too much


def _own_cgroup(controller: str) -> Path | None:
    root = Path("/sys/fs/cgroup") / controller
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            where = root / path.lstrip("/")
            return where if where.is_dir() else None
    return None


class _Cgroup:
    """A memory or pids cgroup (v1) made for one kernel; ``None`` members when impossible."""

    def __init__(self, controller: str, name: str) -> None:
        self.path: Path | None = None
        parent = _own_cgroup(controller)
        if parent is None:
            return
        path = parent / name
        try:
            path.mkdir()
        except OSError:
            return
        self.path = path

    def set(self, knob: str, value: str) -> bool:
        if self.path is None:
            return False
        try:
            (self.path / knob).write_text(value)
            return True
        except OSError:
            return False

    def read(self, knob: str) -> str:
        if self.path is None:
            return ""
        try:
            return (self.path / knob).read_text()
        except OSError:
            return ""

    def counter(self, knob: str, key: str | None = None) -> int:
        text = self.read(knob)
        if key is None:
            return int(text.strip() or 0)
        for line in text.splitlines():
            k, _, v = line.partition(" ")
            if k == key:
                return int(v)
        return 0

    def kill_all(self) -> None:
        for _ in range(50):
            pids = [int(p) for p in self.read("cgroup.procs").split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        if self.path is None:
            return
        self.kill_all()
        for _ in range(50):
            try:
                self.path.rmdir()
                break
            except OSError:
                time.sleep(0.02)
        self.path = None


class Stage:
    """Files shared by every kernel of one grading run (a private temporary directory).

    ``site/`` holds read-only copies of ``asrlab``, the stub ``autograder`` package (with
    ``autograder.plain`` and ``autograder.blank``) and the case runner; each kernel gets ``k<N>/`` with its
    connection directory.  :meth:`close` removes everything.
    """

    def __init__(self, *, project_root: Path, hide: list[Path]) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="nb-"))
        os.chmod(self.base, 0o711)
        self.site = self.base / "site"
        self.site.mkdir()
        shutil.copytree(_KERNEL_FILES / "stub" / "autograder", self.site / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for shared in ("plain.py", "blank.py"):
            shutil.copy(_PACKAGE_ROOT / "autograder" / shared, self.site / "autograder" / shared)
        shutil.copy(_KERNEL_FILES / "harness.py", self.site / "_case_runner.py")
        shutil.copy(_KERNEL_FILES / "figures.py", self.site / "_grading_figures.py")
        import asrlab

        shutil.copytree(Path(asrlab.__file__).resolve().parent, self.site / "asrlab",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compileall.compile_dir(str(self.site), quiet=2)
        for root, dirs, files in os.walk(self.site):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        self.numba_cache = self.base / "numba"
        _stage_numba_cache(self.numba_cache)
        os.chmod(self.numba_cache, 0o755)
        self.fontlists = []
        try:
            import matplotlib

            cache = Path(matplotlib.get_cachedir())
            self.fontlists = [str(p) for p in cache.glob("fontlist-*.json")]
        except Exception:  # noqa: BLE001 - a missing font cache only costs start-up time
            pass
        self.project_root = project_root
        self.hide = [str(p) for p in hide]
        self._counter = 0
        self.template: subprocess.Popen | None = None
        self.template_note = ""
        self.template_info: dict = {}
        self.template_socket = ""
        self.is_root = os.geteuid() == 0
        self.uid = self.gid = None
        if self.is_root:
            try:
                pw = pwd.getpwnam("nobody")
                self.uid, self.gid = pw.pw_uid, pw.pw_gid
            except KeyError:
                pass

    def new_dir(self) -> Path:
        self._counter += 1
        d = self.base / f"k{self._counter}-{uuid.uuid4().hex[:8]}"
        d.mkdir()
        return d

    # ------------------------------------------------------------------ warm template
    @property
    def scratch(self) -> Path:
        """The scratch directory of kernels forked from the template: one path, a fresh
        ``tmpfs`` in each kernel's own mount namespace."""
        return self.base / "scratch"

    def start_template(self, modules: list[str], *, wait: float = 120.0) -> bool:
        """Start the warm template (``autograder/_kernel/template.py``) that imports
        ``modules`` once and forks every later kernel; False (and a reason in
        ``template_note``) when it cannot be used here: no pids cgroup, no namespaces,
        or it did not get ready within ``wait`` seconds."""
        return self.launch_template(modules) and self.wait_template(wait)

    def launch_template(self, modules: list[str]) -> bool:
        """:meth:`start_template` without waiting: the template imports in the background
        until :meth:`wait_template`."""
        self.template_note = ""
        if _own_cgroup("pids") is None or _own_cgroup("memory") is None:
            self.template_note = "no memory and pids cgroups"
            return False
        private = self.base / "template"
        private.mkdir(mode=0o700)
        scratch = self.scratch
        mpl = scratch / ".config" / "matplotlib"
        mpl.mkdir(parents=True)
        for font_list in self.fontlists:
            shutil.copy(font_list, mpl)
        shutil.copytree(self.numba_cache, scratch / ".numba")
        spec = private / "spec.json"
        spec.write_text(json.dumps({"modules": list(modules), "socket": str(private / "socket")}))
        env = _kernel_env(self.site, scratch)
        proc = subprocess.Popen([sys.executable, "-s", str(_KERNEL_FILES / "template.py"), str(spec)],
                                env=env, cwd=str(scratch), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        self.template = proc
        return True

    def wait_template(self, wait: float = 120.0) -> bool:
        """Wait until the launched template is ready; False (and ``template_note``) if not."""
        proc = self.template
        if proc is None:
            self.template_note = self.template_note or "not started"
            return False
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(wait)
        try:
            info = json.loads(line[0]) if line else {}
        except ValueError:
            info = {}
        if not info.get("ready"):
            self.template_note = info.get("reason") or "the template did not get ready"
            self._stop_template()
            return False
        self.template_info = info
        self.template_socket = str(self.base / "template" / "socket")
        return True

    def template_alive(self) -> bool:
        """Is the warm template ready and running (kernels started now are forked from it)?"""
        proc = self.template
        return bool(self.template_socket) and proc is not None and proc.poll() is None

    def _stop_template(self) -> None:
        proc, self.template = self.template, None
        self.template_socket = ""
        if proc is not None:
            proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()

    def close(self) -> None:
        self._stop_template()
        shutil.rmtree(self.base, ignore_errors=True)


def _stage_numba_cache(dest: Path) -> None:
    """Copy numba's on-disk caches of installed packages (librosa's) into ``dest``.

    numba only uses a cache next to the source when that directory is writable, which it
    is not inside the sandbox; given ``NUMBA_CACHE_DIR`` it looks for the same files under
    ``<dir name>_<sha1 of the dir>``.  Without this every kernel would compile librosa's
    kernels again (tens of seconds).
    """
    import hashlib
    import sysconfig

    dest.mkdir(exist_ok=True)
    roots = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            if os.path.basename(dirpath) != "__pycache__":
                continue
            caches = [f for f in filenames if f.endswith((".nbi", ".nbc"))]
            if not caches:
                continue
            src_dir = os.path.dirname(dirpath)
            sub = dest / f"{os.path.basename(src_dir)}_{hashlib.sha1(src_dir.encode()).hexdigest()}"
            sub.mkdir(exist_ok=True)
            for f in caches:
                shutil.copy2(os.path.join(dirpath, f), sub / f)
                os.chmod(sub / f, 0o644)
            os.chmod(sub, 0o755)


def _installed_sources() -> set[str]:
    """Source trees that an editable install of the course makes importable in any Python of
    this environment (``pip install -e .``): the kernel must not import the real
    ``autograder.exercises`` through them."""
    import ast
    import re
    import sysconfig

    found: set[str] = set()
    for site in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for finder in Path(site).glob("__editable__*finder.py"):
            try:
                m = re.search(r"^MAPPING\s*(?::[^=]*)?=\s*(\{.*?\})\s*$", finder.read_text(), re.M | re.S)
                mapping = ast.literal_eval(m.group(1)) if m else {}
            except (OSError, ValueError, SyntaxError):
                continue
            found.update(str(v) for v in mapping.values() if isinstance(v, str) and os.path.isdir(v))
        for pth in Path(site).glob("*.pth"):
            try:
                lines = pth.read_text().splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if line and not line.startswith(("#", "import")) and os.path.isdir(os.path.join(line, "autograder")):
                    found.add(line)
    return found


def _hidden_paths(stage: Stage) -> list[str]:
    paths = {
        str(_PACKAGE_ROOT / "autograder"), "/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/run/user",
        "/sys/fs/cgroup", *stage.hide, *_installed_sources(),
    }
    if (stage.project_root / "pyproject.toml").exists():  # a source checkout: hide all of it
        paths.add(str(stage.project_root))
    home = os.path.expanduser("~")
    if home not in ("/", ""):
        paths.add(home)
    return sorted(p for p in paths if p)


#: No output is judged, so figures are never rendered into images (``display(fig)`` and the
#: inline backend send the text form only) nor laid out and drawn (``_grading_figures``,
#: ``autograder/_kernel/figures.py``); the learner's code runs unchanged.
_NO_IMAGES = (*(f"--{name}.enabled=False" for name in ("PNGFormatter", "JPEGFormatter", "SVGFormatter",
                                                       "PDFFormatter")),
              "--InteractiveShellApp.extensions=_grading_figures")


def _kernel_env(site: Path, scratch: Path) -> dict[str, str]:
    """The kernel's whole environment (nothing of the grader's is passed on)."""
    venv = Path(sys.prefix)
    return {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(site),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": str(scratch / ".config" / "matplotlib"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "IPYTHONDIR": str(scratch / ".ipython"),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "NUMBA_CACHE_DIR": str(scratch / ".numba"),
    }


def _bounded_client_class(limits: Limits):
    """A blocking kernel client whose sockets refuse oversized messages while receiving."""
    from jupyter_client.blocking.client import BlockingKernelClient

    class BoundedClient(BlockingKernelClient):
        def _create_connected_socket(self, channel: str, identity: bytes | None = None):
            # at most a few messages wait in the grader's queue: 16 output messages, 4 replies
            size = limits.max_iopub_bytes if channel == "iopub" else limits.max_reply_bytes
            self.context.setsockopt(zmq.MAXMSGSIZE, size)
            self.context.setsockopt(zmq.RCVHWM, 16 if channel == "iopub" else 4)
            return super()._create_connected_socket(channel, identity)

    return BoundedClient


class Sandbox:
    """One learner kernel.  Use :meth:`start`, :meth:`execute`, :meth:`close`."""

    def __init__(self, stage: Stage, limits: Limits) -> None:
        self.stage = stage
        self.limits = limits
        self.km = None
        self.kc = None
        self.warnings: list[str] = []
        self.restarts = 0
        self._mem: _Cgroup | None = None
        self._pids: _Cgroup | None = None
        self._dir: Path | None = None
        self._baseline_procs = 0
        self._monitors: list = []
        self._ctx = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        d = self.stage.new_dir()
        self._dir = d
        conn = d / "conn"
        conn.mkdir()
        spec_dir = d / "spec" / "sandbox"
        spec_dir.mkdir(parents=True)
        name = uuid.uuid4().hex[:12]
        self._mem = _Cgroup("memory", name)
        self._pids = _Cgroup("pids", name)
        limit = str(self.limits.memory_mb * 2**20)
        cg_warn = []
        if self._mem.set("memory.limit_in_bytes", limit):
            self._mem.set("memory.memsw.limit_in_bytes", limit)
        else:
            cg_warn.append("no memory cgroup: memory is limited by address space only")
        has_pids = self._pids.set("pids.max", str(self.limits.max_pids))
        if not has_pids:
            cg_warn.append("no pids cgroup: processes are limited by RLIMIT_NPROC only")
        uid, gid = self.stage.uid, self.stage.gid
        if uid is not None:
            os.chown(conn, uid, gid)
        os.chmod(d, 0o711)
        warm = self.stage.template_alive() and has_pids
        scratch = self.stage.scratch if warm else d / "scratch"
        venv = Path(sys.prefix)
        keep = [{"src": str(venv), "dst": str(venv), "ro": True},
                {"src": str(self.stage.site), "dst": str(self.stage.site), "ro": True},
                {"src": str(self.stage.numba_cache), "dst": str(self.stage.numba_cache), "ro": True},
                {"src": str(conn), "dst": str(conn), "ro": False}]
        if Path(sys.base_prefix) != venv:
            keep.append({"src": sys.base_prefix, "dst": sys.base_prefix, "ro": True})
        rlimits: dict[str, Any] = {
            "AS": self.limits.memory_mb * 2**20,
            "CPU": [self.limits.cpu_seconds, self.limits.cpu_seconds + 5],
            "FSIZE": self.limits.max_file_bytes,
            "NOFILE": 1024,
            "CORE": 0,
        }
        if not has_pids:
            rlimits["NPROC"] = self.limits.max_pids
        env = _kernel_env(self.stage.site, scratch)
        conn_file = conn / "kernel.json"
        cfg = {
            "keep": keep,
            "hide": _hidden_paths(self.stage),
            "scratch": str(scratch),
            "scratch_bytes": self.limits.scratch_bytes,
            "uid": uid,
            "gid": gid,
            "chown": [str(conn_file)],
            "cgroup_procs": [str(c.path / "cgroup.procs") for c in (self._mem, self._pids) if c.path],
            "rlimits": rlimits,
            "env": env,
            "argv": [sys.executable, "-s", "-m", "ipykernel_launcher", "-f", str(conn_file),
                     "--HistoryManager.hist_file=:memory:", "--IPKernelApp.quiet=True", *_NO_IMAGES],
            "copy_into_mplconfig": self.stage.fontlists,
            "copy_tree": [[str(self.stage.numba_cache), str(scratch / ".numba")]],
            "report": str(d / "launch.json"),
            "sealed": str(d / "sealed"),
            "conn": str(conn),
        }
        cfg_path = d / "launch-config.json"
        cfg["connection_file"] = str(conn_file)
        cfg_path.write_text(json.dumps(cfg))
        os.chmod(cfg_path, 0o600)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": ([sys.executable, "-I", "-S", str(_KERNEL_FILES / "proxy.py"), str(cfg_path),
                      self.stage.template_socket] if warm
                     else [sys.executable, "-I", "-S", str(_KERNEL_FILES / "sandbox.py"), str(cfg_path)]),
            "display_name": "sandbox",
            "language": "python",
            # a kernel forked by the template is not in the kernel command's process group
            "interrupt_mode": "message" if warm else "signal",
        }))
        ksm = KernelSpecManager(kernel_dirs=[str(d / "spec")], ensure_native_kernel=False)
        self._ctx = zmq.Context()
        km = KernelManager(kernel_name="sandbox", kernel_spec_manager=ksm, transport="ipc",
                           ip=str(conn / "k"), connection_file=str(conn_file), context=self._ctx)
        km.start_kernel(env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.km = km
        kc = _bounded_client_class(self.limits)(**{
            **km.get_connection_info(session=True), "connection_file": km.connection_file, "parent": km,
            "context": self._ctx})
        kc.allow_stdin = False
        kc.start_channels()
        self.kc = kc  # so that a failed start stops the channels (their threads) before the context goes
        self._monitors = []
        for channel in (kc.shell_channel, kc.iopub_channel):
            try:
                self._monitors.append(channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED))
            except zmq.ZMQError:
                pass
        try:
            self._wait_ready(timeout=60)
        except RuntimeError as exc:
            self._stop()
            raise RuntimeError(f"the sandboxed kernel did not start: {exc}; {self._launch_report()}") from exc
        self.kc = kc
        self._baseline_procs = self._process_count() if self._pids.path is None else 0
        report = self._launch_report_data()
        if report.get("isolated"):
            sealed = self._wait_sealed()
            if sealed != "sealed":
                cg_warn.append(f"the kernel's connection directory on the host stays writable: {sealed}")
        for w in cg_warn + report.get("warnings", []):
            if w not in self.warnings:
                self.warnings.append(w)

    def _wait_ready(self, timeout: float) -> None:
        """Until the kernel answers a ``kernel_info_request`` on the shell channel and its
        status for the same request arrives on the output channel (so that no output of
        the first cell can be lost).  A request sent before the kernel listens may be lost:
        it is sent again every tenth of a second."""
        kc = self.kc
        poller = zmq.Poller()
        poller.register(kc.shell_channel.socket, zmq.POLLIN)
        poller.register(kc.iopub_channel.socket, zmq.POLLIN)
        deadline = time.monotonic() + timeout
        seen: dict[Any, set[str]] = {}
        again = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= again:
                if not self.alive():
                    raise RuntimeError("the kernel ended before it was ready")
                request = kc.session.msg("kernel_info_request")
                kc.shell_channel.send(request)
                seen[request["header"]["msg_id"]] = set()
                again = time.monotonic() + 0.1
            events = dict(poller.poll(20))
            for name, channel in (("shell", kc.shell_channel), ("iopub", kc.iopub_channel)):
                if channel.socket not in events:
                    continue
                while True:
                    try:
                        msg = _receive(channel, kc.session)
                    except queue.Empty:
                        break
                    except Exception:  # noqa: BLE001 - a malformed message is dropped
                        continue
                    parent = _parent_id(msg) if isinstance(msg, dict) else None
                    if parent in seen:
                        seen[parent].add(name)
                        if len(seen[parent]) == 2:
                            return
        raise RuntimeError(f"no answer within {timeout:g} s")

    def _wait_sealed(self, wait: float = 10.0) -> str:
        """What the launcher wrote once the connection directory was made read-only."""
        end = time.monotonic() + wait
        path = self._dir / "sealed"
        while True:
            try:
                word = path.read_text()
            except OSError:
                word = ""
            if word or time.monotonic() > end:
                return word or "no answer from the launcher"
            time.sleep(0.01)

    def _launch_report_data(self) -> dict:
        try:
            return json.loads((self._dir / "launch.json").read_text())
        except (OSError, ValueError, TypeError):
            return {}

    def _launch_report(self) -> str:
        data = self._launch_report_data()
        return "; ".join(data.get("warnings", [])) or "no launch report"

    def _stop(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
            self.kc = None
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
            try:
                self.km.cleanup_resources()
            except Exception:  # noqa: BLE001
                pass
            self.km = None
        for mon in getattr(self, "_monitors", []):
            try:
                mon.close(linger=0)
            except Exception:  # noqa: BLE001
                pass
        self._monitors = []
        ctx = getattr(self, "_ctx", None)
        if ctx is not None:
            ctx.destroy(linger=0)
            self._ctx = None
        for cg in (self._mem, self._pids):
            if cg is not None:
                cg.remove()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def restart(self) -> None:
        self.restarts += 1
        self._stop()
        self.start()

    def close(self) -> None:
        self._stop()

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def _exit_code(self) -> int | None:
        try:
            return self.km.provisioner.process.poll()
        except AttributeError:
            return None

    # ------------------------------------------------------------------ execution
    def _process_count(self) -> int:
        """Processes under the launcher (used when there is no pids cgroup to ask)."""
        import psutil

        try:
            return len(psutil.Process(self.km.provisioner.process.pid).children(recursive=True))
        except (psutil.Error, AttributeError):
            return 0

    def _counters(self) -> tuple[int, int]:
        """Counters that grow when the memory or the process limit was hit."""
        mem = self._mem.counter("memory.oom_control", "oom_kill") + self._mem.counter("memory.failcnt") if self._mem else 0
        if self._pids is not None and self._pids.path is not None:
            pids = self._pids.counter("pids.events", "max")
        else:  # no cgroup: any process left over beyond the kernel itself counts
            pids = max(0, self._process_count() - self._baseline_procs)
        return mem, pids

    def _cut_off(self) -> bool:
        """Did a channel drop its connection (an oversized message) since the last look?"""
        from zmq.utils.monitor import recv_monitor_message

        cut = False
        for mon in self._monitors:
            while True:
                try:
                    event = recv_monitor_message(mon, flags=zmq.NOBLOCK)
                except zmq.Again:
                    break
                except Exception:  # noqa: BLE001 - a closed monitor: nothing more to learn
                    break
                cut = cut or event.get("event") == zmq.EVENT_DISCONNECTED
        return cut

    def execute(self, code: str, *, timeout: float | None = None,
                expressions: dict[str, str] | None = None, data: dict[str, str] | None = None) -> Outcome:
        """Run ``code`` in the kernel; on timeout, excess output or death, restart it.

        The code is interrupted ``timeout`` seconds (default: the limits' per-cell timeout)
        after it was sent, to within the poll's few milliseconds, and the kernel is killed
        and restarted ``grace`` seconds later if it has not stopped.  ``data`` travels in
        the request's metadata, where the code can read it (``get_parent()["metadata"]``)
        without the kernel parsing it as source: a case's inputs and an answer's source.
        """
        timeout = self.limits.timeout if timeout is None else max(0.0, timeout)
        kc = self.kc
        mem0, pids0 = self._counters()
        self._cut_off()  # forget events of an earlier execution
        request = kc.session.msg("execute_request", {
            "code": code, "silent": False, "store_history": False, "user_expressions": expressions or {},
            "allow_stdin": False, "stop_on_error": False}, metadata=dict(data or {}))
        kc.shell_channel.send(request)
        msg_id = request["header"]["msg_id"]
        poller = zmq.Poller()
        poller.register(kc.shell_channel.socket, zmq.POLLIN)
        poller.register(kc.iopub_channel.socket, zmq.POLLIN)
        for mon in self._monitors:
            poller.register(mon, zmq.POLLIN)
        deadline = time.monotonic() + timeout
        kill_at: float | None = None
        reason = ""
        out_bytes = 0
        reply = None
        idle = False
        while reply is None or not idle:
            now = time.monotonic()
            if reply is not None and not idle and now > deadline + 1.0:
                break  # the reply is in; a lost idle message is not worth waiting for
            if kill_at is None and now >= deadline and reply is None:
                reason = reason or "timeout"
                self._interrupt()
                kill_at = now + self.limits.grace
            elif kill_at is not None and now >= kill_at and reply is None:
                return self._after_death(reason or "timeout", out_bytes, mem0, pids0)
            next_event = kill_at if kill_at is not None else (deadline if reply is None else deadline + 1.0)
            wait_ms = max(1, min(100, int((next_event - time.monotonic()) * 1000) + 1))
            events = dict(poller.poll(wait_ms))
            if not events:
                if not self.alive():
                    return self._after_death("died", out_bytes, mem0, pids0)
                continue
            if any(mon in events for mon in self._monitors) and self._cut_off() and self._still_alive():
                # a message larger than the grader accepts was dropped: stop the kernel now
                # (a lost execute reply would otherwise only end at the deadline)
                return self._after_death("output-limit", max(out_bytes, self.limits.max_output_bytes + 1),
                                         mem0, pids0, force=True)
            if kc.iopub_channel.socket in events:
                while True:
                    try:
                        msg = _receive(kc.iopub_channel, kc.session)
                    except queue.Empty:
                        break
                    except Exception:  # noqa: BLE001 - a malformed message from the kernel is dropped
                        continue
                    if not isinstance(msg, dict) or _parent_id(msg) != msg_id:
                        continue
                    mtype = msg.get("msg_type")
                    content = msg.get("content")
                    content = content if isinstance(content, dict) else {}
                    if mtype == "stream":
                        text = content.get("text", "")
                        out_bytes += len(text) if isinstance(text, str) else 0
                    elif mtype in ("display_data", "update_display_data", "execute_result", "error"):
                        out_bytes += _size(content)
                    elif mtype == "status" and content.get("execution_state") == "idle":
                        idle = True
                    if out_bytes > self.limits.max_output_bytes and kill_at is None and reply is None and not idle:
                        reason = "output-limit"
                        self._interrupt()
                        kill_at = time.monotonic() + self.limits.grace
            if kc.shell_channel.socket in events:
                while True:
                    try:
                        msg = _receive(kc.shell_channel, kc.session)
                    except queue.Empty:
                        break
                    except Exception:  # noqa: BLE001 - a malformed message from the kernel is dropped
                        continue
                    if isinstance(msg, dict) and _parent_id(msg) == msg_id and isinstance(msg.get("content"), dict):
                        reply = msg
                        deadline = min(deadline, time.monotonic())
        content = reply["content"]
        if out_bytes > self.limits.max_output_bytes and reason != "timeout":
            reason = "output-limit"  # also when the reply overtook the output
        mem1, pids1 = self._counters()
        if pids1 > pids0:
            return self._after_death("pids", out_bytes, mem0, pids0, force=True)
        if reason:
            # interrupted in time: the code stopped, the kernel survived
            return Outcome(reason, content.get("ename", ""), content.get("evalue", ""), out_bytes)
        if content.get("status") == "ok":
            expressions = content.get("user_expressions")
            return Outcome("ok", output_bytes=out_bytes, expressions=expressions if isinstance(expressions, dict) else {})
        ename = str(content.get("ename", "Error"))
        if ename == "MemoryError":  # a kernel that ran out of memory is not trusted to go on
            self.restart()
            return Outcome("memory", ename, str(content.get("evalue", "")), out_bytes, restarted=True)
        return Outcome("error", ename, str(content.get("evalue", ""))[:1000], out_bytes)

    def _still_alive(self, wait: float = 0.5) -> bool:
        """Alive after ``wait`` seconds?  A kernel that ended also cuts its connections; the
        launcher notices its end within a tenth of a second."""
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if not self.alive():
                return False
            time.sleep(0.05)
        return self.alive()

    def _interrupt(self) -> None:
        try:
            self.km.interrupt_kernel()
        except Exception:  # noqa: BLE001 - a dead kernel is handled by the caller
            pass

    def _after_death(self, reason: str, out_bytes: int, mem0: int, pids0: int, *, force: bool = False) -> Outcome:
        code = self._exit_code()
        mem1, pids1 = self._counters()
        if reason == "died":
            if mem1 > mem0:
                reason = "memory"
            elif pids1 > pids0:
                reason = "pids"
            elif code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
                reason = "cpu"
        elif pids1 > pids0 and not force:
            reason = "pids"
        self.restart()
        return Outcome(reason, output_bytes=out_bytes, restarted=True)


class KernelPool:
    """Fresh sandboxed kernels, started ahead of need.

    Every notebook still gets a kernel of its own, started for it and closed after it (no
    kernel is ever reused); the pool only starts the next one while the current notebooks
    are being graded, so that a kernel's start (most of the cost of a small notebook)
    overlaps other work.  ``ahead`` kernels are kept starting or ready, never more than
    ``total`` in all.
    """

    def __init__(self, stage: Stage, limits: Limits, *, ahead: int, total: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.stage = stage
        self.limits = limits
        self.total = max(0, int(total))
        # Without a pids cgroup the process limit (RLIMIT_NPROC) is per user and shared by
        # every kernel running as that user: a kernel started ahead would share it with a
        # fork bomb being graded.  Then each kernel is started only when it is needed.
        self.ahead = max(0, int(ahead)) if _own_cgroup("pids") is not None else 0
        self._lock = threading.Lock()
        self._waiting: list = []
        self._launched = 0
        self._executor = ThreadPoolExecutor(max_workers=max(1, ahead), thread_name_prefix="kernel-start")
        self._closer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-close")
        with self._lock:
            for _ in range(min(self.ahead, self.total)):
                self._launch()

    def _start_one(self) -> Sandbox:
        sb = Sandbox(self.stage, self.limits)
        try:
            sb.start()
        except BaseException:
            sb.close()
            raise
        return sb

    def _launch(self) -> None:
        self._launched += 1
        self._waiting.append(self._executor.submit(self._start_one))

    def take(self) -> Sandbox:
        """A started kernel for one notebook (raises what its start raised)."""
        with self._lock:
            if not self._waiting:
                self._launch()
            future = self._waiting.pop(0)
            if self.ahead and self._launched < self.total:
                self._launch()
        return future.result()

    def give_back(self, sandbox: Sandbox) -> None:
        """Close a used kernel in the background (its processes' ends and its cgroups'
        removal take a tenth of a second of waiting); :meth:`close` waits for it."""
        self._closer.submit(sandbox.close)

    def close(self) -> None:
        """Stop the kernels started but not taken, and wait for those given back."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for future in waiting:
            future.cancel()
        self._executor.shutdown(wait=True)
        for future in waiting:
            if future.done() and not future.cancelled() and future.exception() is None:
                future.result().close()
        self._closer.shutdown(wait=True)
