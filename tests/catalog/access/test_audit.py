"""The audit chain: every change is a linked event; tampering is found at the right row."""

from __future__ import annotations

import itertools

from sqlalchemy import text
from sqlmodel import col, select

from catalog.access import audit
from catalog.access.keys import CLI_ACTOR, Principal
from catalog.core.db import Database
from catalog.models import AuditEvent
from catalog.products.rights_holders import create_rights_holder
from catalog.products.service import create_product, retire_product, update_product
from catalog.products.validation import ProductChanges, ProductData


def _principal(holder_id: str) -> Principal:
    return Principal(
        key_id="k1", role="rights_holder", rights_holder_id=holder_id, name="t", client_id="c"
    )


def _some_changes(database: Database) -> None:
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="Nike Inc.")
        who = _principal(holder.id)
        product = create_product(
            session,
            principal=who,
            rights_holder_id=holder.id,
            data=ProductData(brand="Nike", name="A"),
        )
        update_product(
            session, principal=who, product_id=product.id, changes=ProductChanges(name="B")
        )
        retire_product(session, principal=who, product_id=product.id)


def test_changes_are_chained_and_bump_the_version(database: Database) -> None:
    _some_changes(database)
    with database.session(write=False) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        assert [e.action for e in events] == [
            "rights_holder.create",
            "product.create",
            "product.update",
            "product.retire",
        ]
        assert events[0].prev_hash == audit.GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        assert [e.catalog_version for e in events] == [None, 1, 2, 3]
        assert events[2].actor == "key:k1"
        assert audit.current_version(session) == 3
        report = audit.verify_chain(session)
    assert report.ok
    assert report.checked == 4


def test_a_changed_row_is_found(database: Database) -> None:
    _some_changes(database)
    with database.session() as session:
        third = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id)).offset(2)).first()
        session.execute(
            text("UPDATE audit_event SET actor = 'someone else' WHERE id = :id"), {"id": third}
        )
    with database.session(write=False) as session:
        report = audit.verify_chain(session)
    assert not report.ok
    assert report.broken_id == third
    assert report.checked == 2


def test_a_changed_payload_and_a_deleted_row_are_found(database: Database) -> None:
    _some_changes(database)
    with database.session() as session:
        ids = list(session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id))).all())
        session.execute(
            text("UPDATE audit_event SET change = :c WHERE id = :id"),
            {"c": '{"name": "Z"}', "id": ids[2]},
        )
    with database.session(write=False) as session:
        assert audit.verify_chain(session).broken_id == ids[2]
    with database.session() as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    with database.session(write=False) as session:
        report = audit.verify_chain(session)
    assert report.broken_id == ids[2]
    assert "previous" in report.reason


def test_append_event_is_usable_by_other_parts(database: Database) -> None:
    with database.session() as session:
        version = audit.begin_change(session)
        audit.append_event(
            session,
            actor="key:x",
            action="settings.update",
            entity_type="settings",
            change={"a": 1},
            catalog_version=version,
        )
        event = audit.append_event(
            session, actor="key:x", action="fx.load", entity_type="fx_rate", change={"n": 2}
        )
    assert version == 1
    assert event.catalog_version is None
    with database.session(write=False) as session:
        assert audit.verify_chain(session).ok


def test_no_op_changes_neither_bump_nor_audit(database: Database) -> None:
    _some_changes(database)  # ends with a retire
    with database.session(write=False) as session:
        before = audit.current_version(session)
        product_id = session.exec(
            select(AuditEvent.entity_id).order_by(col(AuditEvent.id).desc())
        ).first()
        holder_id = session.exec(select(AuditEvent.entity_id).order_by(col(AuditEvent.id))).first()
    assert product_id is not None
    assert holder_id is not None
    with database.session() as session:
        retire_product(session, principal=_principal(holder_id), product_id=product_id)
    with database.session(write=False) as session:
        assert audit.current_version(session) == before
        assert audit.verify_chain(session).checked == 4
