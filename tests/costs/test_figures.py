"""figures.toml: every figure sourced, typed and copied faithfully from costs.md."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from app.costs.break_even import bloomz_break_even
from app.costs.comparison import ReaderRun, comparison_table
from app.costs.estimate import REGION_FIGURES, Assumptions, Cost
from app.costs.figures import (
    CONFIDENCES,
    FIGURE_PROVENANCES,
    FIGURES,
    Figure,
    FigureError,
    co2_grams,
    energy_wh,
    load_figures,
)
from app.costs.scale_up import SCALE_TARGETS, scale_to

# Copied by hand from ../shared/facts/costs.md, independently of figures.toml, so a slip
# in either shows up here: (id, value, unit).
FROM_COSTS_MD = [
    ("kaplan_training_flops_per_param_token", 6, "FLOP per parameter per token"),
    ("kaplan_inference_flops_per_param", 2, "FLOP per parameter per token"),
    ("gpt3_training_flops", 3.14e23, "FLOP"),
    ("gpt3_params", 175e9, "parameters"),
    ("gpt3_tokens", 300e9, "tokens"),
    ("gpt3_run_gpus", 10_000, "GPUs"),
    ("gpt3_run_days", 14.8, "days"),
    ("gpt3_run_flops_per_gpu", 24.6e12, "FLOP/s"),
    ("v100_peak_flops", 125e12, "FLOP/s"),
    ("gpt3_energy", 1287, "MWh"),
    ("gpt3_co2", 552.1, "t CO2e"),
    ("gpt3_grid_intensity", 429, "g CO2e/kWh"),
    ("gpt3_pue", 1.10, "ratio"),
    ("bert_base_training_flops", 1.64e20, "FLOP"),
    ("bert_large_training_flops", 5.33e20, "FLOP"),
    ("chinchilla_training_flops", 5.76e23, "FLOP"),
    ("chinchilla_tokens", 1.4e12, "tokens"),
    ("llama2_70b_gpu_hours", 1_720_320, "GPU-hours"),
    ("llama2_gpu_watts", 400, "W"),
    ("llama2_70b_co2", 291.42, "t CO2e"),
    ("llama2_tokens", 2.0e12, "tokens"),
    ("llama3_70b_gpu_hours", 6.4e6, "GPU-hours"),
    ("llama3_8b_gpu_hours", 1.3e6, "GPU-hours"),
    ("llama3_gpu_watts", 700, "W"),
    ("llama3_70b_co2", 1900, "t CO2e"),
    ("llama3_8b_co2", 390, "t CO2e"),
    ("llama3_tokens", 15e12, "tokens"),
    ("llama31_405b_gpu_hours", 30.84e6, "GPU-hours"),
    ("llama31_405b_training_flops", 3.8e25, "FLOP"),
    ("llama31_405b_co2", 8930, "t CO2e"),
    ("llama31_405b_co2_market", 0, "t CO2e"),
    ("bloom_energy", 433_196, "kWh"),
    ("bloom_co2", 24.69, "t CO2e"),
    ("bloom_co2_lifecycle", 50.5, "t CO2e"),
    ("strubell_transformer_big_co2", 192, "lb CO2e"),
    ("strubell_nas_co2", 626_155, "lb CO2e"),
    ("strubell_car_lifetime_co2", 126_000, "lb CO2e"),
    ("patterson_nas_overestimate", 88, "times"),
    ("split_google_inference", 3 / 5, "fraction"),
    ("split_google_training", 2 / 5, "fraction"),
    ("split_nvidia_inference_low", 0.80, "fraction"),
    ("split_nvidia_inference_high", 0.90, "fraction"),
    ("split_aws_inference", 0.90, "fraction"),
    ("luccioni2024_text_classification", 0.002, "kWh per 1,000 inferences"),
    ("luccioni2024_question_answering", 0.003, "kWh per 1,000 inferences"),
    ("luccioni2024_image_classification", 0.007, "kWh per 1,000 inferences"),
    ("luccioni2024_text_generation", 0.047, "kWh per 1,000 inferences"),
    ("luccioni2024_summarization", 0.049, "kWh per 1,000 inferences"),
    ("luccioni2024_image_generation", 2.907, "kWh per 1,000 inferences"),
    ("bloomz7b_training_energy", 51_686, "kWh"),
    ("bloomz7b_inference_energy", 1.0e-4, "kWh per inference"),
    ("bloomz7b_break_even", 592e6, "inferences"),
    ("gemini_prompt_energy", 0.24, "Wh"),
    ("gemini_prompt_co2", 0.03, "g CO2e"),
    ("epoch_chatgpt_query_energy", 0.3, "Wh"),
    ("a100_peak_flops", 312e12, "FLOP/s"),
    ("a100_watts", 400, "W"),
    ("h100_peak_flops", 989e12, "FLOP/s"),
    ("h100_watts", 700, "W"),
    ("cpu_core_flops_per_cycle_fp32", 32, "FLOP per cycle"),
    ("cpu_core_flops_per_cycle_fp64", 16, "FLOP per cycle"),
    ("cpu_core_peak_flops_fp32", 96e9, "FLOP/s"),
    ("cpu_core_peak_flops_fp64", 48e9, "FLOP/s"),
    ("a100_price_low", 1.5, "USD per GPU-hour"),
    ("a100_price_high", 5, "USD per GPU-hour"),
    ("h100_price_low", 2.5, "USD per GPU-hour"),
    ("h100_price_high", 11, "USD per GPU-hour"),
    ("grid_world_2024", 473, "g CO2e/kWh"),
    ("grid_us_2024", 384, "g CO2e/kWh"),
    ("grid_china_2024", 560, "g CO2e/kWh"),
    ("grid_india_2024", 708, "g CO2e/kWh"),
    ("grid_france_2022", 57, "g CO2e/kWh"),
    ("nielsen_instant", 0.1, "s"),
    ("nielsen_flow", 1, "s"),
    ("nielsen_attention", 10, "s"),
    ("mlperf_ttft_p99", 0.450, "s"),
    ("mlperf_tpot_p99", 0.040, "s"),
]


@pytest.mark.parametrize(("figure_id", "value", "unit"), FROM_COSTS_MD)
def test_figure_matches_costs_md(figure_id: str, value: float, unit: str) -> None:
    figure = FIGURES[figure_id]
    assert figure.number == pytest.approx(value, rel=1e-12)
    assert figure.unit == unit


def test_grid_years_are_as_published() -> None:
    years = {key: FIGURES[figure_id].year for key, figure_id in REGION_FIGURES.items()}
    assert years == {"world": 2024, "us": 2024, "china": 2024, "india": 2024, "france": 2022}


@pytest.mark.parametrize("figure", list(FIGURES.values()), ids=list(FIGURES))
def test_every_figure_is_sourced_and_typed(figure: Figure) -> None:
    assert isinstance(figure, Figure)
    assert figure.label.strip() and figure.unit.strip()
    assert figure.source.strip() and figure.cite.strip()
    assert isinstance(figure.year, int) and 1900 <= figure.year <= 2100
    assert figure.kind in FIGURE_PROVENANCES
    assert figure.confidence in CONFIDENCES
    assert (figure.kind == "assumed") == (figure.confidence == "A")
    if not isinstance(figure.value, str):
        assert math.isfinite(figure.value) and figure.value >= 0


def test_our_assumptions_are_marked_and_dated() -> None:
    for figure_id in ("cpu_watts_per_core", "cpu_core_hour_price", "default_region"):
        figure = FIGURES[figure_id]
        assert figure.kind == "assumed"
        assert figure.year == 2026
    assert FIGURES["cpu_watts_per_core"].number == 5
    assert "4.4 W" in FIGURES["cpu_watts_per_core"].source
    assert FIGURES["default_region"].text in REGION_FIGURES


# Each figure as a reader sees it: every published digit, no "175000000000.0".

X = "\N{MULTIPLICATION SIGN}"


@pytest.mark.parametrize(
    ("figure_id", "shown"),
    [
        ("gpt3_params", "175 billion parameters"),
        ("v100_peak_flops", "125 TFLOP/s"),
        ("gpt3_run_flops_per_gpu", "24.6 TFLOP/s"),
        ("gpt3_run_gpus", "10,000 GPUs"),
        ("gpt3_run_days", "14.8 days"),
        ("gpt3_training_flops", f"3.14 {X} 10²³ FLOP"),
        ("bert_base_training_flops", f"1.64 {X} 10²⁰ FLOP"),
        ("strubell_nas_co2", "626,155 lb CO2e"),
        ("llama2_70b_co2", "291.42 t CO2e"),
        ("llama2_70b_gpu_hours", "1,720,320 GPU-hours"),
        ("llama31_405b_gpu_hours", "30.84 million GPU-hours"),
        ("bloomz7b_break_even", "592 million inferences"),
        ("bloomz7b_inference_energy", "0.0001 kWh per inference"),
        ("gpt3_energy", "1,287 MWh"),
        ("gemini_prompt_energy", "0.24 Wh"),
        ("split_google_inference", "60%"),
        ("cpu_watts_per_core", "5 W"),
        ("default_region", "world (region)"),
        ("h100_price_low", "$2.50 per GPU-hour"),
        ("gpt3_pue", "1.1"),
    ],
)
def test_figure_as_shown(figure_id: str, shown: str) -> None:
    assert FIGURES[figure_id].shown == shown


@pytest.mark.parametrize("figure", list(FIGURES.values()), ids=list(FIGURES))
def test_no_figure_is_shown_as_a_raw_float(figure: Figure) -> None:
    assert not re.search(r"\d\.0\b|e[+-]\d|\d{5,}", figure.shown), figure.shown
    # Every unit is shown, but for a fraction (a percentage), a region key, a pure ratio,
    # and a price, whose "USD" becomes a "$" in front: "$2.50 per GPU-hour".
    unit = figure.unit.removeprefix("USD")
    assert figure.shown.endswith(unit) or figure.unit in ("fraction", "region", "ratio")


def test_published_units_convert() -> None:
    assert energy_wh(FIGURES["gpt3_energy"]) == 1287e6
    assert co2_grams(FIGURES["strubell_nas_co2"]) == pytest.approx(626_155 * 453.59237)
    with pytest.raises(FigureError, match="not an energy unit"):
        energy_wh(FIGURES["gpt3_co2"])
    with pytest.raises(FigureError, match="not a CO2 unit"):
        co2_grams(FIGURES["gpt3_energy"])
    with pytest.raises(FigureError, match="is text"):
        _ = FIGURES["default_region"].number
    with pytest.raises(FigureError, match="is a number"):
        _ = FIGURES["gpt3_energy"].text


# Published figures that should agree with each other: a transcription slip breaks one.


def test_gpt3_co2_is_its_energy_times_its_grid() -> None:
    kwh = 1287 * 1000
    tonnes = kwh * 0.429 / 1000  # 552.123 t
    assert FIGURES["gpt3_co2"].number == pytest.approx(tonnes, rel=1e-3)


def test_bloom_co2_is_its_energy_times_the_french_grid() -> None:
    tonnes = 433_196 * 57 / 1e6  # 24.692 t
    assert FIGURES["bloom_co2"].number == pytest.approx(tonnes, rel=1e-3)


def test_gpt3_chips_ran_at_about_a_fifth_of_peak() -> None:
    assert FIGURES["gpt3_run_flops_per_gpu"].number / FIGURES["v100_peak_flops"].number == (
        pytest.approx(0.197, abs=0.001)
    )


def test_cpu_peaks_are_flops_per_cycle_at_three_ghz() -> None:
    assert FIGURES["cpu_core_peak_flops_fp32"].number == 32 * 3e9
    assert FIGURES["cpu_core_peak_flops_fp64"].number == 16 * 3e9


@pytest.mark.parametrize(
    ("hours", "watts", "co2"),
    [
        ("llama2_70b_gpu_hours", "llama2_gpu_watts", "llama2_70b_co2"),
        ("llama3_70b_gpu_hours", "llama3_gpu_watts", "llama3_70b_co2"),
        ("llama3_8b_gpu_hours", "llama3_gpu_watts", "llama3_8b_co2"),
        ("llama31_405b_gpu_hours", "llama3_gpu_watts", "llama31_405b_co2"),
    ],
)
def test_meta_co2_matches_gpu_hours_times_rated_power(hours: str, watts: str, co2: str) -> None:
    """Our 'GPU-hours x rated watts' energy estimate is the one Meta's CO2 figures imply:
    1,720,320 h x 400 W = 688,128 kWh -> 291.42 t is 423 g/kWh, a US-like grid."""
    kwh = FIGURES[hours].number * FIGURES[watts].number / 1000
    implied_g_per_kwh = FIGURES[co2].number * 1e6 / kwh
    assert 400 < implied_g_per_kwh < 435


def test_strubell_nas_is_about_five_cars() -> None:
    cars = FIGURES["strubell_nas_co2"].number / FIGURES["strubell_car_lifetime_co2"].number
    assert cars == pytest.approx(4.97, abs=0.01)


def test_split_shares_add_up() -> None:
    google = FIGURES["split_google_inference"].number + FIGURES["split_google_training"].number
    assert google == pytest.approx(1.0)


# Every id the cost model reads exists: building each derived view touches them all.


def test_every_figure_the_code_reads_exists() -> None:
    Assumptions.default()
    bloomz_break_even()
    for target in SCALE_TARGETS:
        for figure_id in scale_to(1e9, target).figure_ids:
            assert figure_id in FIGURES
    run = ReaderRun(100, Cost(1000, 1.0, 5.0, 0.001, 0.0001), Assumptions.default())
    for row in comparison_table(run):
        for cell in (row.parameters, row.training_flops, row.energy_wh, row.co2_grams):
            assert set(cell.figure_ids) <= set(FIGURES)


# The loader refuses bad entries, naming the entry and the field.

GOOD = """
[[figure]]
id = "one"
label = "One thing"
value = 1.5
unit = "W"
source = "Someone 2020, a paper"
cite = "Someone 2020"
year = 2020
kind = "published"
confidence = "P"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "figures.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_reads_a_good_entry(tmp_path: Path) -> None:
    figures = load_figures(_write(tmp_path, GOOD))
    assert figures["one"].number == 1.5
    assert figures["one"].note == ""


@pytest.mark.parametrize(
    "field", ["label", "value", "unit", "source", "cite", "year", "kind", "confidence"]
)
def test_loader_names_the_entry_and_the_missing_field(tmp_path: Path, field: str) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{field} ="))
    with pytest.raises(FigureError, match=rf"entry 'one': missing field '{field}'"):
        load_figures(_write(tmp_path, text))


def test_loader_names_an_entry_without_id_by_position(tmp_path: Path) -> None:
    text = GOOD + GOOD.replace('id = "one"\n', "")
    with pytest.raises(FigureError, match=r"entry #2: missing field 'id'"):
        load_figures(_write(tmp_path, text))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('kind = "published"', 'kind = "guessed"', "field 'kind' must be one of"),
        ('confidence = "P"', 'confidence = "Z"', "field 'confidence' must be one of"),
        ('kind = "published"', 'kind = "assumed"', "'assumed' exactly when confidence is 'A'"),
        ("year = 2020", 'year = "2020"', "field 'year' must be a whole year"),
        ("value = 1.5", "value = nan", "field 'value' must be finite"),
        ("value = 1.5", "value = -1", "field 'value' must be finite and not negative"),
        ("value = 1.5", "value = true", "field 'value' must be a number or text"),
        ('source = "Someone 2020, a paper"', 'source = "  "', "field 'source' must be non-empty"),
        ('cite = "Someone 2020"', 'cite = "x"\nsorce = "typo"', "unknown field 'sorce'"),
    ],
)
def test_loader_rejects_bad_values(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(FigureError, match=f"entry 'one': .*{message}"):
        load_figures(_write(tmp_path, GOOD.replace(old, new)))


def test_loader_rejects_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(FigureError, match="entry 'one': duplicate id"):
        load_figures(_write(tmp_path, GOOD + GOOD))


def test_loader_rejects_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(FigureError, match="not valid TOML"):
        load_figures(_write(tmp_path, GOOD + "\n[[figure]\n"))


def test_figures_are_read_only() -> None:
    with pytest.raises(TypeError):
        FIGURES["gpt3_co2"] = FIGURES["gpt3_energy"]  # type: ignore[index]
