"""``GET /api/runs/{run_id}/costs``: the course's one comparison, as data.

The same function (app/costs/side_by_side.py) fills every lesson's cost panel, so this
answer and the page can never disagree. The assumptions are query parameters, with the
pages' defaults.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from app.costs.estimate import (
    PRICE_RANGE,
    REGION_FIGURES,
    WATTS_RANGE,
    Assumptions,
    Cost,
)
from app.costs.figures import FIGURES
from app.costs.side_by_side import MILLION, SideBySide
from app.web.api.responses import DIVERGED, LIMITED, UNKNOWN_RUN
from app.web.deps import RunIdPath, RunSpecDep, services_of
from app.web.trained import comparison

router = APIRouter(prefix="/api", tags=["costs"])

DEFAULTS = Assumptions.default()
Region = Literal["world", "us", "china", "india", "france"]
assert set(get_args(Region)) == set(REGION_FIGURES), "Region must list REGION_FIGURES' keys"


class CostBlock(BaseModel):
    flops: int = Field(description="Arithmetic operations, counted from the model's shapes.")
    compute_ns: int = Field(description="Compute time measured on this server, in ns.")
    energy_j: float = Field(description="Our estimate: compute time x power, in joules.")
    co2_g: float = Field(description="Our estimate: energy x the grid's CO2e per kWh, in grams.")
    money_usd: float = Field(description="Our estimate: compute time x price, in US dollars.")


class BreakEven(BaseModel):
    by_arithmetic: int | None = Field(
        description="The first number of answers whose counted FLOPs reach training's."
    )
    by_measured_time: int | None = Field(
        description="The first number of answers whose measured compute time (so energy, CO2 "
        "and money) reaches training's; null if an answer measured no time."
    )


class Assumed(BaseModel):
    value: float
    unit: str
    source: str | None = Field(description="Where the default comes from; null if chosen.")


class AssumptionsUsed(BaseModel):
    watts: Assumed
    region: Region
    grid: Assumed
    price_per_hour: Assumed


class RunCosts(BaseModel):
    run_id: str
    training: CostBlock = Field(description="The whole training run, paid once.")
    per_answer: CostBlock = Field(
        description="One question asked alone: FLOPs counted; time the median of "
        "`answer_timings` warm calls, around the model's arithmetic only."
    )
    million_answers: CostBlock = Field(description="A million answers like `per_answer`.")
    break_even_answers: BreakEven
    answer_timings: int = Field(description="How many timings the answer's median is taken of.")
    assumptions: AssumptionsUsed


def _block(cost: Cost) -> CostBlock:
    return CostBlock(
        flops=cost.flops,
        compute_ns=round(cost.compute_seconds * 1e9),
        energy_j=cost.energy_joules,
        co2_g=cost.co2_grams,
        money_usd=cost.money_usd,
    )


def _assumed(value: float, unit: str, figure_id: str | None) -> Assumed:
    return Assumed(value=value, unit=unit, source=FIGURES[figure_id].cite if figure_id else None)


def run_costs_answer(run_id: str, view: SideBySide) -> RunCosts:
    a = view.assumptions
    ids = a.figure_ids()
    region: Region = a.region  # type: ignore[assignment]  # checked by Assumptions
    return RunCosts(
        run_id=run_id,
        training=_block(view.training),
        per_answer=_block(view.per_answer),
        million_answers=_block(view.answers(MILLION)),
        break_even_answers=BreakEven(
            by_arithmetic=view.break_even_by_arithmetic,
            by_measured_time=view.break_even_by_time,
        ),
        answer_timings=view.answer_timings,
        assumptions=AssumptionsUsed(
            watts=_assumed(a.watts, "W", ids["watts"]),
            region=region,
            grid=_assumed(a.grid_g_per_kwh, "g CO2e per kWh", ids["region"]),
            price_per_hour=_assumed(a.price_per_hour, "USD per core-hour", ids["price_per_hour"]),
        ),
    )


@router.get(
    "/runs/{run_id}/costs",
    response_model=RunCosts,
    summary="What training and one answer cost, side by side",
    responses={404: UNKNOWN_RUN, 409: DIVERGED, 429: LIMITED},
)
async def run_costs(
    run_id: RunIdPath,
    spec: RunSpecDep,
    request: Request,
    watts: Annotated[
        float, Query(ge=WATTS_RANGE[0], le=WATTS_RANGE[1], description="Power while computing, W.")
    ] = DEFAULTS.watts,
    region: Annotated[Region, Query(description="Which grid's CO2e per kWh applies.")] = (
        DEFAULTS.region  # type: ignore[assignment]  # the default region is one of Region
    ),
    price_per_hour: Annotated[
        float,
        Query(ge=PRICE_RANGE[0], le=PRICE_RANGE[1], description="USD per core-hour of computing."),
    ] = DEFAULTS.price_per_hour,
) -> RunCosts:
    """The comparison every lesson's cost panel shows, for this run: training against one
    answer, in counted arithmetic and in measured time with the energy, CO2 and money
    estimated from it, and the number of answers at which answering catches up.

    The model is trained first if this server has not trained it yet. The answer's time
    is measured once per run and kept, so the comparison does not wobble between calls.
    """
    services = services_of(request)
    services.predict_limiter.enforce(request)
    view = await comparison(run_id, spec, services, Assumptions(watts, region, price_per_hour))
    return run_costs_answer(run_id, view)
