"""The plain-language receipt, sentence by sentence, worked by hand."""

from __future__ import annotations

import pytest

from app.costs.estimate import Assumptions
from app.costs.figures import FIGURES
from app.costs.receipt import receipt
from app.costs.side_by_side import SideBySide, side_by_side

MU = "\N{MICRO SIGN}"

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)


def sides(
    training: tuple[int, int] = (26_400_000, 61_800_000),  # 61.8 ms: 0.309 J
    answer: tuple[int, int] = (2_300, 12_000),  # 12 us: 60 uJ
    assumptions: Assumptions = WORLD,
) -> SideBySide:
    return side_by_side(*training, *answer, assumptions, answer_timings=31)


SIDE = sides()


def test_receipt_training_sentence_is_hand_worked() -> None:
    first = receipt(SIDE, 5, FIGURES)[0]
    # 0.309 J against 0.24 Wh = 864 J: 0.0358%, two significant figures 0.036%
    assert first == (
        "Training this model took 26.4 million arithmetic operations and 61.8 ms of "
        "computing, about 0.309 J of energy: about 0.036% of the energy of one chatbot "
        "prompt (0.24 Wh, Google 2025)."
    )


def test_receipt_names_assumptions_and_their_sources() -> None:
    second = receipt(SIDE, 5, FIGURES)[1]
    # 0.309 J = 8.583e-8 kWh x 473 g = 40.6 ug; 61.8 ms x $0.05/h = $8.6e-7
    assert "5 W while computing (our assumption)" in second
    assert "World grid's 473 g of CO2 per kWh (Ember 2025, for 2024)" in second
    assert "$0.05 per core-hour (our assumption)" in second
    assert f"40.6 {MU}g of CO2" in second
    assert "less than $0.000001" in second


def test_receipt_compares_answers_to_training() -> None:
    lines = receipt(SIDE, 5, FIGURES)
    text = " ".join(lines)
    assert (
        f"Answering one question took 2,300 arithmetic operations and 12 {MU}s asked on its "
        "own (the middle of 31 timings)"
    ) in text
    # A million answers: 60 J, 60 J = 1.667e-5 kWh x 473 g = 7.88 mg; 12 s x $0.05/h = $0.00017
    assert "a million such answers would use 60 J, emit 7.88 mg of CO2 and cost $0.00017" in text
    # 26.4e6 / 2,300 = 11,478.3: the 11,479th answer reaches training; 0.309 J / 60 uJ = 5,150
    assert "as much arithmetic as 11,479 answers" in text
    assert "money as 5,150 answers" in text
    # 5 x 60 uJ = 300 uJ, 300e-6 / 0.309 = 0.097%
    assert f"Your 5 answers together used about 300 {MU}J, 0.097% of what training used" in text
    assert "After 5,150 answers, answering will have used as much energy as training" in text
    assert "already passed" not in text
    assert lines[-1].endswith("after about 592 million answers (Luccioni et al. 2024).")


def test_receipt_after_passing_break_even() -> None:
    text = " ".join(receipt(SIDE, 6000, FIGURES))
    assert "You have already passed that point." in text


def test_receipt_before_any_question_and_with_unmeasurable_answers() -> None:
    lines = receipt(sides(answer=(2_300, 0)), 0, FIGURES)
    text = " ".join(lines)
    assert "too quick for the clock to measure its time" in text
    assert "You have not asked it anything yet" in text
    # 26.4e6 / 2,300 = 11,478.3 -> the 11,479th answer catches up by arithmetic
    assert "So training took as much arithmetic as 11,479 answers." in text
    assert "answering will have used" not in text  # no break-even by time without a time


def test_receipt_when_training_outweighs_a_prompt() -> None:
    long_run = sides(training=(10**12, 3_600 * 10**9))  # an hour at 5 W = 5 Wh
    first = receipt(long_run, 1, FIGURES)[0]
    assert "about 21 times the energy of one chatbot prompt (0.24 Wh, Google 2025)" in first


def test_receipt_marks_the_readers_own_choices() -> None:
    mine = Assumptions(watts=20, region="france", price_per_hour=0.1)
    second = receipt(sides(training=(10, 10**9), assumptions=mine), 1, FIGURES)[1]
    assert "20 W while computing (your choice)" in second
    assert "France grid's 57 g of CO2 per kWh (Luccioni et al. 2022, for 2022)" in second
    assert "$0.10 per core-hour (your choice)" in second


def test_receipt_never_shows_nan_or_unitless_zero() -> None:
    for training in ((0, 0), (26_400_000, 61_800_000)):
        for answer in ((0, 0), (2_300, 12_000)):
            for line in receipt(sides(training, answer), 3, FIGURES):
                assert "nan" not in line.lower() and "inf" not in line.lower()


def test_receipt_refuses_negative_queries() -> None:
    with pytest.raises(ValueError):
        receipt(SIDE, -1, FIGURES)


def test_receipt_counts_one_answer_in_the_singular() -> None:
    text = " ".join(receipt(SIDE, 1, FIGURES))
    assert f"Your 1 answer used about 60 {MU}J, 0.019% of what training used." in text
