"""PHQ-9 and GAD-7 responses as FHIR R4 QuestionnaireResponse resources (pure: plain data in).

linkIds are the LOINC codes of the questions (the LOINC panels 44249-1 for PHQ-9 and
69737-5 for GAD-7); the total score is an item with the LOINC code of the total
(PHQ-9 44261-6, GAD-7 70274-6); answers are LOINC answer codes (LL358-3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icbt.measures import scoring

LOINC = "http://loinc.org"

# The LOINC panel and item codes, in the order of icbt.measures' items.
PANELS: dict[str, str] = {"phq9": "44249-1", "gad7": "69737-5"}
ITEM_CODES: dict[str, tuple[str, ...]] = {
    "phq9": ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
             "44253-3", "44260-8"),
    "gad7": ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
}
# LOINC answer list LL358-3, shared by both questionnaires (value = points).
ANSWER_CODES: dict[int, str] = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}


def measure_key(raw: str) -> str:
    """Normalise a stored measure name ("PHQ-9", "phq9") to the key used here."""
    return (raw or "").lower().replace("-", "").replace("_", "")


def _instant(value: str | datetime | None) -> str | None:
    """Format a naive UTC time (or its ISO text) as a FHIR dateTime in UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(microsecond=0).isoformat() + "Z"


def questionnaire_response(row: dict[str, Any], subject: str = "") -> dict[str, Any] | None:
    """Build a QuestionnaireResponse from an exported measure_response row (None if unknown)."""
    key = measure_key(str(row.get("measure", "")))
    measure = scoring.MEASURES.get(key)
    if measure is None or key not in ITEM_CODES:
        return None
    options = dict(scoring.OPTIONS)
    items: list[dict[str, Any]] = []
    answers = list(row.get("answers") or [])
    for code, text, value in zip(ITEM_CODES[key], measure.items, answers, strict=False):
        item: dict[str, Any] = {"linkId": code, "text": text}
        if isinstance(value, int) and value in ANSWER_CODES:
            item["answer"] = [{"valueCoding": {"system": LOINC, "code": ANSWER_CODES[value],
                                               "display": options[value]}}]
        items.append(item)
    total = row.get("total")
    if total is not None:
        items.append({"linkId": measure.loinc, "text": f"{measure.title} total score",
                      "answer": [{"valueInteger": int(total)}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": f"{key}-{row.get('id')}",
        "questionnaire": f"{LOINC}/q/{PANELS[key]}",
        "status": "completed" if total is not None else "in-progress",
        "authored": _instant(row.get("completed_at") or row.get("created_at")),
        "item": items,
    }
    if subject:
        resource["subject"] = {"display": subject}
    if resource["authored"] is None:
        del resource["authored"]
    return resource


def bundle(rows: list[dict[str, Any]], subject: str = "") -> dict[str, Any]:
    """Wrap every PHQ-9 and GAD-7 response in a FHIR collection Bundle."""
    entries = []
    for row in rows:
        resource = questionnaire_response(row, subject)
        if resource is not None:
            entries.append({"fullUrl": f"urn:icbt:{resource['id']}", "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
