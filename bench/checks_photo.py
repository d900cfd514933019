"""Photo -> product through `POST /v1/checks` over real HTTP: top-1 / top-3 and latency.

The 31 grocery_store iconic images are registered over HTTP as genuine references of
31 products; the catalogue is padded to 1k or 10k reference images with other
images (synthetic package photos and edited ukbench photos, from bench/images_photo.py,
inserted straight into the database as other products' genuine references); then
`countermark serve --workers 1` answers each natural photo sent as an officer's
page sends it (photo only, multipart). The possible-match floor was chosen on the
even photo indices of each product (`--split tune`); figures are reported on the
odd ones (`--split report`, the default), which nothing was tuned on.
`--route screenings` sends each photo instead as a customs declaration's image data
to `POST /v1/screenings` (description "goods", nothing else), where only matches
above screening's bar count.
`--in-process` skips the database and the server: the references and photos are
described by the routes' own functions (`prepare_image`, `inspect_photo`) and searched
in a `PhotoIndex` as a check's possible matches are (floor 0, three candidates; the photo
at simulated tilts when nothing verified, `tilted_views`), so an engine change can be
measured in about a minute; confirm over HTTP at the end. Its times are the search's,
plus the tilted views' extraction when they are made.

    .venv/bin/python bench/checks_photo.py --sizes 31,1000,10000 [--route screenings]
    .venv/bin/python bench/checks_photo.py --sizes 31,10000 --in-process [--split tune]
"""

from __future__ import annotations

import argparse
import base64
import csv
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening import serve, stop, wait_ready  # noqa: E402
from bench.images_photo import padding  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def grocery(data: Path, split: str) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """(class, path) of the iconic images and of the natural photos of one split."""
    root = data / "images" / "grocery_store"
    with (root / "manifest.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    iconic = [(r["class_name"], root / r["local_path"]) for r in rows if r["kind"] == "iconic"]
    seen: dict[str, int] = {}
    natural = []
    for r in rows:
        if r["kind"] != "natural":
            continue
        index = seen.get(r["class_name"], 0)
        seen[r["class_name"]] = index + 1
        if (index % 2 == 0) == (split == "tune"):
            natural.append((r["class_name"], root / r["local_path"]))
    return iconic, natural


def setup(work: Path, data: Path, pad: int, cache: Path) -> tuple[dict[str, str], str, str, str]:
    """Migrate; padding references in the database; holder, officer and customs keys."""
    from catalog.access import audit
    from catalog.access.keys import CLI_ACTOR, create_key
    from catalog.core.db import create_database
    from catalog.core.migrate import upgrade_head
    from catalog.core.settings import Settings
    from catalog.models import Product, ReferenceImage
    from catalog.products.rights_holders import create_rights_holder

    settings = Settings(data_dir=work / "data", database_url=f"sqlite:///{work / 'cm.db'}")
    upgrade_head(settings)
    database = create_database(settings)
    blobs = padding(pad, data, cache) if pad else []
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="Grocery Brands").id
        other = create_rights_holder(session, actor=CLI_ACTOR, name="Padding Brands").id
        _, holder_key = create_key(
            session, actor=CLI_ACTOR, role="rights_holder", name="grocery", rights_holder_id=holder
        )
        _, officer_key = create_key(session, actor=CLI_ACTOR, role="officer", name="bench")
        _, customs_key = create_key(session, actor=CLI_ACTOR, role="customs", name="bench")
        version = audit.begin_change(session)
        for i, blob in enumerate(blobs):
            product = Product(
                rights_holder_id=other, brand=f"Padbrand{i}", brand_key=f"padbrand{i}",
                name=f"padding product {i}", catalog_version=version,
            )  # fmt: skip
            session.add(product)
            session.flush()
            session.add(
                ReferenceImage(
                    product_id=product.id, kind="genuine", sha256="0" * 64,
                    content_type="image/jpeg", width=320, height=320, hashes={},
                    local_features=blob, catalog_version=version,
                )
            )  # fmt: skip
        audit.append_event(
            session, actor=CLI_ACTOR, action="bench.padding", entity_type="catalog",
            change={"images": len(blobs)}, catalog_version=version,
        )  # fmt: skip
    database.dispose()
    return settings.model_dump(), holder_key, officer_key, customs_key


def register(client: httpx.Client, key: str, iconic: list[tuple[str, Path]]) -> dict[str, str]:
    """Register each iconic image's product over HTTP; product id -> class name."""
    headers = {"Authorization": f"Bearer {key}"}
    classes = {}
    for name, path in iconic:
        brand = name.split("-")[0]
        made = client.post(
            "/v1/products", headers=headers, json={"brand": brand, "name": name.replace("-", " ")}
        )
        made.raise_for_status()
        pid = made.json()["id"]
        up = client.post(
            f"/v1/products/{pid}/images",
            headers=headers,
            files={"file": (path.name, path.read_bytes(), "image/jpeg")},
            data={"kind": "genuine"},
        )
        up.raise_for_status()
        classes[pid] = name
    return classes


def free_port() -> int:
    """A port free on 127.0.0.1 now: a fixed one met another engineer's bench server (429s)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass(frozen=True, slots=True)
class Answer:
    """What one photo's check showed: the classes of its candidates, best first."""

    truth: str
    shown: list[str | None]
    confident: list[str | None]
    label: str  # how a miss is listed


def tally(answers: list[Answer], latencies: list[float]) -> dict[str, Any]:
    """Top-1 / top-3, confident matches, misses and latency percentiles of one run."""
    top1 = top3 = confident_top1 = confident_wrong = nothing = 0
    misses: list[str] = []
    for a in answers:
        top1 += a.shown[:1] == [a.truth]
        top3 += a.truth in a.shown[:3]
        if a.shown[:1] != [a.truth]:
            misses.append(a.label)
        confident_top1 += a.confident[:1] == [a.truth]
        confident_wrong += bool(a.confident) and a.confident[0] != a.truth
        nothing += not a.shown
    n = len(answers)
    return {
        "photos": n, "top1": top1 / n, "top3": top3 / n, "confident_top1": confident_top1 / n,
        "confident_wrong": confident_wrong / n, "no_candidate": nothing,
        "p50_ms": pct(latencies, 50), "p99_ms": pct(latencies, 99), "misses": misses,
    }  # fmt: skip


def run(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """One catalogue size: set up, serve, send every photo of the split; the figures."""
    iconic, natural = grocery(args.data, args.split)
    with tempfile.TemporaryDirectory(prefix="cm_checks_") as tmp:
        work = Path(tmp)
        settings, holder_key, officer_key, customs_key = setup(
            work, args.data, max(0, size - len(iconic)), args.cache
        )
        env = {
            **os.environ,
            "COUNTERMARK_DATABASE_URL": settings["database_url"],
            "COUNTERMARK_DATA_DIR": str(settings["data_dir"]),
            "COUNTERMARK_STARTUP_WAIT_SECONDS": "600",
            # The bench measures matching, not the limits: registering 31 products and
            # their images went past 20/second per rights-holder key on an idle host (429).
            "COUNTERMARK_RATE_LIMIT_RIGHTS_HOLDER": "1000/second",
            "COUNTERMARK_RATE_LIMIT_OFFICER": "1000/second",
            "COUNTERMARK_RATE_LIMIT_CUSTOMS": "1000/second",
        }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [str(Path(sys.executable).with_name("countermark")), "serve"]
        cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        proc = serve(cmd, env=env, log=work / "serve.log")
        try:
            wait_ready(base, timeout=900, proc=proc, log=work / "serve.log", workers=1)
            with httpx.Client(base_url=base, timeout=120) as client:
                classes = register(client, holder_key, iconic)
                if args.route == "screenings":
                    return measure_screenings(client, customs_key, classes, natural)
                return measure(client, officer_key, classes, natural, proc.pid)
        finally:
            stop(proc)


def run_in_process(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """One catalogue size without HTTP: the engine's photo index, searched as a check does."""
    from catalog.checks.photo import inspect_photo, tilted_views
    from catalog.checks.service import MAX_CANDIDATES, POSSIBLE_PHOTO_CONFIDENCE
    from catalog.core.settings import Settings
    from catalog.products.images import prepare_image
    from matchers.images.photo import PhotoIndex

    settings = Settings()
    iconic, natural = grocery(args.data, args.split)
    index = PhotoIndex()
    for name, path in iconic:
        prepared = prepare_image(path.read_bytes(), max_pixels=settings.max_image_pixels)
        assert prepared.local_features is not None
        index.add(name, prepared.local_features)
    pad = max(0, size - len(iconic))
    for i, blob in enumerate(padding(pad, args.data, args.cache) if pad else []):
        index.add(f"padding-{i}", blob)
    floor = index.calibration.min_confidence
    max_pixels = settings.declared_image_max_pixels
    answers: list[Answer] = []
    latencies: list[float] = []
    for truth, path in natural:
        photo = inspect_photo(path.read_bytes(), max_pixels, reduce_to=settings.image_reduce_to)
        assert photo.described is not None
        assert photo.described.local_features is not None
        features = photo.described.local_features
        started = time.perf_counter()
        hits = index.search(
            features, limit=MAX_CANDIDATES, min_confidence=POSSIBLE_PHOTO_CONFIDENCE
        )
        if not hits:  # as a check does: the photo at simulated tilts, until one verifies
            views = tilted_views(photo.data, max_pixels, settings.image_reduce_to)
            for _, view in views:
                hits = index.search(
                    view, limit=MAX_CANDIDATES, min_confidence=POSSIBLE_PHOTO_CONFIDENCE
                )
                if hits:
                    break
        latencies.append((time.perf_counter() - started) * 1000)
        listed = ", ".join(f"{h.image_id} ({h.inliers} inliers)" for h in hits)
        answers.append(
            Answer(
                truth=truth,
                shown=[h.image_id for h in hits],
                confident=[h.image_id for h in hits if h.score >= floor],
                label=f"{path.name}: {listed or 'no candidate'}",
            )
        )
    return tally(answers, latencies)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system, reaped children included) used so far by process `pid`
    and all its descendants, read from /proc (Linux)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def measure(
    client: httpx.Client,
    key: str,
    classes: dict[str, str],
    natural: list[tuple[str, Path]],
    server: int,
) -> dict[str, Any]:
    """Send each photo to POST /v1/checks; count where the right product comes.

    Besides wall time, the server's CPU time per check (every process of it, read
    before and after each request) is kept: on a loaded host it is the steadier figure.
    """
    headers = {"Authorization": f"Bearer {key}"}
    answers: list[Answer] = []
    latencies: list[float] = []
    cpu: list[float] = []
    for truth, path in natural:
        photo = path.read_bytes()
        used = server_cpu(server)
        started = time.perf_counter()
        answer = client.post("/v1/checks", headers=headers, files={"photo": (path.name, photo)})
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((server_cpu(server) - used) * 1000)
        answer.raise_for_status()
        candidates = answer.json()["candidates"]
        shown = [classes.get(c["product_id"]) for c in candidates]
        answers.append(
            Answer(
                truth=truth,
                shown=shown,
                confident=[classes.get(c["product_id"]) for c in candidates if c["confident"]],
                label=f"{path.name}: {', '.join(str(s) for s in shown) or 'no candidate'}",
            )
        )
    return {**tally(answers, latencies), "cpu_p50_ms": pct(cpu, 50), "cpu_p99_ms": pct(cpu, 99)}


def measure_screenings(
    client: httpx.Client, key: str, classes: dict[str, str], natural: list[tuple[str, Path]]
) -> dict[str, Any]:
    """Send each photo as a declaration's image to POST /v1/screenings; count its matches."""
    headers = {"Authorization": f"Bearer {key}"}
    top1 = top3 = wrong = nothing = 0
    latencies: list[float] = []
    for truth, path in natural:
        body = {
            "description": "goods",
            "images": [{"data": base64.b64encode(path.read_bytes()).decode("ascii")}],
        }
        started = time.perf_counter()
        answer = client.post("/v1/screenings", headers=headers, json=body)
        latencies.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        shown = [classes.get(m["product_id"]) for m in answer.json()["matches"]]
        top1 += shown[:1] == [truth]
        top3 += truth in shown[:3]
        wrong += bool(shown) and shown[0] != truth
        nothing += not shown
    n = len(natural)
    return {
        "photos": n, "top1": top1 / n, "top3": top3 / n, "confident_top1": top1 / n,
        "confident_wrong": wrong / n, "no_candidate": nothing,
        "p50_ms": pct(latencies, 50), "p99_ms": pct(latencies, 99),
    }  # fmt: skip


def main() -> None:
    """Run each size and print one line of figures per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="31,1000,10000")
    parser.add_argument("--split", choices=("tune", "report"), default="report")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--route", choices=("checks", "screenings"), default="checks")
    parser.add_argument(
        "--misses", action="store_true", help="list the photos whose product is not first"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="search the engine's photo index directly (no database, no HTTP; search time only)",
    )
    args = parser.parse_args()
    route = "in-process photo index" if args.in_process else args.route
    for size in (int(s) for s in args.sizes.split(",")):
        m = run_in_process(size, args) if args.in_process else run(size, args)
        print(
            f"{size:>6} references, {m['photos']} photos ({args.split} split, {route}): "
            f"top-1 {m['top1']:.1%}, top-3 {m['top3']:.1%} "
            f"(confident matches: top-1 {m['confident_top1']:.1%}, "
            f"wrong first {m['confident_wrong']:.1%}), no candidate {m['no_candidate']}; "
            f"p50 {m['p50_ms']:.0f} ms, p99 {m['p99_ms']:.0f} ms"
            + (
                f" (server CPU per check p50 {m['cpu_p50_ms']:.0f} ms, "
                f"p99 {m['cpu_p99_ms']:.0f} ms)"
                if "cpu_p50_ms" in m
                else ""
            ),
            flush=True,
        )
        if args.misses:
            for miss in m.get("misses", []):
                print(f"  miss {miss}")


if __name__ == "__main__":
    main()
