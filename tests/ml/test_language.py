from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from gradcheck import assert_gradients_match

from app.ml.models.base import CROSS_ENTROPY_DIVERGENCE_LOSS, TrainableModel
from app.ml.models.language import NextWordModel, join_words
from app.ml.optimizers import SGD
from app.ml.presets import LANGUAGE_PRESET, build_language, train_language
from app.ml.text import SPECIAL_TOKENS, TextData, Vocabulary
from app.ml.training import train_steps

TINY = Vocabulary([*SPECIAL_TOKENS, ".", "the", "cat", "sat", "on", "mat"])


def _batch(n: int = 12, context: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    # Few distinct ids, so the same word appears several times in a batch and in one
    # context: the embedding gradient must add those contributions up.
    x = rng.integers(0, len(TINY), size=(n, context)).astype(np.int64)
    y = rng.integers(0, len(TINY), size=n).astype(np.int64)
    return x, y


# -- gradients and paths --------------------------------------------------------------


@pytest.mark.parametrize("context", [1, 2, 3])
def test_gradient_matches_central_differences(context: int) -> None:
    model = NextWordModel(TINY, embedding_dim=3, hidden=5, seed=1, context=context)
    rng = np.random.default_rng(0)
    for param in model.params:
        param += rng.normal(scale=0.3, size=param.shape)  # off the small init
    x, y = _batch(context=context)
    _, grads = model.loss_and_grads(x, y)
    assert_gradients_match(model.params, grads, lambda: model.loss(x, y))


def test_training_and_inference_paths_agree() -> None:
    model = NextWordModel(TINY, 4, 6, seed=0)
    x, y = _batch(30)
    assert model.loss_and_grads(x, y)[0] == pytest.approx(model.loss(x, y), rel=1e-14)
    proba = model.predict_proba(x)
    assert proba.shape == (30, len(TINY))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_parameter_layout_and_identity() -> None:
    model: TrainableModel[np.ndarray, np.ndarray] = NextWordModel(TINY, 4, 6, seed=3)
    assert [p.shape for p in model.params] == [(8, 4), (8, 6), (6,), (6, 8), (8,)]
    assert model.n_parameters == 32 + 48 + 6 + 48 + 8
    assert NextWordModel(TINY, 4, 6, seed=3).fingerprint() == model.fingerprint()
    assert NextWordModel(TINY, 4, 6, seed=4).fingerprint() != model.fingerprint()
    clone = model.copy()
    clone.params[0][0, 0] += 1.0
    assert clone.fingerprint() != model.fingerprint()


def test_untrained_model_is_close_to_a_uniform_guess(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    _, text = trained_language
    model = NextWordModel(text.vocabulary, seed=0)
    size = len(text.vocabulary)
    assert 0.5 * size < model.perplexity(text.dataset) < 2.0 * size


# -- the default preset ---------------------------------------------------------------


def test_preset_perplexity_is_far_below_the_vocabulary_size(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, text = trained_language
    size = len(text.vocabulary)
    held_out = model.perplexity(text.dataset)
    # A uniform guess scores the vocabulary size (about 400); the preset reaches about 20.
    assert held_out < size / 4
    assert held_out < 25
    assert model.perplexity(text.dataset, "train") < held_out


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("the cat sat on the", "mat"),
        ("I drink tea in the", "morning"),
        ("I drink", "tea"),
        ("thank", "you"),
        ("Good", "morning"),
        ("It is cold. The cat sat on the", "mat"),  # only the last sentence counts
    ],
)
def test_top_next_word_after_common_prompts(
    trained_language: tuple[NextWordModel, TextData], prompt: str, expected: str
) -> None:
    model, _ = trained_language
    prediction = model.next_word_probabilities(prompt, top_k=3)
    assert prediction.words[0][0] == expected
    assert prediction.unknown_words == []
    probabilities = [p for _, p in prediction.words]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1


def test_unknown_words_are_reported_and_answered(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, _ = trained_language
    prediction = model.next_word_probabilities("The zebra sat on the", top_k=4)
    assert prediction.unknown_words == ["zebra"]
    assert prediction.words[0][0] == "mat"  # its context is "on the" only
    odd = model.next_word_probabilities("Qwzx qwzx flurb 猫", top_k=4)
    assert odd.unknown_words == ["qwzx", "flurb", "猫"]
    assert len(odd.words) == 4
    assert model.next_word_probabilities("", top_k=2).unknown_words == []


def test_special_tokens_are_never_offered(trained_language: tuple[NextWordModel, TextData]) -> None:
    model, _ = trained_language
    shown = model.next_word_probabilities("zebra zebra", top_k=50).words
    assert not {w for w, _ in shown} & set(SPECIAL_TOKENS)
    text = model.continue_text("zebra", 30, temperature=1.5, seed=1, stop_at_sentence_end=False)
    assert not {c.word for c in text.choices} & set(SPECIAL_TOKENS)


def test_greedy_continuation_completes_the_sentence(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, _ = trained_language
    result = model.continue_text("the cat sat on the", 10)
    assert result.text == "mat."
    first = result.choices[0]
    assert first.context == ("on", "the") and first.word == "mat"
    assert first.alternatives[0] == model.next_word_probabilities("on the", 3).words[0]
    assert first.probability == pytest.approx(first.alternatives[0][1])


def test_continuation_is_deterministic_and_greedy_without_a_seed(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, _ = trained_language
    greedy = model.continue_text("we go to", 12, temperature=0.0, seed=5)
    assert model.continue_text("we go to", 12, temperature=1.0, seed=None) == greedy
    sampled = model.continue_text("we go to", 12, temperature=1.0, seed=5)
    assert model.continue_text("we go to", 12, temperature=1.0, seed=5) == sampled
    others = {model.continue_text("we go to", 12, 1.0, seed=s).text for s in range(8)}
    assert len(others) > 1  # sampling does explore


def test_continuation_counts_words_and_restarts_after_a_full_stop(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, _ = trained_language
    long = model.continue_text("good", 20, stop_at_sentence_end=False)
    assert len(long.choices) == 20
    pairs = itertools.pairwise(long.choices)
    after_stop = [c for previous, c in pairs if previous.word == "."]
    assert after_stop and all(c.context == ("<s>", "<s>") for c in after_stop)
    assert model.continue_text("good", 0).text == ""
    with pytest.raises(ValueError):
        model.continue_text("good", 1000)


def test_join_words_attaches_full_stops() -> None:
    assert join_words(["mat", ".", "the", "dog", "."]) == "mat. the dog."
    assert join_words([]) == ""


# -- determinism and divergence -------------------------------------------------------


def test_training_is_bit_identical_under_a_seed(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, _ = trained_language
    short = dataclasses.replace(LANGUAGE_PRESET, steps=50)
    first, _, first_records = train_language(short)
    second, _, second_records = train_language(short)
    assert first.fingerprint() == second.fingerprint()
    assert [r.batch_loss for r in first_records] == [r.batch_loss for r in second_records]
    again, _, _ = train_language()
    assert again.fingerprint() == model.fingerprint()


def test_huge_learning_rate_diverges_on_the_cross_entropy_threshold() -> None:
    model, text, _ = build_language()
    records = list(train_steps(model, text.dataset, SGD(learning_rate=1e3), 300, 64, seed=0))
    last = records[-1]
    assert last.diverged and len(records) < 300
    assert not math.isfinite(last.batch_loss) or last.batch_loss > CROSS_ENTROPY_DIVERGENCE_LOSS
    assert records[0].batch_loss < np.log(len(text.vocabulary)) + 1


# -- FLOPs ----------------------------------------------------------------------------


def _flops_by_operation(c: int, d: int, h: int, v: int, n: int) -> tuple[int, int, int]:
    forward = [
        ("embedding lookup (a copy)", 0),
        ("hidden matmul multiplies", n * c * d * h),
        ("hidden matmul adds", n * c * d * h),
        ("hidden bias", n * h),
        ("tanh", n * h),
        ("output matmul multiplies", n * h * v),
        ("output matmul adds", n * h * v),
        ("output bias", n * v),
        *((f"softmax {step}", n * v) for step in ("max", "subtract", "exp", "sum", "divide")),
    ]
    loss = [("log normaliser", n), ("subtract true logit", n), ("mean", n)]
    backward = [
        ("P - Y", n * v),
        ("divide by n", n * v),
        ("dW2 multiply-adds", 2 * h * v * n),
        ("db2", n * v),
        ("dH multiply-adds", 2 * n * v * h),
        ("tanh derivative", n * h),
        ("derivative product", n * h),
        ("dW1 multiply-adds", 2 * c * d * h * n),
        ("db1", n * h),
        ("dEmb multiply-adds", 2 * n * h * c * d),
        ("scatter-add into dE", n * c * d),
    ]
    return (
        sum(count for _, count in forward),
        sum(count for _, count in loss),
        sum(count for _, count in backward),
    )


@pytest.mark.parametrize(("context", "d", "h"), [(2, 16, 64), (1, 3, 5), (3, 8, 32)])
@pytest.mark.parametrize("n", [1, 64])
def test_flops_match_an_operation_by_operation_count(context: int, d: int, h: int, n: int) -> None:
    model = NextWordModel(TINY, d, h, seed=0, context=context)
    forward, loss, backward = _flops_by_operation(context, d, h, len(TINY), n)
    assert model.flops_forward(n) == forward
    assert model.flops_loss(n) == loss
    assert model.flops_backward(n) == backward
