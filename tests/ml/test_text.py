from __future__ import annotations

import numpy as np
import pytest

from app.ml.text import (
    END,
    MAX_PROMPT_CHARS,
    SPECIAL_TOKENS,
    START,
    UNKNOWN,
    Vocabulary,
    context_examples,
    load_corpus,
    make_text_data,
    prompt_problem,
    split_sentences,
    tokenize,
)


def test_tokenize_keeps_lower_case_words_and_full_stops() -> None:
    text = "The cat, it SAT!  Don't you know? Yes… 42 cats."
    assert tokenize(text) == [
        "the", "cat", "it", "sat", ".", "don't", "you", "know", ".", "yes", "cats", ".",
    ]  # fmt: skip
    assert tokenize("It\u2019s fine.") == ["it's", "fine", "."]


def test_split_sentences_closes_every_sentence_and_skips_empty_ones() -> None:
    tokens = tokenize("a b. . c!  d")
    assert split_sentences(tokens) == [["a", "b", "."], ["c", "."], ["d", "."]]


def test_vocabulary_orders_by_count_then_spelling_after_the_special_tokens() -> None:
    sentences = [["b", "a", "."], ["a", "c", "."], ["a", "b", "."]]
    vocabulary = Vocabulary.from_sentences(sentences, min_count=2)
    assert vocabulary.words == (*SPECIAL_TOKENS, ".", "a", "b")
    assert vocabulary.token_id("c") == vocabulary.token_id(UNKNOWN) == 0
    assert vocabulary.encode(["a", "zebra"]) == [3, 0]  # "." and "a" tie at 3: by spelling
    assert "a" in vocabulary and "c" not in vocabulary and len(vocabulary) == 5


def test_vocabulary_rejects_a_list_without_the_special_tokens_first() -> None:
    with pytest.raises(ValueError):
        Vocabulary(["a", UNKNOWN, START])
    with pytest.raises(ValueError):
        Vocabulary([*SPECIAL_TOKENS, "a", "a"])


def test_context_examples_pad_each_sentence_with_start_tokens() -> None:
    vocabulary = Vocabulary([*SPECIAL_TOKENS, ".", "the", "cat", "sat"])
    x, y = context_examples([["the", "cat", "sat", "."], ["cat", "."]], vocabulary, 2)
    s, the, cat, sat, stop = 1, 3, 4, 5, 2
    np.testing.assert_array_equal(x, [[s, s], [s, the], [the, cat], [cat, sat], [s, s], [s, cat]])
    np.testing.assert_array_equal(y, [the, cat, sat, stop, cat, stop])
    assert x.dtype == np.int64 and y.dtype == np.int64


def test_corpus_is_a_few_thousand_everyday_words() -> None:
    words = [t for t in tokenize(load_corpus()) if t != END]
    assert 3000 <= len(words) <= 5000
    assert "#" not in load_corpus()  # the note lines are not text
    with pytest.raises(ValueError):
        load_corpus("encyclopaedia")


def test_text_data_splits_by_sentence_and_learns_words_from_training_only() -> None:
    text = make_text_data(load_corpus(), seed=0)
    n_sentences = len(split_sentences(tokenize(load_corpus())))
    assert len(text.train_sentences) + len(text.held_out_sentences) == n_sentences
    assert len(text.held_out_sentences) == round(0.15 * n_sentences)
    counts: dict[str, int] = {}
    for sentence in text.train_sentences:
        for token in sentence:
            counts[token] = counts.get(token, 0) + 1
    assert all(counts[w] >= 2 for w in text.vocabulary.words if w not in SPECIAL_TOKENS)
    data = text.dataset
    assert data.n_classes == len(text.vocabulary)
    assert len(data.y_train) == sum(len(s) for s in text.train_sentences)
    assert len(data.y_val) == sum(len(s) for s in text.held_out_sentences)
    assert data.x_train.shape == (len(data.y_train), 2)


def test_text_data_is_deterministic_under_a_seed() -> None:
    first, second = make_text_data(load_corpus(), 3), make_text_data(load_corpus(), 3)
    assert first.vocabulary.words == second.vocabulary.words
    np.testing.assert_array_equal(first.dataset.x_train, second.dataset.x_train)
    np.testing.assert_array_equal(first.dataset.y_val, second.dataset.y_val)
    other = make_text_data(load_corpus(), 4)
    assert first.held_out_sentences != other.held_out_sentences


@pytest.mark.parametrize(
    ("prompt", "fragment"),
    [
        ("", "Type a few words"),
        ("   \n", "Type a few words"),
        ("a" * (MAX_PROMPT_CHARS + 1), f"{MAX_PROMPT_CHARS} characters"),
        ("猫が座った", "unknown script"),
        ("Кошка сидит", "unknown script"),
        ("123 ... !!", "unknown script"),
    ],
)
def test_prompt_problems_are_explained_in_plain_words(prompt: str, fragment: str) -> None:
    problem = prompt_problem(prompt)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    "prompt", ["the cat sat on the", "a" * MAX_PROMPT_CHARS, "zebra quux", "café au lait"]
)
def test_usable_prompts_have_no_problem(prompt: str) -> None:
    assert prompt_problem(prompt) is None
