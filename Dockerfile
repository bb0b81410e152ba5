# dinarwatch worker / CLI image (used by docker-compose.yml). Needs Docker 23+ (BuildKit).
#
# Build it with the ISO 20022 schemas as a named context (they live in ../shared beside the
# repository, not in it); docker compose passes the same context (build.additional_contexts):
#   docker build --build-context xsd=../shared/data/iso20022/xsd -t dinarwatch:local .
# Without that context the build stops at the check below with one line saying so, rather
# than producing an image that silently skips XSD validation.

FROM python:3.11-slim-bookworm AS no-xsd
RUN mkdir /marker && touch /marker/.no-xsd-context

# A named build context `xsd` replaces this stage; without one it holds only the marker.
FROM scratch AS xsd
COPY --from=no-xsd /marker/ /

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (their layer survives code changes). requirements.lock pins every
# package, the runtime ones included; used as constraints it fixes their versions (among them
# faust-streaming 0.15.3, the release streams/faust_fixes.py patches) without installing the
# development tools. tests/unit/test_deploy.py checks that the lock covers every runtime
# dependency, so nothing here is resolved freely.
COPY requirements.lock pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/runtime-requirements.txt \
 && pip install --constraint requirements.lock --requirement /tmp/runtime-requirements.txt \
 && rm /tmp/runtime-requirements.txt

COPY . /app
RUN pip install --no-deps --constraint requirements.lock . \
 && pip check \
 && useradd --create-home --uid 10001 dinarwatch \
 && mkdir -p /var/lib/dinarwatch \
 && chown dinarwatch /var/lib/dinarwatch

# ISO 20022 schemas for XSD validation of pacs.008 / pacs.009 (and the head.001 AppHdr).
COPY --from=xsd . /opt/dinarwatch/xsd/
RUN rm -f /opt/dinarwatch/xsd/.no-xsd-context \
 && if [ -z "$(find /opt/dinarwatch/xsd -name 'pacs.008.001.08.xsd' -print -quit)" ]; then \
      echo "no ISO 20022 XSDs in the build: build with --build-context xsd=../shared/data/iso20022/xsd (docker compose does)" >&2; \
      exit 1; \
    fi

USER dinarwatch
WORKDIR /var/lib/dinarwatch
ENV DINARWATCH_KAFKA_BOOTSTRAP=kafka:9092 \
    DINARWATCH_WEB_BIND=0.0.0.0 \
    DINARWATCH_DATA_DIR=/var/lib/dinarwatch/data \
    DINARWATCH_XSD_DIR=/opt/dinarwatch/xsd

EXPOSE 6066
ENTRYPOINT ["dinarwatch"]
CMD ["worker", "--web-port", "6066"]
