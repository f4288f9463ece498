"""The ledger's pure formats, with no Django: what a court's offline verifier needs and the server writes.

* ``canonical_json`` — RFC 8785 canonical JSON of audit events and device capture records;
* ``merkle`` — the RFC 9162 Merkle transparency log (tree hashing, inclusion and consistency proofs);
* ``signed_note`` — the signed checkpoint of the log (C2SP signed-note format, Ed25519);
* ``bundle_format`` — the evidence bundle (zip layout, manifest);
* ``offline_verifier`` — ``zhifa-verify``, which checks a bundle with nothing but this package.

The Django side (models, node store, checkpoint signing, bundle export) is ``backend.ledger`` and
``backend.sharing``; both import from here, never the reverse (import-linter contract ``django-free``).
"""
