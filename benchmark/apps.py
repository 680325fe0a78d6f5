from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    """`make bench` tooling (load_bench, bench_tool): not a stage of the programme. It spans every
    stage, so it sits after them all and nothing imports it."""

    name = "benchmark"
    default_auto_field = "django.db.models.BigAutoField"
