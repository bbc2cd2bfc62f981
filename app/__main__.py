"""``python -m app``: serve Phase Lab on the host and port from the settings."""

from __future__ import annotations

import uvicorn

from app.settings import Settings


def main() -> None:
    settings = Settings()
    print(f"Phase Lab on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run("app.main:app", host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
