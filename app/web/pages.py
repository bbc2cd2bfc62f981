"""The HTML pages: the course map and one page per lesson."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.runs.specs import MlpSpec
from app.web.deps import LessonsDep, TemplatesDep
from app.web.rate_limits import CLIENT_COOKIE

router = APIRouter(include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600

# The home page's live demo: the smallest run that still visibly learns the moons (80
# steps of the 354-number default network, well under a tenth of a second of computing),
# watched at the normal pace, one frame a step: about 4 s. Every visitor gets this one
# spec, so one run id, and it trains only when someone presses the button: a class of 300
# opening the home page at once costs nothing until they choose to watch.
HOME_DEMO = MlpSpec(model="mlp", steps=80, learning_rate=0.03)


def _remember_browser(request: Request, response: HTMLResponse) -> HTMLResponse:
    """A random id per browser, so rate limits count readers, not their school's router."""
    if CLIENT_COOKIE not in request.cookies:
        response.set_cookie(
            CLIENT_COOKIE, secrets.token_hex(16), max_age=ONE_YEAR, httponly=True, samesite="lax"
        )
    return response


@router.get("/", response_class=HTMLResponse)
def course_map(request: Request, lessons: LessonsDep, templates: TemplatesDep) -> HTMLResponse:
    context = {"lessons": list(lessons.values()), "demo_spec": HOME_DEMO.model_dump(mode="json")}
    page = templates.TemplateResponse(request, "pages/index.html", context)
    return _remember_browser(request, page)


@router.get("/lessons/{slug}", response_class=HTMLResponse)
def lesson_page(
    slug: str, request: Request, lessons: LessonsDep, templates: TemplatesDep
) -> HTMLResponse:
    lesson = lessons.get(slug)
    if lesson is None:
        raise HTTPException(404, f"There is no lesson called '{slug}'.")
    ordered = list(lessons.values())
    position = ordered.index(lesson)
    context = {
        "lesson": lesson,
        "lessons": ordered,
        "previous": ordered[position - 1] if position > 0 else None,
        "next": ordered[position + 1] if position + 1 < len(ordered) else None,
    }
    return _remember_browser(
        request, templates.TemplateResponse(request, "pages/lesson.html", context)
    )
