"""The matching engine: an in-memory catalogue index and `assess`, one declared item at a time.

Per declaration: retrieve candidates (product text, brands in the brand field and the
description, GTIN, near-copies and photo matches of its images), run the identity
features on each candidate for its similarity, then the other features
(`matchers.features.algorithm`) only on the candidates that can be shown, combine them
(`matchers.scoring`) and decide. `MatchIndex` is built from plain records and updated
one product or image at a time, so the service keeps it current on every catalogue
change.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, MutableMapping, Sequence
from datetime import date

from matchers.brands.index import BrandHit, BrandIndex
from matchers.features.algorithm import (
    Identified,
    brand_level,
    check,
    complete,
    declaration_features,
    identify,
    identifying_features,
    product_facts,
)
from matchers.features.base import FeatureResult, norm
from matchers.features.brandhits import in_brand_position, merge_hits
from matchers.features.context import CandidateContext, DeclarationContext, Evidence, ProductFacts
from matchers.features.gtin import gtin_key
from matchers.features.identity import NO_BRAND
from matchers.features.images import nearest_wins, strongest_photo_wins
from matchers.images.nearcopy import NearCopyHit, NearCopyIndex
from matchers.images.photo import PhotoHit, PhotoIndex
from matchers.records import (
    Assessment,
    Declaration,
    DeclaredImage,
    ImageRecord,
    Match,
    ProductRecord,
    brand_key,
)
from matchers.scoring import (
    FxRates,
    Thresholds,
    combine,
    decide,
    nearly_as_similar,
    similarity,
    trade_checked,
)
from matchers.text.index import TextIndex, product_document
from matchers.text.rerank import (
    DEFAULT_RERANKER,
    Candidate,
    Reranker,
    read_texts,
    stored_texts,
)
from matchers.vocabulary import without_terms
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig, Weights

__all__ = ["DEFAULT_THRESHOLDS", "NO_RATES", "MatchIndex", "assess"]

DEFAULT_THRESHOLDS = Thresholds()
NO_RATES = FxRates()
_NO_HASH = "0" * 16  # a 64-bit perceptual hash, for a warm-up when no image is registered


class MatchIndex:
    """The registered catalogue in memory: products, GTINs, text, brands and reference images."""

    def __init__(self) -> None:
        self.products: dict[str, ProductRecord] = {}
        self.images: dict[str, ImageRecord] = {}
        self.text = TextIndex()
        self.brands = BrandIndex()
        self.nearcopy = NearCopyIndex()
        self._photos: PhotoIndex | None = None  # built on first use: its set-up is costly
        # Mappings, not necessarily dicts: a snapshot's are read in place from its file
        # (catalog.index.frozen_map), so a value read is assigned back, never changed in place.
        self.facts: MutableMapping[str, ProductFacts] = {}
        self._gtins: MutableMapping[str, set[str]] = {}
        # The re-ranker's product side of each product (`rerank.stored_texts`), computed when
        # the product is indexed so that no screening computes it.
        self.rerank_texts: MutableMapping[str, bytes] = {}
        # The ids of each (rights holder, brand key)'s products (`products_of_brand`), so that a
        # change of a brand's aliases re-indexes that brand's products without a pass over all.
        # Its sets are this map's own: one is changed where it was read, then assigned back.
        self._by_brand: MutableMapping[str, set[str]] = {}
        self._images_of: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self.products)

    @property
    def photos(self) -> PhotoIndex:
        """The photo (local-feature) index, created when the first photo reference arrives."""
        if self._photos is None:
            self._photos = PhotoIndex()
        return self._photos

    def upsert_product(self, product: ProductRecord) -> None:
        """Add a product, or replace it (its old brand, GTIN and text entries are removed)."""
        old = self.products.get(product.product_id)
        if old is not None:
            self._unindex(old)
        self.products[product.product_id] = product
        self.facts[product.product_id] = product_facts(product)
        self.text.add(product.product_id, product_document(product))
        self.rerank_texts[product.product_id] = stored_texts(product)
        self.brands.add(
            product.brand, rights_holder_id=product.rights_holder_id, aliases=product.brand_aliases
        )
        for key in _gtin_keys(product):
            self._gtins[key] = {*self._gtins.get(key, ()), product.product_id}
        key = _brand_of(product.rights_holder_id, brand_key(product.brand))
        ids = self._by_brand.get(key) or set()
        ids.add(product.product_id)
        self._by_brand[key] = ids  # a big brand's set is not copied for each of its products

    def remove_product(self, product_id: str) -> None:
        """Remove a product and its reference images (no error if absent)."""
        old = self.products.pop(product_id, None)
        if old is not None:
            self._unindex(old)
            del self.facts[product_id]
            del self.rerank_texts[product_id]
        for image_id in sorted(self._images_of.get(product_id, ())):
            self.remove_image(image_id)

    def upsert_image(self, image: ImageRecord) -> None:
        """Add or replace a reference image (hashes for near-copies, local features for photos)."""
        self.remove_image(image.image_id)
        # The photo index keeps the local-feature blob (in its file store), so the record
        # does not hold a second copy in memory.
        self.images[image.image_id] = dataclasses.replace(image, local_features=None)
        self._images_of.setdefault(image.product_id, set()).add(image.image_id)
        if image.hashes:
            self.nearcopy.add(image.image_id, dict(image.hashes))
        if image.local_features:
            self.photos.add(image.image_id, image.local_features)

    def remove_image(self, image_id: str) -> None:
        """Remove a reference image (no error if absent)."""
        old = self.images.pop(image_id, None)
        if old is None:
            return
        owned = self._images_of.get(old.product_id)
        if owned is not None:
            owned.discard(image_id)
            if not owned:
                del self._images_of[old.product_id]
        if old.hashes:
            self.nearcopy.remove(image_id)
        if self._photos is not None:
            self._photos.remove(image_id)  # a no-op for an image without local features

    def search_photos(self, features: bytes, *, limit: int) -> list[PhotoHit]:
        """Registered photos a declared photo shows (none while no photo is registered)."""
        return [] if self._photos is None else self._photos.search(features, limit=limit)

    def products_with_gtin(self, key: str) -> tuple[ProductRecord, ...]:
        """Products registered with the 14-digit GTIN `key`, by product id."""
        return tuple(self.products[p] for p in sorted(self._gtins.get(key, ())))

    def products_of_brands(self, brands: Iterable[tuple[str, str]]) -> list[str]:
        """The ids of the products of these (rights holder, `brand_key`) pairs, in the order
        the text index holds them (re-indexed in this order, they keep it among themselves)."""
        ids: set[str] = set()
        for holder, key in brands:
            ids.update(self._by_brand.get(_brand_of(holder, key), ()))
        return self.text.in_order(ids)

    def warm_up(
        self, *, weights: Weights = DEFAULT_WEIGHTS, thresholds: Thresholds = DEFAULT_THRESHOLDS,
        fx: FxRates = NO_RATES, today: date,
    ) -> None:  # fmt: skip
        """Assess one throwaway declaration through the text, GTIN and image-hash paths.

        A fresh process pays for its first calls (the compiled text kernel loaded from
        numba's cache, rapidfuzz's and faiss's first use, lazily built tables): ~110 ms of
        CPU for the first screening against ~10 ms for the next. Whatever this leaves in
        the index's caches is exact (summed token weights, IDF values), so no later result
        changes.
        """
        product = self.products[min(self.products)] if self.products else None
        image = self.images[min(self.images)] if self.images else None
        hashes = dict(image.hashes) if image is not None and image.hashes else {"phash": _NO_HASH}
        gtins = sorted(product.gtins) if product is not None else []
        declaration = Declaration(
            description=product_document(product) if product is not None else "warm up",
            brand=product.brand if product is not None else None,
            gtin=gtins[0] if gtins else "00000000000000",
            images=(DeclaredImage(hashes=hashes),),
        )
        assess(declaration, index=self, weights=weights, thresholds=thresholds, fx=fx, today=today)

    def _unindex(self, product: ProductRecord) -> None:
        self.text.remove(product.product_id)
        self.brands.remove(
            product.brand, rights_holder_id=product.rights_holder_id, aliases=product.brand_aliases
        )
        for key in _gtin_keys(product):
            owners = self._gtins.get(key)
            if owners is not None:
                owners = owners - {product.product_id}
                if owners:
                    self._gtins[key] = owners
                else:
                    del self._gtins[key]
        key = _brand_of(product.rights_holder_id, brand_key(product.brand))
        ids = self._by_brand.get(key)
        if ids is not None:
            ids.discard(product.product_id)
            if ids:
                self._by_brand[key] = ids
            else:
                del self._by_brand[key]


def _gtin_keys(product: ProductRecord) -> set[str]:
    return {k for k in (gtin_key(g) for g in product.gtins) if k is not None}


def _brand_of(rights_holder_id: str, key: str) -> str:
    """The `_by_brand` key of a holder's brand key (a str: a snapshot maps it by str keys)."""
    return f"{rights_holder_id}\x1f{key}"


def assess(
    declaration: Declaration,
    *,
    index: MatchIndex,
    weights: Weights = DEFAULT_WEIGHTS,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    fx: FxRates = NO_RATES,
    today: date,
    reranker: Reranker | None = DEFAULT_RERANKER,
) -> Assessment:
    """Score one declared item against the catalogue: matches, risk, verdict, lane and reasons.

    `matches` are ordered by similarity (best first, at most `thresholds.max_matches`);
    `risk` is that of the riskiest match within `product_margin` identity log-odds of the best
    (the nearest product wins), or of the brand-level finding when no product is
    identified; `signals` are the declaration-level ones (the riskiest match's findings
    on the declaration alone, or the brand-level finding's). A green match whose trade
    (price, origin, parties) was not compared is `matched_unverified`. `today` dates
    expiry (and price rates when the declaration carries no date); nothing here reads
    the clock. Weights that do not fit
    the declared features raise `matchers.weights.SignalError`.
    """
    check(weights)
    config = weights.config
    query = _query_text(declaration)
    field_hits = index.brands.lookup(declaration.brand) if declaration.brand else []
    described = index.brands.lookup(declaration.description)
    brand_hits = merge_hits(in_brand_position(declaration, field_hits, described, config=config))
    scores, notes = _text_candidates(
        query, brand_hits, index=index, limit=thresholds.max_candidates, config=config
    )
    gtin_owners: dict[str, Sequence[ProductRecord]] = {}
    key = gtin_key(declaration.gtin or "")
    if key is not None:
        gtin_owners[key] = index.products_with_gtin(key)
    near, photos = _image_hits(declaration, index=index, config=config)
    evidence = Evidence(
        brand_hits=brand_hits,
        brand_field_hits=field_hits,
        gtin_owners=gtin_owners,
        near_copies=near,
        photos=photos,
    )
    declared_ctx = DeclarationContext(
        declaration=declaration, fx=fx, today=today, evidence=evidence
    )
    declared = declaration_features(declared_ctx, config)
    leader, lead = _text_lead(scores, floor=config.text_floor)
    candidates = set(scores) | set(near) | set(photos)
    candidates.update(p.product_id for owners in gtin_owners.values() for p in owners)
    identifying = identifying_features(weights)
    rows: list[tuple[float, str, ProductRecord, CandidateContext, Identified]] = []
    for pid in sorted(candidates):
        product = index.products.get(pid)
        if product is None:
            continue
        score = scores.get(pid)
        if score is None:
            score = index.text.score(query, product_document(product))
        ctx = declared_ctx.candidate(
            product,
            text_score=score,
            text_note=notes.get(pid, ""),
            text_lead=lead if pid == leader else 0.0,
            facts=index.facts.get(pid),
        )
        identified = identify(ctx, config, identifying=identifying)
        sim = similarity(identified.for_similarity, weights=weights)
        rows.append((sim, pid, product, ctx, identified))
    if reranker is not None:
        rows = _reranked(rows, scores, declaration, query, index=index, reranker=reranker)
    kept = [row for row in rows if row[0] >= thresholds.min_similarity]
    # Early exit: the trade, price and quantity features and the risk only for candidates
    # that can be shown, the `max_matches` most similar and every one tied with the last
    # of them (risk breaks ties of similarity).
    kept.sort(key=lambda k: (-k[0], k[1]))
    if 0 < thresholds.max_matches < len(kept):
        last = kept[thresholds.max_matches - 1][0]
        kept = [k for k in kept if k[0] >= last]
    imitated: float | None = None
    matches: list[Match] = []
    for sim, pid, product, ctx, identified in kept:
        results, expired = complete(ctx, config, identified, declared=declared)
        # an imitated brand infringes whichever product the item is: that risk stands for
        # the share of belief that it is not this one
        otherwise = 0.0
        if any(r.name == "brand_lookalike" for r in results):
            if imitated is None:
                imitated = _imitation_risk(declared_ctx, declared, weights)
            otherwise = imitated
        risk, signals = combine(
            results, weights=weights, identity=sim, otherwise=otherwise, expired=expired
        )
        matches.append(
            Match(pid, product.rights_holder_id, product.brand, product.name, sim, risk, signals)
        )
    matches.sort(key=lambda m: (-m.similarity, -m.risk, m.product_id))
    if matches:
        shown = tuple(matches[: thresholds.max_matches])
        # the nearest product wins: a sibling clearly less like the item than the best match
        # (the tray of 24 beside the can declared) does not lend it its risk
        best, margin = shown[0].similarity, config.product_margin
        close = [m for m in shown if nearly_as_similar(m.similarity, best, margin=margin)]
        top = max(close, key=lambda m: m.risk)  # the first of equals, in similarity order
        verdict, lane = decide(
            risk=top.risk,
            implicated=True,
            thresholds=thresholds,
            checked=trade_checked(top.signals),
        )
        level = {r.name for r in declared}
        return Assessment(
            top.risk, verdict, lane, shown, tuple(s for s in top.signals if s.name in level)
        )
    return _brand_level(declared_ctx, declared, weights, thresholds)


# Identity evidence beyond the text and the brand: a candidate holding any keeps the
# similarity of the identity log-odds model (the re-ranker learned from text alone).
_NOT_TEXT_ALONE = ("gtin_", "image_", "photo_", "brand_lookalike")

Row = tuple[float, str, ProductRecord, CandidateContext, Identified]


def _reranked(
    rows: list[Row],
    scores: dict[str, float],
    declaration: Declaration,
    query: str,
    *,
    index: MatchIndex,
    reranker: Reranker,
) -> list[Row]:
    """Rows whose similarity is the re-ranker's, for the best text candidates of a declaration
    with a brand declared (see `matchers.text.rerank`); the others as they were. The
    re-ranker's first choice (each of equals) keeps its first-stage similarity when higher."""
    brand = (declaration.brand or "").strip()
    if not brand or norm(brand) in NO_BRAND:
        return rows
    textual = [
        (scores[row[1]], row[1], n)
        for n, row in enumerate(rows)
        if row[1] in scores
        and not any(r.name.startswith(_NOT_TEXT_ALONE) for r in row[4].for_similarity)
    ]
    textual.sort(key=lambda t: (-t[0], t[1]))
    chosen = [n for _, _, n in textual[: reranker.k]]
    if not chosen:
        return rows
    candidates = [
        Candidate(
            product=rows[n][2],
            text_score=float(scores[rows[n][1]]),
            similarity=rows[n][0],
            findings={r.name: r.value for r in rows[n][4].for_similarity},
            texts=read_texts(stored) if (stored := index.rerank_texts.get(rows[n][1])) else None,
        )
        for n in chosen
    ]
    new = reranker.rescore(
        query=query, brand=brand, candidates=candidates, weight=index.text.token_weights
    )
    # the re-ranker's choice keeps the first stage's similarity when that was higher: it
    # re-orders the candidates, it does not make a sure identity less sure
    best = max(new)
    new = [max(p, rows[n][0]) if p == best else p for n, p in zip(chosen, new, strict=True)]
    out = list(rows)
    for n, sim in zip(chosen, new, strict=True):
        out[n] = (sim, *rows[n][1:])
    return out


def _imitation_risk(
    ctx: DeclarationContext, declared: Sequence[FeatureResult], weights: Weights
) -> float:
    """The declaration-level risk of an imitated brand (0.0 when no brand is imitated)."""
    level = brand_level(ctx, weights.config)
    if level is None or level.name != "brand_lookalike":
        return 0.0
    return combine([level, *declared], weights=weights)[0]


def _brand_level(
    ctx: DeclarationContext,
    declared: Sequence[FeatureResult],
    weights: Weights,
    thresholds: Thresholds,
) -> Assessment:
    """No product identified: a look-alike brand, or a named brand with other evidence,
    reaching the yellow lane still implicates the registered brand."""
    level = brand_level(ctx, weights.config)
    if level is not None:
        risk, signals = combine([level, *declared], weights=weights)
        if risk >= thresholds.yellow:
            verdict, lane = decide(risk=risk, implicated=True, thresholds=thresholds)
            return Assessment(risk, verdict, lane, (), signals)
    return Assessment(0.0, "no_match", "green")


def _query_text(declaration: Declaration) -> str:
    """The description without counterfeit vocabulary (it says how suspect the item is, not
    which product it is), led by the declared brand when the description does not name it."""
    brand = (declaration.brand or "").strip()
    described = without_terms(declaration.description)
    if brand and norm(brand) not in norm(declaration.description):
        return f"{brand} {described}"
    return described


def _text_candidates(
    query: str,
    brand_hits: Sequence[BrandHit],
    *,
    index: MatchIndex,
    limit: int,
    config: FeatureConfig,
) -> tuple[dict[str, float], dict[str, str]]:
    """Text scores of the shortlist. When the plain reading finds nothing close, an alias or
    look-alike of a brand is also read as the brand itself ("LV" as Louis Vuitton)."""
    found = index.text.search(query, limit=limit)
    scores = dict(found)
    notes: dict[str, str] = {}
    if found and found[0][1] >= config.reread_below:
        return scores, notes  # a second search would cost as much as the first, for nothing
    rereadable = [h for h in brand_hits if h.kind in ("alias", "lookalike")]
    for hit in rereadable[: config.reread_hits]:
        pattern = re.compile(re.escape(hit.matched_text), re.IGNORECASE)
        reread = pattern.sub(hit.brand, query) if pattern.search(query) else f"{hit.brand} {query}"
        for pid, score in index.text.search(reread, limit=limit):
            if score > scores.get(pid, 0.0):
                scores[pid] = score
                notes[pid] = f' (reading "{hit.matched_text}" as {hit.brand})'
    return scores, notes


def _text_lead(scores: dict[str, float], *, floor: float) -> tuple[str | None, float]:
    """The product whose text is closest to the declaration, and by how much it leads the
    next one (or the text floor, when no other product comes near): a text far closer
    than any other product's identifies the product better than its score alone says."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] <= floor:
        return None, 0.0
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], float(ranked[0][1] - max(runner_up, floor))


def _image_hits(
    declaration: Declaration, *, index: MatchIndex, config: FeatureConfig
) -> tuple[
    dict[str, list[tuple[NearCopyHit, ImageRecord]]], dict[str, list[tuple[PhotoHit, ImageRecord]]]
]:
    """Near-copy and photo hits of the declared images, grouped by the product they show."""
    near: dict[str, list[tuple[NearCopyHit, ImageRecord]]] = {}
    photos: dict[str, list[tuple[PhotoHit, ImageRecord]]] = {}
    for image in declaration.images[: config.max_images]:
        if image.hashes:
            found = index.nearcopy.search(dict(image.hashes), limit=config.near_copy_limit)
            pairs = [(h, index.images[h.image_id]) for h in found if h.image_id in index.images]
            kept = nearest_wins(
                pairs, margin_full=config.image_margin_full, copy_min=config.image_copy_min
            )
            for hit, ref in kept:
                near.setdefault(ref.product_id, []).append((hit, ref))
        if image.local_features:
            found_photos = index.search_photos(image.local_features, limit=config.photo_limit)
            shown = [
                (p, index.images[p.image_id]) for p in found_photos if p.image_id in index.images
            ]
            for photo, ref in strongest_photo_wins(shown, margin_full=config.photo_margin_full):
                photos.setdefault(ref.product_id, []).append((photo, ref))
    return near, photos
