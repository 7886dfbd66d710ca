# One entry point for the deployment. `make up` starts it, `make test` runs every test.
COMPOSE := scripts/compose.sh
LOCATION ?=

.PHONY: up down clean env base-image build ps logs redeploy test test-unit test-deployment bench

## Start the whole deployment (builds images the first time) and wait until every service is healthy.
up: env base-image
	$(COMPOSE) up -d --build
	scripts/wait-healthy.sh
	@echo "Dagster UI: http://$$(grep -E '^DAGSTER_WEBSERVER_BIND=' .env | cut -d= -f2):$$(grep -E '^DAGSTER_WEBSERVER_PORT=' .env | cut -d= -f2)"

## Stop the deployment, keeping its data (volumes).
down:
	$(COMPOSE) down --remove-orphans

## Stop it and delete its data: containers, volumes and the network.
clean:
	$(COMPOSE) down --volumes --remove-orphans

## Write .env with random passwords (once).
env:
	scripts/env.sh

## Make sure debian:bookworm-slim exists (built with debootstrap where no registry is reachable).
base-image:
	scripts/base-image.sh

build: env base-image
	$(COMPOSE) build

ps:
	$(COMPOSE) ps

logs:
	$(COMPOSE) logs --tail=100 -f

## Rebuild and redeploy one code location: make redeploy LOCATION=api_location
redeploy:
	scripts/redeploy.sh $(LOCATION)

## Every test: the three locations' own suites, then the deployment tests (build, up, drive, tear down).
test:
	scripts/test.sh

test-unit:
	scripts/test.sh unit

test-deployment:
	scripts/test.sh deployment

bench:
	scripts/bench.sh
