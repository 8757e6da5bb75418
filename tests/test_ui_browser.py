"""The chat in real headless Chromium (Debian's /usr/bin/chromium; Playwright never
downloads a browser): ask, follow a citation to its highlighted passage, see the
not-found answer, and upload an article whose HTML must stay text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from qa.catalog import get_article
from qa.pipeline import ask
from qa.settings import PROJECT_ROOT
from tests.conftest import BUDAPEST_ARTICLE
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
