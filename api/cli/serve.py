"""`countermark serve`: migrate, check the blob store, then hand over to uvicorn's workers.

This module is what `countermark serve` imports (`api.cli.app` sends `serve` here before
loading the other commands): the supervisor process needs settings, the migrations and the
start-up check, not the app, the engine or the other commands' libraries. Each worker imports
the app itself (uvicorn starts it from `api.app:create_app_from_env`), so what the supervisor
imported only cost start-up time and memory that no request uses.
"""

from __future__ import annotations

import os
import tempfile
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option(help="log one line per request (costs ~25% of peak throughput)")
    ] = False,
) -> None:
    """Apply the migrations, then serve the API with uvicorn."""
    import uvicorn

    from api.cli.database import open_settings
    from api.cli.fsck import check_at_start
    from catalog.core.migrate import upgrade_head

    settings = open_settings(create=True)
    upgrade_head(settings)
    check_at_start(settings)
    # Image matching does small matrix products: a second BLAS thread per process made
    # verification ~3x slower on a busy 2-core host. Worker and pool processes inherit this.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers share their metrics through files; set before any worker imports them.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="countermark-metrics-")
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=access_log,
        # A worker loading a large index (or compiling the text kernel) on a busy host can
        # miss uvicorn's 5 s ping and be killed in a loop; loading is bounded by /readyz.
        timeout_worker_healthcheck=60,
    )


serve_app = typer.Typer(help="Countermark: counterfeit-product verification service.")
serve_app.command("serve")(serve)


@serve_app.callback()
def _group() -> None:
    """Countermark: counterfeit-product verification service."""
