# Webserver and daemon image: the Dagster UI/GraphQL API and the daemon (schedules, sensors,
# run queue, run monitoring), and the one-shot services. User code never runs here; it lives in
# the code-location images. The lake package is here for the init service (the lake's catalog,
# the move from DuckDB files) and `make sql` (the DuckDB CLI on the lake).
FROM debian:bookworm-slim

# This first layer is the same, letter for letter, in every Dagster image of the stack, so Docker
# builds it once and the images share it. The entrypoint turns the secrets volume's files into
# environment variables (deploy/docker/entrypoint.sh).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /tmp/uv \
 && SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt /tmp/uv/bin/pip install --no-cache-dir uv==0.13.9 \
 && mv /tmp/uv/bin/uv /usr/local/bin/uv && rm -rf /tmp/uv \
 && useradd --uid 10001 --create-home dagster \
 && mkdir -p /opt/dagster/app /opt/dagster/warehouse /opt/dagster/landing /opt/dagster/reports \
             /opt/dagster/storage /opt/dagster/logs /opt/dagster/secrets \
 && chown dagster:dagster /opt/dagster/warehouse /opt/dagster/landing /opt/dagster/reports \
             /opt/dagster/storage /opt/dagster/logs
COPY deploy/docker/entrypoint.sh /usr/local/bin/dagster-entrypoint
ENTRYPOINT ["/usr/local/bin/dagster-entrypoint"]

ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON=/usr/bin/python3 UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PATH=/opt/venv/bin:$PATH PGPASSFILE=/opt/dagster/secrets/lake.pgpass

# Packages several images install alike, a layer per set, so that Docker stores each set once
# however many images have it (deploy/docker/layers/, written from the locks by
# scripts/image_layers.py); `uv sync` below finds them installed and adds the rest.
COPY deploy/docker/layers/dagster.txt /opt/dagster/layers/
RUN uv venv --quiet /opt/venv \
 && uv pip install --python /opt/venv/bin/python --no-deps --no-cache -r /opt/dagster/layers/dagster.txt
COPY deploy/docker/layers/duckdb.txt /opt/dagster/layers/
RUN uv pip install --python /opt/venv/bin/python --no-deps --no-cache -r /opt/dagster/layers/duckdb.txt

ENV DAGSTER_HOME=/opt/dagster/dagster_home

# The lake package is a path dependency (lake/): its metadata before the lock's other packages,
# its code after them, so that a change to it reinstalls nothing else.
COPY pyproject.toml uv.lock /opt/dagster/app/
COPY lake/pyproject.toml /opt/dagster/app/lake/
RUN cd /opt/dagster/app && uv sync --frozen --no-dev --no-install-project --no-install-package dagster-etl-lake --no-cache
COPY lake/src /opt/dagster/app/lake/src
RUN cd /opt/dagster/app && uv sync --frozen --no-dev --no-install-project --no-cache \
 && python -m dagster_etl_lake.extensions

COPY dagster.yaml workspace.yaml $DAGSTER_HOME/
# The instance classes dagster.yaml names (pooled Postgres storage, a prompter run queue) and the
# garbage collector threshold every Python process here starts with (sitecustomize).
COPY deploy/docker/dagster_etl_instance.py deploy/docker/sitecustomize.py /opt/dagster/lib/
ENV PYTHONPATH=/opt/dagster/lib
# The one-shot services (secrets, init) and the course's sample files that init puts into the
# landing folder on first start.
COPY deploy/docker/secrets.sh deploy/docker/init.sh deploy/docker/daemon-health.py deploy/docker/webserver.py /usr/local/bin/
COPY files_location/src/files_location/course_samples/*.csv /opt/dagster/course-samples/
WORKDIR $DAGSTER_HOME
# No USER: the entrypoint joins the Docker socket's group (its id differs per host), then runs
# everything as the user dagster. The one-shot secrets service runs secrets.sh as root instead.
