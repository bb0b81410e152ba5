# dinarwatch worker / CLI image (used by docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . /app
RUN pip install . \
 && useradd --create-home --uid 10001 dinarwatch \
 && mkdir -p /var/lib/dinarwatch \
 && chown dinarwatch /var/lib/dinarwatch

USER dinarwatch
WORKDIR /var/lib/dinarwatch
ENV DINARWATCH_KAFKA_BOOTSTRAP=kafka:9092 \
    DINARWATCH_WEB_BIND=0.0.0.0 \
    DINARWATCH_DATA_DIR=/var/lib/dinarwatch/data

EXPOSE 6066
ENTRYPOINT ["dinarwatch"]
CMD ["worker", "--web-port", "6066"]
