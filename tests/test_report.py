"""The class report (``report.html``) and sharded grading (``grade --shard``, ``merge``).

One small class of the fixture lesson (five students: honest, two with recognised
mistakes, one tampered, one timing out, one renamed and so flagged) is graded once whole
and once as three shards through the command line; every test reads those runs.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "grading"
sys.path.insert(0, str(FIXTURES))

import grading_lesson as fixture_lesson  # noqa: E402
import grading_submissions as fixture_submissions  # noqa: E402

from autograder.__main__ import main as cli  # noqa: E402
from autograder.grading import grade  # noqa: E402
from autograder.grading.report import BANDS, summarise, write_report  # noqa: E402
from autograder.grading.shard import MergeError, Shard, merge, parse_shard, select  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]
SOLUTIONS = FIXTURES / "solutions"
LESSON = fixture_lesson.LESSON
_nb, _edited = fixture_submissions._nb, fixture_submissions._edited

ENERGY_NO_SQUARE = "def energy(samples):\n    x = np.asarray(samples, dtype=float)\n    return float(np.sum(x))\n"
ENERGY_ABS = "def energy(samples):\n    x = np.asarray(samples, dtype=float)\n    return float(np.sum(np.abs(x)))\n"
PEAK_MIN = "peak = float(min(abs(s) for s in signal))\n"
CLASS = {
    "ada": _nb(),
    "ben": _nb({"l90-energy": ENERGY_NO_SQUARE, "l90-peak": PEAK_MIN}),
    "cy": _edited(fixture_submissions._edit_check, {"l90-energy": ENERGY_ABS, "l90-peak": PEAK_MIN}),
    "dee": _nb({"l90-zcr": "def zero_crossings(samples):\n    while True:\n        pass\n"}),
    "eve": ("lesson 90 copy.ipynb", _nb({"l90-zcr": "def zero_crossings(samples):\n    return 0\n"})),
}
GRADE_ARGS = ["--solutions", str(SOLUTIONS), "--seed", "7", "--timeout", "8", "--memory", "768", "--jobs", "2"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The class graded whole (Python API, then ``report``) and as shards 0/3, 1/3, 2/3 (CLI)."""
    import autograder.exercises

    base = tmp_path_factory.mktemp("report")
    subs = base / "subs"
    for student, content in CLASS.items():
        name, nb = content if isinstance(content, tuple) else (f"{LESSON}.ipynb", content)
        (subs / student).mkdir(parents=True)
        (subs / student / name).write_text(json.dumps(nb, indent=1))
    whole = base / "whole"
    grade(subs, whole, jobs=2, timeout=8, memory_mb=768, solutions=SOLUTIONS, registry=fixture_lesson.registry(),
          seed=7)
    shards = [base / f"shard-{k}" for k in range(3)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(autograder.exercises, "registry", fixture_lesson.registry)
        assert cli(["report", str(whole)]) == 0
        codes = [cli(["grade", str(subs), "--out", str(shards[k]), "--shard", f"{k}/3", *GRADE_ARGS])
                 for k in range(3)]
    assert codes == [0, 0, 0]
    return {"base": base, "subs": subs, "whole": whole, "shards": shards}


class _Page(HTMLParser):
    """Tables by id (rows of cell texts), images, and links of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[tuple[str, str]] = []
        self.images: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "a":
            self._href, self._text = a.get("href"), ""
        elif tag == "img":
            self.images.append(a.get("src", ""))
        elif tag in ("script", "link", "iframe"):
            raise AssertionError(f"the report must be self-contained, found <{tag}>")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._text += data


def _page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_the_class_is_graded_as_built(runs):
    rows = {(r["student_id"], r["exercise_id"]): r["status"] for r in _csv_rows(runs["whole"] / "grades.csv")}
    assert rows[("ada", "l90-energy")] == rows[("ada", "l90-zcr")] == "passed"
    assert rows[("ben", "l90-energy")] == rows[("cy", "l90-energy")] == "failed"
    assert rows[("cy", "(notebook)")] == "tampered"
    assert rows[("dee", "l90-zcr")] == "timeout"
    assert rows[("eve", "(notebook)")] == "flagged"


def test_recognised_mistakes_are_named_and_ranked_by_students(runs):
    summary = summarise(runs["whole"], registry=fixture_lesson.registry())
    got = [(m.exercise, m.name, m.students) for m in summary.mistakes]
    # "min" by two students first; then one student each, in the lesson's order, then by name.
    # cy's sum of absolute values equals a plain sum on [0.5], but "abs" explains most cases.
    assert got == [("l90-peak", "min", ["ben", "cy"]), ("l90-energy", "abs", ["cy"]),
                   ("l90-energy", "no-square", ["ben"]), ("l90-zcr", "zero", ["eve"])]
    table = _page(runs["whole"] / "report.html").tables["mistakes"]
    assert table[0] == ["rank", "students", "exercise", "mistake", "hint shown", "who"]
    assert table[1] == ["1", "2", "l90-peak", "min", "That is the smallest one.", "ben, cy"]
    assert [row[3] for row in table[1:]] == ["min", "abs", "no-square", "zero"]
    assert [row[1] for row in table[1:]] == ["2", "1", "1", "1"]


def test_hardest_exercises_and_bands_match_the_csv(runs):
    rows = [r for r in _csv_rows(runs["whole"] / "grades.csv") if r["exercise_id"] != "(notebook)"]
    means = {}
    for ex in ("l90-energy", "l90-peak", "l90-zcr"):
        mine = [r for r in rows if r["exercise_id"] == ex and r["status"] != "missing"]
        means[ex] = sum(float(r["score"]) for r in mine) / sum(float(r["max_score"]) for r in mine)
    # energy: ada, dee and eve 2 of 2, ben and cy 0: 60%; peak: ben and cy right on 1 of 3 cases
    assert means["l90-energy"] == pytest.approx(0.6)
    assert means["l90-peak"] == pytest.approx((3 + 2 / 3) / 5, abs=1e-4)  # scores have 4 decimals
    page = _page(runs["whole"] / "report.html")
    hardest = page.tables["hardest"]
    assert hardest[0][:5] == ["rank", "exercise", "lesson", "title", "mean score"]
    expected = sorted(means, key=lambda ex: (means[ex], list(means).index(ex)))  # ties: in the lesson's order
    assert [row[1] for row in hardest[1:]] == expected
    assert [row[4] for row in hardest[1:]] == [f"{100 * means[ex]:.0f}%" for ex in expected]
    assert expected[-1] == "l90-peak"
    per_ex = {row[0]: row for row in page.tables[f"exercises-{LESSON}"][1:]}
    assert page.tables[f"exercises-{LESSON}"][0][4:] == list(BANDS)
    # energy: 3 full marks, 2 with no points; peak: ben and cy below half
    assert per_ex["l90-energy"][4:] == ["2", "0", "0", "3", "0"]
    assert per_ex["l90-peak"][4:] == ["0", "2", "0", "3", "0"]
    assert per_ex["l90-energy"][1:3] == ["energy of a list", "2"]


def test_flagged_students_and_feedback_links(runs):
    out = runs["whole"]
    page = _page(out / "report.html")
    attention = [row[:4] for row in page.tables["attention"][1:]]
    assert attention == [["cy", LESSON, "(notebook)", "tampered"], ["dee", LESSON, "l90-zcr", "timeout"],
                         ["eve", LESSON, "(notebook)", "flagged"]]
    notes = {row[0]: row[4] for row in page.tables["attention"][1:]}
    assert "check cell l90-energy-check was edited" in notes["cy"]
    assert "lesson 90 copy.ipynb" in notes["eve"]
    students = page.tables["students"]
    assert [row[0] for row in students[1:]] == ["ada", "ben", "cy", "dee", "eve"]
    assert students[1][1] == "4 / 4" and students[2][1] == "1.33 / 4" and students[4][1] == "3 / 4"
    feedback = [(href, text) for href, text in page.links if href.startswith("feedback/")]
    assert {text for _, text in feedback} >= {"ada", "ben", "cy", "dee", "eve", "html", "md"}
    for href, _ in feedback:
        target = out / unquote(href)
        assert target.is_file(), href
    for student in CLASS:
        linked = [href for href, text in feedback if text == student]
        assert linked and all(f"# Feedback for {student}" in (out / unquote(h)).read_text()
                              or f"<h1>Feedback for {student}</h1>" in (out / unquote(h)).read_text() for h in linked)
    assert len(page.images) == 3 and all(src.startswith("data:image/png;base64,") for src in page.images)


def test_report_escapes_names_and_cli_errors(runs, tmp_path, capsys):
    # a student folder named like markup appears as text, never as markup
    out = tmp_path / "out"
    shutil.copytree(runs["whole"], out)
    text = (out / "grades.csv").read_text().replace("\nada,", "\n<b>ada</b>,")
    (out / "grades.csv").write_text(text)
    write_report(out, registry=fixture_lesson.registry())
    html_text = (out / "report.html").read_text()
    assert "<b>ada</b>" not in html_text and "&lt;b&gt;ada&lt;/b&gt;" in html_text
    assert cli(["report", str(tmp_path / "empty")]) == 2
    assert "no grades.csv; run `python -m autograder grade" in capsys.readouterr().err


# ---------------------------------------------------------------------- shards
def test_shards_are_a_deterministic_partition():
    students = [f"s{i:02d}" for i in range(10)]
    shards = [select(list(reversed(students)), Shard(k, 3)) for k in range(3)]
    assert shards[0] == ["s00", "s03", "s06", "s09"] and shards[2] == ["s02", "s05", "s08"]
    assert sorted(s for part in shards for s in part) == students
    assert parse_shard("2/3") == Shard(2, 3)
    for bad, message in [("3/3", "K must be between 0 and 2 for 3 shards"), ("1/0", "must be a positive integer"),
                         ("a/b", "expected K/N with whole numbers"), ("1", "expected K/N")]:
        with pytest.raises(ValueError, match=message):
            parse_shard(bad)


def test_three_shards_merge_into_exactly_the_unsharded_run(runs, capsys, monkeypatch):
    import autograder.exercises

    monkeypatch.setattr(autograder.exercises, "registry", fixture_lesson.registry)
    whole, shards = runs["whole"], runs["shards"]
    manifests = [json.loads((s / "shard.json").read_text()) for s in shards]
    assert [m["students"] for m in manifests] == [["ada", "dee"], ["ben", "eve"], ["cy"]]
    assert all(m["class"] == ["ada", "ben", "cy", "dee", "eve"] and m["seed"] == 7 for m in manifests)
    assert all(m["lessons"] == {LESSON: ["l90-energy", "l90-peak", "l90-zcr"]} for m in manifests)
    assert all(m["settings"] == {"timeout": 8.0, "memory_mb": 768} for m in manifests)
    assert all((s / "report.html").is_file() for s in shards)  # `grade` writes the report by default
    merged = runs["base"] / "merged"
    assert cli(["merge", str(shards[2]), str(shards[0]), str(shards[1]), "--out", str(merged)]) == 0
    assert "merged 3 shard(s): 5 notebook(s) of 5 student(s)" in capsys.readouterr().out
    assert (merged / "grades.csv").read_bytes() == (whole / "grades.csv").read_bytes()
    got, want = (json.loads((d / "grades.json").read_text()) for d in (merged, whole))
    assert got["notebooks"] == want["notebooks"]
    assert got["layout"] == want["layout"] and got["faults"] == want["faults"] == []
    assert sorted(p.name for p in (merged / "feedback").iterdir()) == sorted(p.name for p in (whole / "feedback").iterdir())
    for p in (whole / "feedback").iterdir():
        assert (merged / "feedback" / p.name).read_bytes() == p.read_bytes()
    assert not (merged / "shard.json").exists()
    assert (merged / "report.html").read_text() == (whole / "report.html").read_text()


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_merge_refuses_inconsistent_shards(runs, tmp_path, capsys):
    import autograder.exercises

    s0, s1, s2 = runs["shards"]
    out = tmp_path / "out"

    def refused(inputs, message):
        with pytest.raises(MergeError) as info:
            merge(inputs, out, registry=fixture_lesson.registry())
        assert message in str(info.value)
        return str(info.value)

    refused([s0, s1], "missing shard(s) 2/3: got 2 of 3")
    refused([s0, _copy(s0, tmp_path / "again"), s1, s2], f"shard 0/3 was given twice: {s0} and {tmp_path / 'again'}")
    refused([s0, s1, s2, runs["whole"]], f"{runs['whole']}: no shard.json: not the output of")
    # shard 2 graded again with another seed: the hidden cases differ
    reseeded = tmp_path / "reseeded"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(autograder.exercises, "registry", fixture_lesson.registry)
        args = [a if a != "7" else "8" for a in GRADE_ARGS]
        assert cli(["grade", str(runs["subs"]), "--out", str(reseeded), "--shard", "2/3", "--no-report", *args]) == 0
    assert not (reseeded / "report.html").exists()
    message = refused([s0, s1, reseeded], "the shards were graded with different seeds of the hidden cases: 7 in ")
    assert "8 in " + str(reseeded) + " (shard 2/3)" in message and "grade every shard with the same --seed" in message
    # a shard that also holds rows of a student of another shard
    overlap = _copy(s2, tmp_path / "overlap")
    ben = [line for line in (s1 / "grades.csv").read_text().splitlines() if line.startswith("ben,")]
    (overlap / "grades.csv").write_text((s2 / "grades.csv").read_text() + "\n".join(ben) + "\n")
    refused([s0, s1, overlap], f"student 'ben' has rows in both {s1} and {overlap}")
    # a shard graded from another copy of the submissions, with one more student
    other = _copy(s2, tmp_path / "other-class")
    manifest = json.loads((other / "shard.json").read_text())
    manifest["class"].append("zed")
    (other / "shard.json").write_text(json.dumps(manifest))
    refused([s0, s1, other], "the shards were graded with different classes (only in " + str(other)
            + " (shard 2/3): zed); grade every shard from the same SUBMISSIONS")
    # a shard graded with another time limit
    slower = _copy(s2, tmp_path / "slower")
    manifest = json.loads((slower / "shard.json").read_text())
    manifest["settings"]["timeout"] = 30.0
    (slower / "shard.json").write_text(json.dumps(manifest))
    refused([s0, s1, slower], f"the shards were graded with different limits (timeout: 8.0 in {s0} (shard 0/3), "
            f"30.0 in {slower} (shard 2/3)); grade every shard with the same --timeout and --memory")
    # a shard whose grading stopped before writing its rows
    cut = _copy(s0, tmp_path / "cut")
    (cut / "grades.csv").write_text("".join((s0 / "grades.csv").read_text().splitlines(True)[:4]))
    refused([cut, s1, s2], f"{cut}/grades.csv has no rows for 'dee'")
    with pytest.raises(MergeError, match="--out must be a new directory, not one of the shards"):
        merge([s0, s1, s2], s0)
    assert not out.exists()
    assert cli(["merge", str(s0), str(s1), "--out", str(out)]) == 2
    assert "merge: missing shard(s) 2/3" in capsys.readouterr().err
    assert cli(["grade", str(runs["subs"]), "--out", str(out), "--shard", "3/3"]) == 2
    assert "argument --shard: K must be between 0 and 2 for 3 shards" in capsys.readouterr().err


# ---------------------------------------------------------------------- in a real browser
@pytest.fixture(scope="module")
def chromium_path() -> str:
    from _browser import find_chromium
    from conftest import IN_CI

    path = find_chromium()
    if path is None:
        reason = ("Chromium is not installed, so the report cannot be opened in a real browser "
                  "(Debian/Ubuntu: sudo apt-get install chromium)")
        if IN_CI:
            pytest.fail(f"{reason}; under CI it is required")
        pytest.skip(reason)
    return path


@pytest.mark.browser
def test_report_shows_its_plots_and_tables_in_a_real_browser(runs, chromium_path, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    from _browser import CHROMIUM_FLAGS

    report = runs["whole"] / "report.html"
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight,"
                       " e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
            assert len(images) == 3
            for complete, natural_w, natural_h, width, height in images:
                assert complete and natural_w > 300 and natural_h > 150 and width > 300 and height > 150
            for table, n_rows in (("hardest", 3), ("mistakes", 4), ("attention", 3), ("students", 5)):
                locator = page.locator(f"table#{table} tbody tr")
                assert locator.count() == n_rows
                assert locator.first.is_visible()
                box = page.locator(f"table#{table}").bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 20 * n_rows
            assert page.locator("table#mistakes tbody tr").first.inner_text().split("\t")[:4] == ["1", "2", "l90-peak", "min"]
            # a student's name opens their feedback
            page.locator("table#students").get_by_role("link", name="ben", exact=True).click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/feedback/ben.html")
            assert page.locator("h1").inner_text() == "Feedback for ben"
        except BaseException:
            try:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                print(f"screenshot of the page at the failure: {tmp_path / 'failure.png'}")
            except Exception as exc:  # the page itself may be gone
                print(f"no screenshot ({type(exc).__name__}: {exc})")
            raise
        finally:
            browser.close()
    assert requests and all(url.startswith(("file://", "data:")) for url in requests), requests


def test_cli_merge_and_report_without_the_engine_say_so(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "autograder.grading.report", None)  # makes the import fail
    monkeypatch.setitem(sys.modules, "autograder.grading.shard", None)
    assert cli(["report", "out"]) == 2
    assert capsys.readouterr().err.startswith("report: the grading engine (autograder.grading) is not available: ")
    assert cli(["merge", "a", "b", "--out", "out"]) == 2
    assert capsys.readouterr().err.startswith("merge: the grading engine (autograder.grading) is not available: ")
