from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from default_runs import step_records
from gradcheck import assert_gradients_match

from app.ml.models.base import CROSS_ENTROPY_DIVERGENCE_LOSS, TrainableModel
from app.ml.models.language import NextWordModel, join_words
from app.ml.text import SPECIAL_TOKENS, TextData, Vocabulary
from app.runs.kinds import kind_of
from app.runs.specs import LanguageSpec

LANGUAGE = LanguageSpec(model="language")  # the app's default run

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


def test_untrained_model_is_close_to_a_uniform_guess() -> None:
    setup = kind_of(LANGUAGE).build(LANGUAGE, None)  # the default run before its first step
    model, text = setup.model, setup.text
    size = len(text.vocabulary)
    assert 0.5 * size < model.perplexity(text.dataset) < 2.0 * size


# -- the app's default run (LanguageSpec) ---------------------------------------------


def test_default_run_perplexity_is_far_below_the_vocabulary_size(
    trained_language: tuple[NextWordModel, TextData],
) -> None:
    model, text = trained_language
    size = len(text.vocabulary)
    held_out = model.perplexity(text.dataset)
    # A uniform guess scores the vocabulary size (393 words at the default seed 7); the
    # default run reaches 21.9 held out (17.8-22.6 over seeds 0-9) and 8.4 in training.
    # The held-out one is near its lowest at 600 steps (20.9 after 500) and rises in longer
    # runs (23.8 after 800, 26.7 after 1,000) as the training one keeps falling.
    assert held_out < size / 4
    assert held_out < 25
    assert model.perplexity(text.dataset, "train") < held_out


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("the cat sat on the", {"mat"}),
        # The model sees the last two words only: "in the" is followed by "morning" 26
        # times and by "evening" 18 in the training sentences, "I drink" by "tea" 8 times
        # and by "a" 3. Each pair is a near tie for the model after 600 steps (evening 0.18
        # against morning 0.17; a 0.21 against tea 0.19), so it asserts the top two.
        ("I drink tea in the", {"morning", "evening"}),
        ("I drink", {"tea", "a"}),
        ("thank", {"you"}),
        ("Good", {"morning"}),
        ("It is cold. The cat sat on the", {"mat"}),  # only the last sentence counts
    ],
)
def test_top_next_words_after_common_prompts(
    trained_language: tuple[NextWordModel, TextData], prompt: str, expected: set[str]
) -> None:
    model, _ = trained_language
    prediction = model.next_word_probabilities(prompt, top_k=3)
    assert {word for word, _ in prediction.words[: len(expected)]} == expected
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
    model, _ = trained_language  # replayed frame by frame, as the app rebuilds a model
    short = LanguageSpec(model="language", steps=50)
    first, first_records = step_records(short)
    second, second_records = step_records(short)
    losses = [r.batch_loss for r in first_records]
    assert len(losses) == short.steps
    assert losses == [r.batch_loss for r in second_records]
    assert first.model.fingerprint() == second.model.fingerprint()
    again, stream = step_records(LANGUAGE)  # the same spec stepped straight through
    assert len(list(stream)) == LANGUAGE.steps
    assert again.model.fingerprint() == model.fingerprint()


def test_huge_learning_rate_diverges_on_the_cross_entropy_threshold() -> None:
    spec = LanguageSpec(model="language", optimizer="sgd", learning_rate=100.0, steps=300)
    setup, stream = step_records(spec)  # the largest step size a spec allows
    records = list(stream)
    last = records[-1]
    assert last.diverged and len(records) < spec.steps
    assert not math.isfinite(last.batch_loss) or last.batch_loss > CROSS_ENTROPY_DIVERGENCE_LOSS
    assert records[0].batch_loss < np.log(len(setup.text.vocabulary)) + 1


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
