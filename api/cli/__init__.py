"""The `countermark` command line.

`countermark serve` loads only `api.cli.serve` (the supervisor stays small: see there) and
`countermark import` only `api.cli.import_products`; any other command loads them all
(`api.cli.main`).
"""

from __future__ import annotations

import sys


def app() -> None:
    """Run the `countermark` command named on the command line."""
    if sys.argv[1:2] == ["serve"]:
        from api.cli.serve import serve_app

        serve_app(prog_name="countermark")
    elif sys.argv[1:2] == ["import"]:
        from api.cli.import_products import import_app

        import_app(prog_name="countermark")
    else:
        from api.cli.main import app as commands

        commands(prog_name="countermark")


__all__ = ["app"]
