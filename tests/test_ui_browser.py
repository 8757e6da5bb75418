"""The chat in real headless Chromium (Debian's /usr/bin/chromium; Playwright never
downloads a browser): ask, follow a citation to its highlighted passage, see the
not-found answer, upload an article whose HTML must stay text, and run a question set
in the evaluation tab while the chat keeps answering, and read the timeline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from eval.session import TEMPLATE
from qa.catalog import get_article
from qa.pipeline import ask
from qa.settings import PROJECT_ROOT
from tests.conftest import BUDAPEST_ARTICLE
from tests.test_ui_eval import QUESTION_LINES, a_failing_question, repeated_questions, write_set
from tests.ui_server import RunningApp, shared_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ANSWER_TIMEOUT_MS = 60_000
BUDAPEST_QUESTION = "Vì sao Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh?"
# Questions the articles cannot answer; abstention is being tuned, so the test uses the
# first one the pipeline currently abstains on and checks what the page shows for it.
OUT_OF_CORPUS = [
    "Tập Cận Bình nói gì về hội nghị Budapest?",
    "What was Vietnam's GDP growth in 2025?",
    "Giá cà phê ở Brazil năm 2019 là bao nhiêu?",
]
XSS_ARTICLE = """<img src=x onerror="window.__pwned=1"> Cầu kính Zorblax khánh thành

Thành phố Zorblax <script>window.__pwned=2</script> vừa khánh thành cây cầu kính dài 2 km vào ngày 3-3-2025.
Cây cầu kính Zorblax <img src=x onerror="window.__pwned=3"> có sức chứa 500 người cùng lúc.
"""

# Every text the answer shows while it arrives, in order, to see it grow.
RECORD_ANSWER_STATES = """() => {
  window.answerStates = [];
  new MutationObserver(() => {
    const answer = document.querySelector("#chat .answer");
    const text = answer && answer.textContent;
    if (text && window.answerStates.at(-1) !== text) window.answerStates.push(text);
  }).observe(document.querySelector("#chat"), {subtree: true, childList: true, characterData: true});
}"""


@dataclass
class Visit:
    page: Page
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def app() -> RunningApp:
    return shared_app()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with "
            "`apt-get install chromium chromium-driver` (scripts/setup.sh test does it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def visit(browser: Browser, app: RunningApp) -> Iterator[Visit]:
    """A fresh browser session on the chat, recording every request the page makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    visit = Visit(page)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.goto(app.url)
    expect(page.locator("#articles")).to_contain_text(BUDAPEST_ARTICLE)
    yield visit
    context.close()


def ask_in_page(page: Page, question: str) -> Locator:
    """Type the question, press Enter and wait for the whole answer; returns its message."""
    bots = page.locator("#chat [data-testid='bot']")
    before = bots.count()
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    answer = bots.nth(before)
    expect(answer.locator(".answer.complete, .error")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    return answer


def test_an_answer_streams_and_links_each_marker_to_its_highlighted_passage(visit: Visit, app: RunningApp):
    page = visit.page
    page.evaluate(RECORD_ANSWER_STATES)
    answer = ask_in_page(page, BUDAPEST_QUESTION)
    states = page.evaluate("window.answerStates")
    assert len(states) >= 3 and all(b.startswith(a) for a, b in pairwise(states)), states
    markers = answer.locator("a[href^='#src-']")
    assert markers.count() >= 1
    card = page.locator(f"#sources section.source[data-article-id='{BUDAPEST_ARTICLE}']").first
    card_id = card.get_attribute("id")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "chat_answered.png", full_page=True)

    answer.locator(f"a[href='#{card_id}']").first.click()
    expect(card).to_have_class("source flash")
    expect(card).to_be_in_viewport()
    card.locator("details.full-article summary").click()
    whole = card.locator("details.full-article[open] .article-body mark").first
    expect(whole).to_be_visible()

    body = get_article(BUDAPEST_ARTICLE, app.settings).body
    highlighted = card.locator("mark").all_inner_texts()
    assert highlighted and all(text and text in body for text in highlighted)
    assert page.url.rstrip("/") == app.url.rstrip("/")  # the marker did not navigate away
    outside = [
        u for u in visit.requests if urlparse(u).scheme in ("http", "https") and urlparse(u).hostname != "127.0.0.1"
    ]
    assert not outside, f"the page reached beyond loopback: {outside}"


def test_an_example_question_asks_on_click(visit: Visit):
    page = visit.page
    page.get_by_text("Why was Budapest chosen for the summit?", exact=True).click()
    answer = page.locator("#chat [data-testid='bot']").first
    expect(answer.locator("a[href^='#src-']").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#sources section.source").first).to_be_visible()


def test_an_unanswerable_question_says_so_and_shows_the_closest_passages(visit: Visit, app: RunningApp):
    answers = {q: ask(q, settings=app.settings) for q in OUT_OF_CORPUS}
    abstained = [q for q, a in answers.items() if not a.answered]
    assert abstained, "the pipeline answered every out-of-corpus question; pick one it abstains on"
    question = abstained[0]

    answer = ask_in_page(visit.page, question)
    expect(answer).to_contain_text(answers[question].answer)
    assert answer.locator("a[href^='#src-']").count() == 0
    sources = visit.page.locator("#sources")
    expect(sources).to_contain_text("Closest passages — not an answer")
    assert 1 <= sources.locator("section.source").count() <= 3


def test_an_uploaded_article_is_searchable_and_its_html_stays_text(visit: Visit, tmp_path: Path):
    page = visit.page
    article = tmp_path / "cầu kính Zorblax.txt"
    article.write_text(XSS_ARTICLE, encoding="utf-8")
    page.locator("#uploads input[type=file]").set_input_files(article)
    page.locator("#add-articles").click()
    expect(page.locator("#upload-status")).to_contain_text("1 added", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#articles")).to_contain_text('<img src=x onerror="window.__pwned=1">')

    answer = ask_in_page(page, "Cầu kính Zorblax dài bao nhiêu?")
    expect(answer.locator("a[href^='#src-']").first).to_be_visible()
    card = page.locator("#sources section.source[data-article-id='cầu_kính_Zorblax']").first
    expect(card).to_contain_text('<img src=x onerror="window.__pwned=1"> Cầu kính Zorblax')
    card.locator("details.full-article summary").click()
    expect(card.locator(".article-body")).to_contain_text("<script>window.__pwned=2</script>")

    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('__pwned'))")


def open_evaluation(page: Page, question_set: Path) -> None:
    """The evaluation tab, with `question_set` uploaded and chosen."""
    page.get_by_role("tab", name="Đánh giá / Evaluation").click()
    page.locator("#eval-upload input[type=file]").set_input_files(question_set)
    expect(page.get_by_label("Tệp tải lên / Uploaded file")).to_be_checked()


def downloaded(page: Page, button: str) -> str:
    with page.expect_download() as download:
        page.locator(button).click()
    return Path(download.value.path()).read_text(encoding="utf-8")


def test_an_uploaded_question_set_runs_and_a_failed_question_opens_its_highlighted_source(
    visit: Visit, app: RunningApp, tmp_path: Path
):
    page = visit.page
    unanswerable = next(line for line in QUESTION_LINES if '"answerable": false' in line)
    question_set = write_set(tmp_path / "my set.jsonl", [a_failing_question(), QUESTION_LINES[1], unanswerable])
    open_evaluation(page, question_set)
    page.locator("#eval-run").click()
    expect(page.locator("#eval-status")).to_contain_text("Done: 3 câu hỏi / questions", timeout=ANSWER_TIMEOUT_MS)
    table = page.locator("#eval-table")
    for metric in ("mrr", "keyword_recall", "citation_precision", "abstention_accuracy"):
        expect(table).to_contain_text(metric)
    expect(page.locator("#eval-chart img")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "eval_done.png", full_page=True)

    failure = page.locator("#eval-failures section.eval-failure[data-question-id='must-fail']")
    expect(failure).to_contain_text("missing keywords: từ-không-có-trong-bài")
    marker = failure.locator(".failure-answer a[href^='#src-']").first
    card = page.locator(f"#eval-failures section.source{marker.get_attribute('href')}")
    marker.click()
    expect(card).to_have_class("source flash")
    expect(card).to_be_in_viewport()
    card.locator("details.full-article summary").click()
    expect(card.locator("details.full-article[open] .article-body mark").first).to_be_visible()
    body = get_article(card.get_attribute("data-article-id"), app.settings).body
    assert all(text and text in body for text in card.locator("mark").all_inner_texts())

    report = downloaded(page, "#eval-report")
    assert report.startswith("# Evaluation report") and "### must-fail (vi)" in report
    assert "python -m eval --questions my set.jsonl" in report
    results = json.loads(downloaded(page, "#eval-json"))
    assert results["n"] == 3 and [q["id"] for q in results["questions"] if q["failed"]][:1] == ["must-fail"]
    assert downloaded(page, "#eval-template") == TEMPLATE.read_text(encoding="utf-8")

    bad = write_set(tmp_path / "bad.jsonl", [QUESTION_LINES[0], "{not json"])
    page.locator("#eval-upload button[aria-label='Clear']").click()
    open_evaluation(page, bad)
    page.locator("#eval-run").click()
    expect(page.locator("#eval-status .error")).to_have_text(
        "⚠ bad.jsonl:2: not valid JSON (Expecting property name enclosed in double quotes)"
    )
    expect(page.locator("#eval-failures")).not_to_contain_text("must-fail")


def test_a_long_run_shows_its_progress_lets_the_chat_answer_and_can_be_cancelled(visit: Visit, tmp_path: Path):
    page = visit.page
    many = repeated_questions(8)
    open_evaluation(page, write_set(tmp_path / "long.jsonl", many))
    page.locator("#eval-run").click()
    progress = page.locator("#eval-status .eval-progress")
    expect(progress).to_contain_text(f"of {len(many)}", timeout=ANSWER_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "eval_running.png")

    page.get_by_role("tab", name="Hỏi đáp / Chat").click()
    answer = ask_in_page(page, BUDAPEST_QUESTION)
    expect(answer.locator("a[href^='#src-']").first).to_be_visible()
    page.get_by_role("tab", name="Đánh giá / Evaluation").click()
    done = int(progress.get_attribute("data-done"))
    assert done < len(many), "the chat answered only once the run had ended"

    page.locator("#eval-cancel").click()
    stopped = page.locator("#eval-status .eval-stopped")
    expect(stopped).to_contain_text("Cancelled", timeout=ANSWER_TIMEOUT_MS)
    ran = int(re.search(r"Stopped after (\d+) of (\d+) questions", stopped.inner_text()).group(1))
    assert done <= ran < len(many)
    expect(page.locator("#eval-table")).to_contain_text("mrr")


def test_the_timeline_tab_lists_dated_events_in_order_each_opening_its_highlighted_source(
    visit: Visit, app: RunningApp
):
    page = visit.page
    page.get_by_role("tab", name="Dòng thời gian / Timeline").click()
    page.locator("#timeline-words").get_by_role("textbox").fill("Trump")
    page.locator("#timeline-show").click()
    events = page.locator("#timeline details.event")
    expect(events.first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    starts = [label.split(", ")[0] for label in events.locator(":scope > summary > b").all_inner_texts()]
    assert len(starts) >= 2 and starts == sorted(starts), starts
    summaries = events.locator(":scope > summary").all_inner_texts()
    assert all("trump" in text.lower() for text in summaries), summaries

    events.first.locator(":scope > summary").click()
    card = events.first.locator("section.source")
    mark = card.locator("mark").first
    expect(mark).to_be_visible()
    body = get_article(card.get_attribute("data-article-id"), app.settings).body
    assert mark.inner_text() in body and mark.inner_text() in events.first.locator(":scope > summary").inner_text()
