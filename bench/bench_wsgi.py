"""The shop as bench/http_throughput.py serves it: with ``BENCH_KIND=muted`` the
plug-in's receivers of the shop's signals are disconnected (the shop without it)."""

import os

from leadcapture.events.receivers import RECEIVERS
from storefront import create_app

app = create_app()
if os.environ.get("BENCH_KIND") == "muted":
    for signal, receiver in RECEIVERS.items():
        signal.disconnect(receiver)
