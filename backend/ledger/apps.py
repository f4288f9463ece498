from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "backend.ledger"
    label = "ledger"
    verbose_name = "全过程记录台账"

    def ready(self) -> None:
        from backend.ledger import checks  # noqa: F401  (registers the system checks)
