"""kill -9 a real `countermark serve` mid-upload and mid-import, again and again; check the data.

Each round starts `countermark serve` (whose start-up `fsck` reports what a kill left),
uploads one image to warm its image pool, then at once sends image uploads (one after
another, distinct 0.5 MP JPEGs) and an HTTP bulk import of `--rows` products, and
SIGKILLs the server's whole process group (server, worker, image pool) at a uniformly
random moment within `--window` seconds.
After every restart it checks, from the database and the blob store themselves:
  - no row without its blob (reference images and officers' check photos);
  - no half-written import: each round's import is all of its rows or none;
  - nothing acknowledged was lost: every upload answered 201 and every import answered
    200 before the kill is there;
  - every orphan blob (the blob of an upload killed before its commit) is one the
    start-up fsck reported.
At the end, after `--repair-wait` seconds (fsck removes only orphans older than a
minute: a younger blob may belong to an upload still running elsewhere), the server
is started once more with `COUNTERMARK_FSCK_REPAIR_ON_START=true` and no orphan may
remain. Exit status 0 only if every check held.

    .venv/bin/python bench/sigkill_loop.py --rounds 100
    .venv/bin/python bench/sigkill_loop.py --rounds 100 --database-url postgresql+psycopg://root@127.0.0.1:5432/cm_kill
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening import serve, wait_ready  # noqa: E402

BRAND = "Killtest"


def jpeg(rng: random.Random) -> bytes:
    """A distinct 800x600 noise JPEG (about 0.5 MP, ~150 KiB)."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (800, 600), rng.randbytes(800 * 600 * 3)).save(out, "JPEG", quality=85)
    return out.getvalue()


def prepare(settings: Any) -> tuple[str, str]:
    """Migrate; a rights holder and its key. Returns (holder id, token)."""
    from catalog.access.keys import CLI_ACTOR, create_key
    from catalog.core.db import create_database
    from catalog.core.migrate import upgrade_head
    from catalog.products.rights_holders import create_rights_holder

    upgrade_head(settings)
    database = create_database(settings)
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="Kill Test SA").id
        _, token = create_key(
            session, actor=CLI_ACTOR, role="rights_holder", name="kill", rights_holder_id=holder
        )
    database.dispose()
    return holder, token


def state(settings: Any) -> dict[str, Any]:
    """What is stored: image rows and their blobs, check photos, products per import round."""
    from sqlmodel import select

    from catalog.core.blobs import BlobStore
    from catalog.core.db import create_database
    from catalog.models import OfficerCheck, Product, ReferenceImage

    blobs = BlobStore(settings.blob_dir)
    database = create_database(settings)
    try:
        with database.session(write=False) as session:
            images = {sha for sha in session.exec(select(ReferenceImage.sha256))}
            photos = {
                str(s) for s in session.exec(select(OfficerCheck.photo_sha256)) if s is not None
            }
            names = list(session.exec(select(Product.name)))
    finally:
        database.dispose()
    stored = {p.name for p in settings.blob_dir.glob("??/??/*") if not p.name.startswith(".tmp-")}
    rounds: dict[int, int] = {}
    for name in names:
        match = re.fullmatch(r"round (\d+) item \d+", name)
        if match:
            rounds[int(match.group(1))] = rounds.get(int(match.group(1)), 0) + 1
    return {
        "images": images,
        "missing": sorted((images | photos) - stored),
        "orphans": sorted(stored - images - photos),
        "rounds": rounds,
        "blobs": blobs,
    }


def fsck_orphans(log: Path) -> int:
    """The orphan count the start-up fsck printed (its summary line)."""
    match = re.search(r"fsck: \d+ blobs, \d+ image rows: (\d+) orphan blobs", log.read_text())
    return int(match.group(1)) if match else -1


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def run(args: argparse.Namespace, work: Path) -> int:
    from catalog.core.settings import Settings

    data_dir = work / "data"
    env = dict(os.environ, COUNTERMARK_DATA_DIR=str(data_dir))
    env["COUNTERMARK_IMAGE_WORKERS"] = str(args.image_workers)
    env["COUNTERMARK_RATE_LIMIT_RIGHTS_HOLDER"] = "10000/second"
    env.pop("COUNTERMARK_FSCK_REPAIR_ON_START", None)
    if args.database_url:
        env["COUNTERMARK_DATABASE_URL"] = args.database_url
    else:
        env.pop("COUNTERMARK_DATABASE_URL", None)
    settings = Settings(data_dir=data_dir, database_url=env.get("COUNTERMARK_DATABASE_URL", ""))
    _, token = prepare(settings)
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(args.seed)  # the kill moments
    port = args.port
    base = f"http://127.0.0.1:{port}"
    cmd = [str(REPO / ".venv/bin/countermark"), "serve", "--port", str(port)]
    acked_images: set[str] = set()
    acked_rounds: set[int] = set()
    failures: list[str] = []
    product_id = ""
    totals = {"uploads_acked": 0, "imports_acked": 0, "orphans_seen": 0, "kills": 0}
    statuses: dict[int, int] = {}  # of the uploads answered before a kill
    uploads = [0]  # every upload is a new image: a repeated one would find its blob stored
    for round_no in range(args.rounds + 1):
        log = work / f"serve-{round_no}.log"
        proc = serve(cmd, env=env, log=log)
        try:
            wait_ready(base, timeout=180, proc=proc, log=log, workers=1)
        except Exception as exc:
            kill_group(proc)
            failures.append(f"round {round_no}: server did not start: {exc}")
            print(f"--- the last lines of its log ({log}):", log.read_text()[-3000:], sep="\n")
            break
        seen = state(settings)
        reported = fsck_orphans(log)
        totals["orphans_seen"] += len(seen["orphans"])
        problems = []
        if seen["missing"]:
            problems.append(f"{len(seen['missing'])} row(s) without their blob")
        half = {r: n for r, n in seen["rounds"].items() if n != args.rows}
        if half:
            problems.append(f"half-written import(s): {half}")
        lost_images = acked_images - seen["images"]
        lost_rounds = acked_rounds - set(seen["rounds"])
        if lost_images or lost_rounds:
            problems.append(
                f"acknowledged but lost: {len(lost_images)} image(s), rounds {lost_rounds}"
            )
        if reported != len(seen["orphans"]):
            problems.append(
                f"fsck at start reported {reported} orphans, the store has {len(seen['orphans'])}"
            )
        failures += [f"round {round_no}: {p}" for p in problems]
        if round_no == args.rounds:
            kill_group(proc)
            break
        if not product_id:
            made = httpx.post(
                base + "/v1/products",
                headers=headers,
                timeout=30,
                json={"brand": BRAND, "name": "uploads target"},
            )
            product_id = made.json()["id"]
            assert made.status_code == 201, made.text
        # Warm the image pool (spawned on first use) so the kill lands in uploads' work.
        warm = httpx.post(
            f"{base}/v1/products/{product_id}/images",
            headers=headers,
            timeout=120,
            files={"file": ("w.jpg", jpeg(random.Random(f"warm-{round_no}")), "image/jpeg")},
            data={"kind": "genuine"},
        )
        if warm.status_code == 201:
            acked_images.add(warm.json()["sha256"])
        stop = threading.Event()

        def upload(stop: threading.Event = stop, product_id: str = product_id) -> None:
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    uploads[0] += 1
                    data = jpeg(random.Random(f"{args.seed}-{uploads[0]}"))
                    try:
                        r = client.post(
                            f"{base}/v1/products/{product_id}/images",
                            headers=headers,
                            files={"file": ("a.jpg", data, "image/jpeg")},
                            data={"kind": "genuine"},
                        )
                    except httpx.HTTPError:
                        return
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if r.status_code == 201:
                        acked_images.add(r.json()["sha256"])
                        totals["uploads_acked"] += 1

        def bulk_import(number: int = round_no) -> None:
            rows = "\n".join(
                json.dumps(
                    {"brand": BRAND, "name": f"round {number} item {j}", "sku": f"r{number}-{j}"}
                )
                for j in range(args.rows)
            )
            try:
                r = httpx.post(
                    base + "/v1/products/import",
                    content=rows,
                    timeout=60,
                    headers=headers | {"Content-Type": "application/x-ndjson"},
                )
            except httpx.HTTPError:
                return
            if r.status_code == 200 and r.json().get("created") == args.rows:
                acked_rounds.add(number)
                totals["imports_acked"] += 1

        threads = [threading.Thread(target=upload), threading.Thread(target=bulk_import)]
        for t in threads:
            t.start()
        moment = rng.uniform(0.0, args.window)
        time.sleep(moment)
        kill_group(proc)
        totals["kills"] += 1
        stop.set()
        for t in threads:
            t.join(60)
        print(
            f"round {round_no + 1}/{args.rounds}: killed after {moment:.2f} s; "
            f"{len(seen['orphans'])} orphan(s) at the start before, problems: "
            f"{problems or 'none'}; so far {json.dumps(totals | {'failures': len(failures)})}",
            flush=True,
        )
    if args.repair_wait > 0 and not failures:
        time.sleep(args.repair_wait)
        log = work / "serve-repair.log"
        proc = serve(cmd, env=env | {"COUNTERMARK_FSCK_REPAIR_ON_START": "true"}, log=log)
        try:
            wait_ready(base, timeout=180, proc=proc, log=log, workers=1)
        finally:
            kill_group(proc)
        left = state(settings)
        print(
            f"after the repair at start: {len(left['orphans'])} orphan(s), "
            f"{len(left['missing'])} row(s) without blob"
        )
        if left["orphans"] or left["missing"]:
            failures.append(f"after repair: {len(left['orphans'])} orphans left")
    print(
        json.dumps(
            totals | {"upload_statuses": statuses, "rounds": args.rounds, "failures": len(failures)}
        )
    )
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--rows", type=int, default=40, help="products per round's import")
    parser.add_argument("--window", type=float, default=1.5, help="kill within this many seconds")
    parser.add_argument("--repair-wait", type=float, default=61.0)
    parser.add_argument(
        "--image-workers",
        type=int,
        default=1,
        help="0: uploads decode in a server thread "
        "(no pool process to spawn each round: faster rounds on a loaded machine)",
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raise SystemExit(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
