from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Evidence bundles of a case, their share links, and the staff's reading of full ledger entries (no models of
    its own: the exports and shares are ledger rows, BundleExport / BundleShare)."""

    name = "backend.sharing"
    label = "sharing"
    verbose_name = "证据包与共享"
