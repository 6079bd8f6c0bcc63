# getback — two commands do everything: `make run` and `make test`.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run test test-clock build vet fmt bench clean e2e-mattermost load ack crash fuzz

## run: the bot in local console mode on ./getback.db (no chat server needed)
run: build
	./bin/getback console

## build: compile bin/getback
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/getback ./cmd/getback

## test: vet, then every test with the race detector (the PostgreSQL
## store's tests too when GETBACK_TEST_POSTGRES_URL names a server)
test: vet
	@[ -n "$$GETBACK_TEST_POSTGRES_URL" ] || echo "PostgreSQL tests skipped: set GETBACK_TEST_POSTGRES_URL=postgres://USER@HOST:5432/DB?sslmode=disable to run them"
	$(GO) test -race -count=1 ./...

## test-clock: every test again with the process's wall clock moved by
## -400, +16 and +400 days (.ci/shift-clock): a test that reads the real
## date instead of its pinned clock fails here
CLOCK_SHIFTS ?= -400 16 400
test-clock:
	@set -e; for d in $(CLOCK_SHIFTS); do .ci/shift-clock $$d $(GO) test -count=1 ./...; done

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

## bench: the benchmarks quoted in the issue notes (slow: builds large
## stores, and imports a generated 191 MB legacy sheet, cached in the temp
## directory), the acknowledgement run against a real getback serve, then
## the crash tests with 50 kills each
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./...
	$(MAKE) ack
	$(MAKE) crash

## crash: kill getback serve with SIGKILL 50 times during acknowledged
## writes and 50 times during a reminder fan-out; then three replicas on
## PostgreSQL (GETBACK_TEST_POSTGRES_URL), a random one killed 50 times
## during writes and about 50 times during 16 fan-outs of 500 DMs and 10
## digests (make test does 3 kills of each)
crash:
	GETBACK_CRASH_ITERATIONS=50 $(GO) test -count=1 -timeout 30m -run 'TestCrash|TestReplicas' -v ./cmd/getback

## fuzz: run every fuzz target for FUZZTIME each (seed corpora in
## testdata/fuzz run in make test too)
FUZZTIME ?= 10s
FUZZ_TARGETS := ./commands:FuzzParse ./commands:FuzzRunAndAct ./adapters/console:FuzzHandle ./bot:FuzzParseDate ./bot:FuzzExtractGetbacks \
	./storage/sheet:FuzzParseRow ./adapters/slack:FuzzSignedRequests ./adapters/slack:FuzzParseSlashCommand ./adapters/mattermost:FuzzRequests \
	./adapters/mattermost:FuzzDialogState ./adapters/mattermost:FuzzSignedActions
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## load: drive a real getback serve on 127.0.0.1 with signed Slack and
## Mattermost commands and check the store against the load log
## (LOADFLAGS="--requests 20000 --seed-meetings 100000" for the quoted run)
load: build
	$(GO) run ./cmd/getback-load --getback bin/getback $(LOADFLAGS)

## ack: signed /getback list from 8 clients against a real getback serve on
## the 100,000-meeting store, Slack and Mattermost, each burst compared
## with a handler that only checks the signature or token; getback's
## memory idle and under load (docs/benchmarks.md)
ack: build
	$(GO) run ./cmd/getback-load --ack --getback bin/getback --seed-meetings 100000 $(ACKFLAGS)

clean:
	rm -rf bin

## e2e-mattermost: the Mattermost adapter against a real server (needs
## GETBACK_E2E_MATTERMOST_URL and GETBACK_E2E_MATTERMOST_ADMIN_TOKEN)
e2e-mattermost:
	@if [ -z "$$GETBACK_E2E_MATTERMOST_URL" ] || [ -z "$$GETBACK_E2E_MATTERMOST_ADMIN_TOKEN" ]; then \
		echo "set GETBACK_E2E_MATTERMOST_URL and GETBACK_E2E_MATTERMOST_ADMIN_TOKEN (a system admin's access token)"; exit 2; fi
	$(GO) test -count=1 -run TestEndToEndWithRealServer -v ./adapters/mattermost/
