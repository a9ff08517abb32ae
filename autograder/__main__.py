"""``python -m autograder``: the course's command line.

Subcommands:

``release``
    Generate the student notebooks in ``lessons/`` from ``solutions/`` (``make lessons``).
``check NOTEBOOK``
    Run one notebook in a fresh kernel and report each exercise's public check.
``grade SUBMISSIONS --out OUT``
    Grade submitted notebooks with the hidden tests (:mod:`autograder.grading`).
``report OUT``
    Write ``OUT/report.html``, the class at a glance (:mod:`autograder.grading.report`).
``merge SHARD_OUT... --out OUT``
    Join the outputs of ``grade --shard K/N`` runs (:mod:`autograder.grading.merge`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence


def _grade(argv: list[str], command: str = "grade") -> int:
    try:
        from autograder.grading import main as grading_main
        from autograder.grading.merge import main as merge_main
        from autograder.grading.report import main as report_main
    except ImportError as exc:
        print(
            f"{command}: the grading engine (autograder.grading) is not available: {exc}",
            file=sys.stderr,
        )
        return 2
    entry = {"grade": grading_main, "merge": merge_main, "report": report_main}[command]
    return int(entry(argv) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the subcommand, return its exit status."""
    from . import release, selfcheck

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The course's command line.")
    sub = parser.add_subparsers(dest="command", metavar="{release,check,grade,report,merge}")
    p_release = sub.add_parser("release", help="generate lessons/ from solutions/")
    release.add_arguments(p_release)
    p_check = sub.add_parser("check", help="run a notebook and report its public checks")
    selfcheck.add_arguments(p_check)
    sub.add_parser("grade", help="grade submissions with the hidden tests", add_help=False)
    sub.add_parser("report", help="write OUT/report.html from a grading run", add_help=False)
    sub.add_parser("merge", help="join the outputs of sharded grading runs", add_help=False)

    if argv and argv[0] in ("grade", "report", "merge"):  # the grading engine parses its own arguments
        return _grade(argv[1:], argv[0])
    args = parser.parse_args(argv)
    if args.command == "release":
        return release.run(args)
    if args.command == "check":
        return selfcheck.run(args)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
