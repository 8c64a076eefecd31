# pentrack: API, /docs and dashboard. Migrates and seeds on start, then serves on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PENTRACK_DATABASE_URL=sqlite:////data/pentrack.db

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install . \
    && useradd --create-home --uid 10001 pentrack \
    && mkdir -p /data && chown pentrack:pentrack /data

USER pentrack
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz').status == 200 else 1)"
CMD ["sh", "-c", "pentrack migrate && pentrack seed ${PENTRACK_SEED_DEMO:+--demo} && exec pentrack serve --host 0.0.0.0 --port 8000"]
