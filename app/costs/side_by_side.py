"""The course's one comparison: a run's training beside one of its answers.

Defined once, here, and used by every cost panel and by ``GET /api/runs/{id}/costs``, so
the same model gives the same ratio in every lesson:

- **arithmetic** is the headline: FLOPs counted from the model's shapes, for the whole
  training run and for one question; no clock is involved, so it never varies;
- **time**, and the energy, CO2 and money estimated from it, come from compute time
  measured on this server: the whole training run, and one question asked alone (the
  median of several timings; see app/runs/measured_costs.py).

Every break-even count is ``break_even_queries``' (the first whole number of answers that
reaches training's cost), so a count said twice is the same count.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.costs.break_even import break_even_queries
from app.costs.estimate import Assumptions, Cost, estimate

MILLION = 1_000_000


@dataclass(frozen=True)
class SideBySide:
    """Training (paid once) against one answer (paid every time), and where they meet.

    break_even_by_arithmetic   answers whose counted FLOPs reach training's
    break_even_by_time         answers whose measured compute time reaches training's;
                               also by energy, CO2 and money, each proportional to time;
                               None when an answer measured no time at all
    """

    training: Cost
    per_answer: Cost
    assumptions: Assumptions
    answer_timings: int
    break_even_by_arithmetic: int | None
    break_even_by_time: int | None

    def answers(self, n: int) -> Cost:
        """What n answers cost, each as the measured one."""
        return self.per_answer * n

    @property
    def million_answers(self) -> Cost:
        return self.answers(MILLION)


def side_by_side(
    training_flops: int,
    training_compute_ns: int,
    answer_flops: int,
    answer_compute_ns: int,
    assumptions: Assumptions,
    answer_timings: int = 1,
) -> SideBySide:
    """The comparison for one run's measured numbers, under the reader's assumptions."""
    training = estimate(training_flops, training_compute_ns, assumptions)
    per_answer = estimate(answer_flops, answer_compute_ns, assumptions)
    return SideBySide(
        training=training,
        per_answer=per_answer,
        assumptions=assumptions,
        answer_timings=answer_timings,
        break_even_by_arithmetic=break_even_queries(training, per_answer, by="flops"),
        break_even_by_time=break_even_queries(training, per_answer, by="seconds"),
    )
