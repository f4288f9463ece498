import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.ledger.keys import log_origin
from backend.ledgercore.signed_note import NoteError, generate_key


class Command(BaseCommand):
    help = (
        "Generate a new Ed25519 log signing key (C2SP signed-note format). Writes the SECRET signer key to "
        "--out (mode 0600) and prints the public verifier key to publish. Never commit the signer key."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--name", default=None, help="key name (default: LEDGER_ORIGIN)")
        parser.add_argument("--out", default=None,
                            help="file for the signer key (refuses to overwrite); without it the key is printed")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        name = options["name"] or log_origin()
        try:
            pair = generate_key(name)
        except NoteError as exc:
            raise CommandError(str(exc)) from exc
        out = options["out"]
        if out:
            path = Path(out)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError as exc:
                raise CommandError(f"{path} exists; refusing to overwrite a signing key") from exc
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(pair.signer_key + "\n")
            self.stdout.write(f"signer key (secret) written to {path}; set LEDGER_SIGNING_KEY_FILE={path}")
        else:
            self.stdout.write("# SECRET signer key: store it in the secret manager as LEDGER_SIGNING_KEY")
            self.stdout.write(f"LEDGER_SIGNING_KEY={pair.signer_key}")
        self.stdout.write("# public verifier key: publish it (GET /api/v1/public/ledger/key/ serves it)")
        self.stdout.write(pair.verifier_key)
