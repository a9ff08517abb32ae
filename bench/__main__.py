"""Run every benchmark: ``python -m bench [NAME ...]`` (``make bench``).

Each ``bench/bench_*.py`` module defines ``run() -> list[Row]`` where a row is
``(name, ours_seconds, reference_seconds, target_ratio)``.  Times are taken in the same
process and run, so the ratio ours/reference is what to read; the absolute seconds depend
on the machine.  ``target_ratio`` may be ``None`` for rows that only report a figure.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        wanted = {a if a.startswith("bench_") else f"bench_{a}" for a in argv}
        unknown = wanted - set(names)
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {', '.join(names)}")
            return 2
        names = [n for n in names if n in wanted]
    failures = 0
    print(f"{'benchmark':48s} {'ours':>10s} {'reference':>10s} {'ratio':>7s} {'target':>7s}")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for row in module.run():
            label, ours, ref, target = row
            if ref:
                ratio = ours / ref
                ok = target is None or ratio <= target
                failures += not ok
                mark = "" if ok else "  <-- over target"
                tgt = f"{target:.2f}x" if target else "-"
                print(f"{label:48s} {ours * 1e3:8.2f}ms {ref * 1e3:8.2f}ms {ratio:6.3g}x {tgt:>7s}{mark}")
            else:
                print(f"{label:48s} {ours:>10} {'-':>10s} {'-':>7s} {'-':>7s}")
    print(f"{failures} row(s) over target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
