"""The cost panel: estimates from counters and assumptions, each change touching only its own."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.costs.figures import FIGURES
from app.costs.humanize import format_count, format_duration, format_flops, format_si
from app.costs.panel import MeasuredRun, build

FROZEN = {
    "train_flops": 26_000_000,
    "train_compute_ns": 70_000_000,
    "watched_ms": 2_000,
    "n_parameters": 354,
    "frozen": True,
    "queries": 2,
    "infer_flops": 1_432,
    "infer_compute_ns": 40_000,
    "last_flops": 716,
    "last_compute_ns": 15_000,
}


def cells(view_rows: list[object]) -> dict[str, tuple[str, str, str]]:
    return {r.label: (r.training, r.one_answer, r.answers) for r in view_rows}  # type: ignore[attr-defined]


def test_before_any_question_inference_shows_a_dash() -> None:
    view = build(MeasuredRun())
    for training, one, many in cells(view.rows).values():
        assert training and one == many == "\N{EN DASH}"
    assert view.receipt == [] and view.ratio is None and view.scale_up is None


def test_a_frozen_run_with_answers_gets_the_whole_story() -> None:
    view = build(MeasuredRun.model_validate(FROZEN))
    energy = cells(view.rows)["Energy"]
    assert energy[0] == "0.35 J"  # 70 ms at 5 W, worked by hand
    assert energy[1] == "100 µJ"  # one answer: 40 µs / 2 questions at 5 W
    assert energy[2] == "100 J"  # a million of them
    # One answer's money and CO2 are too small to picture alone: said per million answers.
    money, co2 = cells(view.rows)["Money"], cells(view.rows)["CO2"]
    assert money[1] == "$0.00028 per million"  # 20 s of computing at $0.05 an hour
    assert co2[1].endswith("; 0.0131 g per million")  # 100 J = 2.78e-5 kWh x 473 g
    # 26e6 / 716 = 36,312.8: the 36,313th answer reaches training; by time 70 ms / 20 µs.
    assert view.ratio is not None and "arithmetic as 36,313 answers" in view.ratio
    assert "computing time (so energy, CO2 and money) as 3,500 answers" in view.ratio
    assert view.break_even is not None and view.truth is not None
    assert view.break_even.startswith("1 million answers would use 100 J")
    assert "passed training at 3,500 answers" in view.break_even
    assert "29 times faster" in view.truth  # 2 s watched / 70 ms computed
    assert view.receipt and any("Google 2025" in line for line in view.receipt)
    assert view.scale_up is not None and "GPT-3" in view.scale_up
    assert view.comparison[0]["label"] == "Your model"
    assert "592" in view.published_case or "593" in view.published_case
    assert all(source.figure.source for source in view.sources)


def test_each_assumption_changes_only_what_depends_on_it() -> None:
    base = cells(build(MeasuredRun.model_validate(FROZEN)).rows)
    watts = cells(build(MeasuredRun.model_validate({**FROZEN, "watts": 50})).rows)
    region = cells(build(MeasuredRun.model_validate({**FROZEN, "region": "france"})).rows)
    price = cells(build(MeasuredRun.model_validate({**FROZEN, "price_per_hour": 5})).rows)
    e, c, m = "Energy", "CO2", "Money"
    assert watts[e] != base[e] and watts[c] != base[c] and watts[m] == base[m]
    assert region[e] == base[e] and region[c] != base[c] and region[m] == base[m]
    assert price[e] == base[e] and price[c] == base[c] and price[m] != base[m]


def test_the_fragment_renders_and_refuses_bad_numbers(client: TestClient) -> None:
    form = {k: str(int(v)) if isinstance(v, bool) else str(v) for k, v in FROZEN.items()}
    response = client.post("/widgets/costs", data=form)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one(".cost-table caption").get_text().startswith("Energy, CO2 and money")
    assert soup.select(".receipt li")
    assert soup.select_one("details.sources summary").get_text() == "Where these numbers come from"
    for bad, words in [
        ({"watts": "-1"}, "watts"),
        ({"region": "mars"}, "region"),
        ({"train_flops": "lots"}, "train_flops"),
        ({"price_per_hour": "nan"}, "price_per_hour"),
    ]:
        refused = client.post("/widgets/costs", data={**form, **bad})
        assert refused.status_code == 422, bad
        assert words in BeautifulSoup(refused.text, "html.parser").select_one(".error").get_text()


def test_the_lesson_page_renders_the_empty_panel(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/lessons/what-training-means").text, "html.parser")
    widget = soup.select_one("[data-widget=train-classifier]")
    assert widget.select_one("[data-role=costs] .cost-table") is not None
    assert widget.select_one("[name=region] option[selected]")["value"] == "world"
    assert widget.select_one("[data-role=announce][aria-live=polite]") is not None


X = "\N{MULTIPLICATION SIGN}"


def test_the_scale_up_quotes_figures_toml() -> None:
    """Every GPT-3 number in the text is a figure, formatted as everywhere else."""
    text = build(MeasuredRun.model_validate(FROZEN)).scale_up
    assert text is not None
    gpus, per_gpu, days = (
        FIGURES[i] for i in ("gpt3_run_gpus", "gpt3_run_flops_per_gpu", "gpt3_run_days")
    )
    assert f"On {format_count(gpus.number)} V100 GPUs" in text  # 10,000
    assert f"measured {format_si(per_gpu.number, 'FLOP/s')} each" in text  # 24.6 TFLOP/s
    assert f"({days.cite} report {format_duration(days.number * 86400)})" in text  # 14.8 days
    assert f"({format_flops(FIGURES['gpt3_training_flops'].number)}, Brown et al. 2020)" in text
    # 26e6 FLOPs in 70 ms = 371 MFLOP/s; 3.14e23 / 3.714e8 s = 26.8 million years
    assert "at 371 MFLOP/s" in text and "26.8 million years" in text


def test_big_flop_counts_read_in_one_style() -> None:
    view = build(MeasuredRun.model_validate(FROZEN))
    flops = {row["label"]: row["flops"] for row in view.comparison}
    assert flops["Your model"] == "26 MFLOP"
    assert flops["BERT-Base"] == f"1.64 {X} 10²⁰ FLOP"
    assert flops["GPT-3 175B"] == f"3.14 {X} 10²³ FLOP"
    assert flops["BLOOM 176B"] == "not published"
    assert not any("EFLOP" in text or "PFLOP" in text for text in flops.values())
    assert view.comparison[3]["parameters"] == "175 billion"


def test_the_published_case_agrees_with_the_receipt() -> None:
    view = build(MeasuredRun.model_validate(FROZEN))
    # 51,686 kWh / 0.0001 kWh: training alone; the paper's 592 million adds the fine-tuning.
    assert "after about 517 million of them, or 592 million counting the fine-tuning" in (
        view.published_case
    )
    assert "estimated" in view.published_case and "short answer" in view.published_case
    assert view.receipt[-1].endswith("after about 592 million answers (Luccioni et al. 2024).")


def test_sources_and_assumptions_are_written_for_people() -> None:
    view = build(MeasuredRun.model_validate({**FROZEN, "price_per_hour": 0.1, "region": "france"}))
    assert view.assumed == {"watts": "5 W", "grid": "57", "region": "France", "price": "$0.10"}
    shown = {source.figure.id: source.shown for source in view.sources}
    assert shown["gpt3_run_gpus"] == "10,000 GPUs"
    assert shown["gpt3_run_flops_per_gpu"] == "24.6 TFLOP/s"
    assert shown["bloomz7b_break_even"] == "592 million inferences"
    assert [source.number for source in view.sources] == list(range(1, len(view.sources) + 1))
    assert len(shown) == len(view.sources)  # each figure once
