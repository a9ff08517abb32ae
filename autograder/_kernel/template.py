"""Warm kernel template: ``python -s template.py SPEC.json`` (started by the grader).

A fresh kernel spends most of a small notebook's grading time importing NumPy, SciPy,
matplotlib, librosa and the course package, and loading librosa's compiled numba code.
The template does that once per grading run, then forks every sandbox from itself: each
fork goes through exactly the launcher's steps (``sandbox.py``: its own cgroups, new mount,
network, PID and IPC namespaces, the hidden and read-only file system, a fresh scratch
``tmpfs``, lowered limits, another user, no new privileges) and then becomes the kernel
in-process instead of executing a new Python.  The template itself never runs learner
code and never reads a kernel's configuration (each fork reads its own), so a kernel
inherits only modules that every kernel would import anyway.

Steps:

1. Import ``SPEC["modules"]`` (those the graded lessons' cells import; one that fails is
   reported, not fatal), the kernel machinery, and call librosa's usual features once.
2. Check that namespaces can be created (a fork that tries); if not, say so and exit: the
   grader then starts every kernel the ordinary way.
3. Write one JSON line to stdout (``{"ready": ...}``), listen on the Unix socket
   ``SPEC["socket"]`` and, per connection (from ``proxy.py``, the kernel
   command), receive a configuration path and two pipe ends, fork, answer ``started``.
4. Exit when the grader does.

The fork: a new session, standard streams on ``/dev/null``, then ``sandbox.enter``; it
waits for the namespace's init, kills it when the ``life`` pipe ends (the kernel command
died), and writes the init's exit status to the ``status`` pipe.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import time

import sandbox

#: What ``IPKernelApp.initialize`` imports (the last seven were missing, and every forked
#: kernel imported them again while it started).
_KERNEL_MODULES = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.comm", "ipykernel.debugger",
    "ipykernel.eventloops", "IPython.core.completer", "IPython.core.pylabtools", "matplotlib_inline.backend_inline",
    "matplotlib.backends.backend_agg", "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
    "IPython.extensions.storemagic", "IPython.utils.wildcard", "tornado.platform.asyncio", "pdb",
)


def _warm_librosa() -> None:
    """Load the compiled numba code of the librosa features the lessons call, from numba's
    cache (``asrlab.warmup``, which ``make lab`` and ``make test`` ran once to fill it)."""
    try:
        importlib.import_module("asrlab.warmup").warm()
    except Exception:  # noqa: BLE001 - a feature missing from this librosa only costs time
        pass


def _load(modules: list[str]) -> tuple[list[str], list[str]]:
    loaded, failed = [], []
    for name in modules:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a module counts too
            failed.append(f"{name} ({type(exc).__name__})")
    for name in _KERNEL_MODULES:
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - imported later by the kernel, if at all
            pass
    if "librosa" in sys.modules:
        _warm_librosa()
    return loaded, failed


def _namespaces_work() -> bool:
    flags = sandbox.CLONE_NEWNS | sandbox.CLONE_NEWNET | sandbox.CLONE_NEWPID | sandbox.CLONE_NEWIPC
    pid = os.fork()
    if pid == 0:
        os._exit(0 if sandbox._libc.unshare(flags) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _become_kernel(cfg: dict, isolated: bool) -> None:
    """In the kernel's process: limits and identity as ``sandbox.py``, then run the kernel
    application in this (warm) interpreter.  Never returns."""
    try:
        sandbox._lower(cfg, isolated)
        for fd in [int(n) for n in os.listdir("/proc/self/fd")]:  # the init's report and seal
            if fd > 2:
                try:
                    os.close(fd)
                except OSError:  # the listing's own descriptor, already closed
                    pass
        os.environ.clear()
        os.environ.update(cfg["env"])
        argv = cfg["argv"]
        args = argv[argv.index("ipykernel_launcher") + 1:]
        import ipykernel_launcher  # noqa: F401 - what a fresh kernel runs as __main__

        sys.argv = [ipykernel_launcher.__file__, *args]
        sys.path[:] = [p for p in sys.path if p != os.path.dirname(os.path.abspath(__file__))]
        for name in ("sandbox", "template"):
            sys.modules.pop(name, None)
        gc.enable()
        import random

        random.seed()
        if "tempfile" in sys.modules:  # computed again from TMPDIR, as in a fresh kernel
            sys.modules["tempfile"].tempdir = None
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
    except BaseException as exc:  # noqa: BLE001 - report and die, nothing else to do
        print(f"sandbox: cannot start the kernel: {exc!r}", file=sys.stderr, flush=True)
        os._exit(70)
    try:
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(args)
        app.start()
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:  # noqa: BLE001
        os._exit(1)
    os._exit(0)


def _serve(cfg_path: str, life: int, status: int) -> None:
    """The fork for one sandbox (in a new session): start it, watch it, report its end."""
    try:
        with open(cfg_path) as f:
            cfg = json.load(f)
        init = sandbox.enter(cfg, become=_become_kernel)
    except BaseException as exc:  # noqa: BLE001
        os.write(status, b"70")
        print(f"sandbox: cannot start: {exc!r}", file=sys.stderr, flush=True)
        os._exit(70)
    while True:
        try:
            pid, wstatus = os.waitpid(init, os.WNOHANG)
        except InterruptedError:
            continue
        if pid == init:
            break
        try:
            ready, _, _ = select.select([life], [], [], 0.1)
        except InterruptedError:
            continue
        if ready and not os.read(life, 64):  # the kernel command is gone: end the sandbox
            os.kill(init, signal.SIGKILL)
    code = sandbox.exit_status(wstatus)
    try:
        os.write(status, str(code).encode())
    except OSError:
        pass
    os._exit(code & 0xFF)


def _accept(listener: socket.socket) -> None:
    conn, _ = listener.accept()
    fds: list[int] = []
    try:
        conn.settimeout(5)
        msg, fds, _, _ = socket.recv_fds(conn, 4096, 2)
        if len(fds) != 2 or not msg:
            return
        pid = os.fork()
        if pid == 0:
            try:
                listener.close()
                os.setsid()
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.close(null)
                conn.sendall(b"started")
                conn.close()
                _serve(msg.decode(), fds[0], fds[1])
            finally:
                os._exit(70)
    except OSError:
        return
    finally:
        for fd in fds:
            os.close(fd)
        conn.close()


def main() -> None:
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    grader = os.getppid()
    started = time.monotonic()
    gc.disable()  # no collections while importing; what is imported stays
    loaded, failed = _load(spec.get("modules", []))
    # Park every object of the imports outside the collector's generations: a kernel's
    # collections then look at its own objects only (a full collection of the imported
    # modules costs a third of a second), and leave the shared pages unwritten.
    gc.collect()
    gc.freeze()
    if not _namespaces_work():
        print(json.dumps({"ready": False, "reason": "namespaces cannot be created"}), flush=True)
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(spec["socket"])
    os.chmod(spec["socket"], 0o600)
    listener.listen(64)
    print(json.dumps({"ready": True, "modules": loaded, "failed": failed,
                      "seconds": round(time.monotonic() - started, 2)}), flush=True)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.close(null)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while os.getppid() == grader:
        try:
            ready, _, _ = select.select([listener], [], [], 0.2)
        except InterruptedError:
            ready = []
        if ready:
            _accept(listener)
        while True:  # reap the forks whose sandboxes ended
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break


if __name__ == "__main__":
    main()
