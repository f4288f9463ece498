from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "backend.disclosures"
    label = "disclosures"
    verbose_name = "行政执法公示"
