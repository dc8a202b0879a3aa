"""Write a tiny synthetic ToolQA directory: ``python tools/make_synthetic_toolqa.py OUT``.

Why: ``seer eval toolqa`` needs a ToolQA directory (questions + external corpus), the real corpus
is gigabytes, and tests must never use benchmark questions. This writes the made-up corpus of
``tools/make_tiny_toolqa.py`` (official file names and formats) plus question files in the
official JSONL format (``{"qid", "question", "answer"}``, ``data/questions/<split>/<domain>-<split>.jsonl``)
whose gold answers are computed from that corpus. Every question and value is invented.

Layout written under OUT::

    data/external_corpus/...            (make_tiny_toolqa.make)
    data/questions/easy/<domain>-easy.jsonl   two questions per domain
    data/questions/hard/<domain>-hard.jsonl   one question per domain (no gsm8k, as in ToolQA)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_tiny_toolqa as tiny  # noqa: E402


def _coffee(date: str, field: str):
    cols = {"Open": 1, "High": 2, "Low": 3, "Close": 4, "Volume": 5}
    return next(row[cols[field]] for row in tiny.COFFEE if row[0] == date)


def questions() -> dict[str, dict[str, list[tuple[str, object]]]]:
    """{split: {domain: [(question, answer), ...]}}, answers derived from the tiny corpus."""
    c = tiny.COFFEE
    oct_closes = [row[4] for row in c if row[0].startswith("2019-10")]
    zp102 = next(f for f in tiny.FLIGHTS if f[2] == "ZP" and f[3] == 102)
    cm7 = [f for f in tiny.FLIGHTS if f[2] == "CM" and f[3] == 7]
    bakery = [b for b in tiny.YELP if b["name"] == "Hilltop Bakery"]
    listing = tiny.AIRBNB[0]
    return {
        "easy": {
            "gsm8k": [("Ann packs 3 boxes with 4 pens each and gives away 5 pens. How many pens does she keep?", 3 * 4 - 5),
                      ("A train travels 60 km per hour for 2.5 hours. How many km does it travel?", 150.0)],
            "coffee": [("In the tiny coffee table, what was the closing price on 2019-10-02?", str(_coffee("2019-10-02", "Close"))),
                       ("In the tiny coffee table, how many units were traded on 2019-10-03?", _coffee("2019-10-03", "Volume"))],
            "flight": [(f"What was the departure delay in minutes of {zp102[2]}{zp102[3]} from {zp102[4]} to {zp102[5]} on {zp102[0]}?", str(zp102[8])),
                       (f"Was Comet Air flight {cm7[0][3]} from {cm7[0][4]} to {cm7[0][5]} cancelled on {cm7[0][0]}?", "Yes" if cm7[0][7] is None else "No")],
            "yelp": [(f"How many stars does {bakery[0]['name']} in {bakery[0]['city']} have?", str(bakery[0]["stars"])),
                     ("Is Riverside Diner in Betatown still open?", "No" if tiny.YELP[1]["is_open"] == 0 else "Yes")],
            "airbnb": [(f"Who hosts the listing {listing[1]} (id: {listing[0]})?", listing[2]),
                       (f"How many minimum nights does {listing[1]} (id: {listing[0]}) require?", str(float(listing[7])))],
            "dblp": [(f"In which year was the paper {tiny.PAPERS[1][1]} published?", tiny.PAPERS[1][2]),
                     ("How many co-authors does Dev Rao have in the tiny DBLP graph?", 2)],
            "scirex": [("What BLEU score does the Sprocket model reach on Baz-MT translation?", "29.3"),
                       ("What F1 score does GadgetBERT obtain on the Bar-QA dataset?", "77.4")],
            "agenda": [("Where is Priya's pottery workshop held?", "Clay Corner"),
                       ("What time does Marcus's jazz concert start?", "8:00 PM")],
        },
        "hard": {
            "coffee": [("What was the highest closing price of coffee in October 2019 in the tiny table?", str(max(oct_closes)))],
            "flight": [(f"How many Comet Air flights numbered {cm7[0][3]} appear in the tiny flights table?", len(cm7))],
            "yelp": [("How many Hilltop Bakery locations are there in the tiny yelp table?", len(bakery))],
            "airbnb": [("How many listings in Parkside does Orla host?", sum(1 for a in tiny.AIRBNB if a[2] == "Orla" and a[4] == "Parkside"))],
            "dblp": [("How many papers have Ada Quill and Ben Ortiz written together?", sum(1 for p in tiny.PAPERS if {"a1", "a2"} <= set(p[5])))],
            "scirex": [("Which dataset is WidgetNet evaluated on?", "Foo-Seg")],
            "agenda": [("Who has a dentist appointment on 2022/06/21?", "Priya")],
        },
    }


def make(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    tiny.make(out)
    for split, domains in questions().items():
        folder = out / "data" / "questions" / split
        folder.mkdir(parents=True, exist_ok=True)
        for domain, items in domains.items():
            lines = [json.dumps({"qid": f"{split}-{domain}-{i:04d}", "question": q, "answer": a}) for i, (q, a) in enumerate(items)]
            (folder / f"{domain}-{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/make_synthetic_toolqa.py OUT_DIR")
    print(make(sys.argv[1]))
