"""Gathering facts, evaluating rules, storing flags."""

from sqlmodel import Session


def evaluate_subject(session: Session, subject_type: str, subject_id: str) -> None:
    """Evaluate every enabled rule against the subject; raise new flags (no duplicates)."""
    return None
