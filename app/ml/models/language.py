"""A tiny next-word model (Bengio et al., 2003): embeddings -> tanh layer -> softmax.

The previous ``context`` words (ids) are looked up in one embedding table, their vectors
are concatenated, passed through one tanh hidden layer, and a softmax over the whole
vocabulary gives the probability of each possible next word. Training minimises the
mean cross-entropy of the true next word, like the MLP classifier: predicting the next
word *is* classification, with one class per vocabulary word.

Shapes (n = examples, c = context, d = embedding size, h = hidden, V = vocabulary):
    x : (n, c) int64 token ids, y : (n,) int64 next-token ids
    E : (V, d), W1 : (c*d, h), b1 : (h,), W2 : (h, V), b2 : (V,)
    params = [E, W1, b1, W2, b2]

FLOP convention, counted from shapes (per call on n examples), as in app.ml.models.mlp:
    forward     embedding lookup: 0 (it copies rows, no arithmetic)
                hidden: matmul 2*n*(c*d)*h, bias n*h, tanh n*h
                output: matmul 2*n*h*V, bias n*V; softmax 5*n*V
    loss        cross-entropy 3*n (see app.ml.losses, which computes it and its gradient)
    backward    output gradient (P - Y) / n: 2*n*V
                dW2 = H^T delta: 2*n*h*V, db2: n*V, dH = delta W2^T: 2*n*V*h
                tanh derivative 1 and product 1 per hidden element: 2*n*h
                dW1 = Emb^T dZ: 2*n*(c*d)*h, db1: n*h, dEmb = dZ W1^T: 2*n*h*(c*d)
                scatter-add of dEmb into the rows of dE: n*c*d
    optimizer   counted by each optimizer; it updates every row of E, used or not
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.ml.datasets import TokenDataset
from app.ml.fingerprint import fingerprint as _fingerprint
from app.ml.losses import (
    CROSS_ENTROPY_FLOPS_PER_SAMPLE,
    SOFTMAX_FLOPS_PER_ELEMENT,
    softmax_cross_entropy,
    softmax_inplace,
)
from app.ml.models.base import CROSS_ENTROPY_DIVERGENCE_LOSS
from app.ml.text import END, START, Vocabulary, tokenize

Array = NDArray[np.float64]
Ids = NDArray[np.int64]

# Embeddings start small so that, at first, every context looks alike and the model
# begins near a uniform guess; the two dense layers use Glorot bounds, as the MLP's tanh.
EMBEDDING_INIT_SCALE = 0.1
MAX_NEW_WORDS = 50


def _glorot(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


class Prediction(NamedTuple):
    """The most probable next words, and the prompt words the model did not know."""

    words: list[tuple[str, float]]
    unknown_words: list[str]


class Choice(NamedTuple):
    """One generated word: what the model saw, what it chose, and its top alternatives."""

    context: tuple[str, ...]
    word: str
    probability: float
    alternatives: list[tuple[str, float]]


class Continuation(NamedTuple):
    """The prompt's continuation (new words only), step by step."""

    text: str
    choices: list[Choice]
    unknown_words: list[str]


def join_words(words: list[str]) -> str:
    """Tokens back into text: spaces between words, "." attached to the word before."""
    text = ""
    for word in words:
        text += word if word == END or not text else " " + word
    return text


class NextWordModel:
    """Next-word probabilities from the previous ``context`` words.

    vocabulary : the Vocabulary the ids refer to (shared, read-only, between copies)
    params : [E (V, d), W1 (c*d, h), b1 (h,), W2 (h, V), b2 (V,)]
    """

    divergence_loss = CROSS_ENTROPY_DIVERGENCE_LOSS

    def __init__(
        self,
        vocabulary: Vocabulary,
        embedding_dim: int = 16,
        hidden: int = 64,
        seed: int = 0,
        context: int = 2,
    ) -> None:
        if min(embedding_dim, hidden, context) < 1:
            raise ValueError(
                f"embedding_dim, hidden and context must be >= 1, "
                f"got {embedding_dim}, {hidden}, {context}"
            )
        self.vocabulary = vocabulary
        self.context = context
        rng = np.random.default_rng(seed)
        size = len(vocabulary)
        width = context * embedding_dim
        self.params: list[Array] = [
            rng.uniform(-EMBEDDING_INIT_SCALE, EMBEDDING_INIT_SCALE, size=(size, embedding_dim)),
            _glorot(rng, width, hidden),
            np.zeros(hidden),
            _glorot(rng, hidden, size),
            np.zeros(size),
        ]

    @property
    def n_parameters(self) -> int:
        return sum(p.size for p in self.params)

    @property
    def _sizes(self) -> tuple[int, int, int, int]:
        """(c*d, h, V, d): concatenated-context width, hidden, vocabulary, embedding."""
        embeddings, w1 = self.params[0], self.params[1]
        return w1.shape[0], w1.shape[1], embeddings.shape[0], embeddings.shape[1]

    # -- training path -------------------------------------------------------------

    def loss_and_grads(self, x: Ids, y: Ids) -> tuple[float, list[Array]]:
        """Mean cross-entropy of the next ids y (n,) given contexts x (n, c); gradients.

        The forward pass keeps the looked-up embeddings and the hidden activations:
        the backward pass needs both.
        """
        embeddings, w1, b1, w2, b2 = self.params
        n = len(y)
        looked_up = embeddings[x].reshape(n, -1)  # (n, c*d)
        hidden = np.tanh(looked_up @ w1 + b1)  # (n, h)
        loss, delta, _ = softmax_cross_entropy(hidden @ w2 + b2, y)  # delta (n, V)
        grad_w2 = hidden.T @ delta
        grad_b2 = delta.sum(axis=0)
        delta_hidden = delta @ w2.T
        delta_hidden *= 1.0 - hidden * hidden  # tanh'(z) = 1 - tanh(z)**2
        grad_w1 = looked_up.T @ delta_hidden
        grad_b1 = delta_hidden.sum(axis=0)
        delta_looked_up = (delta_hidden @ w1.T).reshape(n * self.context, -1)
        grad_embeddings = np.zeros_like(embeddings)
        # A word can appear several times in a batch: add.at sums, fancy += would not.
        np.add.at(grad_embeddings, x.ravel(), delta_looked_up)
        return float(loss), [grad_embeddings, grad_w1, grad_b1, grad_w2, grad_b2]

    # -- inference path ------------------------------------------------------------

    def logits(self, x: Ids) -> Array:
        """Next-word logits (n, V) for contexts x (n, c)."""
        embeddings, w1, b1, w2, b2 = self.params
        a = embeddings[x].reshape(len(x), -1) @ w1
        a += b1
        np.tanh(a, out=a)
        logits: Array = a @ w2
        logits += b2
        return logits

    def predict_proba(self, x: Ids) -> Array:
        """Next-word probabilities (n, V) for contexts x (n, c); keeps nothing."""
        return softmax_inplace(self.logits(x))

    def loss(self, x: Ids, y: Ids) -> float:
        """Mean cross-entropy of y (n,) given x (n, c), via the inference path."""
        return float(softmax_cross_entropy(self.logits(x), y).losses)

    def perplexity(self, dataset: TokenDataset, split: str = "val") -> float:
        """exp(mean cross-entropy) on the held-out ("val") or training ("train") examples.

        The number of equally likely words the model is, on average, choosing between:
        a uniform guess scores the vocabulary size, a perfect model 1.
        """
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        x, y = (
            (dataset.x_val, dataset.y_val) if split == "val" else (dataset.x_train, dataset.y_train)
        )
        return float(np.exp(self.loss(x, y)))

    # -- prompts -------------------------------------------------------------------

    def encode_prompt(self, prompt: str) -> tuple[list[int], list[str]]:
        """Context ids (c,) for the word after ``prompt``, and its unknown words.

        Only the prompt's last sentence counts: a prompt ending in "." asks for the start
        of a new sentence. Unknown words become "<unk>", listed once each, in order.
        """
        tokens = tokenize(prompt)
        unknown = list(dict.fromkeys(t for t in tokens if t != END and t not in self.vocabulary))
        last_sentence: list[str] = []
        for token in tokens:
            last_sentence = [] if token == END else [*last_sentence, token]
        padded = [START] * self.context + last_sentence
        return self.vocabulary.encode(padded[len(padded) - self.context :]), unknown

    def _ranked(self, proba: Array, top_k: int) -> list[tuple[str, float]]:
        """The top_k real words of one probability row (n,), most probable first.

        "<unk>" and "<s>" are left out (neither is a word a reader could be shown or
        given); the words keep the model's own probabilities, not renormalised ones.
        """
        order = np.argsort(-proba, kind="stable")
        words, special = self.vocabulary.words, self.vocabulary.is_special
        ranked: list[tuple[str, float]] = []
        for index in order:
            if not special[index]:
                ranked.append((words[index], float(proba[index])))
                if len(ranked) == top_k:
                    break
        return ranked

    def next_word_probabilities(self, prompt: str, top_k: int = 5) -> Prediction:
        """The ``top_k`` most probable next words after ``prompt`` with their probabilities.

        Never raises on the prompt's words: unknown ones are answered as "<unk>" and
        returned in ``unknown_words``. Check the prompt with app.ml.text.prompt_problem
        first for emptiness, length and script.
        """
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        ids, unknown = self.encode_prompt(prompt)
        proba = self.predict_proba(np.array([ids], dtype=np.int64))[0]
        return Prediction(self._ranked(proba, top_k), unknown)

    def continue_text(
        self,
        prompt: str,
        n_words: int,
        temperature: float = 0.0,
        seed: int | None = None,
        top_k: int = 3,
        stop_at_sentence_end: bool = True,
    ) -> Continuation:
        """Extend ``prompt`` by up to ``n_words`` tokens ("." counts as one), one at a time.

        Greedy (always the most probable word) when temperature == 0 or seed is None;
        otherwise each word is sampled from the probabilities sharpened (temperature < 1)
        or flattened (> 1) as p**(1/temperature), with np.random.default_rng(seed). So
        every answer is a pure function of the arguments. "<unk>" and "<s>" are never
        chosen. After a "." the context restarts from "<s>" as in training, and with
        ``stop_at_sentence_end`` the continuation ends there.
        """
        if not 0 <= n_words <= MAX_NEW_WORDS:
            raise ValueError(f"n_words must be 0 to {MAX_NEW_WORDS}, got {n_words}")
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        ids, unknown = self.encode_prompt(prompt)
        words = self.vocabulary.words
        allowed = ~self.vocabulary.is_special
        rng = None if temperature == 0 or seed is None else np.random.default_rng(seed)
        start = self.vocabulary.token_id(START)
        choices: list[Choice] = []
        for _ in range(n_words):
            proba = self.predict_proba(np.array([ids], dtype=np.int64))[0]
            if rng is None:
                chosen = int(np.argmax(np.where(allowed, proba, -1.0)))
            else:
                # Work in logs, shifted so the likeliest word scores 0 before dividing by T:
                # p**(1/T) cannot underflow to all zeros, and a tiny T (even a denormal
                # 1e-310) sends the rest to -inf, which is the greedy choice, never NaN.
                log_p = np.where(allowed, np.log(np.maximum(proba, 1e-300)), -np.inf)
                with np.errstate(over="ignore"):
                    logits = (log_p - log_p.max()) / temperature
                weights = np.exp(logits)
                chosen = int(rng.choice(len(words), p=weights / weights.sum()))
            context = tuple(words[i] for i in ids)
            choices.append(
                Choice(context, words[chosen], float(proba[chosen]), self._ranked(proba, top_k))
            )
            if words[chosen] == END:
                if stop_at_sentence_end:
                    break
                ids = [start] * self.context
            else:
                ids = [*ids[1:], chosen]
        return Continuation(join_words([c.word for c in choices]), choices, unknown)

    # -- cost ----------------------------------------------------------------------

    def flops_forward(self, n_samples: int) -> int:
        """Hidden and output layers and the softmax (see module docstring)."""
        width, hidden, size, _ = self._sizes
        n = n_samples
        return (
            2 * n * width * hidden
            + 2 * n * hidden
            + 2 * n * hidden * size
            + n * size
            + SOFTMAX_FLOPS_PER_ELEMENT * n * size
        )

    def flops_loss(self, n_samples: int) -> int:
        return CROSS_ENTROPY_FLOPS_PER_SAMPLE * n_samples

    def flops_backward(self, n_samples: int) -> int:
        width, hidden, size, _ = self._sizes
        n = n_samples
        output = 2 * n * size + 2 * n * hidden * size + n * size + 2 * n * size * hidden
        hidden_layer = 2 * n * hidden + 2 * n * width * hidden + n * hidden
        embedding = 2 * n * hidden * width + n * width
        return output + hidden_layer + embedding

    # -- identity ------------------------------------------------------------------

    def fingerprint(self) -> str:
        """16 hex chars identifying the exact weights (the vocabulary is fixed by the corpus)."""
        return _fingerprint(self.params)

    def copy(self) -> NextWordModel:
        clone = NextWordModel.__new__(NextWordModel)
        clone.vocabulary = self.vocabulary
        clone.context = self.context
        clone.params = [p.copy() for p in self.params]
        return clone
