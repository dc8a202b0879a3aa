"""Document tasks the model proposes: kept only with an answer copied from the passage and a
question that leads Retrieve back to it. The scripted backend plays the proposer; documents,
chunking, the real MiniLM index and Retrieve are real."""

from __future__ import annotations

import json
import random

from seer_cli.practice import doc_questions
from seer_cli.toolkits import get_toolkit

from scripted import Scripted

GUIDE = """# Backups

The nightly backup job starts at 02:30 and writes its archives to /srv/backup/nightly, where they are
kept for 14 days before the cleaner removes them. Operators who need an archive for longer copy it
to the cold store by hand and write the ticket number in the archive's name, so that the cleaner
leaves it alone and the auditors can find it again at the end of the quarter.

# Accounts

New accounts get the login shell /bin/zsh unless the request names another one, and their home
directory is created under /home/staff with mode 0750 so that other staff cannot list its files.
An account that has not logged in for ninety days is locked by the audit script and must be
reopened by the service desk after the owner confirms who they are on the phone.
"""


def _kit(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ops-guide.md").write_text(GUIDE)
    return get_toolkit("general", docs=docs, embedder=embedder)


def _reply(question, answer):
    return json.dumps({"question": question, "answer": answer})


def test_only_proposals_copied_from_the_passage_and_found_again_are_tasks(tmp_path, embedder):
    kit = _kit(tmp_path, embedder)
    try:
        passages = doc_questions._passages(kit, random.Random(0))
        assert {p.headings[-1] for p in passages} == {"Backups", "Accounts"}
        replies = {
            "Backups": _reply("Where does the nightly backup put its archives?", "/SRV/backup/nightly"),
            "Accounts": _reply("What login shell do new staff accounts get?", "/bin/zsh"),
        }
        backend = Scripted([replies[p.headings[-1]] for p in passages], repeat_last=False)
        tasks = list(doc_questions.generate(kit, random.Random(0), backend))
    finally:
        kit.close()
    assert backend.calls == len(passages)
    by_answer = {t.answer: t for t in tasks}
    assert set(by_answer) == {"/srv/backup/nightly", "/bin/zsh"}  # the passage's own casing, not the model's
    shell = by_answer["/bin/zsh"]
    assert shell.kind == "docs" and shell.calls[0].tool == "Retrieve" and shell.calls[0].args == {"query": shell.question}
    assert shell.covers["op"] == "proposed" and shell.covers["doc"] == "ops-guide.md"


def test_proposals_no_reader_would_ask_are_refused():
    passage = "Section 4.2 covers retention. Archives are kept for 14 days before the cleaner removes them."
    ok = doc_questions.acceptable
    assert ok("How long are archives kept before they are removed?", "14 days", passage)
    assert not ok("How long are archives kept?", "30 days", passage)  # not in the passage
    assert not ok("Which section covers retention?", "4.2", passage)  # a section number
    assert not ok("How long are archives kept for 14 days?", "14 days", passage)  # the answer in the question
    assert not ok("What happens to archives?", "Archives are kept for 14 days before the cleaner removes them", passage)  # a sentence
    assert not ok("Is there a cleaner for old archives?", "yes", passage + " yes")  # says nothing
    assert not ok("What is the retention section called?", "retention", passage, ("Retention",))  # a heading
    assert not ok("archives kept how long", "14 days", passage)  # not a question
    # an amount asked, a name answered (journald.conf(5): "What is the maximum time to store entries ...?" -> MaxFileSec)
    journal = "MaxFileSec= The maximum time to store entries in a single journal file before rotating to the next one."
    assert not ok("What is the maximum time to store entries in a single journal file?", "MaxFileSec", journal)
    assert ok("Which setting limits the time entries stay in one journal file?", "MaxFileSec", journal)


def test_a_retrieval_vouches_only_for_an_answer_it_shows_as_words_of_their_own():
    """logrotate(8)'s proposal "What is the default rotation interval for weekly logs?" -> "0" was
    derived by a Retrieve whose passage held a 0 somewhere."""
    from seer_cli.practice.docs import shows_answer

    obs = "[logrotate.8.txt] weekly [weekday] Log files are rotated once each weekday, 0 means Sunday. Keep 2560 bytes."
    assert not shows_answer(obs, "0")  # one character: in almost any passage
    assert not shows_answer(obs, "256") and shows_answer(obs, "2560")  # inside another number
    assert shows_answer(obs, "0 means  Sunday") and shows_answer(obs, "WEEKLY")


def test_no_model_no_documents_or_no_budget_means_no_call(tmp_path, embedder):
    kit = _kit(tmp_path, embedder)
    try:
        backend = Scripted([_reply("q?", "a")])
        assert list(doc_questions.generate(kit, random.Random(0), None)) == []
        assert list(doc_questions.generate(kit, random.Random(0), backend, budget=0)) == [] and backend.calls == 0
        assert list(doc_questions.generate(kit, random.Random(0), Scripted(["not json"]))) == []
    finally:
        kit.close()


def test_the_real_model_proposes_what_the_passage_says(tmp_path, embedder, llm):
    """The bundled 0.5B as the proposer, greedy, on the two passages of the guide: every proposal it
    makes is a question with an answer copied from that passage, and one or more survive the
    Retrieve check as tasks."""
    kit = _kit(tmp_path, embedder)
    try:
        passages = doc_questions._passages(kit, random.Random(0))
        proposals = [(p, doc_questions.propose(llm, p)) for p in passages]
        tasks = list(doc_questions.generate(kit, random.Random(0), llm))
    finally:
        kit.close()
    made = [(p, prop) for p, prop in proposals if prop is not None]
    assert made, "the 0.5B proposed nothing acceptable for either passage"
    for p, (question, answer) in made:
        assert question.endswith("?") and answer.lower() in p.text.lower() and answer.lower() not in question.lower()
    assert tasks and all(t.answer in GUIDE for t in tasks)
