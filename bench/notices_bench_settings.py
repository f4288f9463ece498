"""Settings for bench/bench_notices.py only: the production settings plus the baseline views' URLconf."""

from backend.config.settings import *  # noqa: F403

ROOT_URLCONF = "notices_bench_urls"
