"""The embedded default's task queue: kombu's filesystem transport, with messages that appear whole.

kombu's own ``_put`` creates ``<time>_<uuid>.<queue>.msg`` and then writes into it; its ``_get`` lists the
folder, moves the first matching file away and parses it, without waiting for the writer. A worker that
picks a message up between the two gets an empty or partial file, ``json.loads`` fails and Celery's main
process stops with "Unrecoverable error: JSONDecodeError" (seen with bench/bench_slow_clients.py: 48 uploads
completing at once each enqueue their processing; under `make run` the supervisor then stopped the
service). Here a message is written under a name the consumer ignores (``….msg.part``) and renamed into place:
``os.replace`` is atomic within the folder, so a consumer sees nothing or the whole message.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class FilesystemChannel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"  # kombu's name: its order, its queue
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"  # ".<queue>.msg.part" is not "<queue>.msg": _get skips it
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel
