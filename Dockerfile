# Ostiary server image: `docker compose up` runs it after the `migrate` service (`ostiary db upgrade`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OSTIARY_HOME=/app

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --home-dir /app ostiary \
    && mkdir -p /data && chown ostiary /data

USER ostiary
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
ENTRYPOINT ["ostiary"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
