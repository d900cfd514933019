"""Golden cases for the engine: retrieval, features, combination and decisions end to end."""

from __future__ import annotations

import dataclasses
from datetime import date

from PIL import Image, ImageDraw

from matchers.engine import MatchIndex, assess
from matchers.images.hashes import compute_hashes
from matchers.images.photo import extract_features
from matchers.records import Assessment, Declaration, DeclaredImage, ImageRecord, Money
from matchers.scoring import Thresholds
from tests.matchers.enginekit import CATALOGUE, FX, build_index, pattern_image, scene_image
from tests.matchers.featurekit import ADIDAS_GTIN, TODAY


def run(declaration: Declaration, index: MatchIndex | None = None, **kw: object) -> Assessment:
    return assess(declaration, index=index or build_index(), fx=FX, today=TODAY, **kw)  # type: ignore[arg-type]


def names(a: Assessment) -> list[str]:
    return [s.name for s in (a.matches[0].signals if a.matches else a.signals)]


def test_genuine_trade_is_green_and_explained() -> None:
    a = run(
        Declaration(
            "Nike Air Zoom Pegasus 40 running shoes DV3853-001",
            brand="Nike",
            hs_code="640411",
            unit_value=Money(70.0, "EUR"),
            origin_country="VN",
            importer="Nike Europe Holding B.V.",
        )
    )
    assert a.matches[0].product_id == "p-nike-pegasus"
    assert (a.verdict, a.lane) == ("likely_genuine", "green")
    assert {"importer_authorized", "model_same", "brand_exact", "price_plausible"} <= set(names(a))
    contributions = [abs(s.contribution) for s in a.matches[0].signals]
    assert contributions == sorted(contributions, reverse=True)


def test_cheap_replica_in_bulk_is_red() -> None:
    a = run(
        Declaration(
            "nike air zoom pegasus 40 replica AAA",
            quantity=300,
            unit_value=Money(4.5, "USD"),
            origin_country="CN",
        )
    )
    assert a.matches[0].product_id == "p-nike-pegasus"
    assert (a.verdict, a.lane) == ("likely_counterfeit", "red")
    assert a.risk == max(m.risk for m in a.matches)
    assert names(a)[0] in ("counterfeit_vocabulary", "price_far_below_range")
    detail = {s.name: s.detail for s in a.matches[0].signals}["price_far_below_range"]
    assert "4.50 USD" in detail


def test_matches_are_ordered_by_similarity() -> None:
    a = run(Declaration("Nike Air Max 90 sneaker"))
    assert a.matches[0].product_id == "p-nike-airmax"
    sims = [m.similarity for m in a.matches]
    assert sims == sorted(sims, reverse=True)
    assert all(0.0 <= m.similarity <= 1.0 for m in a.matches)


def test_unrelated_goods_are_no_match() -> None:
    a = run(Declaration("ceramic flower pot, glazed", hs_code="691390"))
    assert a == Assessment(0.0, "no_match", "green")


def test_lookalike_brand_without_a_product_still_scores() -> None:
    a = run(Declaration("Nkie socks cotton 12 pairs"))
    assert a.verdict in ("suspicious", "likely_counterfeit")
    assert a.risk >= Thresholds().yellow
    assert "brand_lookalike" in names(a)


def test_lookalike_brand_finds_the_product_it_imitates() -> None:
    a = run(Declaration("Adidoss Superstar leather sneaker"))
    assert a.matches
    assert a.matches[0].product_id == "p-adidas-superstar"
    assert "brand_lookalike" in names(a)
    assert a.lane in ("yellow", "red")


def test_alias_names_the_brand() -> None:
    a = run(Declaration("LV Speedy 30 monogram handbag"))
    assert a.matches[0].product_id == "p-lv-speedy"
    assert "brand_alias" in names(a) or "brand_exact" in names(a)


def test_gtin_of_another_brand_is_strong_evidence() -> None:
    a = run(Declaration("Nike running shoe Pegasus 40", brand="Nike", gtin=ADIDAS_GTIN))
    assert a.matches[0].product_id == "p-nike-pegasus"
    assert "gtin_other_brand" in names(a)
    assert a.lane == "red"


def test_gtin_alone_identifies_the_product() -> None:
    a = run(Declaration("shoes", gtin="0" + "0195866123458"))
    assert a.matches[0].product_id == "p-nike-pegasus"
    assert "gtin_this_product" in names(a)


def test_expired_registration_counts_at_reduced_weight() -> None:
    decl = Declaration("nike air zoom pegasus 40 replica", unit_value=Money(5.0, "EUR"))
    live = run(decl)
    expired = [dataclasses.replace(p, valid_until=date(2026, 1, 31)) for p in CATALOGUE]
    lapsed = run(decl, build_index(tuple(expired)))
    assert lapsed.risk < live.risk
    signal = {s.name: s for s in lapsed.matches[0].signals}["registration_expired"]
    assert signal.contribution < 0
    assert "2026-01-31" in signal.detail


def test_near_copy_of_a_known_counterfeit_image() -> None:
    index = build_index()
    fake = pattern_image(7)
    index.upsert_image(
        ImageRecord("img-fake", "p-lv-speedy", "counterfeit", hashes=compute_hashes(fake))
    )
    copy = fake.resize((200, 200))
    a = run(Declaration("handbag", images=(DeclaredImage(hashes=compute_hashes(copy)),)), index)
    assert a.matches[0].product_id == "p-lv-speedy"
    assert "image_copy_of_counterfeit" in names(a)
    assert a.lane == "red"


def test_near_copy_of_a_genuine_image_identifies_the_product() -> None:
    index = build_index()
    ref = pattern_image(11)
    index.upsert_image(ImageRecord("img-ref", "p-sony-turntable", "genuine", compute_hashes(ref)))
    hashes = {"phash": compute_hashes(ref.convert("L").convert("RGB"))["phash"]}
    a = run(Declaration("turntable", images=(DeclaredImage(hashes=hashes),)), index)
    assert a.matches[0].product_id == "p-sony-turntable"
    assert "image_copy_of_genuine" in names(a)
    index.remove_image("img-ref")
    again = run(Declaration("record player", images=(DeclaredImage(hashes=hashes),)), index)
    assert all(m.product_id != "p-sony-turntable" for m in again.matches)


def test_new_photo_of_the_product_matches_its_registered_photo() -> None:
    index = build_index()
    ref = scene_image(21)
    index.upsert_image(
        ImageRecord(
            "img-photo", "p-sony-turntable", "genuine", local_features=extract_features(ref)
        )
    )
    shot = ref.rotate(12, expand=True, fillcolor="white").resize((360, 360))
    decl = Declaration(
        "record player", images=(DeclaredImage(local_features=extract_features(shot)),)
    )
    a = run(decl, index)
    assert a.matches
    assert a.matches[0].product_id == "p-sony-turntable"
    assert "photo_match" in names(a)
    other = run(
        Declaration(
            "record player",
            images=(DeclaredImage(local_features=extract_features(scene_image(5))),),
        ),
        index,
    )
    assert all(m.product_id != "p-sony-turntable" for m in other.matches)


def test_upsert_replaces_old_entries_and_remove_forgets() -> None:
    index = build_index()
    old = CATALOGUE[3]
    index.upsert_product(
        dataclasses.replace(old, name="Neverfull MM tote", model="M40995", gtins=(ADIDAS_GTIN,))
    )
    assert [p.product_id for p in index.products_with_gtin("0" + ADIDAS_GTIN)] == [
        "p-adidas-superstar",
        "p-lv-speedy",
    ]
    found = run(Declaration("Louis Vuitton Speedy 30 monogram canvas handbag M41108"), index)
    assert all(m.name != old.name for m in found.matches)
    index.remove_product("p-lv-speedy")
    assert "p-lv-speedy" not in index.products
    assert len(index) == len(CATALOGUE) - 1
    gone = run(Declaration("Louis Vuitton Neverfull MM tote"), index)
    assert all(m.product_id != "p-lv-speedy" for m in gone.matches)
    assert "brand_exact" not in names(gone)


def test_images_follow_their_product_and_can_change_kind() -> None:
    index = build_index()
    im = pattern_image(3)
    hashes = compute_hashes(im)
    index.upsert_image(ImageRecord("img-1", "p-lv-speedy", "genuine", hashes=hashes))
    index.upsert_image(ImageRecord("img-1", "p-lv-speedy", "counterfeit", hashes=hashes))
    decl = Declaration("bag", images=(DeclaredImage(hashes=hashes),))
    assert "image_copy_of_counterfeit" in names(run(decl, index))
    assert "image_copy_of_genuine" not in names(run(decl, index))
    index.remove_product("p-lv-speedy")
    assert index.images == {}
    assert run(decl, index).matches == ()


def test_thresholds_are_passed_in() -> None:
    decl = Declaration("Nike Air Zoom Pegasus 40 running shoe")
    assert run(decl).lane == "green"
    strict = run(decl, thresholds=Thresholds(yellow=0.01, red=0.99))
    assert (strict.verdict, strict.lane) == ("suspicious", "yellow")
    loose = run(decl, thresholds=Thresholds(min_similarity=0.0))
    assert loose.matches
    assert any(m.similarity < 0.999 for m in loose.matches)
    picky = run(decl, thresholds=Thresholds(min_similarity=0.999))
    assert picky.matches == tuple(m for m in loose.matches if m.similarity >= 0.999)


def test_same_input_same_result_whatever_the_insertion_order() -> None:
    decl = Declaration("nike air max replica 1:1", unit_value=Money(9.0, "USD"), quantity=50)
    first = run(decl)
    backwards = run(decl, build_index(tuple(reversed(CATALOGUE))))
    assert repr(first) == repr(backwards)


def test_a_mirrored_copy_of_the_brands_photo_is_not_a_copy_of_the_counterfeit() -> None:
    genuine = pattern_image(11)
    fake = genuine.copy()
    fake.paste((255, 0, 0), (0, 0, 60, 60))  # the counterfeit copies the packaging template
    index = build_index()
    for image_id, kind, im in (("img-g", "genuine", genuine), ("img-f", "counterfeit", fake)):
        index.upsert_image(ImageRecord(image_id, "p-nike-airmax", kind, compute_hashes(im)))
    mirrored = genuine.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    a = run(
        Declaration(
            "Nike Air Max 90 sneaker",
            origin_country="VN",
            images=(DeclaredImage(compute_hashes(mirrored)),),
        ),
        index,
    )
    assert a.matches[0].product_id == "p-nike-airmax"
    assert "image_copy_of_genuine" in names(a)
    assert "image_copy_of_counterfeit" not in names(a)
    assert a.lane == "green"


def _package(moved: int, brand: str = "NIKE") -> Image.Image:
    """A packaging photo on one template: a band with the brand, an ellipse moved by `moved`."""
    im = Image.new("RGB", (320, 320), (200, 30, 30))
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 106, 320, 176], fill=(20, 40, 160))
    draw.ellipse([30 + moved, 20, 120 + moved, 80], fill=(240, 200, 30))
    draw.rectangle([200, 220, 300, 300], fill=(30, 160, 60))
    draw.rectangle([20, 220, 90, 300], fill=(250, 250, 250))
    draw.text((20, 121), brand, fill=(255, 255, 255), font_size=34)
    return im


def test_an_unregistered_sibling_package_is_same_brand_packaging_not_a_copy() -> None:
    index = build_index()
    refs = (("img-g", "genuine", _package(0)), ("img-f", "counterfeit", _package(-30, "NKIE")))
    for image_id, kind, im in refs:
        index.upsert_image(ImageRecord(image_id, "p-nike-airmax", kind, compute_hashes(im)))
    sibling = _package(60)  # the brand's template, another package: not a registered picture
    a = run(
        Declaration(
            "Nike Air Max 90 sneaker",
            origin_country="VN",
            images=(DeclaredImage(compute_hashes(sibling)),),
        ),
        index,
    )
    found = {s.name: s for s in a.matches[0].signals}
    assert "image_copy_of_genuine" not in found
    assert "image_copy_of_counterfeit" not in found
    assert found["image_same_brand_packaging"].detail == (
        "a declared image shares the packaging design of the brand's registered photo of "
        "Nike Air Max 90 sneaker, but is not a copy of it"
    )
    assert found["image_same_brand_packaging"].contribution == 0.0  # says nothing of fakes
    assert a.lane == "green"
    # the registered picture itself, sent again, is still a copy
    again = run(
        Declaration("Nike Air Max 90 sneaker", images=(DeclaredImage(compute_hashes(refs[0][2])),)),
        index,
    )
    assert "image_copy_of_genuine" in {s.name for s in again.matches[0].signals}


def test_warm_up_changes_no_result() -> None:
    image = pattern_image(3)
    declarations = [
        Declaration("Nike Air Zoom Pegasus 40 size 42", brand="Nike", quantity=2),
        Declaration("running shoe", gtin=ADIDAS_GTIN),
        Declaration("sneaker", images=(DeclaredImage(hashes=compute_hashes(image)),)),
        Declaration("LV speedy bag"),
    ]
    indexes = [build_index(), build_index()]
    for index in indexes:
        hashes = compute_hashes(image)
        index.upsert_image(ImageRecord("img-1", "p-nike-airmax", "genuine", hashes))
    indexes[1].warm_up(fx=FX, today=TODAY)
    cold = [assess(d, index=indexes[0], fx=FX, today=TODAY) for d in declarations]
    warm = [assess(d, index=indexes[1], fx=FX, today=TODAY) for d in declarations]
    assert warm == cold
    assert [a.matches[0].product_id for a in cold[:3]] == [
        "p-nike-pegasus", "p-adidas-superstar", "p-nike-airmax",
    ]  # fmt: skip


def test_an_empty_index_warms_up() -> None:
    index = MatchIndex()
    index.warm_up(today=TODAY)
    assert assess(Declaration("anything"), index=index, today=TODAY).verdict == "no_match"
