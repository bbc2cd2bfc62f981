"""The HTML pages: the course map and one page per lesson."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.deps import LessonsDep, TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def course_map(request: Request, lessons: LessonsDep, templates: TemplatesDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"lessons": list(lessons.values())})


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
    return templates.TemplateResponse(request, "lesson.html", context)


@router.get("/healthz")
def health(request: Request) -> dict[str, object]:
    """Liveness for load balancers and Docker; also how many streams are live."""
    return {"status": "ok", "live_streams": request.app.state.slots.live}
