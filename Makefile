# The two set-up commands of the README are `make demo` and `make test`; each installs what it
# needs (uv, then the locked environment from uv.lock) before it runs.
.PHONY: env demo test lint bench

env:
	@./scripts/ensure-uv
	@uv sync --frozen --quiet

demo: env
	uv run --frozen fundwatch demo

test: env
	uv run --frozen pytest

lint: env
	uv run --frozen ruff check fundwatch tests benchmarks
	uv run --frozen ruff format --check fundwatch tests benchmarks
	uv run --frozen mypy

bench: env
	uv run --frozen python -m benchmarks
