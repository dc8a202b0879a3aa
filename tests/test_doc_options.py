"""Practice tasks from a manual's entries: "which option does X" and "what is Y's default",
read from an entry's head and description, kept only when Retrieve on the question finds them."""

from __future__ import annotations

import random

from seer_cli.practice import doc_options
from seer_cli.toolkits import get_toolkit


def test_an_entrys_head_and_description_are_read():
    assert doc_options.entries("-J, --xz Filter the archive through xz(1).") == (["-J", "--xz"], "Filter the archive through xz(1).")
    assert doc_options.entries("--max-redirs <num> (HTTP) Set maximum number of redirections to follow.") == (
        ["--max-redirs"], "Set maximum number of redirections to follow.")
    assert doc_options.entries("-a rounds When saving a private key, this option specifies the rounds.") == (
        ["-a"], "When saving a private key, this option specifies the rounds.")
    assert doc_options.entries("AccuracySec= Specify the accuracy the timer shall elapse with. Defaults to 1min.")[0] == ["AccuracySec="]
    assert doc_options.entries("-L, --logical dereference TARGETs that are symbolic links") is None  # no sentence follows
    assert doc_options.entries("The archive is read from standard input.") is None


def test_which_option_and_default_questions_are_what_a_reader_asks():
    assert doc_options.which_option(["-J", "--xz"], "Filter the archive through xz(1).", "tar") == (
        "Which single-letter tar option filters the archive through xz?", "-J")
    assert doc_options.which_option(["--lzma"], "Filter the archive through lzma(1).", "tar") == (
        "Which tar option filters the archive through lzma?", "--lzma")
    assert doc_options.which_option(["AccuracySec="], "Specifies the accuracy the timer shall elapse with.", "systemd.timer") == (
        "Which systemd.timer setting specifies the accuracy the timer shall elapse with?", "AccuracySec=")
    for opts, text in ((["ExecStart="], "Commands with their arguments that are executed when started."),  # a noun, not a verb
                       (["ExecStopPost="], "Additional commands that are executed after the service is stopped."),
                       (["RootDistanceMaxSec="], "Maximum acceptable root distance, i.e. the time."),
                       (["-Y"], "Request to verify a signature generated using ssh-keygen -Y sign."),  # the answer in the question
                       (["-z"], "Compress.")):  # too short to ask
        assert doc_options.which_option(opts, text, "x") is None, text
    assert doc_options.default_of(["AccuracySec="], "Specify the accuracy. Defaults to 1min.", "systemd.timer") == (
        "What is the default of AccuracySec= in systemd.timer?", "1min")
    assert doc_options.default_of(["-G", "--groups"], "A list of groups. The default is for the user to belong only to "
                                                        "the initial group.", "useradd") is None


def test_manual_entries_become_tasks_checked_by_retrieve(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tar.1.txt").write_text("OPTIONS\n\n-j, --bzip2\n       Filter the archive through bzip2(1).\n\n"
                                    "-J, --xz\n       Filter the archive through xz(1).\n\n"
                                    "--checkpoint[=N]\n       Display progress messages every Nth record. Defaults to 10.\n")
    kit = get_toolkit("general", docs=docs)
    try:
        made = {(t.question, t.answer) for t in doc_options.generate(kit, random.Random(0))}
    finally:
        kit.close()
    assert ("Which single-letter tar option filters the archive through xz?", "-J") in made
    assert ("What is the default of --checkpoint in tar?", "10") in made
    assert all(t[1] not in t[0] for t in made)
