"""Ask a trained model, time batching, shrink it to 8 bits: the inference half of the API.

What each kind of model answers is app/runs/questions.py's; the bodies are in
question_bodies.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from app.runs.questions import (
    Question,
    QuestionError,
    answer,
    batching,
    sample_questions,
    shrink_to_8_bit,
)
from app.web.api.question_bodies import (
    BatchingRequest,
    BatchingResponse,
    BatchTiming,
    PredictRequest,
    PredictResponse,
    QuantizeResponse,
)
from app.web.api.responses import (
    BAD_BODY,
    DIVERGED,
    LIMITED,
    TOO_LARGE,
    UNKNOWN_RUN,
    refuse,
)
from app.web.deps import RunIdPath, RunSpecDep, ServicesDep, limit_predicts, services_of
from app.web.trained import trained_model

router = APIRouter(prefix="/api", tags=["models"])


@router.post(
    "/runs/{run_id}/predict",
    response_model=PredictResponse,
    response_model_exclude_none=True,
    summary="Ask the trained model",
    responses={
        400: BAD_BODY,
        404: UNKNOWN_RUN,
        409: DIVERGED,
        413: TOO_LARGE,
        429: LIMITED,
        422: {"description": "A question of the wrong shape, too many, or not finite numbers."},
    },
)
async def predict(
    run_id: RunIdPath,
    body: PredictRequest,
    spec: RunSpecDep,
    request: Request,
) -> JSONResponse:
    """Ask the run's trained model (trained on demand if need be).

    mlp: `inputs` of points; linear: `inputs` of `[x]`; digits: `drawings`; language:
    `prompt` (with `top_k`, `n_words`, `temperature`, `sample_seed`).
    """
    # The hottest route (a class asks thousands of questions a minute), so it does by
    # hand what FastAPI would do with a dependency and the response model: the limit is
    # checked here, and the answer, plain numbers already, is encoded directly (its
    # shape is PredictResponse's, which the schema tests hold it to).
    services = services_of(request)
    services.predict_limiter.enforce(request)
    with services.metrics.predict_seconds.time():
        trained = await trained_model(run_id, spec, services)
        try:
            reply = answer(
                spec, trained, Question(**body.model_dump()), services.settings.max_predict_inputs
            )
        except QuestionError as problem:
            refuse(problem.field, str(problem), problem.value, problem.kind)
    assert trained.model is not None
    reply["fingerprint"] = trained.model.fingerprint()
    return JSONResponse(reply)


@router.post(
    "/runs/{run_id}/batching",
    response_model=BatchingResponse,
    summary="Time one big batch against many single questions",
    dependencies=[Depends(limit_predicts)],
    responses={400: BAD_BODY, 404: UNKNOWN_RUN, 409: DIVERGED, 413: TOO_LARGE, 429: LIMITED},
)
async def time_batching(
    run_id: RunIdPath,
    spec: RunSpecDep,
    services: ServicesDep,
    body: BatchingRequest | None = None,
) -> BatchingResponse:
    """For each size: the compute time of one call with that many inputs, and of as many
    one-input calls. Batching raises throughput; each answer waits for the whole batch."""
    trained = await trained_model(run_id, spec, services)
    if spec.model == "linear":
        refuse("sizes", "Batching is timed for the classifiers and the language model.")
    sizes = (body or BatchingRequest()).sizes
    timings = batching(trained.model, sample_questions(spec, trained), sizes)
    assert trained.model is not None
    return BatchingResponse(
        timings=[BatchTiming(**t) for t in timings], fingerprint=trained.model.fingerprint()
    )


@router.post(
    "/runs/{run_id}/quantize",
    response_model=QuantizeResponse,
    summary="Shrink the model to 8-bit weights and compare",
    dependencies=[Depends(limit_predicts)],
    responses={
        404: UNKNOWN_RUN,
        409: DIVERGED,
        429: LIMITED,
    },
)
async def shrink(run_id: RunIdPath, spec: RunSpecDep, services: ServicesDep) -> QuantizeResponse:
    """An 8-bit copy "for a phone": its size against the original, and how often they agree
    on the held-out data."""
    if spec.model not in ("mlp", "digits"):
        refuse("model", "Only mlp and digits runs can be shrunk to 8 bits here.", spec.model)
    trained = await trained_model(run_id, spec, services)
    assert trained.model is not None and trained.setup is not None
    result = shrink_to_8_bit(trained.model, trained.setup.data.x_val)
    return QuantizeResponse(**result, fingerprint=trained.model.fingerprint())
