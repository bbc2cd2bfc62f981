"""Text for the next-word model: tokeniser, vocabulary, the corpus and its dataset.

Tokens are lower-case words (letters, with inner apostrophes: "don't") and "." for the
end of a sentence ("!" and "?" end sentences too and become "."). Everything else
(commas, quotes, digits) is dropped: the model only ever sees words and full stops.

The dataset turns each sentence into next-word examples. With a context of 2 and the
start token "<s>" padding the beginning, "the cat sat." gives

    x (context ids)         y (next id)
    <s>  <s>                the
    <s>  the                cat
    the  cat                sat
    cat  sat                .

Sentences are split between training and held-out before the vocabulary is built, and
the vocabulary comes from the training sentences only: a held-out word the model never
saw is as unknown to it as a word a reader types. Words seen fewer than ``min_count``
times in training also become "<unk>", so the model learns how often *some* rare word
comes next and gives an unseen word a sensible probability instead of almost none.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import TokenDataset

UNKNOWN = "<unk>"
START = "<s>"
END = "."
SPECIAL_TOKENS: tuple[str, ...] = (UNKNOWN, START)

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CORPUS_NAMES: tuple[str, ...] = ("everyday",)

MAX_PROMPT_CHARS = 200

# Letters of any script (so "café" stays one word, and is unknown), inner apostrophes.
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|[.!?]")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens and "." in reading order; "!" and "?" become "."."""
    text = text.replace("\u2019", "'").lower()
    return [END if token in "!?" else token for token in _TOKEN.findall(text)]


def split_sentences(tokens: Iterable[str]) -> list[list[str]]:
    """Sentences, each ending in "."; a trailing sentence without one is closed with it."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for token in tokens:
        if token == END:
            if current:  # "..." or ". ." would otherwise make empty sentences
                sentences.append([*current, END])
            current = []
        else:
            current.append(token)
    if current:
        sentences.append([*current, END])
    return sentences


def load_corpus(name: str = "everyday") -> str:
    """The text of corpus ``name`` without its note lines (those starting with "#")."""
    if name not in CORPUS_NAMES:
        raise ValueError(f"unknown corpus {name!r}; choose one of {', '.join(CORPUS_NAMES)}")
    lines = (CORPUS_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


class Vocabulary:
    """Token <-> id. Ids 0 and 1 are "<unk>" and "<s>"; then words by falling count.

    words : tuple of tokens, words[id]
    """

    def __init__(self, words: Sequence[str]) -> None:
        if tuple(words[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            raise ValueError(f"a vocabulary starts with {SPECIAL_TOKENS}, got {words[:2]}")
        if len(set(words)) != len(words):
            raise ValueError("vocabulary words must be unique")
        self.words: tuple[str, ...] = tuple(words)
        self._ids = {word: index for index, word in enumerate(self.words)}
        # (V,) True for "<unk>" and "<s>": never shown to a reader nor generated.
        self.is_special = np.array([word in SPECIAL_TOKENS for word in self.words])

    @classmethod
    def from_sentences(cls, sentences: Iterable[Sequence[str]], min_count: int) -> Vocabulary:
        """Every token seen at least ``min_count`` times, most frequent first, ties by spelling.

        The order is a pure function of the counts, so the same sentences always give the
        same ids.
        """
        counts = Counter(token for sentence in sentences for token in sentence)
        kept = sorted(
            (word for word, count in counts.items() if count >= min_count),
            key=lambda word: (-counts[word], word),
        )
        return cls([*SPECIAL_TOKENS, *(w for w in kept if w not in SPECIAL_TOKENS)])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._ids

    def token_id(self, word: str) -> int:
        """The word's id, or the id of "<unk>"."""
        return self._ids.get(word, 0)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        return [self.token_id(token) for token in tokens]


def context_examples(
    sentences: Iterable[Sequence[str]], vocabulary: Vocabulary, context: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Next-word examples of all sentences: x (n, context) ids, y (n,) ids.

    Each sentence starts from ``context`` start tokens, so a context never reaches back
    into the previous sentence.
    """
    start = vocabulary.token_id(START)
    rows: list[list[int]] = []
    targets: list[int] = []
    for sentence in sentences:
        ids = [start] * context + vocabulary.encode(sentence)
        for position in range(context, len(ids)):
            rows.append(ids[position - context : position])
            targets.append(ids[position])
    x = np.array(rows, dtype=np.int64).reshape(len(rows), context)
    return x, np.array(targets, dtype=np.int64)


@dataclass(frozen=True)
class TextData:
    """A corpus cut into training and held-out sentences, its vocabulary and examples.

    dataset.x_train : (n_train, context) int64 ids; dataset.y_train : (n_train,) int64 ids
    dataset.n_classes : the vocabulary size (the model's output width)
    """

    vocabulary: Vocabulary
    dataset: TokenDataset
    train_sentences: tuple[tuple[str, ...], ...]
    held_out_sentences: tuple[tuple[str, ...], ...]
    context: int


def make_text_data(
    text: str, seed: int, held_out_fraction: float = 0.15, context: int = 2, min_count: int = 2
) -> TextData:
    """Split ``text`` by sentence (seeded shuffle), build the vocabulary, make the examples."""
    if not 0.0 < held_out_fraction < 1.0:
        raise ValueError(f"held_out_fraction must be in (0, 1), got {held_out_fraction}")
    if context < 1 or min_count < 1:
        raise ValueError(f"need context >= 1 and min_count >= 1, got {context}, {min_count}")
    sentences = split_sentences(tokenize(text))
    if len(sentences) < 2:
        raise ValueError("the text needs at least two sentences to hold one out")
    order = np.random.default_rng(seed).permutation(len(sentences))
    n_held_out = max(1, round(len(sentences) * held_out_fraction))
    held_out = [sentences[i] for i in order[:n_held_out]]
    train = [sentences[i] for i in order[n_held_out:]]
    vocabulary = Vocabulary.from_sentences(train, min_count)
    x_train, y_train = context_examples(train, vocabulary, context)
    x_val, y_val = context_examples(held_out, vocabulary, context)
    return TextData(
        vocabulary=vocabulary,
        dataset=TokenDataset(x_train, y_train, x_val, y_val, n_classes=len(vocabulary)),
        train_sentences=tuple(tuple(s) for s in train),
        held_out_sentences=tuple(tuple(s) for s in held_out),
        context=context,
    )


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN")


def prompt_problem(prompt: str) -> str | None:
    """A plain-language reason the prompt cannot be used, or None when it is fine.

    Words the model does not know are not a problem here: they are answered, and
    reported, by the model (they become "<unk>").
    """
    if not prompt.strip():
        return "Type a few words first."
    if len(prompt) > MAX_PROMPT_CHARS:
        return (
            f"Please keep the prompt to {MAX_PROMPT_CHARS} characters or fewer; "
            f"this one has {len(prompt)}."
        )
    if not any(_is_latin_letter(char) for char in prompt):
        return (
            "The model only learned English words written in Latin letters, "
            "and this prompt has none (unknown script)."
        )
    return None
