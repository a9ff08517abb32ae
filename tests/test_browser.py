"""The course as a learner meets it: JupyterLab in a real Chromium, driven by Playwright.

One test walks through the untouched student notebook of lesson 04: open it, run all cells,
hear-check the audio player, move the explorer's window-length slider and see the
spectrogram redrawn by the kernel, read the blank's error and the check's guidance, then
type a typical wrong answer and read the mistake-specific hint.

Chromium is the system's package (``apt-get install chromium``); nothing is downloaded.
Without it the test skips on a learner's laptop and fails under CI (``CI=true``).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from _browser import CHROMIUM_FLAGS, ROOT, find_chromium, launch_lab
from conftest import IN_CI

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "04-stft-and-spectrograms"
STUDENT_NOTEBOOK = ROOT / "lessons" / f"{LESSON}.ipynb"

# JupyterLab waits (ms).  Generous, because CI shares two cores between test workers.
LOAD_MS = 60_000
RUN_MS = 90_000
REDRAW_MS = 30_000


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        reason = (
            "Chromium is not installed, so the real-browser test cannot run "
            "(Debian/Ubuntu: sudo apt-get install chromium)"
        )
        if IN_CI:
            pytest.fail(f"{reason}; under CI it is required")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def playwright_api():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    return sync_api


@pytest.fixture(scope="module")
def lab(chromium_path: str, playwright_api, tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab on a free port, serving a temporary copy of ``lessons/``; stopped afterwards.

    It is still starting when this fixture returns: ``page`` waits for it after launching
    the browser.
    """
    base = tmp_path_factory.mktemp("lab")
    root = base / "lessons"
    shutil.copytree(ROOT / "lessons", root)
    server = launch_lab(root, log_path=base / "jupyter-lab.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(chromium_path: str, playwright_api, lab, tmp_path: Path):
    """A page in a fresh headless Chromium profile; the browser is closed afterwards."""
    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium_path,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            lab.wait_ready(timeout=LOAD_MS / 1000)
            yield context.new_page()
        finally:
            context.close()


def _student_answer_source(exercise_id: str) -> str:
    nb = json.loads(STUDENT_NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == exercise_id:
            source = cell["source"]
            return "".join(source) if isinstance(source, list) else source
    raise AssertionError(f"{STUDENT_NOTEBOOK} has no answer cell {exercise_id!r}")


def _fill_blanks(source: str, fills: tuple[str, ...]) -> str:
    assert source.count("___") == len(fills), (source, fills)
    for fill in fills:
        source = source.replace("___", fill, 1)
    return source


def test_lesson_04_runs_redraws_plays_and_gives_hints_in_a_real_browser(page, lab, playwright_api, tmp_path: Path) -> None:
    from autograder.exercises import get
    from asrlab.data import synthesize

    expect = playwright_api.expect
    timeline = _Timeline()
    try:
        _walk_through_lesson_04(page, lab, expect, get, synthesize, timeline)
        print(timeline)
    except BaseException:
        print(timeline)
        shot = tmp_path / "failure.png"
        try:
            page.screenshot(path=str(shot))
            print(f"screenshot of the page at the failure: {shot}")
        except Exception as exc:  # the page itself may be gone
            print(f"no screenshot ({type(exc).__name__}: {exc})")
        print(f"JupyterLab log (tail):\n{lab.log_tail()}")
        raise


class _Timeline:
    """Seconds from the start to each step, printed with the test's output (slow CI triage)."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.steps: list[tuple[str, float]] = []

    def __call__(self, step: str) -> None:
        self.steps.append((step, time.monotonic() - self.start))

    def __str__(self) -> str:
        return "browser test steps: " + ", ".join(f"{name} {t:.1f} s" for name, t in self.steps)


def _walk_through_lesson_04(page, lab, expect, get, synthesize, step) -> None:
    page.set_default_timeout(LOAD_MS)
    page.goto(f"{lab.url}/lab/tree/{LESSON}.ipynb")
    notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
    # The status bar names the kernel and its state; "No Kernel | Initializing" while it starts.
    kernel_status = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")
    expect(kernel_status).to_have_text("Python 3 (ipykernel) | Idle", timeout=LOAD_MS)
    expect(notebook.locator(".jp-CodeCell").first).to_be_visible()
    step("notebook open, kernel idle")
    idle = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']", has_text="| Idle")

    # Run > Run All Cells.  Execution stops at the first untouched exercise.
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    def code_cell(text: str):
        return notebook.locator(".jp-CodeCell", has=page.locator(".jp-InputArea", has_text=text))

    check_cell = code_cell('check("l04-n-bins")')
    answer = check_cell.locator("xpath=preceding-sibling::div[contains(@class, 'jp-CodeCell')][1]")
    expect(answer).to_have_count(1)
    expect(check_cell).to_have_count(1)
    blank_error = answer.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(blank_error).to_contain_text("BlankError", timeout=RUN_MS)
    expect(blank_error).to_contain_text("still has a blank ___")
    expect(idle).to_be_attached(timeout=RUN_MS)
    step("run all done")

    # The audio player of the spoken word, with the right duration.
    word_cell = code_cell('word = synthesize("seven", sr=sr)')
    audio = word_cell.locator(".jp-OutputArea-output audio")
    expect(audio).to_have_count(1)
    assert audio.locator("source").get_attribute("src").startswith("data:audio/wav;base64,")
    duration = audio.evaluate(
        """el => new Promise((resolve, reject) => {
            if (el.readyState >= 1) { resolve(el.duration); return; }
            el.addEventListener("loadedmetadata", () => resolve(el.duration));
            el.addEventListener("error", () => reject(new Error("audio failed to load")));
            el.load();
        })"""
    )
    expected_s = len(synthesize("seven", sr=16000)) / 16000
    assert duration == pytest.approx(expected_s, abs=0.01), (duration, expected_s)
    step("audio checked")

    # The explorer: its default view, then the window-length slider moved by keyboard.
    explorer = notebook.locator(".jp-CodeCell", has=page.locator(".widget-slider", has_text="window (ms)"))
    expect(explorer).to_have_count(1)
    image = explorer.locator(".jp-OutputArea-output img")
    counts = explorer.locator(".jp-OutputArea-output", has_text=" frames (")
    expect(image).to_have_count(1)
    expect(counts).to_contain_text("51 frames (160 samples apart) x 201 bins (40.0 Hz apart)")
    before = image.get_attribute("src")
    assert before and before.startswith("data:image/png;base64,")

    handle = explorer.locator(".widget-slider", has_text="window (ms)").locator("[role=slider]")
    expect(handle).to_have_attribute("aria-valuenow", "25.0")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "30.0")
    # 30 ms at 16 kHz = 480 samples -> 241 bins, 33.3 Hz apart: the kernel redrew with the new value.
    expect(counts).to_contain_text("x 241 bins (33.3 Hz apart)", timeout=REDRAW_MS)
    expect(image).not_to_have_attribute("src", before, timeout=REDRAW_MS)
    expect(image).to_have_count(1)  # updated in place, not appended
    expect(idle).to_be_attached(timeout=REDRAW_MS)
    step("explorer redrawn")

    # The check of the untouched exercise says what to do.
    check_cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    check_output = check_cell.locator(".jp-OutputArea-output")
    expect(check_output).to_contain_text("❌ l04-n-bins", timeout=REDRAW_MS)
    expect(check_output).to_contain_text("is not defined yet")
    expect(check_output).to_contain_text("Fill in the exercise cell above and run it")
    step("check guidance read")

    # A typical wrong answer (160 bins for a 20 ms window) earns its specific hint.
    exercise = get("l04-n-bins")
    mistake = next(m for m in exercise.mistakes if m.name == "half-without-dc")
    wrong = _fill_blanks(_student_answer_source("l04-n-bins"), mistake.fills)
    answer.locator(".jp-InputArea-editor").click()
    page.keyboard.press("ControlOrMeta+A")  # select all in the editor, on macOS too
    page.keyboard.insert_text(wrong)
    page.keyboard.press("Shift+Enter")  # runs the answer cell, selects the check cell
    expect(answer.locator(".jp-OutputArea-output")).to_contain_text("(320, 160)", timeout=REDRAW_MS)
    expect(idle).to_be_attached(timeout=REDRAW_MS)
    page.keyboard.press("Shift+Enter")  # runs the check cell
    expect(check_output).to_contain_text(mistake.hint.split(":")[0], timeout=REDRAW_MS)
    expect(check_output).to_contain_text("Hint:")
    step("mistake hint read")
