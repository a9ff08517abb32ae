"""Shared test configuration.

Notebooks under ``tests/fixtures`` are inputs for the grader tests (some are hostile on
purpose): they must never be collected by nbval.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]

# Under CI a test that needs a missing system package must fail, not skip.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
