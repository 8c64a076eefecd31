# pentrack: `pentrack serve` by default; `docker run IMAGE worker` runs the worker and
# `docker run IMAGE migrate` migrates (compose.yaml runs all three). The image never migrates on
# its own: several replicas starting together must not each run the migration.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PENTRACK_DATABASE_URL=sqlite:////data/pentrack.db \
    PENTRACK_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md alembic.ini constraints.txt ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
# The tested versions (constraints.txt) and nothing newer.
RUN pip install -c constraints.txt . \
    && useradd --create-home --uid 10001 pentrack \
    && mkdir -p /data /tmp/pentrack-metrics && chown pentrack:pentrack /data /tmp/pentrack-metrics

USER pentrack
VOLUME ["/data"]
EXPOSE 8000
# The API's readiness; a worker container overrides it with `pentrack health worker`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"
ENTRYPOINT ["pentrack"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
