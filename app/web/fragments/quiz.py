"""The FAQ quizzes: the reader's answer is checked here, and the why comes back (htmx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from app.content.widgets import QuizWidget
from app.web.deps import LessonsDep, TemplatesDep

router = APIRouter(prefix="/widgets", include_in_schema=False)


@router.post("/quiz/{slug}/{widget}/{index}", response_class=HTMLResponse)
async def check_answer(
    slug: str,
    widget: int,
    index: int,
    request: Request,
    lessons: LessonsDep,
    templates: TemplatesDep,
    choice: Annotated[str, Form(max_length=4)] = "",
) -> HTMLResponse:
    template = "fragments/quiz_feedback.html"
    lesson = lessons.get(slug)
    widgets = lesson.widgets if lesson else []
    quiz = widgets[widget - 1] if 1 <= widget <= len(widgets) else None
    if not isinstance(quiz, QuizWidget) or not 0 <= index < len(quiz.questions):
        context: dict[str, object] = {"error": "That question is not on this page any more."}
        return templates.TemplateResponse(request, template, context, status_code=404)
    question = quiz.questions[index]
    picked = int(choice) if choice.isascii() and choice.isdigit() else -1  # not "²"
    if not 0 <= picked < len(question.choices):
        context = {"error": "Pick one of the answers first."}
        return templates.TemplateResponse(request, template, context, status_code=422)
    context = {
        "error": None,
        "question": question,
        "correct": picked == question.answer,
        "link": lessons.get(question.lesson) if question.lesson else None,
    }
    return templates.TemplateResponse(request, template, context)
