# Countermark API image: `docker compose up` runs it beside PostgreSQL 16.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    OPENBLAS_NUM_THREADS=1 \
    COUNTERMARK_DATA_DIR=/var/lib/countermark

WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY catalog ./catalog
COPY matchers ./matchers
COPY migrations ./migrations
RUN pip install . \
    && useradd --system --home /var/lib/countermark countermark \
    && mkdir -p /var/lib/countermark \
    && chown countermark /var/lib/countermark

USER countermark
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"
CMD ["countermark", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
