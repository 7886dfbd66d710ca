# One entry point for the deployment. `make up` starts it, `make test` runs every test.
COMPOSE := scripts/compose.sh
LOCATION ?=

.PHONY: up down clean base-image build ps logs sql redeploy test test-unit test-deployment bench

## Start the whole deployment (builds images the first time) and wait until every service is healthy.
up: base-image
	$(COMPOSE) up -d --build
	scripts/wait-healthy.sh
	@echo "Dagster UI: http://localhost:$${DAGSTER_WEBSERVER_PORT:-3000} (or the port set in .env)"

## Stop the deployment, keeping its data (volumes).
down:
	scripts/down.sh

## Stop it and delete its data: containers, volumes and the network.
clean:
	scripts/down.sh --volumes

## Make sure debian:bookworm-slim exists (built with debootstrap where no registry is reachable).
base-image:
	scripts/base-image.sh

build: base-image
	$(COMPOSE) build

ps:
	$(COMPOSE) ps

logs:
	$(COMPOSE) logs --tail=100 -f

## A DuckDB shell on the warehouse, read-only, while the pipelines run: make sql (or make sql SQL="FROM files.raw_data")
sql:
	$(COMPOSE) run --rm --no-deps init python -m dagster_etl_lake.shell $(if $(SQL),-c "$(SQL)")

## Rebuild and redeploy one code location: make redeploy LOCATION=api_location
redeploy:
	scripts/redeploy.sh $(LOCATION)

## Every test: static checks, the three locations' own suites, the Kubernetes checks, then the deployment tests (build, up, drive, tear down).
test:
	scripts/test.sh

test-unit:
	scripts/test.sh unit

test-deployment:
	scripts/test.sh deployment

bench:
	scripts/bench.sh
