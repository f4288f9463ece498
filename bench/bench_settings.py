"""Settings for the benchmarks that serve bench/bench_urls.py: the production settings plus the baselines."""

from backend.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
