"""Graphs for the map tests: a small hand-made one full of hostile text, and a synthetic one."""

from __future__ import annotations

import html.parser
import json

import pytest

from kg.graph.build import build_graph
from kg.records import Entity, ExtractedPaper, Mention, Paper
from kg.view.synthetic import synthetic_graph

# Each payload, if it ever ran, would leave a mark the browser tests look for:
# an alert dialog, document.title "PWNED", or a <pwned> element.
MARK = "document.title='PWNED';document.body.appendChild(document.createElement('pwned'))"
PAYLOADS = {
    "img": "<img src=x onerror=alert(1)>",
    "img_mark": f'<img src=x onerror="{MARK}">',
    "script": "</script><script>alert(1)</script>",
    "script_mark": f"</script><script>{MARK}</script>",
    "quotes": "He said \"it's\" `fine` \\ & done",
    "comment": "<!-- <script>alert(2)</script> -->",
    "separators": "line\u2028separator\u2029paragraph",
    "svg": f'<svg onload="{MARK}"></svg>',
}


def _entity(entity_id: str, name: str, kind: str, aliases=()) -> Entity:
    return Entity(entity_id, name, kind, aliases=list(aliases), mentions=[Mention("title", 0, 1, name[:1] or "x")])


def hostile_papers() -> list[ExtractedPaper]:
    """Four papers whose titles, ids, links and entity names are attacks on the page."""
    lora = _entity("method:lora", "LoRA", "Method", ["low-rank adaptation", PAYLOADS["img"]])
    evil = _entity("method:\"evil'</script>", PAYLOADS["script_mark"], "Method", [PAYLOADS["quotes"]])
    bert = _entity("model:bert", "BERT", "Model", ["Bidirectional Encoder Representations"])
    squad = _entity("dataset:squad", PAYLOADS["svg"], "Dataset")
    f1 = _entity("metric:f1", "F1 \u2028score", "Metric")
    qa = _entity("task:qa", "question answering", "Task")
    papers = [
        Paper("arxiv:2106.09685", PAYLOADS["img_mark"], arxiv_id="2106.09685", date="2021-06-17", year=2021),
        Paper("doi:10.1/x", PAYLOADS["script"], doi="10.1/x\"><script>alert(5)</script>", date="2022-01-02",
              year=2022, authors=[PAYLOADS["img"], "Ada Lovelace"]),
        Paper("title:1", PAYLOADS["comment"] + PAYLOADS["separators"], url="javascript:alert(4)"),
        Paper("title:2", "A plain title", url="https://example.org/paper", date="2020-05-05", year=2020),
    ]
    entities = [[lora, evil, bert, squad, f1, qa], [lora, evil, bert, squad, qa], [lora, evil, f1, bert],
                [lora, bert, squad, f1, qa]]
    return [ExtractedPaper(p, e) for p, e in zip(papers, entities)]


@pytest.fixture
def hostile_graph():
    return build_graph(hostile_papers(), min_cooccur=1)


@pytest.fixture(scope="session")
def synthetic():
    """About 300 drawable entities with communities, like a seed-size corpus."""
    return synthetic_graph(600, 1500, seed=7)


class _Scripts(html.parser.HTMLParser):
    """Collects <script> elements (attributes and text) and every tag's attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.tags: list[tuple[str, dict]] = []
        self._current: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._current, self._text = attrs, []

    def handle_data(self, data):
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._current is not None:
            self.scripts.append((self._current, "".join(self._text)))
            self._current = None


def parse_page(text: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(text)
    parser.close()
    return parser


def page_data(text: str) -> dict:
    """The JSON blocks of a map page, by element id (kg-meta, kg-nodes, kg-edges, kg-options)."""
    return {attrs["id"]: json.loads(body) for attrs, body in parse_page(text).scripts
            if attrs.get("type") == "application/json"}
