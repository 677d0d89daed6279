"""The search analyzer on a tiny in-RAM whoosh index: Chinese without spaces, mixed text,
English word forms, and "did you mean" from unstemmed words."""

import jieba
import pytest
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import MultifieldParser

from community.search.analyzer import (
    correct_query,
    did_you_mean,
    make_analyzer,
    make_spelling_analyzer,
    warm_up,
)

DOCS = {
    "battery-zh": ("续航", "电池续航太短了"),
    "nfc-card": ("希望 Mi Band 增加 NFC 门禁卡 功能", "battery life is too short"),
    "nfc-only": ("NFC payments", "Please support NFC for transit"),
    "card-only": ("门禁卡", "公司的门禁卡能不能模拟"),
    "batteries": ("Batteries", "The batteries drain fast while running GPS"),
    "dial": ("表盘", "表盘不够多, 想要更多 watch faces"),
    "fullwidth": ("ＮＦＣ 全角", "用输入法打出来的ＮＦＣ"),
}


def _schema():
    analyzer = make_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, field_boost=2.0, stored=True),
        # spelling=True keeps an unstemmed word list ("spell_body") for did_you_mean
        body=TEXT(analyzer=analyzer, spelling=True, stored=True),
    )


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    # On disk in a folder of its own: a RamStorage writer spills to tempfile's
    # folder under one fixed name (MAIN.tmp), which parallel runs tore from each other.
    storage = FileStorage(str(tmp_path_factory.mktemp("analyzer-index"))).create()
    ix = storage.create_index(_schema())
    with ix.writer() as w:
        for doc_id, (title, body) in DOCS.items():
            w.add_document(id=doc_id, title=title, body=body)
    return storage


@pytest.fixture(scope="module")
def searcher(storage):
    # Reopen from storage: the schema (with the analyzer) is pickled into the index.
    with storage.open_index().searcher() as s:
        yield s


def ids(searcher, qstring):
    q = MultifieldParser(["title", "body"], searcher.schema).parse(qstring)
    return {hit["id"] for hit in searcher.search(q, limit=20)}


def texts(text, **kw):
    return [t.text for t in make_analyzer()(text, **kw)]


def test_chinese_word_found_without_spaces(searcher):
    assert "battery-zh" in ids(searcher, "续航")


def test_mixed_query_needs_both_parts(searcher):
    assert ids(searcher, "NFC 门禁卡") == {"nfc-card"}
    assert ids(searcher, "NFC门禁卡") == {"nfc-card"}  # no space needed between scripts


def test_english_word_forms_match(searcher):
    assert {"nfc-card", "batteries"} <= ids(searcher, "batteries")
    assert "batteries" in ids(searcher, "battery")
    assert "batteries" in ids(searcher, "run")  # porter2: "running" -> "run"


def test_mixed_sentences(searcher):
    assert ids(searcher, "门禁卡 short") == {"nfc-card"}
    assert ids(searcher, "表盘 watch face") == {"dial"}
    assert "fullwidth" in ids(searcher, "nfc")  # ＮＦＣ is folded to nfc


def test_index_has_words_inside_long_words(searcher):
    # search mode at index time: the 门禁 inside 门禁卡 is indexed too
    assert {"nfc-card", "card-only"} <= ids(searcher, "门禁")


def test_phrase_query_across_stacked_words(searcher):
    assert ids(searcher, '"增加 NFC 门禁卡 功能"') == {"nfc-card"}
    assert ids(searcher, '"功能 增加"') == set()


def test_stemming_only_touches_latin_words():
    assert texts("Batteries 电池 Notifications") == ["batteri", "电池", "notif"]
    assert texts("batteries", no_morph=True) == ["batteries"]


def test_stop_words_keep_meaningful_single_characters():
    # 的 is a particle; 多 ("many") and 表 ("watch") carry meaning
    assert texts("表盘不够多的 the watch") == ["表盘", "不够", "多", "watch"]
    assert "表" in texts("我的表")


def test_query_uses_plain_cut_index_adds_sub_words():
    assert texts("门禁卡", mode="query") == ["门禁卡"]
    assert texts("门禁卡", mode="index") == ["门禁卡", "门禁"]


def test_highlight_shows_original_word(searcher):
    q = MultifieldParser(["body"], searcher.schema).parse("battery")
    hit = next(h for h in searcher.search(q) if h["id"] == "batteries")
    assert '<b class="match term0">batteries</b>' in hit.highlights("body")


def test_did_you_mean_suggests_unstemmed_word(searcher):
    assert did_you_mean(searcher, "body", "baterry") == "battery"
    assert did_you_mean(searcher, "body", "battery") is None  # correct words stay
    assert did_you_mean(searcher, "body", "续行") is None  # no edit distance for Chinese
    assert correct_query(searcher, "body", "baterry 续航") == "battery 续航"
    assert correct_query(searcher, "body", "battery 续航") is None


def test_without_spelling_field_suggestions_are_stems(searcher):
    # why spelling=True: the title field only knows stems, so whoosh offers "batteri"
    assert searcher.suggest("title", "batery") == ["batteri"]


def test_spelling_analyzer_splits_query_words_unstemmed():
    tokens = make_spelling_analyzer()("baterry续航", chars=True)
    assert [(t.text, t.startchar, t.endchar) for t in tokens] == [
        ("baterry", 0, 7),
        ("续航", 7, 9),
    ]


def test_jieba_is_quiet(capfd):
    warm_up()
    jieba.Tokenizer().initialize()  # a fresh dictionary load would log to stderr
    assert capfd.readouterr().err == ""
