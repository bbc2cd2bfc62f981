"""The comparison table: the reader's model beside real ones, each cell saying how it is known."""

from __future__ import annotations

import math

import pytest

from app.costs.comparison import ReaderRun, comparison_table
from app.costs.estimate import Assumptions, Cost, estimate
from app.costs.figures import FIGURES

WORLD = Assumptions(watts=5.0, region="world", price_per_hour=0.05)


def test_reader_row_is_counted_and_estimated() -> None:
    rows = comparison_table(ReaderRun(386, estimate(26_400_000, 61_800_000, WORLD), WORLD))
    reader = rows[0]
    assert reader.key == "reader"
    assert (reader.parameters.value, reader.parameters.provenance) == (386, "counted")
    assert (reader.training_flops.value, reader.training_flops.provenance) == (26.4e6, "counted")
    # 61.8 ms x 5 W = 0.309 J = 8.5833e-5 Wh; x 473 g/kWh = 4.0599e-5 g
    assert reader.energy_wh.value == pytest.approx(8.5833e-5, rel=1e-4)
    assert reader.energy_wh.provenance == "estimated"
    assert reader.energy_wh.figure_ids == ("cpu_watts_per_core",)
    assert reader.co2_grams.value == pytest.approx(4.0599e-5, rel=1e-4)
    assert reader.co2_grams.figure_ids == ("cpu_watts_per_core", "grid_world_2024")


def test_published_rows() -> None:
    rows = {row.key: row for row in comparison_table(ReaderRun(1, Cost.zero(), WORLD))}
    gpt3 = rows["gpt3"]
    assert gpt3.training_flops.value == 3.14e23
    assert gpt3.training_flops.provenance == "published"
    assert gpt3.training_flops.figure_ids == ("gpt3_training_flops",)
    assert gpt3.energy_wh.value == pytest.approx(1.287e9)
    assert gpt3.co2_grams.value == pytest.approx(552.1e6)

    llama2 = rows["llama2_70b"]
    # 6 x 70e9 x 2.0e12 = 8.4e23, by the rule
    assert llama2.training_flops.value == pytest.approx(8.4e23)
    assert llama2.training_flops.provenance == "estimated"
    assert "kaplan_training_flops_per_param_token" in llama2.training_flops.figure_ids
    # 1,720,320 GPU-hours x 400 W = 688,128,000 Wh
    assert llama2.energy_wh.value == pytest.approx(688_128_000)
    assert llama2.energy_wh.provenance == "estimated"
    assert llama2.co2_grams.provenance == "published"

    # 30.84e6 GPU-hours x 700 W = 21,588 MWh
    assert rows["llama31_405b"].energy_wh.value == pytest.approx(21.588e9)
    assert rows["bloom"].training_flops.provenance == "unavailable"
    assert rows["bloom"].training_flops.value is None


def test_every_cell_says_how_it_is_known() -> None:
    rows = comparison_table(ReaderRun(386, estimate(26_400_000, 61_800_000, WORLD), WORLD))
    assert len({row.key for row in rows}) == len(rows) >= 8
    for row in rows:
        for cell in (row.parameters, row.training_flops, row.energy_wh, row.co2_grams):
            assert cell.unit
            if cell.provenance == "unavailable":
                assert cell.value is None
                continue
            assert cell.value is not None and math.isfinite(cell.value) and cell.value >= 0
            if cell.provenance == "published":
                assert len(cell.figure_ids) == 1
            if cell.provenance == "estimated":
                assert cell.how
                if row.key != "reader":
                    assert len(cell.figure_ids) >= 2
            assert set(cell.figure_ids) <= set(FIGURES)
