"""The demonstrations a lesson can embed, declared in its Markdown as a ```widget block.

Each kind has a small pydantic model: what the author may set (a sentence telling the
reader what to notice, and for most a preset run that works on the first click). A kind
has one spelling, ``train-classifier``, which names everything of its widget: this
module's ``TrainClassifierWidget``, the partial ``templates/widgets/train-classifier.html``,
the script ``static/js/widgets/train-classifier.js`` (class ``TrainClassifierWidget``)
and the styles ``static/css/widgets/train-classifier.css`` (tests/content/test_widgets.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field

from app.runs.specs import DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

NOTICE = Field(min_length=1, max_length=300, description="What the reader should notice.")


class MlpPreset(MlpSpec):
    """A classifier run spec; the model is implied."""

    model: Literal["mlp"] = "mlp"


class LinearPreset(LinearSpec):
    model: Literal["linear"] = "linear"


class DigitsPreset(DigitsSpec):
    model: Literal["digits"] = "digits"


class LanguagePreset(LanguageSpec):
    model: Literal["language"] = "language"


class _Demo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notice: str = NOTICE


class TrainClassifierWidget(_Demo):
    """Train a classifier live, then ask it; both phases' counters side by side."""

    kind: Literal["train-classifier"]
    preset: MlpPreset = Field(default_factory=MlpPreset)


class QueryModelWidget(_Demo):
    """A model trained for the reader; sliders ask it; the fingerprint never moves."""

    kind: Literal["query-model"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))


class BreakEvenWidget(_Demo):
    """Training once against answering many times: when does inference catch up?"""

    kind: Literal["break-even"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))


class ScalingWidget(_Demo):
    """Grow the data, the model and the steps; watch measured time and FLOPs grow."""

    kind: Literal["scaling"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant", steps=200))


class HardwareWidget(_Demo):
    """Batching (1 vs 1,000 questions) and an 8-bit model "for a phone"."""

    kind: Literal["hardware"]
    preset: DigitsPreset = Field(default_factory=lambda: DigitsPreset(pace="instant"))


class WorldShiftWidget(_Demo):
    """The world moves; questions alone do not fix the model; fine-tuning does, cheaply."""

    kind: Literal["world-shift"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))
    amount: float = Field(0.5, ge=0.05, le=1.0, description="How far the world moves.")
    fine_tune_steps: int = Field(60, ge=1, le=1000, description="Steps of fine-tuning.")


class NextWordWidget(_Demo):
    """A tiny next-word model: type a prompt, see the likely next words."""

    kind: Literal["next-word"]
    preset: LanguagePreset = Field(default_factory=lambda: LanguagePreset(pace="instant"))
    prompt: str = Field("the cat sat on the", max_length=200, description="First prompt shown.")


class ServeUsersWidget(_Demo):
    """One trained model answering many simulated users through the API."""

    kind: Literal["serve-users"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))
    users: int = Field(100, ge=1, le=1000, description="Simulated users at first.")


class BlindSpotWidget(_Demo):
    """A region missing from the data becomes a confident blind spot; retraining fixes it."""

    kind: Literal["blind-spot"]
    preset: MlpPreset = Field(
        default_factory=lambda: MlpPreset(pace="instant", variant="gap", amount=0.5)
    )


class RecapWidget(_Demo):
    """The reader's own runs from earlier lessons, kept in their browser."""

    kind: Literal["recap"]
    mode: Literal["takeaways", "receipt"] = "takeaways"


class QuizQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=300)
    choices: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=2, max_length=6
    )
    answer: int = Field(ge=0, le=5, description="0-based index of the right choice.")
    why: str = Field(min_length=1, max_length=600)
    lesson: str | None = Field(None, description="Slug of the lesson that shows it live.")


class QuizWidget(_Demo):
    """Check-yourself questions, answered first, then explained (htmx form)."""

    kind: Literal["quiz"]
    questions: list[QuizQuestion] = Field(min_length=1, max_length=10)


class SourcesWidget(BaseModel):
    """Not a demo: the list of every figure the app shows, generated from figures.toml."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["sources"]
    notice: str = Field("", max_length=300)


WidgetSpec = Annotated[
    TrainClassifierWidget
    | QueryModelWidget
    | BreakEvenWidget
    | ScalingWidget
    | HardwareWidget
    | WorldShiftWidget
    | NextWordWidget
    | ServeUsersWidget
    | BlindSpotWidget
    | RecapWidget
    | QuizWidget
    | SourcesWidget,
    Discriminator("kind"),
]
