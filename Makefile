# The two commands of the README: `make run` and `make test`.
.PHONY: run test bootstrap lint check bench

export OMP_NUM_THREADS ?= 1
export TOKENIZERS_PARALLELISM ?= false
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	.venv/bin/govchat serve

test: bootstrap check
	.venv/bin/python -m pytest -q

# Static checks that CI runs before the tests: lint (the clock lint included), import layers, types.
check: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy kernel govchat knowledge_base bot nlu integrations office_flows admin

lint: check

bench: bootstrap
	.venv/bin/python -m bench.kb_bench
	.venv/bin/python -m bench.nlu_bench
	.venv/bin/python -m bench.tickets_bench
	.venv/bin/python -m bench.admin_bench
	.venv/bin/python -m bench.router_bench
	.venv/bin/python -m bench.matrix_bench
	.venv/bin/python -m bench.emergency_bench
