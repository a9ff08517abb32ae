"""Kernel command of a forked kernel: ``python -I -S proxy.py CONFIG.json SOCKET``.

When the warm template (``template.py``) starts the sandboxes, the process the grader
launches as "the kernel" only asks the template for one and then stands for it: it lives
as long as the sandbox and exits with its status.  When it dies (the grader kills the
kernel), the template's side sees the end of the ``life`` pipe and kills the namespace's
init; when the grader dies it exits, with the same effect.

It starts for every kernel, so it imports nothing it does not use: a handful of
standard modules, no ``ctypes`` (the launcher's ``sandbox.py`` costs three times as much
CPU to start).
"""

import os
import select
import signal
import socket
import sys


def main(cfg_path: str, address: str) -> None:
    life_r, life_w = os.pipe()
    status_r, status_w = os.pipe()
    grader = os.getppid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts reach the kernel as messages
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(address)
            socket.send_fds(conn, [cfg_path.encode()], [life_r, status_w])
            answer = conn.recv(16)
    except OSError as exc:
        print(f"sandbox: the kernel template cannot be reached: {exc}", file=sys.stderr, flush=True)
        sys.exit(70)
    os.close(life_r)
    os.close(status_w)
    if answer != b"started":
        print("sandbox: the kernel template did not start the sandbox", file=sys.stderr, flush=True)
        sys.exit(70)
    got = b""
    while True:
        try:
            ready, _, _ = select.select([status_r], [], [], 0.1)
        except InterruptedError:
            continue
        if ready:
            chunk = os.read(status_r, 64)
            if not chunk:
                break
            got += chunk
        if os.getppid() != grader:
            sys.exit(70)  # life_w closes with this process: the sandbox is killed
    try:
        sys.exit(int(got.decode() or 70))
    except ValueError:
        sys.exit(70)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: proxy.py CONFIG.json SOCKET")
    main(sys.argv[1], sys.argv[2])
