"""The chat without a browser: its API through gradio_client against the running app,
the rendering helpers that keep article text inert, and how the page is served."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

import ui
from qa.catalog import get_article, ingest
from qa.settings import Settings
from qa.types import Answer, Citation
from tests.conftest import BUDAPEST_ARTICLE
from tests.ui_server import RunningApp, shared_app
from vectorstore.errors import NewsQAError

BUDAPEST_QUESTION = "Why was Budapest chosen for the summit?"


@pytest.fixture(scope="session")
def app() -> RunningApp:
    return shared_app()


@pytest.fixture(scope="module")
def client(app: RunningApp) -> Client:
    return Client(app.url, verbose=False)


def test_ask_endpoint_answers_with_citations_into_the_article(client: Client, app: RunningApp):
    result = client.predict(question=BUDAPEST_QUESTION, api_name="/ask")
    assert result["answered"] and "[1]" in result["answer"]
    cited = {c["article_id"] for c in result["citations"]}
    assert BUDAPEST_ARTICLE in cited
    for citation in result["citations"]:
        body = get_article(citation["article_id"], app.settings).body
        assert body[citation["start"] : citation["end"]] == citation["text"]
        assert all(citation["start"] <= s < e <= citation["end"] for s, e in citation["quotes"])


def test_ask_endpoint_reports_a_bad_question_as_a_message(client: Client):
    with pytest.raises(Exception, match="the question is empty"):
        client.predict(question="   ", api_name="/ask")


def test_only_the_ask_endpoint_is_public(client: Client):
    api = client.view_api(return_format="dict", print_info=False)
    assert list(api["named_endpoints"]) == ["/ask"] and not api["unnamed_endpoints"]


def test_questions_are_answered_while_an_article_is_being_ingested(client: Client, app: RunningApp, tmp_path: Path):
    article = tmp_path / "concurrent_ingest.txt"
    article.write_text(
        "Nhà máy điện gió ngoài khơi đầu tiên của tỉnh Bình Thuận bắt đầu phát điện. " * 3
        + "Công suất của nhà máy là 300 MW. Dự án do một liên doanh Việt Nam và Đan Mạch đầu tư.\n",
        encoding="utf-8",
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        jobs = [client.submit(question=BUDAPEST_QUESTION, api_name="/ask") for _ in range(6)]
        ingesting = pool.submit(ingest, [article], app.settings)
        results = [job.result(timeout=120) for job in jobs]
    assert ingesting.result().added == ["concurrent_ingest"]
    assert all(r["answered"] and BUDAPEST_ARTICLE in {c["article_id"] for c in r["citations"]} for r in results)


def test_the_app_binds_to_loopback_and_asks_for_a_login_only_when_configured():
    options = ui.launch_options(Settings.from_env(env={}))
    assert options["server_name"] == "127.0.0.1" and options["auth"] is None and not options["share"]
    secured = ui.launch_options(Settings.from_env(env={}, auth_user="ann", auth_password="s3cret"))
    assert secured["auth"] == ("ann", "s3cret")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_serving_needs_no_password(host: str):
    assert ui.open_serving_warning(Settings.from_env(env={}, host=host)) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "", "my-server"])
def test_serving_beyond_loopback_without_a_password_is_refused_unless_meant(host: str):
    with pytest.raises(NewsQAError, match="without a password: set NEWSQA_AUTH_USER and NEWSQA_AUTH_PASSWORD"):
        ui.open_serving_warning(Settings.from_env(env={}, host=host))
    meant = Settings.from_env(env={"NEWSQA_ALLOW_NO_AUTH": "1"}, host=host)
    assert meant.server.allow_no_auth and ui.open_serving_warning(meant).startswith("warning:")
    secured = Settings.from_env(env={}, host=host, auth_user="ann", auth_password="s3cret")
    assert ui.open_serving_warning(secured) is None


def test_a_share_link_counts_as_serving_beyond_loopback():
    with pytest.raises(NewsQAError, match="share link"):
        ui.open_serving_warning(Settings.from_env(env={}, share=True))
    with pytest.raises(NewsQAError, match="password"):
        ui.open_serving_warning(Settings.from_env(env={}, host="0.0.0.0", auth_user="ann"))  # no password


def test_the_page_writes_no_environment_and_keeps_few_queue_events():
    before = dict(os.environ)
    demo = ui.build_app(Settings.from_env(env={}))
    assert dict(os.environ) == before
    fresh = gr.Blocks(analytics_enabled=False)._queue  # the attributes Gradio reads, still named so
    assert {"ANALYTICS_MAX_EVENTS", "ANAYLTICS_CACHE_FREQUENCY"} <= set(vars(fresh))
    assert demo._queue.ANALYTICS_MAX_EVENTS == demo._queue.ANAYLTICS_CACHE_FREQUENCY == ui.QUEUE_EVENTS_KEPT


def test_follow_up_questions_are_sent_with_the_sessions_earlier_questions(monkeypatch: pytest.MonkeyPatch):
    seen: list[tuple[str, tuple[str, ...]]] = []

    def fake_ask_stream(question: str, history=(), settings=None, k=None):
        seen.append((question, tuple(history)))
        yield "Không rõ."
        yield Answer(question=question, answer="Không rõ.", answered=False, language="vi")

    monkeypatch.setattr(ui, "ask_stream", fake_ask_stream)
    respond = ui.make_respond(Settings.from_env(env={}))
    state: tuple = ([], [], [])  # chat messages, earlier questions, sources panel per answer
    for question in ("Vì sao chọn Budapest?", "Còn Alaska?"):
        *_, (_, messages, _, asked, turns) = respond(question, *state, 5, "extractive")
        state = (messages, asked, turns)
    assert seen == [("Vì sao chọn Budapest?", ()), ("Còn Alaska?", ("Vì sao chọn Budapest?",))]
    assert len(messages) == 4 and len(turns) == 2


def test_a_missing_index_is_explained_in_the_chat_not_as_a_traceback(tmp_path: Path):
    respond = ui.make_respond(Settings.from_env(env={}, index_dir=tmp_path / "no-index"))
    *_, (_, messages, panel, asked, _) = respond(BUDAPEST_QUESTION, [], [], [], 5, "extractive")
    assert "no index at" in messages[-1]["content"] and "Traceback" not in messages[-1]["content"]
    assert 'class="error"' in panel and asked == []


def test_the_answer_is_revealed_in_growing_pieces():
    text = "Một hai ba bốn năm sáu bảy tám chín mười. [1] Mười một mười hai."
    pieces = list(ui.word_groups(text))
    assert len(pieces) >= 3 and pieces[-1] == text
    assert all(text.startswith(p) and len(p) < len(q) for p, q in pairwise(pieces))


def test_article_text_in_the_answer_is_inert_and_only_cited_markers_link():
    text = (
        'Tin <script>alert(1)</script> và <img src=x onerror="alert(2)"> [1] *đậm* [3] $$x$$ [a](javascript:alert(3))'
    )
    rendered = ui.render_answer(text, cited={1}, turn=2)
    assert "<script" not in rendered and "<img" not in rendered and "javascript:alert(3)" not in rendered
    assert rendered.count("<a ") == 1 and 'href="#src-2-1"' in rendered
    assert "*" not in rendered and "$" not in rendered and "&#91;3&#93;" in rendered


def test_source_card_escapes_and_marks_the_quote_in_the_article():
    body = "Mở đầu.\nĐoạn <b>một</b> có câu trích. Câu sau.\nKết."
    quote_start = body.index("có câu")
    passage = (body.index("Đoạn"), body.index("\nKết"))
    citation = Citation(1, "a<1>", "T<i>tle", "", body[slice(*passage)], *passage, ((quote_start, quote_start + 12),))
    card = ui.source_card("src-0-1", "[1]", citation, body)
    assert "<b>" not in card and "<i>" not in card and "&lt;b&gt;một&lt;/b&gt;" in card
    assert card.count("<mark>có câu trích</mark>") == 2  # in the excerpt and in the whole article
    assert 'class="full-article"' in card


def test_source_card_falls_back_to_the_passage_when_the_article_changed():
    citation = Citation(1, "a", "T", "", "old passage", 10, 21, ((10, 13),))
    card = ui.source_card("src-0-1", "[1]", citation, "a different body")
    assert '<mark>old</mark><span class="passage"> passage</span>' in card and "full-article" not in card
