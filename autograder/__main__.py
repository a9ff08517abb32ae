"""``python -m autograder``: the course's command line.

Subcommands:

``release``
    Generate the student notebooks in ``lessons/`` from ``solutions/`` (``make lessons``).
``check NOTEBOOK``
    Run one notebook in a fresh kernel and report each exercise's public check.
``grade SUBMISSIONS --out OUT``
    Grade submitted notebooks with the hidden tests (:mod:`autograder.grading`);
    ``--shard K/N`` grades one share of the class (:mod:`autograder.grading.shard`).
``merge OUT_0 OUT_1 ... --out OUT``
    Join the results of sharded ``grade`` runs into one.
``report OUT``
    Write ``OUT/report.html``, the class at a glance (:mod:`autograder.grading.report`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence


def _grade(argv: list[str]) -> int:
    try:
        from autograder.grading import main as grading_main
    except ImportError as exc:
        print(
            f"grade: the grading engine (autograder.grading) is not available: {exc}",
            file=sys.stderr,
        )
        return 2
    return int(grading_main(argv) or 0)


def _grading_command(name: str, module: str, argv: list[str]) -> int:
    """Run ``autograder.grading.<module>.main``; 2 when the grading package cannot load."""
    import importlib

    try:
        command = importlib.import_module(f"autograder.grading.{module}").main
    except ImportError as exc:
        print(f"{name}: the grading engine (autograder.grading) is not available: {exc}", file=sys.stderr)
        return 2
    return int(command(argv) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the subcommand, return its exit status."""
    from . import release, selfcheck

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The course's command line.")
    sub = parser.add_subparsers(dest="command", metavar="{release,check,grade,merge,report}")
    p_release = sub.add_parser("release", help="generate lessons/ from solutions/")
    release.add_arguments(p_release)
    p_check = sub.add_parser("check", help="run a notebook and report its public checks")
    selfcheck.add_arguments(p_check)
    sub.add_parser("grade", help="grade submissions with the hidden tests", add_help=False)
    sub.add_parser("merge", help="join the results of `grade --shard K/N` runs", add_help=False)
    sub.add_parser("report", help="write OUT/report.html, the class at a glance", add_help=False)

    if argv and argv[0] == "grade":  # the grading engine parses its own arguments
        return _grade(argv[1:])
    if argv and argv[0] == "merge":
        return _grading_command("merge", "shard", argv[1:])
    if argv and argv[0] == "report":
        return _grading_command("report", "report", argv[1:])
    args = parser.parse_args(argv)
    if args.command == "release":
        return release.run(args)
    if args.command == "check":
        return selfcheck.run(args)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
