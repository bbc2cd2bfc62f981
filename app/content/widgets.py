"""The demonstrations a lesson can embed, declared in its Markdown as a ```widget block.

Each kind has a small pydantic model: what the author may set (a sentence telling the
reader what to notice, and for most a preset run that works on the first click). A kind
has one spelling, ``train-classifier``, which names everything of its widget: this
module's ``TrainClassifierWidget``, the partial ``templates/widgets/train-classifier.html``,
the script ``static/js/widgets/train-classifier.js`` (class ``TrainClassifierWidget``)
and the styles ``static/css/widgets/train-classifier.css`` (tests/content/test_widgets.py).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field

from app.runs.specs import DigitsSpec, LanguageSpec, LinearSpec, MlpSpec

NOTICE = Field(min_length=1, max_length=300, description="What the reader should notice.")

# Whether a part of a widget starts open or behind a disclosure: a lesson about the whole
# idea folds what a lesson about the details keeps open.
Folding = Literal["shown", "folded"]


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

    draws_charts: ClassVar[bool] = True  # the decision surface and the loss curve

    kind: Literal["train-classifier"]
    preset: MlpPreset = Field(default_factory=MlpPreset)
    settings: Folding = Field(
        "shown", description="'folded' keeps the run's settings behind a disclosure."
    )
    assumptions: Folding = Field(
        "folded", description="'shown' opens the cost assumptions (watts, grid, price, use)."
    )


class QueryModelWidget(_Demo):
    """A model trained for the reader; sliders ask it; the fingerprint never moves."""

    draws_charts: ClassVar[bool] = True  # the map the reader clicks to ask

    kind: Literal["query-model"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))


class BreakEvenWidget(_Demo):
    """Training once against answering many times: when does inference catch up?"""

    draws_charts: ClassVar[bool] = True  # the break-even curves

    kind: Literal["break-even"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))


class ScalingWidget(_Demo):
    """Grow the data, the model and the steps; watch measured time and FLOPs grow."""

    draws_charts: ClassVar[bool] = True  # each run of the sweep, as a chart

    kind: Literal["scaling"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant", steps=200))


class HardwareWidget(_Demo):
    """Batching (1 vs 1,000 questions) and an 8-bit model "for a phone"."""

    draws_charts: ClassVar[bool] = True  # the batching chart

    kind: Literal["hardware"]
    preset: DigitsPreset = Field(default_factory=lambda: DigitsPreset(pace="instant"))


class WorldShiftWidget(_Demo):
    """The world moves; questions alone do not fix the model; fine-tuning does, cheaply."""

    draws_charts: ClassVar[bool] = True  # the old and the new world's maps

    kind: Literal["world-shift"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))
    amount: float = Field(0.5, ge=0.05, le=1.0, description="How far the world moves.")
    fine_tune_steps: int = Field(60, ge=1, le=1000, description="Steps of fine-tuning.")


class NextWordWidget(_Demo):
    """A tiny next-word model: type a prompt, see the likely next words."""

    draws_charts: ClassVar[bool] = True  # the next-word probabilities and the loss

    kind: Literal["next-word"]
    preset: LanguagePreset = Field(default_factory=lambda: LanguagePreset(pace="instant"))
    prompt: str = Field("the cat sat on the", max_length=200, description="First prompt shown.")


class ServeUsersWidget(_Demo):
    """One trained model answering many simulated users through the API."""

    draws_charts: ClassVar[bool] = True  # compute time: training, all answers, one answer

    kind: Literal["serve-users"]
    preset: MlpPreset = Field(default_factory=lambda: MlpPreset(pace="instant"))
    users: int = Field(100, ge=1, le=1000, description="Simulated users at first.")


class BlindSpotWidget(_Demo):
    """A region missing from the data becomes a confident blind spot; retraining fixes it."""

    draws_charts: ClassVar[bool] = True  # the map with its blind spot

    kind: Literal["blind-spot"]
    preset: MlpPreset = Field(
        default_factory=lambda: MlpPreset(pace="instant", variant="gap", amount=0.5)
    )


class RecapWidget(_Demo):
    """The reader's own runs from earlier lessons, kept in their browser.

    ``mode: runs`` tells them lesson by lesson, in sentences; ``mode: receipt`` adds up the
    whole course into one bill of training against answering. Two lessons can show the
    same records without saying the same thing.
    """

    draws_charts: ClassVar[bool] = True  # the cost panel's break-even and scale-up charts

    kind: Literal["recap"]
    mode: Literal["runs", "receipt"] = Field(
        "runs",
        description=(
            "'runs': what the reader did in each lesson, in plain sentences; "
            "'receipt': the course's total training against all its answers."
        ),
    )


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

    draws_charts: ClassVar[bool] = False  # questions and explanations only

    kind: Literal["quiz"]
    questions: list[QuizQuestion] = Field(min_length=1, max_length=10)


class SourcesWidget(BaseModel):
    """Not a demo: the list of every figure the app shows, generated from figures.toml."""

    draws_charts: ClassVar[bool] = False  # a table, no script

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
