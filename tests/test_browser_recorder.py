"""The record widget in a real browser: Chromium's microphone plays a WAV file of "go left",
the learner presses Record in JupyterLab, and the kernel receives and recognises the take.

Chromium is the system's package (``apt-get install chromium``); its fake capture device
(``--use-file-for-fake-audio-capture``) stands in for the microphone, and
``--use-fake-ui-for-media-stream`` answers the permission prompt.  Without Chromium the
test skips on a learner's laptop and fails under CI (``CI=true``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from _browser import CHROMIUM_FLAGS, launch_lab
from test_browser import LOAD_MS, RUN_MS, chromium_path, playwright_api  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPOKEN = "go left"
TAKE_SECONDS = 2.5

CELLS = [
    "from asrlab.model import load_pretrained\n"
    "from asrlab.recorder import recognise_widget\n"
    f"box = recognise_widget(load_pretrained(), max_seconds={TAKE_SECONDS})\n"
    "box",
    'print(f"take: {box.recorder.duration:.2f} s at {box.recorder.sr} Hz, heard {box.text!r}")',
]


def _notebook(path: Path) -> None:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {}, "outputs": [], "source": src}
        for i, src in enumerate(CELLS)
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


def _microphone_file(path: Path) -> None:
    """What the fake microphone plays, in a loop: the words, then silence up to one take."""
    from asrlab.audio import save
    from asrlab.data import synthesize

    sr = 16_000
    words = synthesize(SPOKEN, sr=sr)
    loop = np.zeros(int(TAKE_SECONDS * sr), np.float32)
    loop[: len(words)] = words
    save(path, loop, sr=sr, subtype="PCM_16")


@pytest.fixture(scope="module")
def lab(chromium_path, playwright_api, tmp_path_factory):  # noqa: F811 - fixtures imported above
    base = tmp_path_factory.mktemp("lab-recorder")
    root = base / "notebooks"
    root.mkdir()
    _notebook(root / "record.ipynb")
    server = launch_lab(root, log_path=base / "jupyter-lab.log")
    try:
        yield server
    finally:
        server.stop()


def test_recording_in_the_browser_reaches_the_kernel_and_is_recognised(
    chromium_path, playwright_api, lab, tmp_path: Path  # noqa: F811
) -> None:
    expect = playwright_api.expect
    mic = tmp_path / "microphone.wav"
    _microphone_file(mic)
    flags = CHROMIUM_FLAGS + [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={mic}",
    ]
    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path, args=flags, headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        try:
            lab.wait_ready(timeout=LOAD_MS / 1000)
            page.set_default_timeout(LOAD_MS)
            page.goto(f"{lab.url}/lab/tree/record.ipynb")
            kernel_status = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")
            expect(kernel_status).to_have_text("Python 3 (ipykernel) | Idle", timeout=LOAD_MS)
            cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-CodeCell")
            expect(cells).to_have_count(len(CELLS))

            cells.nth(0).locator(".jp-InputArea-editor").click()
            page.keyboard.press("Shift+Enter")
            button = cells.nth(0).locator(".asrlab-recorder-button")
            status = cells.nth(0).locator(".asrlab-recorder-status")
            expect(button).to_have_text("● Record", timeout=RUN_MS)
            expect(status).to_have_text("Press Record and speak.")

            button.click()
            expect(button).to_have_text("■ Stop")
            expect(status).to_contain_text("Recording")
            # The take stops by itself after TAKE_SECONDS, reaches the kernel and is transcribed.
            expect(status).to_contain_text("Take 1: ", timeout=RUN_MS)
            expect(button).to_have_text("● Record")
            # Two players: the widget's own (the browser's recording) and the kernel's playback.
            expect(cells.nth(0).locator("audio")).to_have_count(2)
            expect(cells.nth(0).locator(".asrlab-recorder audio")).to_be_visible()
            expect(cells.nth(0).locator("canvas.asrlab-recorder-waveform")).to_be_visible()
            expect(cells.nth(0).locator("[data-mime-type='application/vnd.jupyter.stdout']", has_text="heard: ")).to_contain_text(
                f"heard: '{SPOKEN}'", timeout=RUN_MS
            )

            cells.nth(1).locator(".jp-InputArea-editor").click()
            page.keyboard.press("Shift+Enter")
            printed = cells.nth(1).locator(".jp-OutputArea-output")
            expect(printed).to_contain_text("take: ", timeout=RUN_MS)
            text = printed.inner_text()
            seconds = float(text.split("take: ")[1].split(" s")[0])
            assert abs(seconds - TAKE_SECONDS) < 0.5, text
            assert f"at 16000 Hz, heard '{SPOKEN}'" in text
        except BaseException:
            shot = tmp_path / "failure.png"
            page.screenshot(path=str(shot))
            print(f"screenshot: {shot}\nJupyterLab log (tail):\n{lab.log_tail()}")
            raise
        finally:
            context.close()
