"""The HTML pages: the course map and one page per lesson."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.web.deps import LessonsDep, TemplatesDep
from app.web.rate_limits import CLIENT_COOKIE

router = APIRouter(include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600


def _remember_browser(request: Request, response: HTMLResponse) -> HTMLResponse:
    """A random id per browser, so rate limits count readers, not their school's router."""
    if CLIENT_COOKIE not in request.cookies:
        response.set_cookie(
            CLIENT_COOKIE, secrets.token_hex(16), max_age=ONE_YEAR, httponly=True, samesite="lax"
        )
    return response


@router.get("/", response_class=HTMLResponse)
def course_map(request: Request, lessons: LessonsDep, templates: TemplatesDep) -> HTMLResponse:
    page = templates.TemplateResponse(
        request, "pages/index.html", {"lessons": list(lessons.values())}
    )
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
