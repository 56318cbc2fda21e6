"""PHI and secrets stay out of reprs."""

from __future__ import annotations

from datetime import date

from claimbridge.domain.models import (
    Address,
    Patient,
    Person,
    Policy,
    Priority,
    Relationship,
    Secret,
)


def test_a_secret_prints_as_secure_and_compares_by_value() -> None:
    secret = Secret("synthetic-password")
    assert repr(secret) == str(secret) == "[secure]"
    assert f"{secret}" == "[secure]"
    assert secret == Secret("synthetic-password") and secret != Secret("other")
    assert secret.reveal() == "synthetic-password"


def test_patient_and_policy_reprs_hide_names_dates_and_member_ids() -> None:
    subscriber = Person("Elena", "Ramirez", date(1988, 1, 5), "F")
    policy = Policy(Priority.PRIMARY, "87726", "98123377", Relationship.CHILD, "770021", subscriber)
    patient = Patient(
        "pt-1002",
        "Sofia",
        "Ramirez",
        date(2015, 7, 30),
        "F",
        Address("12 Birch Ln", "Clovis", "CA", "93612"),
        (policy,),
    )
    shown = repr(patient)
    for private in ("Sofia", "Ramirez", "Elena", "2015", "1988", "Birch", "98123377"):
        assert private not in shown
    assert "member_id='…3377'" in shown and "pt-1002" in shown
    assert Relationship.CHILD.x12_code == "19" and Relationship.SELF.x12_code == "18"
