"""Nothing injected: unsafe XML is refused, outputs stay in their folder, hostile ids stay data.

* An Atom feed with a DTD (external entity, billion laughs, external DTD,
  parameter entity) is refused with one error line; no entity is expanded.
* A build writes only into its output folder (and its staging sibling, gone
  when it ends); paper ids and titles full of ``../``, ``/``, control
  characters or ``<script>`` never become paths and come out escaped in every
  output, which all still parse.
* ``kg sparql --bind`` values are RDF terms, never query text.
* ``kg serve`` listens on 127.0.0.1 unless told otherwise.

Updates refused by ``kg sparql`` and the endpoint: ``tests/query/test_sparql.py``
(``test_updates_are_refused``, ``test_kg_sparql_errors_and_list``) and
``tests/query/test_server.py`` (``test_update_is_refused_with_4xx``,
``test_protocol_by_hand``); injection through bound values in the library:
``test_a_value_full_of_quotes_and_braces_is_just_a_string`` there.
"""

from __future__ import annotations

import csv
import inspect
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner

from kg.build import OUTPUT_FILES
from kg.cli import main
from kg.read.base import writable

REPO = Path(__file__).resolve().parents[2]
PASSWD = Path("/etc/passwd")


def kg(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def kg_process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=timeout)


# --- unsafe XML -------------------------------------------------------------------------------

FEED = ('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>{title}</title>"
        "<summary>We fine-tune GPT-4 with LoRA.</summary></entry></feed>\n")
UNSAFE_XML = {
    "external-entity": ('<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                        + FEED.format(title="&xxe;")),
    "billion-laughs": ('<?xml version="1.0"?>\n<!DOCTYPE feed [\n <!ENTITY lol "lol">\n'
                       + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1 if i > 1 else "") + ";") * 10}">\n'
                                 for i in range(1, 10))
                       + "]>\n" + FEED.format(title="&lol9;")),
    "external-dtd": ('<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "file:///etc/passwd">\n'
                     + FEED.format(title="A title")),
    "parameter-entity": ('<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n'
                         + FEED.format(title="A title")),
}
REFUSED = "XML refused (DTDForbidden): a feed declaring a DTD or entities is not read, for safety"


def _passwd_lines() -> list[str]:
    try:
        return [line for line in PASSWD.read_text().splitlines() if line.strip()][:3]
    except OSError:
        return ["root:x:0:0:"]


@pytest.mark.parametrize("name", sorted(UNSAFE_XML))
def test_unsafe_xml_is_refused_in_one_line_and_nothing_expanded(tmp_path, name):
    path = tmp_path / f"{name}.xml"
    path.write_text(UNSAFE_XML[name], encoding="utf-8")
    # A real process with a time limit first: an expanding billion laughs would not come back.
    done = kg_process("ingest", path, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Error: {path}: {REFUSED}\n")
    named = kg("ingest", "-f", "arxiv-atom", path)
    assert (named.exit_code, named.stdout, named.stderr) == (1, "", f"Error: {path}: {REFUSED}\n")
    out = tmp_path / "output"
    built = kg("build", path, "-o", out)
    assert (built.exit_code, built.stdout, built.stderr) == (1, "", f"Error: {path}: {REFUSED}\n")
    assert not out.exists()
    for line in _passwd_lines():
        assert line not in done.stdout + done.stderr + named.output + built.output


# --- output paths ---------------------------------------------------------------------------------

ABSOLUTE = f"/tmp/kg-evil-{uuid.uuid4().hex}"
HOSTILE = [
    {"id": "../../evil", "title": "LoRA for ../../etc/passwd", "abstract": "We fine-tune GPT-4 with LoRA on GSM8K."},
    {"id": ABSOLUTE, "title": "<script>alert(1)</script> BERT", "abstract": "BERT is evaluated on SQuAD with F1."},
    {"id": "..", "title": "/ Slashes \\ and </script><!-- comments", "abstract": "LoRA adapters for LLaMA on MMLU."},
    {"id": "a/b\\c/../../../d", "title": "Dots ../../.. everywhere", "abstract": "Transformers on WMT14 with BLEU."},
    {"id": "ctl\x01\x1b[31m\r\n\x7f\u2028x", "title": "Bell \x07 escape \x1b[2J tab\t vt\x0b ff\x0c nul\x00 end",
     "abstract": "We use ResNet-50 on ImageNet.\x08 \ud800 lone surrogate."},
]


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A build of papers with hostile ids and titles, three folders deep in a folder snapshotted before and after."""
    root = tmp_path_factory.mktemp("hostile")
    path = root / "hostile.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in HOSTILE), encoding="utf-8")
    out = root / "a" / "b" / "output"
    before = _tree(root)
    result = kg("build", path, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    return {"root": root, "out": out, "before": before, "after": _tree(root), "result": result}


def test_a_build_writes_only_into_its_output_folder(hostile):
    root, out = hostile["root"], hostile["out"]
    new = hostile["after"] - hostile["before"]
    inside = str(out.relative_to(root))
    assert {"a", "a/b"} <= new
    assert all(p in ("a", "a/b") or p == inside or p.startswith(inside + "/") for p in new), sorted(new)
    assert not list(out.parent.glob(".output.staging-*"))  # the staging sibling is gone
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, ".blocks", ".cache", "store"])
    assert not Path(ABSOLUTE).exists() and not list(Path(ABSOLUTE).parent.glob(Path(ABSOLUTE).name + "*"))
    assert not any("evil" in p for p in hostile["after"] if not p.endswith("hostile.jsonl"))


def test_output_files_have_the_ordinary_mode(hostile):
    umask = os.umask(0)
    os.umask(umask)
    modes = {name: oct(os.stat(hostile["out"] / name).st_mode & 0o777) for name in OUTPUT_FILES}
    assert modes == dict.fromkeys(OUTPUT_FILES, oct(0o666 & ~umask))


def _ids(graph: rdflib.Graph) -> set[str]:
    papers = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://purl.org/spar/fabio/ResearchPaper")))
    papers |= set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/kg/ontology#Paper")))
    return {str(o) for s in papers for o in graph.objects(s, rdflib.DCTERMS.identifier)}


def test_hostile_ids_survive_escaped_in_every_output(hostile):
    out = hostile["out"]
    ids = {writable(p["id"]) for p in HOSTILE}  # characters no output can hold are replaced one for one
    assert writable(HOSTILE[4]["id"]) == "ctl\ufffd\ufffd[31m\r\n\x7f\u2028x"
    for name, fmt in (("graph.nt", "nt"), ("graph.ttl", "turtle"), ("graph.jsonld", "json-ld")):
        graph = rdflib.Graph()
        graph.parse(out / name, format=fmt)
        assert _ids(graph) == ids, name
        for subject in graph.subjects():
            assert not isinstance(subject, rdflib.URIRef) or "/../" not in str(subject) and "<" not in str(subject)
    with (out / "papers.csv").open(encoding="utf-8", newline="") as handle:
        assert {row["id"] for row in csv.DictReader(handle)} == ids
    assert {n for n, d in nx.read_graphml(out / "graph.graphml").nodes(data=True) if d["kind"] == "paper"} == ids
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["papers"] == len(HOSTILE) and report["skipped"] == []


def test_titles_are_never_markup_in_the_map(hostile):
    page = (hostile["out"] / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "</script><!--" not in page
    # The titles are there, as JSON text with every "<" escaped.
    assert r"\u003cscript\u003ealert(1)\u003c/script\u003e BERT" in page
    assert r"\u003c/script\u003e\u003c!-- comments" in page


def test_the_query_commands_read_the_hostile_graph(hostile):
    result = kg("top", "--graph", hostile["out"])
    assert result.exit_code == 0, result.output
    assert "LoRA" in result.stdout


def test_ingest_prints_hostile_text_as_json(tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in HOSTILE), encoding="utf-8")
    done = kg_process("ingest", path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.split("\n") if line]  # not splitlines(): U+2028 is text
    assert [r["id"] for r in rows] == [writable(p["id"]) for p in HOSTILE]
    assert rows[4]["title"] == "Bell \ufffd escape \ufffd[2J tab\t vt  ff  nul\ufffd end"


# --- SPARQL parameters ----------------------------------------------------------------------------

BY_ID = "SELECT ?paper WHERE { ?paper <http://purl.org/dc/terms/identifier> ?id }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _sparql_json(out: Path, query: str, *binds: str) -> dict:
    args = ["sparql", query, "--graph", out, "--format", "json"]
    for bind in binds:
        args += ["--bind", bind]
    result = kg(*args)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("value", ['"} . ?s ?p ?o {"', "') } ; DROP ALL ; #", '" } } ; DROP ALL ; SELECT * { { "',
                                   "<http://x> } ; CLEAR ALL"])
def test_a_bound_value_is_a_string_that_matches_nothing(hostile, value):
    out = hostile["out"]
    before = _sparql_json(out, COUNT)["results"]["bindings"]
    assert _sparql_json(out, BY_ID, f"id={value}")["results"]["bindings"] == []
    assert _sparql_json(out, COUNT)["results"]["bindings"] == before


def test_a_bound_value_matches_exactly_the_same_string(hostile):
    rows = _sparql_json(hostile["out"], BY_ID, "id=../../evil")["results"]["bindings"]
    assert [r["paper"]["value"] for r in rows] == ["https://w3id.org/kg/paper/..%2F..%2Fevil"]


# --- kg serve ---------------------------------------------------------------------------------------

def test_serve_listens_on_localhost_by_default(hostile):
    from kg.commands.sparql_cmds import serve_cmd
    from kg.query import server

    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(server.make_server).parameters["host"].default == "127.0.0.1"
    assert next(p for p in serve_cmd.params if p.name == "host").default == "127.0.0.1"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--graph", str(hostile["out"]), "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()
    assert line.startswith("SPARQL endpoint (read-only): http://127.0.0.1:"), line
