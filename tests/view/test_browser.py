"""The map in a real browser (headless Chromium): it draws, stays offline, and runs no input text.

Chromium is driven over the DevTools pipe (kg.view.browser) with a fresh
profile and ``--host-resolver-rules=MAP * ~NOTFOUND``; every request the page
makes is recorded, and any alert/confirm dialog is caught.
"""

from __future__ import annotations

import re
import time

import pytest

from kg.view.browser import Chromium, find_chromium, png_colours, screenshot
from kg.view.map import COMMUNITY_COLOURS, TYPE_COLOURS, write_ego_map, write_map

from .conftest import PAYLOADS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None,
                       reason="Chromium not found: apt-get install chromium (or set KG_CHROMIUM)"),
]

EVIL = "method:\"evil'</script>"


@pytest.fixture(scope="module")
def browser():
    with Chromium(width=1200, height=800, timeout=90) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def pages(tmp_path_factory, synthetic):
    from kg.graph.build import build_graph

    from .conftest import hostile_papers

    folder = tmp_path_factory.mktemp("maps")
    hostile = build_graph(hostile_papers(), min_cooccur=1)
    write_map(synthetic, folder / "map.html")
    write_map(hostile, folder / "hostile.html", min_papers=1, title=PAYLOADS["script_mark"])
    write_ego_map(hostile, EVIL, folder / "ego.html", title=PAYLOADS["img_mark"])
    entity = max((n for n, d in synthetic.nodes(data=True) if d["kind"] == "entity"),
                 key=lambda n: (synthetic.nodes[n]["papers"], n))
    write_ego_map(synthetic, entity, folder / "ego_big.html")
    # The same hostile map without its Content-Security-Policy: the escaping alone must hold.
    text = (folder / "hostile.html").read_text(encoding="utf-8")
    no_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert no_csp != text
    (folder / "hostile_no_csp.html").write_text(no_csp, encoding="utf-8")
    (folder / "blank.html").write_text("<!DOCTYPE html><title>blank</title><body></body>", encoding="utf-8")
    return folder


def _assert_clean(report):
    assert report.state == "drawn", (report.state, report.exceptions, report.console)
    assert report.exceptions == [] and report.dialogs == []
    assert report.remote_requests == [], report.remote_requests


def test_map_draws_on_a_canvas(browser, pages):
    report = browser.open(pages / "map.html")
    _assert_clean(report)
    assert browser.evaluate("document.querySelectorAll('#kg-network canvas').length") == 1
    assert browser.evaluate("kgMap.network.body.data.nodes.length") == 300
    size = browser.evaluate("(() => { const c = document.querySelector('canvas'); return [c.width, c.height]; })()")
    assert size[0] >= 1000 and size[1] >= 600
    assert browser.evaluate("document.documentElement.dataset.kgState") == "drawn"
    png = browser.screenshot_png()
    blank = browser.open(pages / "blank.html", ready="")
    assert png_colours(browser.screenshot_png(), step=3) < 5
    assert png_colours(png, step=3) > 200  # nodes in five colours, anti-aliased labels and links
    assert blank.remote_requests == []


def test_no_request_leaves_the_machine(browser, pages):
    for name in ("map.html", "hostile.html", "ego.html", "ego_big.html"):
        report = browser.open(pages / name)
        _assert_clean(report)
        assert report.requests and all(url.startswith("file:") for url in report.requests), report.requests


@pytest.mark.parametrize("page", ["hostile.html", "hostile_no_csp.html", "ego.html"])
def test_payloads_show_as_text_and_never_run(browser, pages, page):
    report = browser.open(pages / page)
    _assert_clean(report)
    # open every details panel and tooltip, search for the hostile names
    browser.evaluate("""(() => {
        for (const id of kgMap.network.body.data.nodes.getIds()) {
            kgMap.showDetails(id);
            const t = kgMap.network.body.data.nodes.get(id).title;
            document.body.appendChild(t);
        }
        kgMap.search('evil'); kgMap.search('<img'); kgMap.search('"it\\'s"');
        return 1; })()""")
    time.sleep(0.3)
    state = browser.evaluate("""({title: document.title, pwned: document.getElementsByTagName('pwned').length,
        imgs: document.images.length, svgs: document.getElementsByTagName('svg').length,
        scripts: document.scripts.length, text: document.body.innerText})""")
    assert state["title"] != "PWNED" and state["pwned"] == 0
    assert state["imgs"] == 0 and state["svgs"] == 0 and state["scripts"] == 6
    assert browser.evaluate("document.title") in (PAYLOADS["script_mark"], PAYLOADS["img_mark"])
    late = browser.open(pages / "blank.html", ready="")  # also collects what the page did meanwhile
    assert report.dialogs == [] and late.dialogs == []
    assert report.remote_requests == [] and all(u.startswith("file:") and not u.endswith("/x")
                                                for u in report.requests)
    text = state["text"]
    assert PAYLOADS["script_mark"] in text  # the entity name, as text
    if page != "ego.html":
        assert PAYLOADS["img_mark"] in text and PAYLOADS["svg"] in text  # a paper title, another name


def test_links_in_the_details_panel(browser, pages):
    _assert_clean(browser.open(pages / "hostile.html"))
    links = browser.evaluate("""(() => { kgMap.showDetails('method:lora');
        return [...document.querySelectorAll('#kg-panel a')].map(a => [a.textContent, a.href, a.rel]); })()""")
    hrefs = [href for _, href, _ in links]
    assert "https://arxiv.org/abs/2106.09685" in hrefs
    assert any(h.startswith("https://doi.org/10.1/x%22%3E%3Cscript%3E") for h in hrefs)
    assert all(h.startswith("https://") for h in hrefs) and len(links) == 3  # javascript: URL not linked
    assert all(rel == "noopener noreferrer" for _, _, rel in links)
    panel = browser.evaluate("document.getElementById('kg-panel').innerText")
    assert "LoRA" in panel and "Method · 4 papers" in panel and PAYLOADS["img"] in panel


def test_search_filter_and_community_switch(browser, pages):
    _assert_clean(browser.open(pages / "hostile.html"))
    assert browser.evaluate("kgMap.search('low-rank adaptation')") == "method:lora"  # an alias
    assert browser.evaluate("kgMap.network.getSelectedNodes()") == ["method:lora"]
    assert browser.evaluate("kgMap.search('QUESTION ans')") == "task:qa"
    assert browser.evaluate("kgMap.search('no such thing')") is None
    assert browser.evaluate("document.getElementById('kg-status').textContent") == "not on this map"

    hidden = browser.evaluate("""(() => {
        const box = document.querySelector('input[data-kg-type="Method"]');
        box.click();
        return kgMap.network.body.data.nodes.get({filter: n => n.hidden}).map(n => n.id).sort(); })()""")
    assert hidden == sorted(["method:lora", EVIL])
    hidden_edges = browser.evaluate("kgMap.network.body.data.edges.get({filter: e => e.hidden}).length")
    assert hidden_edges > 0
    # finding a hidden entity shows its type again
    assert browser.evaluate("kgMap.search('LoRA')") == "method:lora"
    assert browser.evaluate("kgMap.network.body.data.nodes.get({filter: n => n.hidden}).length") == 0

    colours = browser.evaluate("""(() => {
        const s = document.getElementById('kg-colour'); s.value = 'community';
        s.dispatchEvent(new Event('change'));
        return kgMap.network.body.data.nodes.get().map(n => n.color); })()""")
    assert set(colours) <= set(COMMUNITY_COLOURS) | {"#BDBDBD"}
    legend = browser.evaluate("document.getElementById('kg-legend').textContent")
    assert "Communities" in legend
    back = browser.evaluate("""(() => {
        const s = document.getElementById('kg-colour'); s.value = 'type';
        s.dispatchEvent(new Event('change'));
        return kgMap.network.body.data.nodes.get().map(n => n.color); })()""")
    assert set(back) <= set(TYPE_COLOURS.values())


def test_ego_map_centres_on_the_entity(browser, pages):
    _assert_clean(browser.open(pages / "ego_big.html"))
    selected = browser.evaluate("kgMap.network.getSelectedNodes()")
    assert len(selected) == 1
    assert browser.evaluate("document.getElementById('kg-panel').hidden") is False
    kinds = browser.evaluate("kgMap.network.body.data.nodes.get().map(n => n.kgType)")
    assert "Paper" in kinds and len(kinds) == 150


def test_screenshot_function(tmp_path, pages):
    report = screenshot(pages / "map.html", tmp_path / "map.png", width=800, height=600)
    _assert_clean(report)
    data = (tmp_path / "map.png").read_bytes()
    assert data.startswith(b"\x89PNG") and png_colours(data, step=2) > 200


def test_command_line_screenshot(tmp_path, hostile_graph):
    """``python -m kg.view.map GRAPH_DIR OUT.png`` on a graph saved as kg build saves it."""
    from kg.export.graphml import write_graphml
    from kg.view.map import main

    write_graphml(hostile_graph, tmp_path)
    assert main([str(tmp_path), str(tmp_path / "shot.png"), "--min-papers", "1", "--size", "640x480",
                 "--html", str(tmp_path / "kept.html")]) == 0
    assert png_colours((tmp_path / "shot.png").read_bytes()) > 50
    assert "kgMap" in (tmp_path / "kept.html").read_text(encoding="utf-8")


def test_net_log_shows_nothing_left_the_machine(tmp_path, pages):
    """Chromium's own network log: the page asked for nothing remote, and no connection was made.

    A control page that does load a remote image proves the check would see one.
    """
    from kg.view.browser import read_net_log

    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><img src="https://example.com/kg-control.png"><script>'
                       'window.kgMap = {state: "drawn"}</script>', encoding="utf-8")
    log_file = tmp_path / "net.json"
    with Chromium(width=800, height=600, extra_args=(f"--log-net-log={log_file}",)) as chromium:
        for name in ("map.html", "hostile.html", "ego.html"):
            _assert_clean(chromium.open(pages / name))
        assert chromium.open(control).remote_requests == ["https://example.com/kg-control.png"]
    log = read_net_log(log_file)
    assert log.remote_page_urls == ["https://example.com/kg-control.png"]  # the control, nothing else
    assert log.errors["https://example.com/kg-control.png"] == -105  # not resolved: --host-resolver-rules
    assert log.left_the_machine == []


def test_hover_tooltips_are_text(browser, pages):
    _assert_clean(browser.open(pages / "hostile.html"))
    tip = browser.hover("LoRA")
    assert tip is not None and tip.startswith("LoRA\nMethod · 4 papers\nAlso: low-rank adaptation, " + PAYLOADS["img"])
    assert PAYLOADS["img_mark"] in tip and PAYLOADS["script"] in tip  # paper titles, as text
    assert browser.evaluate("document.querySelectorAll('.vis-tooltip img, .vis-tooltip script').length") == 0
    evil = browser.hover(EVIL)
    assert evil.startswith(PAYLOADS["script_mark"])
    assert browser.evaluate("document.title") == PAYLOADS["script_mark"]  # the page title, unchanged
    assert browser.hover("no such entity") is None
