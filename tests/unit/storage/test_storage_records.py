"""Save round trips, corrections, the review flow and look-ups, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from storage_helpers import DOC_NO, GIVEN, SURNAME, make_result

from desktop_app.core.types import FIELD_KEYS, Flag
from desktop_app.storage import (
    InvalidInputError,
    NotFoundError,
    RecordService,
    ReviewStateError,
    Store,
)

OP = {"operator": "anna.k", "workstation": "desk-3"}


def test_confirm_round_trip_keeps_every_value_and_who_when_where(store: Store) -> None:
    result = make_result()
    before = datetime.now(UTC)
    rid = store.confirm_record(result, {}, **OP)
    rec = store.get_record(rid)
    assert rec.id == rid
    assert rec.confirmed_by == "anna.k" and rec.workstation == "desk-3"
    assert before - timedelta(seconds=5) <= rec.confirmed_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert rec.confirmed_at.tzinfo is not None
    assert rec.document_format == "TD3" and rec.document_code == "P"
    assert rec.source_file == "/scans/quistorpelli-passport.jpg"
    assert set(rec.fields) == set(result.fields)
    for key, f in result.fields.items():
        stored = rec.fields[key]
        assert stored.value == f.value
        assert stored.ocr_value == f.value
        assert stored.source == f.source
        assert stored.ocr_source == f.source
        assert stored.confidence == pytest.approx(f.confidence)
        assert stored.status == f.status
    assert rec.corrections == ()
    assert list(rec.fields) == [k for k in FIELD_KEYS if k in result.fields]  # reading order


def test_every_changed_field_gets_a_correction(store: Store) -> None:
    result = make_result()
    finals = {
        "surname": SURNAME + "A",  # changed
        "given_names": GIVEN,  # same as OCR: not a correction
        "authority": "CITY HALL",  # not read at all: typed in
    }
    rid = store.confirm_record(result, finals, **OP)
    rec = store.get_record(rid)
    assert rec.value("surname") == SURNAME + "A"
    assert rec.fields["surname"].ocr_value == SURNAME
    assert rec.fields["surname"].source == "operator"
    assert rec.fields["surname"].ocr_source == "mrz+viz"
    assert rec.fields["given_names"].source == "mrz"
    assert rec.fields["authority"].ocr_value is None and rec.fields["authority"].source == "operator"
    by_key = {c.key: c for c in rec.corrections}
    assert set(by_key) == {"surname", "authority"}
    assert by_key["surname"].ocr_value == SURNAME
    assert by_key["surname"].final_value == SURNAME + "A"
    assert by_key["surname"].operator == "anna.k"
    assert by_key["surname"].stage == "confirm"
    assert by_key["authority"].ocr_value is None


def test_bad_input_is_refused_before_anything_is_saved(store: Store) -> None:
    with pytest.raises(InvalidInputError, match="Unknown field"):
        store.confirm_record(make_result(), {"favourite_colour": "blue"}, **OP)
    with pytest.raises(InvalidInputError, match="operator"):
        store.confirm_record(make_result(), {}, operator="  ", workstation="desk-3")
    with pytest.raises(InvalidInputError):
        store.confirm_record(make_result(), {"surname": "X" * 10_000}, **OP)
    assert store.counts()["confirmed"] == 0
    assert store.counts()["audit"] == 1  # the database's own first entry only


def test_returned_values_are_frozen_plain_data(store: Store) -> None:
    rid = store.confirm_record(make_result(), {"surname": "OTHER"}, **OP)
    rec = store.get_record(rid)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.id = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        rec.fields["surname"] = rec.fields["sex"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.fields["surname"].value = "X"  # type: ignore[misc]
    assert type(rec.corrections) is tuple
    assert RecordService is Store


def test_review_flow_flag_list_approve_with_corrections(store: Store) -> None:
    result = make_result(flags=(Flag("viz_mismatch", f"surname differs: {SURNAME}"),))
    review_id = store.flag_for_review(result, {"given_names": "ZENOBIA"}, [], **OP)
    queue = store.list_reviews()
    assert [r.id for r in queue] == [review_id]
    item = queue[0]
    assert item.status == "pending" and item.reason_codes == ("viz_mismatch",)
    assert item.document_number == "X7Q****2M"  # masked by default
    assert item.surname == SURNAME and item.given_names == "ZENOBIA"
    assert store.list_reviews(masked=False)[0].document_number == DOC_NO

    detail = store.get_review(review_id)
    assert detail.reasons[0].code == "viz_mismatch"
    assert detail.reasons[0].message == f"surname differs: {SURNAME}"
    assert detail.fields["given_names"].value == "ZENOBIA"
    assert detail.fields["given_names"].ocr_value == GIVEN
    assert detail.fields["given_names"].reason == "low confidence"
    assert [(c.key, c.stage) for c in detail.corrections] == [("given_names", "flag")]
    assert detail.record_id is None and not detail.has_image

    record_id = store.approve_review(
        review_id, {"surname": "QUISTORPELLO", "sex": "F"}, reviewer="boris.r", comment="checked the photo"
    )
    assert store.list_reviews() == []
    closed = store.get_review(review_id)
    assert closed.status == "approved" and closed.reviewer == "boris.r"
    assert closed.comment == "checked the photo" and closed.record_id == record_id
    assert closed.reviewed_at is not None

    rec = store.get_record(record_id)
    assert rec.review_id == review_id
    assert rec.confirmed_by == "boris.r" and rec.workstation == "desk-3"
    assert rec.value("surname") == "QUISTORPELLO" and rec.fields["surname"].source == "operator"
    assert rec.value("given_names") == "ZENOBIA"
    assert rec.value("sex") == "F" and rec.fields["sex"].source == "mrz"  # same as before: no correction
    stages = sorted((c.key, c.stage, c.operator) for c in rec.corrections)
    assert stages == [("given_names", "flag", "anna.k"), ("surname", "review", "boris.r")]
    surname_fix = next(c for c in rec.corrections if c.key == "surname")
    assert surname_fix.ocr_value == SURNAME and surname_fix.final_value == "QUISTORPELLO"

    with pytest.raises(ReviewStateError, match="already approved"):
        store.approve_review(review_id, {}, reviewer="boris.r")
    with pytest.raises(ReviewStateError):
        store.reject_review(review_id, reviewer="boris.r")
    assert store.counts() == {"confirmed": 1, "pending": 0, "approved": 1, "rejected": 0, "audit": 6}  # with the record.view


def test_reject_makes_no_record(store: Store) -> None:
    review_id = store.flag_for_review(make_result(), {}, ["looks forged"], **OP)
    store.reject_review(review_id, reviewer="boris.r", comment="sent to security")
    detail = store.get_review(review_id)
    assert detail.status == "rejected" and detail.comment == "sent to security"
    assert detail.reasons[0].code == "operator" and detail.reasons[0].message == "looks forged"
    assert store.counts()["confirmed"] == 0
    assert [r.id for r in store.list_reviews("rejected")] == [review_id]
    assert [r.id for r in store.list_reviews(None)] == [review_id]


def test_unknown_ids_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_record(999)
    with pytest.raises(NotFoundError):
        store.get_review(999)
    with pytest.raises(NotFoundError):
        store.approve_review(999, {}, reviewer="boris.r")
    assert store.counts()["audit"] == 1  # only the database's own first entry


def test_images_are_not_kept_by_default(store: Store) -> None:
    review_id = store.flag_for_review(make_result(), {}, [], image_bytes=b"\x89PNG fake image", **OP)
    assert store.get_review_image(review_id) is None
    assert not store.get_review(review_id).has_image


def test_kept_images_are_encrypted_and_dropped_when_the_review_closes(image_store: Store) -> None:
    image = b"\x89PNG" + bytes(range(256)) * 40
    a = image_store.flag_for_review(make_result(), {}, [], image_bytes=image, **OP)
    b = image_store.flag_for_review(make_result(), {}, [], image_bytes=image, **OP)
    assert image_store.get_review_image(a) == image
    assert image_store.list_reviews()[0].has_image
    image_store.approve_review(a, {}, reviewer="boris.r")
    image_store.reject_review(b, reviewer="boris.r")
    assert image_store.get_review_image(a) is None
    assert image_store.get_review_image(b) is None
    entries = [e for e in image_store.audit_entries() if e.action in ("review.approve", "review.reject")]
    assert [e.details["image_dropped"] for e in entries] == [True, True]


def test_search_by_document_number_and_surname(store: Store) -> None:
    r1 = store.confirm_record(make_result(), {}, **OP)
    r2 = store.confirm_record(make_result(surname="ABERNATHY", number="AB1234567"), {}, **OP)
    store.flag_for_review(make_result(), {}, [], **OP)  # reviews are not records
    hits = store.search_records(document_number="x7q4 k9p2m<")
    assert [h.id for h in hits] == [r1]
    assert hits[0].document_number == "X7Q****2M"
    assert store.search_records(document_number=DOC_NO, masked=False)[0].document_number == DOC_NO
    assert [h.id for h in store.search_records(name="Abernathy")] == [r2]
    assert [h.id for h in store.search_records(name="ABERNATHY", document_number=DOC_NO)] == []
    assert [h.id for h in store.search_records()] == [r2, r1]  # newest first
    assert store.search_records(document_number="NOPE") == []
    assert store.search_records(document_number="") == []


def test_search_by_date_range(store: Store) -> None:
    rid = store.confirm_record(make_result(), {}, **OP)
    today = datetime.now().date()
    assert [h.id for h in store.search_records(since=today)] == [rid]
    assert [h.id for h in store.search_records(since=today, until=today)] == [rid]
    assert store.search_records(since=today + timedelta(days=1)) == []
    assert store.search_records(until=today - timedelta(days=1)) == []
    assert [h.id for h in store.search_records(since=date(2000, 1, 1))] == [rid]


def test_batch_flag_is_all_or_nothing(store: Store) -> None:
    ids = store.flag_batch_for_review(
        [(make_result(), {}, [], None), (make_result(surname="B"), {}, [], None)], **OP
    )
    assert len(ids) == 2 and ids[0] < ids[1]
    with pytest.raises(InvalidInputError):
        store.flag_batch_for_review(
            [(make_result(), {}, [], None), (make_result(), {"nope": "x"}, [], None)], **OP
        )
    assert store.counts()["pending"] == 2
