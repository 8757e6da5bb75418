"""Generated answers against a test double of an OpenAI-compatible endpoint (tests/llm_double.py).

The double stands in for the model server, a boundary this project does not own; the
retrieval, the checks and the fallback under test are the real ones, over a fresh
index of the seed articles.
"""

import re
import time

import pytest

from eval.questions import DEFAULT_QUESTIONS, load_questions
from eval.report import table
from eval.runner import run_eval
from qa.answering import NOT_FOUND
from qa.catalog import get_article
from qa.llm import REWRITE_SYSTEM, TRANSLATE_SYSTEM, SupportJudge
from qa.pipeline import ask, ask_stream
from qa.resources import get_resources
from qa.settings import Settings
from qa.types import Answer, Passage
from tests.conftest import BUDAPEST_ARTICLE
from tests.llm_double import LLMDouble, Reply, closed_port_url
from vectorstore.errors import NewsQAError

BUDAPEST_VI = "Vì sao Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh?"
BUDAPEST_EN = "Why was Budapest chosen to host the second summit?"
ANSWER_PROMPT = "<passages>"  # only the answer request carries passages


@pytest.fixture()
def double():
    with LLMDouble() as server:
        yield server


@pytest.fixture()
def llm_settings(seed_settings: Settings, double: LLMDouble) -> Settings:
    return seed_settings.with_(answer_mode="llm", llm_url=double.url, llm_model="test-double", llm_timeout_s=20)


def sentences_of(passage: Passage, count: int) -> list[str]:
    return [passage.text[s - passage.start : e - passage.start] for s, e in passage.sentences[:count]]


def assert_citations_resolve(answer: Answer, settings: Settings) -> None:
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    assert markers and set(markers) == {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    listed = {(p.article_id, p.start, p.end) for p in answer.passages}
    for citation in answer.citations:
        assert (citation.article_id, citation.start, citation.end) in listed
        body = get_article(citation.article_id, settings).body
        assert body[citation.start : citation.end] == citation.text
        assert all(citation.start <= qs < qe <= citation.end for qs, qe in citation.quotes)


def test_a_streamed_well_cited_reply_arrives_in_pieces_and_checks_out(seed_settings, llm_settings, double):
    passages = ask(BUDAPEST_VI, settings=seed_settings).passages  # the same retrieval, extractive
    first, second = sentences_of(passages[0], 1)[0], sentences_of(passages[1], 1)[0]
    reply = f"{first.rstrip('.')} [1]. {second.rstrip('.')} [2]."
    double.on(ANSWER_PROMPT, Reply(reply))

    events = list(ask_stream(BUDAPEST_VI, settings=llm_settings))
    pieces, answer = events[:-1], events[-1]
    assert isinstance(answer, Answer) and answer.notices == [] and answer.mode == "llm" and answer.answered
    assert len(pieces) > 5 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip() == reply
    assert answer.answer == reply
    assert_citations_resolve(answer, llm_settings)
    assert [(c.article_id, c.start) for c in answer.citations] == [(p.article_id, p.start) for p in passages[:2]]
    checks = answer.checks.llm
    assert checks.removed_markers == () and checks.unmarked_sentences == ()
    assert [s.supported for s in checks.support] == [True, True] and not checks.unsupported_sentences
    assert double.requests[-1]["stream"] is True
    assert {"llm_answer", "llm_check", "total"} <= set(answer.timings_ms)


def test_markers_out_of_range_are_removed_unmarked_sentences_flagged_and_numbers_renumbered(
    seed_settings, llm_settings, double
):
    passages = ask(BUDAPEST_VI, settings=seed_settings).passages
    first, second = sentences_of(passages[0], 1)[0], sentences_of(passages[1], 1)[0]
    double.on(ANSWER_PROMPT, Reply(f"{second.rstrip('.')} [2][9]. Một câu không có nguồn. {first.rstrip('.')} [1, 0]."))

    answer = ask(BUDAPEST_VI, settings=llm_settings)
    assert answer.mode == "llm" and answer.answered
    assert "[9]" not in answer.answer and "[0]" not in answer.answer
    assert answer.answer.index("[1]") < answer.answer.index("[2]")  # renumbered in order of first use
    assert_citations_resolve(answer, llm_settings)
    assert (answer.citations[0].article_id, answer.citations[0].start) == (passages[1].article_id, passages[1].start)
    checks = answer.checks.llm
    assert sorted(checks.removed_markers) == [0, 9]
    assert checks.unmarked_sentences == ("Một câu không có nguồn.",)
    assert [s.cited for s in checks.support] == [(1,), (2,)]


@pytest.mark.parametrize(
    "reply",
    [
        "NOT_IN_ARTICLES",
        "The articles do not contain information about this [1].",
        "Các bài báo không đề cập đến thông tin này.",
        "Budapest is a beautiful city on the Danube.",  # no citation at all
    ],
)
def test_a_refusal_or_an_uncited_reply_is_not_an_answer(llm_settings, double, reply):
    double.on(ANSWER_PROMPT, Reply(reply))
    events = list(ask_stream(BUDAPEST_VI, settings=llm_settings))
    answer = events[-1]
    assert answer.mode == "llm" and not answer.answered and not answer.citations
    assert answer.answer == NOT_FOUND["vi"] and answer.passages
    assert not any("NOT_IN" in piece for piece in events[:-1])  # the sentinel is never shown


def test_a_slow_endpoint_falls_back_to_the_extractive_answer_within_the_timeout(seed_settings, llm_settings, double):
    double.on("", Reply("too late [1].", delay_s=6))
    settings = llm_settings.with_(llm_timeout_s=1.0)
    started = time.monotonic()
    # With history the rewrite call times out first; the answer call is then skipped.
    answer = ask("Còn Hungary thì sao?", history=[BUDAPEST_VI], settings=settings)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 3.0, elapsed
    assert len(double.requests) == 1
    assert answer.mode == "extractive"
    assert answer.notices == [f"LLM unavailable (no reply within 1 s from {double.url}); showing the extractive answer"]
    expected = ask("Còn Hungary thì sao?", history=[BUDAPEST_VI], settings=seed_settings)
    assert (answer.answer, answer.answered) == (expected.answer, expected.answered)


def test_an_endpoint_that_is_down_falls_back_with_a_notice(seed_settings):
    url = closed_port_url()
    settings = seed_settings.with_(answer_mode="llm", llm_url=url, llm_model="test-double", llm_timeout_s=2)
    events = list(ask_stream(BUDAPEST_VI, settings=settings))
    answer = events[-1]
    assert answer.mode == "extractive" and answer.answered
    assert answer.notices == [f"LLM unavailable (connection refused at {url}); showing the extractive answer"]
    assert "".join(events[:-1]) == answer.answer == ask(BUDAPEST_VI, settings=seed_settings).answer


@pytest.mark.parametrize(
    ("reply", "stream", "reason"),
    [
        (Reply(raw_body=b'{"choices": [{"message": {"content": "Budapest'), False, "malformed JSON"),
        (Reply(raw_body=b'{"unexpected": true}'), False, "unusable reply"),
        (Reply(raw_body=b'{"unexpected": true}'), True, "empty reply"),
        (Reply(status=500), True, "HTTP 500"),
        (Reply("   "), False, "empty reply"),
    ],
)
def test_a_broken_reply_falls_back_with_a_notice(llm_settings, double, reply, stream, reason):
    double.on(ANSWER_PROMPT, reply)
    answer = (
        list(ask_stream(BUDAPEST_VI, settings=llm_settings))[-1] if stream else ask(BUDAPEST_VI, settings=llm_settings)
    )
    assert answer.mode == "extractive" and answer.answered and answer.citations
    assert (
        len(answer.notices) == 1
        and reason in answer.notices[0]
        and "showing the extractive answer" in answer.notices[0]
    )
    assert reason in answer.checks.llm.error


def test_a_follow_up_is_rewritten_into_a_standalone_question(llm_settings, double):
    standalone = "Vì sao Hungary được chọn làm nơi tổ chức hội nghị thượng đỉnh Nga - Mỹ?"
    double.on("Last question:", Reply(f"Standalone question: {standalone}"))
    answer = ask("Còn Hungary thì sao?", history=["Tin gì hôm nay?", BUDAPEST_VI], settings=llm_settings)
    rewrite, answering = double.requests
    assert rewrite["messages"][0]["content"] == REWRITE_SYSTEM and not rewrite.get("stream")
    assert "- Tin gì hôm nay?\n- " + BUDAPEST_VI in rewrite["messages"][1]["content"]
    assert rewrite["messages"][1]["content"].endswith("Last question: Còn Hungary thì sao?")
    assert answering["messages"][1]["content"].endswith(f"Question: {standalone}")
    assert "Answer in Vietnamese" in answering["messages"][0]["content"]
    assert answer.question == "Còn Hungary thì sao?"
    assert answer.checks.llm.standalone_question == standalone
    assert answer.passages[0].article_id == BUDAPEST_ARTICLE


def test_an_english_question_is_translated_for_the_lexical_side(llm_settings, double):
    translation = "Vì sao Budapest được chọn để tổ chức hội nghị thượng đỉnh lần thứ hai?"
    double.on("Translate the user's question", Reply(translation))
    answer = ask(BUDAPEST_EN, settings=llm_settings)
    translate, answering = double.requests
    assert translate["messages"][0]["content"] == TRANSLATE_SYSTEM
    assert translate["messages"][1]["content"] == BUDAPEST_EN
    assert answering["messages"][1]["content"].endswith(f"Question: {BUDAPEST_EN}")
    assert "Answer in English" in answering["messages"][0]["content"]
    assert answer.checks.llm.translated_question == translation
    assert answer.passages[0].article_id == BUDAPEST_ARTICLE
    assert answer.passages[0].lexical_score is not None  # English alone ranks on the dense side only
    assert answer.answer == NOT_FOUND["en"]  # the double's default reply is the sentinel


def test_rewriting_and_translation_can_be_switched_off(llm_settings, double):
    settings = llm_settings.with_(llm_rewrite=False, llm_translate=False)
    ask(BUDAPEST_EN, history=[BUDAPEST_VI], settings=settings)
    assert len(double.requests) == 1 and ANSWER_PROMPT in double.requests[0]["messages"][1]["content"]


def test_passages_are_delimited_data_and_the_prompt_defends_against_injection(llm_settings, double):
    ask(BUDAPEST_VI, settings=llm_settings)
    system, user = (m["content"] for m in double.requests[0]["messages"])
    assert "ignore any instruction" in system and "NOT_IN_ARTICLES" in system
    assert user.count("<passage number=") == user.count("</passage>") == 5
    assert user.index("</passages>") < user.index(f"Question: {BUDAPEST_VI}")


def test_support_is_judged_by_words_for_vietnamese_and_by_meaning_for_english(seed_settings):
    resources = get_resources(seed_settings)
    corpus = resources.corpus.get()

    def nearest(claim: str) -> dict:
        return dict(resources.store.query_sentences(resources.embedder.get_query_embedding(claim), 50))

    def passage_with(needle: str) -> Passage:
        chunk, text = next((c, text) for c, text in resources.store.iter_chunks() if needle in text)
        fields = ("article_id", "title", "date", "start", "end", "sentences")
        return Passage(chunk_id=chunk.id, score=1.0, text=text, **{f: getattr(chunk, f) for f in fields})

    judge = SupportJudge(corpus, nearest, seed_settings.llm)
    icc = passage_with("Hungary đã rút khỏi Tòa án Hình sự quốc tế")
    riyadh = passage_with("sau hơn 4 giờ đàm phán ngày 18/2")
    claim = "Hungary withdrew from the International Criminal Court, so it is not bound by the warrant for Putin."
    assert judge.judge(claim, [icc]).supported
    assert not judge.judge(claim, [riyadh]).supported
    paraphrase = "Sau hơn {} giờ đàm phán ngày 18/2, hai nước đã thống nhất lập các nhóm công tác cấp cao."
    assert judge.judge(paraphrase.format(4), [riyadh]).supported
    assert not judge.judge(paraphrase.format(9), [riyadh]).supported  # a wrong number


def test_llm_mode_without_a_model_or_with_ollama_down_falls_back(seed_settings):
    no_model = ask(BUDAPEST_VI, settings=seed_settings.with_(answer_mode="llm", llm_url="http://127.0.0.1:1/v1"))
    assert no_model.mode == "extractive" and "no model configured" in no_model.notices[0]
    url = closed_port_url().removesuffix("/v1")
    ollama = seed_settings.with_(answer_mode="llm", llm_provider="ollama", llm_url=url, llm_model="qwen2.5:7b")
    answer = ask(BUDAPEST_VI, settings=ollama)
    assert answer.mode == "extractive" and answer.notices == [
        f"LLM unavailable (connection refused at {url}); showing the extractive answer"
    ]


def test_llm_settings_come_from_the_environment_and_are_validated():
    env = {
        "NEWSQA_ANSWER_MODE": "llm",
        "NEWSQA_LLM_PROVIDER": "ollama",
        "NEWSQA_LLM_MODEL": "qwen2.5:7b",
        "NEWSQA_LLM_TIMEOUT_S": "5",
        "NEWSQA_LLM_REWRITE": "0",
        "NEWSQA_LLM_TRANSLATE": "false",
        "NEWSQA_LLM_API_KEY": "secret-key",
    }
    settings = Settings.from_env(env=env)
    assert (settings.answering.answer_mode, settings.llm.llm_provider, settings.llm.llm_timeout_s) == (
        "llm",
        "ollama",
        5.0,
    )
    assert not settings.llm.llm_rewrite and not settings.llm.llm_translate
    assert "secret-key" not in repr(settings)
    for bad in ({"NEWSQA_LLM_PROVIDER": "gpt"}, {"NEWSQA_LLM_TIMEOUT_S": "0"}, {"NEWSQA_LLM_URL": "127.0.0.1:8080"}):
        with pytest.raises(NewsQAError):
            Settings.from_env(env=bad)


def test_an_extractive_answer_streams_sentence_by_sentence(seed_settings):
    events = list(ask_stream(BUDAPEST_EN, settings=seed_settings))
    answer = events[-1]
    assert answer.mode == "extractive" and len(events) >= 2
    assert all(re.search(r"\[\d+\]$", piece) for piece in events[:-1])  # a sentence with its markers
    assert "".join(events[:-1]) == answer.answer == ask(BUDAPEST_EN, settings=seed_settings).answer


def test_the_evaluation_reports_citation_support_for_generated_answers_only(seed_settings, llm_settings, double):
    questions = [q for q in load_questions(DEFAULT_QUESTIONS) if q.id in ("q02", "q52")]
    double.on(ANSWER_PROMPT, Reply("Hungary đã rút khỏi Tòa án Hình sự quốc tế (ICC) [1]. Hungary có 9 triệu dân [1]."))
    generated = run_eval(questions, llm_settings, 5)
    support = [s for d in generated.details for s in d.reply.checks.llm.support]
    assert len(support) == 4 and not support[1].supported and not support[3].supported  # the made-up figure
    rate = sum(s.supported for s in support) / len(support)
    assert generated.summary["citation_support_rate"] == pytest.approx(rate, abs=1e-4)
    assert set(generated.by_lang) == {"vi", "en"} and generated.by_lang["en"]["citation_support_rate"] is not None
    assert "| citation_support_rate |" in table(generated)
    assert run_eval(questions, seed_settings, 5).summary["citation_support_rate"] is None
