# Webserver and daemon image: the Dagster UI/GraphQL API and the daemon (schedules, sensors,
# run queue, run monitoring). User code never runs here; it lives in the code-location images.
FROM debian:bookworm-slim

# This first layer is the same, letter for letter, in every Dagster image of the stack, so Docker
# builds it once and the images share it (each image builds from its own folder, so no common base).
# Hosts behind a TLS-intercepting proxy pass its CA (public, not secret) so that pip/uv can
# reach PyPI during the build; empty everywhere else.
ARG EXTRA_CA_CERTS=""
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" > /usr/local/share/ca-certificates/extra.crt && update-ca-certificates; \
    fi \
 && python3 -m venv /opt/uv \
 && SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt /opt/uv/bin/pip install --no-cache-dir uv==0.13.9 \
 && useradd --uid 10001 --create-home dagster \
 && mkdir -p /opt/dagster/app /opt/dagster/warehouse /opt/dagster/landing /opt/dagster/reports \
             /opt/dagster/storage /opt/dagster/logs \
 && chown dagster:dagster /opt/dagster/warehouse /opt/dagster/landing /opt/dagster/reports \
             /opt/dagster/storage /opt/dagster/logs

ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON=/usr/bin/python3 UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PATH=/opt/venv/bin:$PATH \
    DAGSTER_HOME=/opt/dagster/dagster_home

COPY pyproject.toml uv.lock /opt/dagster/app/
RUN cd /opt/dagster/app && /opt/uv/bin/uv sync --frozen --no-dev --no-install-project --no-cache

COPY dagster.yaml workspace.yaml $DAGSTER_HOME/
WORKDIR $DAGSTER_HOME
USER dagster
