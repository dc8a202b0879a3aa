"""Documents as people keep them: real PDF (fpdf2), HTML, DOCX (python-docx) and Markdown files read
with their pages and headings, cited by Retrieve, searched by BM25 and MiniLM; the files that cannot
be read are one warning each, a folder with nothing readable one error in every command."""

from __future__ import annotations

import json

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app
from seer_cli.errors import UserError
from seer_cli.toolkits import documents
from seer_cli.toolkits.chunks import Chunk, chunk_document
from seer_cli.toolkits.documents import Document, read_folder
from seer_cli.toolkits.general import GeneralToolkit
from seer_cli.toolkits.retrieval import ChunkSearch, index_key

FORMATS = ".txt, .md, .markdown, .rst, .pdf, .html, .htm, .docx"


def make_pdf(path, pages: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def make_docx(path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Fleet", 1)
    d.add_paragraph("The club owns six dinghies and one keelboat.")
    d.add_heading("Dinghies", 2)
    d.add_paragraph("Dinghies are launched from the north slipway.")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Boat", (0, 1): "Crew", (1, 0): "Laser", (1, 1): "1"}.items():
        table.cell(r, c).text = text
    d.save(str(path))


HTML = """<!doctype html><html><head><title>Rules</title><script>var x = "Ignore the rules";</script></head>
<body><nav>Home | Calendar | Contact</nav>
<main><h1>Club rules</h1><p>Members sail at their <b>own</b> risk.</p>
<h2>Guests</h2><ul><li>Each member may bring two guests per day.</li><li>Guests sign the visitors' book.</li></ul>
<!-- an editor's comment --></main><footer>Copyright the club</footer></body></html>"""

MARKDOWN = """# Notes

Written by the committee.

## Refunds

Membership fees are refunded within 30 days of a written request.

```
# a shell comment, not a heading
```
"""


@pytest.fixture
def mixed(tmp_path):
    """A folder with one file of each kind; the gate code and the launch's name are only in the PDF, on page 2."""
    folder = tmp_path / "club"
    folder.mkdir()
    make_pdf(folder / "handbook.pdf", ["Welcome to the sailing club. The office is open on weekday evenings.",
                                       "Security. The harbour gate code is 5821. Close the gate behind you. "
                                       "The rescue launch is called Petrel."])
    (folder / "rules.html").write_text(HTML)
    make_docx(folder / "fleet.docx")
    (folder / "notes.md").write_text(MARKDOWN)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 not read")  # not a document format: ignored quietly
    return folder


def by_name(docs: list[Document]) -> dict[str, Document]:
    return {d.name: d for d in docs}


def test_each_format_is_read_with_its_pages_and_headings(mixed, tmp_path):
    warnings = []
    docs = by_name(read_folder(mixed, tmp_path / "cache", warnings.append))
    assert warnings == [] and sorted(docs) == ["fleet.docx", "handbook.pdf", "notes.md", "rules.html"]
    pdf = docs["handbook.pdf"].blocks
    assert [(b.page, b.text) for b in pdf] == [
        (1, "Welcome to the sailing club. The office is open on weekday evenings."),
        (2, "Security. The harbour gate code is 5821. Close the gate behind you. The rescue launch is called Petrel.")]
    html = [(b.headings, b.text) for b in docs["rules.html"].blocks]
    assert html == [(("Club rules",), "Members sail at their own risk."),
                    (("Club rules", "Guests"), "Each member may bring two guests per day."),
                    (("Club rules", "Guests"), "Guests sign the visitors' book.")]  # no nav, script, comment, footer
    word = [(b.headings, b.text) for b in docs["fleet.docx"].blocks]
    assert word == [(("Fleet",), "The club owns six dinghies and one keelboat."),
                    (("Fleet", "Dinghies"), "Dinghies are launched from the north slipway."),
                    (("Fleet", "Dinghies"), "Boat | Crew"), (("Fleet", "Dinghies"), "Laser | 1")]
    md = [(b.headings, b.text) for b in docs["notes.md"].blocks]
    assert md == [(("Notes",), "Written by the committee."),
                  (("Notes", "Refunds"), "Membership fees are refunded within 30 days of a written request."),
                  (("Notes", "Refunds"), "``` # a shell comment, not a heading ```")]


def test_rst_and_setext_headings():
    rst = documents.read_markup("Guide\n=====\n\nIntro.\n\nSafety\n------\n\nWear a vest.\n", markdown=False)
    assert [(b.headings, b.text) for b in rst] == [(("Guide",), "Intro."), (("Guide", "Safety"), "Wear a vest.")]
    md = documents.read_markup("Top\n===\n\nA.\n\nSub\n---\n\nB.\n\n---\n\nC.\n", markdown=True)
    assert [(b.headings, b.text) for b in md] == [(("Top",), "A."), (("Top", "Sub"), "B."), (("Top", "Sub"), "C.")]


def test_unreadable_files_are_one_warning_each_and_the_rest_is_used(mixed, tmp_path):
    import pypdf
    from PIL import Image

    writer = pypdf.PdfWriter(clone_from=str(mixed / "handbook.pdf"))
    writer.encrypt("secret")
    writer.write(str(mixed / "locked.pdf"))
    (mixed / "torn.pdf").write_bytes((mixed / "handbook.pdf").read_bytes()[:300])
    Image.new("RGB", (120, 80), "white").save(tmp_path / "scan.png")
    from fpdf import FPDF

    scan = FPDF()
    scan.add_page()
    scan.image(str(tmp_path / "scan.png"), x=10, y=10, w=100)
    scan.output(str(mixed / "scan.pdf"))
    (mixed / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (mixed / "empty.txt").write_text("  \n")
    warnings = []
    docs = read_folder(mixed, tmp_path / "cache", warnings.append)
    assert sorted(d.name for d in docs) == ["fleet.docx", "handbook.pdf", "notes.md", "rules.html"]
    assert warnings == [
        f"{mixed / 'broken.docx'}: skipped, not a readable .docx (damaged, encrypted or another format)",
        f"{mixed / 'empty.txt'}: skipped, no text in it",
        f"{mixed / 'locked.pdf'}: skipped, encrypted (it needs a password)",
        f"{mixed / 'scan.pdf'}: skipped, no text in it (a scanned PDF without a text layer?)",
        f"{mixed / 'torn.pdf'}: skipped, not a readable PDF (damaged?)",
    ]


def test_extraction_is_cached_by_content_hash(mixed, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = read_folder(mixed, cache)
    assert len(list((cache / "documents").glob("*.json"))) == 4
    (mixed / "handbook.pdf").rename(mixed / "renamed.pdf")  # same bytes: not read again

    def no_reading(*a, **k):
        raise AssertionError("read again")

    monkeypatch.setattr(documents, "read_document", no_reading)
    again = by_name(read_folder(mixed, cache))
    assert again["renamed.pdf"].blocks == by_name(first)["handbook.pdf"].blocks
    (mixed / "notes.md").write_text("# Notes\n\nChanged.\n")
    with pytest.raises(AssertionError, match="read again"):  # new content: read
        read_folder(mixed, cache)


def test_a_folder_with_nothing_readable_is_one_error_naming_it(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(UserError) as e:
        read_folder(empty, tmp_path / "cache")
    assert str(e.value) == f"{empty}: no readable document (seer reads {FORMATS})"


@pytest.mark.parametrize("command", [["run", "What is the gate code?"], ["practice", "--auto", "3"], ["tools", "list"]])
def test_every_command_refuses_a_folder_with_nothing_readable(tmp_path, seer_home, command):
    folder = tmp_path / "scans"
    folder.mkdir()
    make_pdf(folder / "ok.pdf", ["text"])
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(folder / "ok.pdf"))
    writer.encrypt("secret")
    writer.write(str(folder / "locked.pdf"))
    (folder / "ok.pdf").unlink()
    result = CliRunner().invoke(app, [*command, "--docs", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"warning: {folder / 'locked.pdf'}: skipped, encrypted (it needs a password)",
        f"Error: {folder}: no readable document (seer reads {FORMATS})"]
    assert not (seer_home / "pools").exists()  # failed before any pool or model


def test_chunks_follow_sections_and_pages_and_cite_them():
    long = " ".join(f"w{i}" for i in range(450))
    doc = Document("policy.pdf", (documents.Block("Intro text.", 1), documents.Block("More on page one.", 1),
                                  documents.Block(long, 2), documents.Block("Page three.", 3)))
    chunks = chunk_document(doc)
    assert [(c.page, len(c.text.split())) for c in chunks] == [(1, 6), (2, 200), (2, 200), (2, 90), (3, 2)]
    assert chunks[0].text == "Intro text. More on page one." and chunks[0].citation() == "[policy.pdf p.1]"
    notes = Document("notes.md", (documents.Block("A.", None, ("Fees",)), documents.Block("B.", None, ("Fees", "Refunds")),
                                  documents.Block("C.", None, ("Fees", "Refunds"))))
    assert [(c.citation(), c.text) for c in chunk_document(notes)] == [
        ("[notes.md § Fees]", "A."), ("[notes.md § Fees > Refunds]", "B. C.")]
    deep = Chunk("a.docx", "x", 4, ("One", "Two", "Three", "F" * 50))
    assert deep.citation() == f"[a.docx p.4 § Two > Three > {'F' * 39}…]"
    assert deep.source() == {"file": "a.docx", "page": 4, "headings": ["One", "Two", "Three", "F" * 50],
                             "citation": deep.citation()[1:-1]}


WINTER = ("Winter maintenance starts in November. Boats are lifted out of the water, the hulls are cleaned and "
          "inspected for cracks, and the engines are flushed with fresh water. Batteries are taken home or kept on a "
          "trickle charger. Sails are dried, folded and stored in the loft. The fuel tank is filled to the top to keep "
          "condensation out, and the outboard's replacement filter XK-4471 is fitted before launch in spring.")
PARTS = ["Part XK-4417 is a brass valve.", "Part XK-4470 is a rubber seal.", "Part KX-4471 is a steel hinge.",
         "Part XK-4472 is a fuel hose.", "Codes beginning with XK are engine parts.", "Part XK-4714 is a gasket."]


def test_bm25_finds_an_exact_code_that_dense_misses(tmp_path, embedder):
    chunks = [Chunk("club.md", t) for t in [WINTER, *PARTS]]

    def top(mode, query, k=3):
        return [c.text for c in ChunkSearch(chunks, tmp_path, mode=mode, embedder=embedder).search(query, k)]

    assert WINTER not in top("dense", "XK-4471")  # the code is one word of a long passage about winter
    assert top("bm25", "XK-4471") == [WINTER]  # the only passage naming it; the lookalikes do not match
    assert top("hybrid", "XK-4471")[0] == WINTER
    assert top("bm25", "refund") == [] and top("bm25", "filters")[0] == WINTER  # stemmed: filters -> filter


def test_the_index_key_follows_chunks_chunking_and_kind(monkeypatch):
    chunks = [Chunk("a.md", "one"), Chunk("a.md", "two", None, ("H",))]
    key = index_key(chunks, "dense", "emb")
    assert key == index_key(list(chunks), "dense", "emb")
    assert key != index_key(chunks, "bm25", "emb") and key != index_key(chunks, "dense", "other")
    assert key != index_key([Chunk("a.md", "one"), Chunk("a.md", "two")], "dense", "emb")  # a heading moved
    monkeypatch.setattr("seer_cli.toolkits.retrieval.CHUNKING", "another-chunking")
    assert key != index_key(chunks, "dense", "emb")


def test_retrieve_cites_the_page_and_the_headings(mixed, tmp_path, embedder):
    kit = GeneralToolkit(docs=mixed, cache_dir=tmp_path / "cache", embedder=embedder)
    out = kit.call("Retrieve", {"query": "harbour gate code"})
    first = out.split("\n\n")[0]
    assert first == ("[handbook.pdf p.2] Security. The harbour gate code is 5821. Close the gate behind you. "
                     "The rescue launch is called Petrel.")
    assert "[notes.md § Notes > Refunds] Membership fees are refunded" in kit.call("Retrieve", {"query": "refund of fees"})
    assert kit.sources[0].citation() == "[handbook.pdf p.2]" and len(kit.sources) == len(set(kit.sources))
    assert kit.docs_context().startswith("Documents (4 files: fleet.docx, handbook.pdf, notes.md, rules.html)")


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_seer_retrieval_picks_the_mode(mixed, tmp_path, monkeypatch, mode):
    from seer_cli.config import load_settings
    from seer_cli.toolkits.build import build_toolkit

    monkeypatch.setenv("SEER_RETRIEVAL", mode)
    kit = build_toolkit("general", docs=mixed, settings=load_settings())
    search = kit._doc_search()
    assert (search.dense is not None, search.bm25 is not None) == {"dense": (True, False), "bm25": (False, True),
                                                                    "hybrid": (True, True)}[mode]
    assert kit.call("Retrieve", {"query": "harbour gate code"}).startswith("[handbook.pdf p.2]")


def test_an_unknown_retrieval_mode_is_a_one_line_error(monkeypatch):
    from seer_cli.config import load_settings

    monkeypatch.setenv("SEER_RETRIEVAL", "fuzzy")
    with pytest.raises(UserError, match="SEER_RETRIEVAL: retrieval must be one of hybrid, dense, bm25, not 'fuzzy'"):
        load_settings()


def test_the_sources_line():
    from seer_cli.cli.run import sources_line

    cites = [{"citation": c} for c in ["a.pdf p.2", "notes.md § Refunds", "b.html", "c.docx § Fleet", "d.txt"]]
    assert sources_line(cites[:2]) == "Sources: a.pdf p.2; notes.md § Refunds"
    assert sources_line(cites) == "Sources: a.pdf p.2; notes.md § Refunds; b.html; c.docx § Fleet (+1 more)"


@pytest.mark.model
def test_seer_run_answers_from_the_pdf_and_cites_it(mixed, gguf_path):
    """The real 0.5B over the mixed folder: the launch's name is only in the PDF, on page 2. (On an
    AVX-512 host the 0.5B retrieves three times, saying "Petrel" in its thoughts, and answers at the
    step after the third identical call, whose grammar holds only Finish.)"""
    result = CliRunner().invoke(app, ["run", "--docs", str(mixed), "--json", "--no-learn", "--max-steps", "6",
                                      "What is the name of the club's rescue launch?"])
    assert result.exit_code == 0, result.output
    reply = orjson.loads(result.stdout)
    assert "petrel" in str(reply["answer"]).lower()
    assert any(s["tool"] == "Retrieve" for s in reply["steps"])
    assert {"file": "handbook.pdf", "page": 2, "headings": [], "citation": "handbook.pdf p.2"} in reply["sources"]


def test_self_practice_makes_tasks_from_a_pdf(tmp_path, embedder):
    """Self-practice reads documents through the same readers: a fact on a PDF's page becomes a task
    whose Retrieve shows that page."""
    import random

    from seer_cli.practice.docs import generate

    folder = tmp_path / "pdfonly"
    folder.mkdir()
    make_pdf(folder / "fees.pdf", ["Welcome to the sailing club.",
                                   "Winter storage for one dinghy costs 120 euros per season, paid in October."])
    kit = GeneralToolkit(docs=folder, cache_dir=tmp_path / "cache", embedder=embedder)
    tasks = list(generate(kit, random.Random(0)))
    assert [(t.answer, t.covers["doc"]) for t in tasks] == [("120", "fees.pdf")]
    assert "[fees.pdf p.2]" in kit.call("Retrieve", tasks[0].calls[0].args)


def test_a_snippet_starts_at_the_list_entry_that_answers():
    """A manual's option list has no full stops once its lines are joined: the snippet window was a
    whole run from the list's start, and the word every entry says ("sort") counted as much as the
    one only the answer says ("extension"). Entries split a passage, and rarer words weigh more."""
    from seer_cli.toolkits.retrieval import snippet

    entries = ["-r, --reverse reverse order while sorting", "-S sort by file size, largest first",
               "--sort=WORD sort by WORD instead of name", "-t sort by time, newest first",
               "-u with -lt: sort by, and show, access time", "-U do not sort; list entries in directory order",
               "-v natural sort of (version) numbers within text", "-x list entries by lines instead of by columns",
               "-X sort alphabetically by entry extension", "-Z, --context print any security context of each file"]
    text = " ".join(entries * 2)
    got = snippet(text, "Which single-letter ls option sorts files by their extension?", 120)
    assert got.startswith("… -X sort alphabetically by entry extension"), got
    timer = ("Each setting takes a time span value. PollIntervalMinSec= defaults to 32 seconds and must not be smaller "
             "than 16 seconds. PollIntervalMaxSec= defaults to 34 min 8 s and must be larger than PollIntervalMinSec=. "
             "ConnectionRetrySec= Specifies the minimum delay before attempts to contact a new server. Defaults to 30 seconds.")
    assert "32 seconds" in snippet(timer, "What is the default of PollIntervalMinSec=?", 100)


def test_retrieve_shows_the_sentences_that_answer_within_the_prompts_budget(tmp_path):
    """The prompt shows the model the first prompt_observation_chars of an observation; whole
    ~200-word passages put the answer past that cut for 41 of 50 real document questions (the
    evidence was visible in 9). Each passage is cut to the run of sentences holding the query's words."""
    from seer_cli.config import Settings
    from seer_cli.toolkits.general import SNIPPET_CHARS
    from seer_cli.toolkits.retrieval import snippet

    filler = "Members meet every Tuesday in the clubhouse and guests sign the book at the office. " * 6
    text = filler + "The harbour gate opens with code 4471 between sunrise and sunset. " + filler
    got = snippet(text, "Which code opens the harbour gate?", SNIPPET_CHARS[0])
    assert "code 4471" in got and len(got) <= SNIPPET_CHARS[0] + 4 and got.startswith("… ") and got.endswith(" …")
    assert snippet("Short passage.", "anything", SNIPPET_CHARS[0]) == "Short passage."
    docs = tmp_path / "club"
    docs.mkdir()
    (docs / "club.md").write_text("# Club\n\n" + text + "\n")
    kit = GeneralToolkit(docs=docs, cache_dir=tmp_path / "cache", retrieval="bm25")
    try:
        obs = kit.call("Retrieve", {"query": "harbour gate code"})
    finally:
        kit.close()
    assert obs.startswith("[club.md § Club] ") and "4471" in obs[: Settings().prompt_observation_chars]


def test_retrieve_in_an_episode_ranks_by_the_question_too(tmp_path):
    """The 1.5B's queries drop what a question turns on ("package installation and removal
    scripts" for "What must ... scripts do when there is no terminal to talk to the user?"). Inside
    an episode Retrieve fuses the question's ranking with the query's and cuts snippets around the
    words of both; outside one (practice's generation, replays) it ranks by the query alone."""
    from scripted import Scripted

    from seer_cli.agent import ActionStep, Agent
    from seer_cli.config import load_settings

    docs = tmp_path / "policy"
    docs.mkdir()
    topics = ["Maintainer scripts are shell scripts run before and after a package is unpacked.",
              "Installation scripts must be idempotent so that a rerun does no harm.",
              "Removal scripts clean up files the package created at run time.",
              "Scripts may use debconf to ask the user questions during installation.",
              "Packages must not ask questions in their scripts when they run with no terminal; they fall back to defaults."]
    for i, text in enumerate(topics):
        (docs / f"part{i}.md").write_text(f"# Part {i}\n\n{text} Scripts and packages and installation scripts.\n")
    kit = GeneralToolkit(docs=docs, cache_dir=tmp_path / "cache", retrieval="bm25")
    question = "What must installation scripts do when there is no terminal?"
    try:
        alone = kit.call("Retrieve", {"query": "installation scripts"})
        step = json.dumps({"thought": "t", "tool": "Retrieve", "args": {"query": "installation scripts"}})
        agent = Agent(Scripted([step, json.dumps({"thought": "t", "tool": "Finish", "args": {"answer": "fall back to defaults"}})]),
                      kit, None, None, load_settings(), recall="none", k=0, max_steps=3)
        steps = list(agent.run(question, intent="docs"))
        assert kit.question is None  # the episode is over
    finally:
        kit.close()
    shown = next(s for s in steps if isinstance(s, ActionStep) and s.tool == "Retrieve").observation
    assert "no terminal" not in alone and "no terminal" in shown, (alone, shown)
    # a query sharing no word with the question (the 1.5B searched for the refusal it had just read,
    # "nothing has been looked up yet") is replaced by the question
    kit = GeneralToolkit(docs=docs, cache_dir=tmp_path / "cache", retrieval="bm25")
    try:
        with kit.asked(question):
            copied = kit.call("Retrieve", {"query": "nothing has been looked up yet"})
            asked = kit.call("Retrieve", {"query": question})
    finally:
        kit.close()
    assert copied == asked and "no terminal" in copied


def test_permalink_marks_are_not_text():
    """Sphinx puts a ¶ link in every heading; it leaked into citations ("§ Contents ¶ > 3. Python Packaging ¶")."""
    page = ('<html><body><h1>Python Policy<a class="headerlink" href="#top">¶</a></h1>'
            '<h2>3. Packaging<a class="headerlink" href="#p">¶</a></h2><p>Modules go in dist-packages.</p></body></html>')
    blocks = documents.read_html(page)
    assert [(b.text, b.headings) for b in blocks] == [("Modules go in dist-packages.", ("Python Policy", "3. Packaging"))]
