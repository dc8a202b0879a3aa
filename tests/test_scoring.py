"""Answer scoring: the official ToolQA normalisation, the lenient match, the LLM judge (real
0.5B model), and the paired statistics against values computed by hand."""

from __future__ import annotations

import pytest

from seer_cli.evals.scoring import em_match, lenient_match, llm_judge, mcnemar, normalize_answer, paired_bootstrap


@pytest.mark.parametrize(
    "raw, normalised",
    [
        ("The Cat!", "cat"),  # lower, punctuation, article
        ("  an   apple  a day ", "apple day"),
        ("$42.0 USD", "420"),  # official quirk: the decimal point is punctuation
        ("USD usdt", "usdt"),  # only the whole word usd goes
        ("Theory", "theory"),
        ("A, B and C.", "b and c"),
        ("2022-01-05", "20220105"),
        (17, "17"),
    ],
)
def test_normalize_answer_matches_official_behaviour(raw, normalised):
    assert normalize_answer(raw) == normalised


def test_em_is_the_official_string_comparison():
    assert em_match("The Hilton", "hilton")
    assert em_match(" 12 ", 12)
    assert not em_match("17", "17.0")  # "17" != "170" after the official normalisation
    assert not em_match(None, "x")


@pytest.mark.parametrize(
    "pred, gold",
    [("17", "17.0"), ("1.7%", "1.7"), ("$ 42.0", "42"), ("1,234", "1234"), ("12,345.5 dollars", "12345.50 dollars"),
     ("3.14159", "3.14"), ("-0.5", "-0.50"), ("Boston.", "the boston"), ("nan", "nan"), ("42.00 USD", "$42")],
)
def test_lenient_accepts_number_formats(pred, gold):
    assert lenient_match(pred, gold)


@pytest.mark.parametrize(
    "pred, gold",
    [("17.4", "17"), ("3.1", "3.14"), ("42 dollars", "42"), ("The answer is 5", "5"), ("cat", "dog"), ("", "0"),
     ("1234", "1,235"), (None, "1")],
)
def test_lenient_is_strict_on_words_and_values(pred, gold):
    assert not lenient_match(pred, gold)


def test_mcnemar_exact_by_hand():
    # 6 questions only A gets right, 1 only B: p = 2 * (C(7,0) + C(7,1)) / 2^7 = 16/128
    a = [True] * 6 + [False] + [True] * 5 + [False] * 3
    b = [False] * 6 + [True] + [True] * 5 + [False] * 3
    assert mcnemar(a, b) == pytest.approx(16 / 128)
    assert mcnemar(a, a) == 1.0
    assert mcnemar([True] * 10, [False] * 10) == pytest.approx(2 / 2**10)


def test_paired_bootstrap_sign_and_bounds():
    a = [True] * 10 + [True, False] * 5
    b = [False] * 10 + [True, False] * 5
    diff, lo, hi = paired_bootstrap(a, b, n=2000, seed=1)
    assert diff == pytest.approx(0.5)
    assert 0 < lo < diff < hi <= 1
    d2, lo2, hi2 = paired_bootstrap(b, a, n=2000, seed=1)
    assert (d2, lo2, hi2) == pytest.approx((-0.5, -hi, -lo))  # same resamples, mirrored
    assert paired_bootstrap(a, a) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        paired_bootstrap([True], [True, False])


def test_llm_judge_with_the_real_model(llm):
    assert llm_judge(llm, "How many apples are in the basket?", "There are 12 apples.", "12") is True
    assert llm_judge(llm, "How many apples are in the basket?", None, "12") is False
    assert llm_judge(llm, "How many apples are in the basket?", "None", "12") is False
    assert isinstance(llm_judge(llm, "Which city hosts the fair?", "Paris", "Lisbon"), bool)
