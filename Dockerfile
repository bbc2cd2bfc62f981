# Phase Lab in a container: npm fetches the pinned front-end libraries, then a slim Python
# image runs the app as a non-root user.
#   docker build -t phaselab . && docker run -p 8000:8000 phaselab

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && mkdir -p vendor \
 && cp node_modules/htmx.org/dist/htmx.min.js vendor/htmx.min.js \
 && cp node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js vendor/plotly.min.js \
 && mkdir -p vendor/swagger-ui \
 && cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css vendor/swagger-ui/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PHASELAB_HOST=0.0.0.0 \
    PHASELAB_PORT=8000 \
    PHASELAB_DATA_DIR=/data \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1
WORKDIR /srv/phaselab
COPY pyproject.toml README.md ./
COPY app ./app
# An editable install keeps templates/, static/ and lessons/ beside the code, where the app looks.
RUN pip install --no-cache-dir -e . \
 && useradd --system --uid 10001 --home-dir /nonexistent phaselab \
 && mkdir -p /data && chown phaselab /data
COPY templates ./templates
COPY static ./static
COPY lessons ./lessons
COPY --from=assets /build/vendor ./static/vendor
USER phaselab
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["python", "-m", "app"]
