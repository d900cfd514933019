"""Does calibrating on officers' outcomes improve the scores? A simulation with known truth.

Declarations come from bench/scenario_catalogue.py's generators (its catalogue of 36
products, every kind of declaration, without declared images: image matching is
benchmarked elsewhere). Each kind has a known probability of being counterfeit (TRUTH:
a parallel import is now and then a fake, a price far below the genuine range now
and then a clearance sale), drawn once per declaration. The whole service runs in
process against SQLite (`create_app`, HTTP through the test client) and screens the
traffic; officers inspect what is yellow or red (the random control share included)
and record outcomes of which `--wrong` (10%) are wrong. After 100, 1,000 and 10,000
outcomes `countermark calibrate`'s code (`calibrate_and_save`) fits a new weights
version; every version is scored on a separate test set of fresh declarations (the
whole traffic, not only the inspected part) by the engine itself, against the truth.
The same is done with the random share off, where only flagged items are ever
inspected.

    .venv/bin/python bench/learning.py            # ~31k screenings a policy
    .venv/bin/python bench/learning.py --per-kind 200 --sizes 100,1000   # a quick look
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scenario_catalogue as sc
from fastapi.testclient import TestClient
from sqlmodel import col, select

from catalog.access.keys import CLI_ACTOR, create_key, resolve_key
from catalog.core.db import Database
from catalog.core.migrate import upgrade_head
from catalog.core.settings import Settings
from catalog.index.worker_index import IndexHolder
from catalog.learning.calibrate import Options, calibrate_and_save, metrics
from catalog.models import Screening
from catalog.products.rights_holders import create_rights_holder
from catalog.screening.records import declaration_from_stored
from catalog.screening.stored_screenings import record_outcome
from catalog.screening.thresholds import set_capacity
from matchers.engine import assess
from matchers.weights import DEFAULT_WEIGHTS, Weights

# P(counterfeit) of each kind of declaration: the truth the simulation draws from
TRUTH = {
    "authorised": 0.02,
    "parallel_import": 0.15,
    "new_factory": 0.35,
    "lookalike_brand": 0.97,
    "price_far_below": 0.75,
    "unauthorised_origin": 0.55,
    "vocabulary": 0.97,
    "other_brand_gtin": 0.9,
    "known_fake_photo": 0.8,
    "unrelated": 0.01,
    "unbranded": 0.3,
}


def _no_image(*_: Any, **__: Any) -> str:
    return ""


def traffic(seed: int, per_kind: int) -> list[tuple[str, bool, dict[str, Any]]]:
    """(kind, counterfeit, declaration) in a shuffled order, without declared images."""
    sc.sent_again = _no_image  # type: ignore[assignment]  # declared images left out (see above)
    cat = sc.build_catalogue(seed)
    rng = random.Random(seed * 7 + 3)
    out = []
    for kind, body in sc.declarations(cat, seed, per_kind):
        body = {k: v for k, v in body.items() if k != "images"}
        out.append((kind, rng.random() < TRUTH[kind], body))
    rng.shuffle(out)
    return out


class Service:
    """The service in process on a fresh SQLite database, with a customs key."""

    def __init__(self, work: Path, *, random_share: float) -> None:
        self.settings = Settings(
            data_dir=work,
            database_url=f"sqlite:///{work / 'bench.db'}",
            index_check_ms=0.0,
            refresh_wait_seconds=60.0,
            pseudonym_key="bench-pseudonym-key",
            image_workers=0,
        )
        upgrade_head(self.settings)
        self.database = Database(self.settings.database_url)
        with self.database.session() as session:
            _, self.customs = create_key(session, actor=CLI_ACTOR, role="customs", name="bench")
            if random_share > 0:
                set_capacity(session, actor=CLI_ACTOR, changes={"random_share": random_share})
            self.holders = []
            for n in range(3):
                holder = create_rights_holder(session, actor=CLI_ACTOR, name=f"Holder {n}")
                _, token = create_key(
                    session, actor=CLI_ACTOR, role="rights_holder", name=f"h{n}",
                    rights_holder_id=holder.id,
                )  # fmt: skip
                self.holders.append(token)

    def client(self) -> TestClient:
        from api.app import create_app

        return TestClient(create_app(self.settings), raise_server_exceptions=True)


def register(client: TestClient, service: Service, seed: int) -> None:
    """The scenario catalogue's products, each through POST /v1/products."""
    for product in sc.build_catalogue(seed).products:
        headers = {"Authorization": f"Bearer {service.holders[product.holder]}"}
        response = client.post("/v1/products", headers=headers, json=product.body)
        assert response.status_code == 201, response.text


def screen(
    client: TestClient, token: str, bodies: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every body through POST /v1/screenings/batch, 500 at a time; the results in order."""
    out: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {token}"}
    for start in range(0, len(bodies), 500):
        response = client.post(
            "/v1/screenings/batch",
            headers=headers,
            json={"items": list(bodies[start : start + 500])},
        )
        assert response.status_code == 200, response.text
        for entry in response.json()["results"]:
            assert entry["status"] == 201, entry
            out.append(entry["result"])
    return out


def record(service: Service, outcomes: Sequence[tuple[str, str]]) -> None:
    """Officers' outcomes, through the service's own use case (audited, decision-logged)."""
    with service.database.session() as session:
        principal = resolve_key(session, token=service.customs)
        assert principal is not None
        for screening_id, outcome in outcomes:
            record_outcome(
                session, screening_id=screening_id, principal=principal, outcome=outcome, note=None
            )


def engine_risks(service: Service, ids: Sequence[str], weights: Weights) -> list[float]:
    """The engine's risks for the stored test screenings under `weights`."""
    holder = IndexHolder(engine=service.database.engine, check_interval=0.0, listen=False)
    holder.load()
    with service.database.session(write=False) as session:
        rows = {
            s.id: s
            for start in range(0, len(ids), 500)
            for s in session.exec(
                select(Screening).where(col(Screening.id).in_(ids[start : start + 500]))
            )
        }
    risks = []
    for sid in ids:
        row = rows[sid]
        declaration = declaration_from_stored(row.request)
        day = declaration.declared_on or row.screened_on
        a = assess(
            declaration,
            index=holder.index,
            weights=weights,
            thresholds=holder.scoring.thresholds,
            fx=holder.fx_for(day),
            today=row.screened_on,
        )
        risks.append(a.risk)
    return risks


def fmt(value: float | None) -> str:
    return "  n/a " if value is None else f"{value:.4f}"


def run_policy(args: argparse.Namespace, random_share: float) -> list[str]:
    """One inspection policy: screen, inspect, calibrate at each size, score the test set."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="cm-learning-") as folder:
        service = Service(Path(folder), random_share=random_share)
        items = traffic(args.seed, args.per_kind)
        tests = traffic(args.seed + 1000, args.test_per_kind)
        started = time.process_time()
        with service.client() as client:
            register(client, service, args.seed)
            results = screen(client, service.customs, [body for _, _, body in items])
            test_results = screen(client, service.customs, [body for _, _, body in tests])
        cpu = time.process_time() - started
        rng = random.Random(args.seed * 13 + 5)
        inspected = [
            (r["id"], truth)
            for (_, truth, _), r in zip(items, results, strict=True)
            if r["lane"] in ("yellow", "red")
        ]
        rng.shuffle(inspected)  # outcomes arrive in no particular order
        chosen = sum(1 for r in results if r.get("random_selection"))
        lines.append(
            f"random share {random_share:.0%}: {len(items)} screenings ({cpu:.0f} s CPU with the "
            f"test set), {len(inspected)} inspected ({chosen} chosen at random), "
            f"{sum(t for _, t, _ in items) / len(items):.1%} counterfeit"
        )
        truth = [1.0 if t else 0.0 for _, t, _ in tests]
        ids = [r["id"] for r in test_results]
        base = metrics(engine_risks(service, ids, DEFAULT_WEIGHTS), truth)
        lines.append(
            f"  shipped weights on {len(ids)} test declarations: AUC {fmt(base.auc)}  "
            f"Brier {fmt(base.brier)}"
        )
        recorded = 0
        for size in args.sizes:
            if size > len(inspected):
                lines.append(f"  {size:>6} outcomes: only {len(inspected)} inspections; skipped")
                continue
            batch = []
            for sid, counterfeit in inspected[recorded:size]:
                wrong = rng.random() < args.wrong
                batch.append((sid, "counterfeit" if counterfeit != wrong else "genuine"))
            record(service, batch)
            recorded = size
            with service.database.session() as session:
                result = calibrate_and_save(
                    session,
                    current=DEFAULT_WEIGHTS,
                    options=Options(label_noise=args.wrong, min_outcomes=20),
                    version=f"bench-{size}",
                )
            after = metrics(engine_risks(service, ids, result.weights), truth)
            held_b, held_a = result.before, result.after
            lines.append(
                f"  {size:>6} outcomes: test AUC {fmt(base.auc)} -> {fmt(after.auc)}, "
                f"Brier {fmt(base.brier)} -> {fmt(after.brier)} | calibrate's own held-out "
                f"({held_a.n} outcomes): AUC {fmt(held_b.auc)} -> {fmt(held_a.auc)}, "
                f"Brier {fmt(held_b.brier)} -> {fmt(held_a.brier)}"
            )
            if size == args.sizes[-1] or size == max(s for s in args.sizes if s <= len(inspected)):
                lines.append("    reliability on the test set (risk bin, items, mean risk, "
                             "share counterfeit), shipped | calibrated:")  # fmt: skip
                before_bins = {(lo, hi): (n, m, o) for lo, hi, n, m, o in base.reliability}
                after_bins = {(lo, hi): (n, m, o) for lo, hi, n, m, o in after.reliability}
                for key in sorted(set(before_bins) | set(after_bins)):
                    b = before_bins.get(key)
                    a = after_bins.get(key)
                    left = f"{b[0]:>5} {b[1]:.3f} {b[2]:.3f}" if b else " " * 17
                    right = f"{a[0]:>5} {a[1]:.3f} {a[2]:.3f}" if a else ""
                    lines.append(f"    {key[0]:.1f}-{key[1]:.1f}  {left} | {right}")
        service.database.dispose()
    return lines


def main() -> None:
    """Run both policies and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-kind", type=int, default=2400, help="traffic: 13x this many")
    parser.add_argument("--test-per-kind", type=int, default=150, help="test set: 13x this many")
    parser.add_argument("--sizes", default="100,1000,10000", help="outcomes to calibrate from")
    parser.add_argument("--wrong", type=float, default=0.1, help="share of wrong outcomes")
    parser.add_argument("--random-share", type=float, default=0.1)
    parser.add_argument(
        "--policy", choices=("both", "random", "off"), default="both",
        help="the random share on, off, or both one after the other",
    )  # fmt: skip
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(f"truth P(counterfeit) per kind: {TRUTH}")
    shares = {"both": (args.random_share, 0.0), "random": (args.random_share,), "off": (0.0,)}
    for share in shares[args.policy]:
        for line in run_policy(args, share):
            print(line, flush=True)


if __name__ == "__main__":
    main()
