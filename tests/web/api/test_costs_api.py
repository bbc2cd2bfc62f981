"""GET /api/runs/{id}/costs: the course's one comparison as data, the same as the pages'."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.costs.break_even import break_even_queries
from app.costs.humanize import format_words
from app.runs.measured_costs import ANSWER_TIMINGS
from tests.conftest import create_run

BLOCK = {"flops", "compute_ns", "energy_j", "co2_g", "money_usd"}


def costs(client: TestClient, run_id: str, **query: Any) -> dict[str, Any]:
    response = client.get(f"/api/runs/{run_id}/costs", params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_comparison_has_both_phases_and_where_they_meet(client: TestClient) -> None:
    body = costs(client, create_run(client, model="mlp"))
    assert set(body["training"]) == BLOCK == set(body["per_answer"]) == set(body["million_answers"])
    training, answer = body["training"], body["per_answer"]
    assert training["flops"] > answer["flops"] > 0 and answer["compute_ns"] > 0
    assert body["answer_timings"] == ANSWER_TIMINGS
    # The break-even counts are break_even_queries' on the very numbers answered.
    assert body["break_even_answers"] == {
        "by_arithmetic": break_even_queries(training["flops"], answer["flops"]),
        "by_measured_time": break_even_queries(training["compute_ns"], answer["compute_ns"]),
    }
    assert body["million_answers"]["flops"] == 10**6 * answer["flops"]
    a = body["assumptions"]
    assert a["watts"] == {"value": 5.0, "unit": "W", "source": "our assumption"}
    assert a["region"] == "world" and a["grid"]["source"] == "Ember 2025"
    # Energy is time x watts; CO2 is energy x the grid's intensity.
    assert training["energy_j"] == pytest.approx(training["compute_ns"] / 1e9 * 5.0)
    assert abs(training["co2_g"] - training["energy_j"] / 3.6e6 * a["grid"]["value"]) < 1e-15


def test_the_same_model_gives_the_same_comparison_whatever_its_pace(client: TestClient) -> None:
    """Lesson 1 watches the default model train; lessons 3, 4 and 10 train it at once."""
    paced = create_run(client, model="mlp", pace="watch")
    instant = create_run(client, model="mlp", pace="instant")
    assert paced != instant
    first, second = costs(client, instant), costs(client, paced)
    for block in ("training", "per_answer", "break_even_answers"):
        assert first[block] == second[block]
    assert costs(client, instant) == first  # and asking again measures nothing new


def test_assumptions_change_only_what_depends_on_them(client: TestClient) -> None:
    run_id = create_run(client, model="mlp")
    base = costs(client, run_id)
    hot = costs(client, run_id, watts=700, region="france", price_per_hour=3)
    assert hot["training"]["compute_ns"] == base["training"]["compute_ns"]
    assert hot["training"]["energy_j"] == pytest.approx(base["training"]["energy_j"] * 140)
    assert hot["break_even_answers"] == base["break_even_answers"]
    assert hot["assumptions"]["watts"]["source"] is None  # the reader's own choice
    assert hot["assumptions"]["grid"]["value"] < base["assumptions"]["grid"]["value"]


def test_bad_assumptions_are_refused_plainly(client: TestClient) -> None:
    run_id = create_run(client, model="mlp")
    for query in (
        {"watts": "nan"},
        {"watts": "0"},
        {"watts": "inf"},
        {"region": "mars"},
        {"price_per_hour": "-1"},
        {"watts": "lots"},
    ):
        response = client.get(f"/api/runs/{run_id}/costs", params=query)
        assert response.status_code == 422, query
        assert next(iter(query)) in response.json()["detail"][0]["loc"]
    assert client.get("/api/runs/0123456789abcdef/costs").status_code == 404


def test_a_diverged_run_has_no_comparison(client: TestClient) -> None:
    run_id = create_run(client, model="mlp", optimizer="sgd", learning_rate=90, steps=200)
    response = client.get(f"/api/runs/{run_id}/costs")
    assert response.status_code == 409
    assert "diverged" in response.json()["detail"]


def test_the_page_panel_says_the_api_numbers(client: TestClient) -> None:
    """The cost panel and the API answer from one function, so they cannot disagree."""
    run_id = create_run(client, model="mlp")
    body = costs(client, run_id, region="india")
    form = {
        "run_id": run_id,
        "frozen": "1",
        "queries": "1",
        "region": "india",
        "train_flops": "1",
        "train_compute_ns": "1",
        "infer_flops": "1",
        "infer_compute_ns": "1",
        "answers": "1000",
    }
    panel = client.post("/widgets/costs", data=form)
    assert panel.status_code == 200, panel.text
    soup = BeautifulSoup(panel.text, "html.parser")
    ratio = soup.select_one("[data-role=ratio]").get_text()
    counts = body["break_even_answers"]
    assert f"arithmetic as {format_words(counts['by_arithmetic'])} answers" in ratio
    assert f"as {format_words(counts['by_measured_time'])} answers, each asked on its own" in ratio
    receipt = soup.select_one(".receipt").get_text()
    assert f"{format_words(counts['by_measured_time'])} answers" in receipt
    # The posted counters (1 FLOP of training) are not what the panel priced.
    assert "1 FLOP" not in soup.select_one(".cost-table").get_text()


def test_the_panel_refuses_a_run_it_cannot_price(client: TestClient) -> None:
    base = {
        "frozen": "1",
        "queries": "1",
        "train_flops": "10",
        "train_compute_ns": "10",
        "infer_flops": "1",
        "infer_compute_ns": "1",
    }
    for run_id, words in (("0123456789abcdef", "no run"), ("../etc", "not one this server")):
        response = client.post("/widgets/costs", data={**base, "run_id": run_id})
        assert response.status_code == 422
        assert words in BeautifulSoup(response.text, "html.parser").get_text()


def test_the_schema_documents_the_comparison(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/runs/{run_id}/costs"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"run_id", "watts", "region", "price_per_hour"}
    assert {"200", "404", "409", "422", "429"} <= set(operation["responses"])
