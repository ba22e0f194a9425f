"""The police hand-off codec (docs/police-interface.md), tested on text and bytes without sockets:
every example of the document decodes and round-trips, every validation rule is refused with its
words and the message id, and hypothesis throws arbitrary JSON at the decoder."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.comms import police_wire as w
from console.comms.police_wire import (
    AckMsg,
    AcknowledgementMsg,
    CancelMsg,
    Case,
    CompletionMsg,
    IncidentMsg,
    Location,
    Reporter,
    UpdateMsg,
    decode,
    encode,
    from_wire,
    to_wire,
)
from console.comms.protocol import MAX_FRAME, Ping, ProtocolError

DOC = Path(__file__).parents[2] / "docs" / "police-interface.md"
CST = timezone(timedelta(hours=8))


def doc_examples() -> list[str]:
    """Every message in the interface document: the JSON of its ```json blocks, one message a
    line or spread over several lines (a line that opens with ``{"type"`` starts a new one), and
    the inline ones of the prose that are whole JSON (not cut short with "…")."""
    doc = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", doc, re.S)
    messages = [span for span in re.findall(r"`(\{\"type\".*?\})`", doc)
                if "…" not in span]
    for block in blocks:
        for line in block.splitlines():
            if line.startswith('{"type"'):
                messages.append(line)
            elif line.strip():
                messages[-1] += line
    return messages


def hand_off_examples() -> list[str]:
    # The handshake's hello and welcome are the console protocol's (and the welcome is cut
    # short with "…" in the document).
    return [m for m in doc_examples()
            if re.match(r'\{"type":"(\w+)"', m).group(1) in w.TYPES]  # type: ignore[union-attr]


def diversion(**case_changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "shared_id": "5d0c6f0e-0c0b-4a55-9d5e-3a3c2f0c8b11",
        "police_case_no": "110-20261127-0457", "sent_at": "2026-11-27T11:02:10+08:00",
        "location": {"lat": 31.2304, "lon": 121.4737, "address": "长宁路1018号3号楼"},
        "classification": "env.noise_residential", "priority": "P3",
        "summary": "楼上住户深夜噪声扰民，报警人要求处理",
        "reporter": {"name": "李女士", "phone": "13800000017"},
        "remarks": ["报警人情绪平稳", "非警务类，分流至联动中心"]}
    case.update(case_changes)
    return {"type": "incident", "id": "110-msg-000981", "case": case}


def message(kind: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, dict[str, Any]] = {
        "incident": diversion(),
        "acknowledgement": {"type": "acknowledgement", "id": "M1", "shared_id": "S1",
                            "status": "accepted"},
        "completion": {"type": "completion", "id": "M2", "shared_id": "S1",
                       "status": "completed", "completed_at": "2026-11-27T12:40:00+08:00",
                       "disposition": "已处置"},
        "update": {"type": "update", "id": "M3", "shared_id": "S1", "remarks": ["再次来电"]},
        "cancel": {"type": "cancel", "id": "M4", "shared_id": "S1", "cause": "报警人撤回"},
        "ack": {"type": "ack", "id": "M5"},
    }
    built = dict(base[kind])
    built.update(changes)
    return built


def refusal(value: dict[str, Any] | str | bytes) -> ProtocolError:
    text = value if isinstance(value, str | bytes) else json.dumps(value, ensure_ascii=False)
    with pytest.raises(ProtocolError) as caught:
        decode(text)
    assert caught.value.message.endswith("."), caught.value.message
    return caught.value


# --- the document's examples ----------------------------------------------------------------


def test_the_document_has_every_kind_of_message() -> None:
    kinds = [json.loads(m)["type"] for m in hand_off_examples()]
    assert set(kinds) == set(w.TYPES)
    assert len(kinds) >= 10


@pytest.mark.parametrize("text", hand_off_examples())
def test_every_example_of_the_document_decodes_and_round_trips(text: str) -> None:
    for frame in (text, text.encode("utf-8")):
        decoded = decode(frame)
        if isinstance(decoded, Ping):
            assert decoded == Ping("p1")
            continue
        assert decode(encode(decoded)) == decoded
        assert decode(encode(decoded).encode("utf-8")) == decoded
        assert from_wire(to_wire(decoded)) == decoded
        assert from_wire(json.loads(text)) == decoded
        # Whatever the document shows is also what to_wire builds (up to the keys it omits).
        shown = json.loads(text)
        wired = to_wire(decoded)
        assert {k: v for k, v in shown.items() if k != "case"} == {
            k: v for k, v in wired.items() if k != "case"}


def test_the_diversion_example_reads_field_by_field() -> None:
    decoded = decode(json.dumps(diversion(), ensure_ascii=False).encode("utf-8"))
    assert decoded == IncidentMsg("110-msg-000981", Case(
        shared_id="5d0c6f0e-0c0b-4a55-9d5e-3a3c2f0c8b11", police_case_no="110-20261127-0457",
        sent_at=datetime(2026, 11, 27, 3, 2, 10, tzinfo=UTC),
        location=Location(31.2304, 121.4737, "长宁路1018号3号楼"),
        classification="env.noise_residential", summary="楼上住户深夜噪声扰民，报警人要求处理",
        priority="P3", reporter=Reporter("李女士", "13800000017"),
        remarks=("报警人情绪平稳", "非警务类，分流至联动中心")))
    assert isinstance(decoded, IncidentMsg)
    assert decoded.case.sent_at.utcoffset() == timedelta(hours=8)  # the sender's zone kept
    assert to_wire(decoded) == diversion()


def test_an_escalation_without_optional_parts() -> None:
    case = {k: v for k, v in diversion()["case"].items()
            if k not in ("priority", "reporter", "remarks")}
    case.update(police_case_no=None, location={"lat": 31, "lon": 121})
    decoded = decode(json.dumps({"type": "incident", "id": "CH-20261127-000140/M1",
                                 "case": case}))
    assert isinstance(decoded, IncidentMsg)
    assert decoded.case.police_case_no is None and decoded.case.priority is None
    assert decoded.case.reporter == Reporter("", "") and decoded.case.remarks == ()
    assert decoded.case.location == Location(31.0, 121.0, "")
    assert type(decoded.case.location.lat) is float
    wired = to_wire(decoded)
    assert wired["case"]["police_case_no"] is None
    assert "reporter" not in wired["case"] and "remarks" not in wired["case"]
    assert decode(encode(decoded)) == decoded


def test_a_reporter_with_only_a_phone_and_nulls() -> None:
    decoded = decode(json.dumps(diversion(reporter={"phone": "110", "name": None},
                                          remarks=None, priority=None)))
    assert isinstance(decoded, IncidentMsg)
    assert decoded.case.reporter == Reporter("", "110")
    assert decode(encode(decoded)) == decoded


def test_round_trips_of_built_messages() -> None:
    case = Case("S9", None, datetime(2026, 11, 27, 11, 20, tzinfo=CST),
                Location(-90.0, 180.0, "江苏路街道华山路 200 号"), "police.violence",
                "两人在小区门口斗殴", "P1", Reporter("王先生", "13900000021"),
                ("有人持械，需警方处置", "linkage incident CH-20261127-000140"))
    built: list[w.HandOff | AckMsg] = [
        IncidentMsg("CH-20261127-000140/M1", case),
        AcknowledgementMsg("a", "S9", "accepted", police_case_no="110-20261127-0460"),
        AcknowledgementMsg("b", "S9", "rejected", cause="涉及人身伤害，属警务事项"),
        AcknowledgementMsg("b2", "S9", "accepted", cause="已派警"),
        CompletionMsg("c", "S9", "aborted", datetime(2026, 11, 27, 4, tzinfo=UTC), "报警人离开"),
        UpdateMsg("d", "S9", summary="新的概要"),
        UpdateMsg("e", "S9", remarks=("一", "二")),
        CancelMsg("f", "S9", "报警人撤回"),
        AckMsg("g"),
        AckMsg("h", incident="CH-20261127-000123"),
    ]
    for original in built:
        assert decode(encode(original)) == original
        assert from_wire(json.loads(encode(original))) == original


def test_unknown_fields_are_ignored() -> None:
    text = json.dumps({**diversion(), "future": {"x": 1},
                       "case": {**diversion()["case"], "video": "rtsp://x",
                                "location": {"lat": 1, "lon": 2, "address": "a", "floor": 3},
                                "reporter": {"name": "n", "phone": "p", "id_card": "…"}}})
    decoded = decode(text)
    assert isinstance(decoded, IncidentMsg)
    assert decoded.case.location == Location(1.0, 2.0, "a")
    assert decode('{"type":"ack","id":"x","extra":[1]}') == AckMsg("x")


def test_ping() -> None:
    assert decode('{"type":"ping","id":"p1"}') == Ping("p1")
    assert decode(b'{"type":"ping"}') == Ping(None)


def test_encoding_keeps_chinese_and_refuses_a_naive_time() -> None:
    assert "报警人撤回" in encode(CancelMsg("f", "S", "报警人撤回"))
    with pytest.raises(ValueError, match="zone"):
        encode(CompletionMsg("c", "S", "completed", datetime(2026, 1, 1), "done"))
    with pytest.raises(TypeError):
        to_wire(Ping("p"))  # type: ignore[arg-type]


# --- refusals -------------------------------------------------------------------------------

LONG_CASE = "'police_case_no' in 'case' must be a non-empty string of at most 64 characters"

REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, message, code, fragment of the sentence)
    ("id missing", {k: v for k, v in message("cancel").items() if k != "id"}, "bad_message",
     "'id' in cancel must be a non-empty string of at most 64 characters."),
    ("id too long", message("ack", id="x" * 65), "bad_message", "'id' in ack"),
    ("id empty", message("ack", id=""), "bad_message", "'id' in ack"),
    ("id a number", message("ack", id=5), "bad_message", "'id' in ack"),
    ("shared_id missing", {k: v for k, v in message("cancel").items() if k != "shared_id"},
     "bad_message", "'shared_id' in cancel must be a non-empty string"),
    ("shared_id too long", message("update", shared_id="s" * 65), "bad_message",
     "'shared_id' in update"),
    ("case shared_id empty", diversion(shared_id=""), "bad_message",
     "'shared_id' in 'case' must be a non-empty string of at most 64 characters."),
    ("case missing", {"type": "incident", "id": "M"}, "bad_message", "'case' must be an object"),
    ("case a list", {"type": "incident", "id": "M", "case": []}, "bad_message",
     "'case' must be an object"),
    ("naive sent_at", diversion(sent_at="2026-11-27T11:02:10"), "bad_message",
     "'sent_at' in 'case' must carry its UTC offset (e.g. +08:00 or Z)."),
    ("sent_at not a time", diversion(sent_at="yesterday"), "bad_message",
     "'sent_at' in 'case' must be an ISO 8601 time with its UTC offset"),
    ("sent_at missing", diversion(sent_at=None), "bad_message", "'sent_at' in 'case'"),
    ("naive completed_at", message("completion", completed_at="2026-11-27T12:40:00"),
     "bad_message", "'completed_at' in completion must carry its UTC offset"),
    ("completed_at a number", message("completion", completed_at=1764215000), "bad_message",
     "'completed_at' in completion must be an ISO 8601 time"),
    ("lat too large", diversion(location={"lat": 90.5, "lon": 121, "address": ""}),
     "bad_message", "'lat' in 'location' must be a number from -90 to 90."),
    ("lon too small", diversion(location={"lat": 31, "lon": -181, "address": ""}),
     "bad_message", "'lon' in 'location' must be a number from -180 to 180."),
    ("lat a string", diversion(location={"lat": "31", "lon": 121}), "bad_message", "'lat'"),
    ("lat a boolean", diversion(location={"lat": True, "lon": 121}), "bad_message", "'lat'"),
    ("lat a huge integer", diversion(location={"lat": 10**400, "lon": 121}), "bad_message",
     "'lat'"),
    ("lon missing", diversion(location={"lat": 31}), "bad_message", "'lon' in 'location'"),
    ("location missing", diversion(location=None), "bad_message",
     "'location' in 'case' must be an object"),
    ("acknowledgement status", message("acknowledgement", status="signed"), "bad_message",
     "'status' in acknowledgement must be 'accepted' or 'rejected', not 'signed'."),
    ("acknowledgement status case", message("acknowledgement", status="Accepted"),
     "bad_message", "'status' in acknowledgement must be 'accepted' or 'rejected'"),
    ("completion status", message("completion", status="done"), "bad_message",
     "'status' in completion must be 'completed' or 'aborted', not 'done'."),
    ("status missing", {k: v for k, v in message("completion").items() if k != "status"},
     "bad_message", "not None"),
    ("rejected without cause", message("acknowledgement", status="rejected"), "invalid",
     "A rejection must give its 'cause'."),
    ("rejected with a blank cause", message("acknowledgement", status="rejected", cause="  "),
     "invalid", "A rejection must give its 'cause'."),
    ("cancel without cause", {k: v for k, v in message("cancel").items() if k != "cause"},
     "invalid", "A cancel must give its 'cause'."),
    ("cancel with an empty cause", message("cancel", cause=""), "invalid",
     "A cancel must give its 'cause'."),
    ("cause too long", message("cancel", cause="因" * 501), "bad_message",
     "'cause' in cancel must be a non-empty string of at most 500 characters."),
    ("cause a list", message("acknowledgement", status="rejected", cause=["x"]), "bad_message",
     "'cause' in acknowledgement"),
    ("update with nothing", {"type": "update", "id": "U", "shared_id": "S"}, "invalid",
     "An update must carry 'remarks' or a 'summary' (or both)."),
    ("update with empty remarks", message("update", remarks=[]), "invalid",
     "An update must carry 'remarks' or a 'summary'"),
    ("summary too long", diversion(summary="吵" * 2001), "bad_message",
     "'summary' in 'case' must be a non-empty string of at most 2000 characters."),
    ("summary empty", diversion(summary=""), "bad_message", "'summary' in 'case'"),
    ("update summary too long", message("update", summary="吵" * 2001), "bad_message",
     "'summary' in update must be a non-empty string of at most 2000 characters, or null."),
    ("too many remarks", diversion(remarks=["r"] * 21), "bad_message",
     "'remarks' in 'case' must be a list of at most 20 non-empty strings of at most 500 "
     "characters each."),
    ("a remark too long", message("update", remarks=["r" * 501]), "bad_message",
     "'remarks' in update must be a list"),
    ("a remark not text", diversion(remarks=[1]), "bad_message", "'remarks' in 'case'"),
    ("remarks a string", diversion(remarks="一条"), "bad_message", "'remarks' in 'case'"),
    ("address too long", diversion(location={"lat": 31, "lon": 121, "address": "路" * 201}),
     "bad_message", "'address' in 'location' must be a string of at most 200 characters."),
    ("case number too long", diversion(police_case_no="1" * 65), "bad_message", LONG_CASE),
    ("case number empty", diversion(police_case_no=""), "bad_message", LONG_CASE),
    ("acknowledgement case number too long",
     message("acknowledgement", police_case_no="1" * 65), "bad_message",
     "'police_case_no' in acknowledgement"),
    ("classification too long", diversion(classification="c" * 65), "bad_message",
     "'classification' in 'case' must be a non-empty string of at most 64 characters."),
    ("classification missing", diversion(classification=None), "bad_message",
     "'classification' in 'case'"),
    ("name too long", diversion(reporter={"name": "李" * 65, "phone": ""}), "bad_message",
     "'name' in 'reporter' must be a string of at most 64 characters."),
    ("phone too long", diversion(reporter={"name": "", "phone": "1" * 33}), "bad_message",
     "'phone' in 'reporter' must be a string of at most 32 characters."),
    ("reporter a string", diversion(reporter="李女士"), "bad_message",
     "'reporter' in 'case' must be an object"),
    ("priority P5", diversion(priority="P5"), "bad_message",
     "'priority' in 'case' must be one of P1, P2, P3, P4 or null, not 'P5'."),
    ("disposition missing", message("completion", disposition=None), "bad_message",
     "'disposition' in completion must be a non-empty string of at most 2000 characters."),
    ("ack incident too long", message("ack", incident="I" * 65), "bad_message",
     "'incident' in ack"),
    ("unknown type", {"type": "handover", "id": "M9"}, "bad_message",
     "Unknown message type 'handover'; expected incident, acknowledgement, completion, update, "
     "cancel, ack or ping."),
    ("console type", {"type": "command", "id": "M9"}, "bad_message",
     "Unknown message type 'command'"),
    ("no type", {"id": "M9"}, "bad_message", "The message has no 'type'"),
]


@pytest.mark.parametrize(("case", "value", "code", "fragment"), REFUSED,
                         ids=[r[0] for r in REFUSED])
def test_refusals(case: str, value: dict[str, Any], code: str, fragment: str) -> None:
    for frame in (json.dumps(value, ensure_ascii=False),
                  json.dumps(value, ensure_ascii=False).encode("utf-8")):
        refused = refusal(frame)
        assert (refused.code, fragment in refused.message) == (code, True), refused.message
        readable = value.get("id")
        expected_ref = (readable if isinstance(readable, str) and 1 <= len(readable) <= 64
                        else None)
        assert refused.ref == expected_ref
        assert refused.to_message()["code"] == code
    if isinstance(value.get("type"), str) and value["type"] in w.TYPES[:-1]:
        with pytest.raises(ProtocolError) as again:
            from_wire(value)
        assert (again.value.code, again.value.message) == (refused.code, refused.message)


def test_the_id_is_the_ref_of_every_refusal_once_readable() -> None:
    assert refusal(diversion(sent_at="2026-11-27T11:02:10")).ref == "110-msg-000981"
    assert refusal(message("cancel", cause=None)).ref == "M4"
    assert refusal({"type": "handover", "id": "M9"}).ref == "M9"
    assert refusal({"type": "update", "id": 7, "shared_id": "S"}).ref is None


@pytest.mark.parametrize(("frame", "code", "fragment"), [
    ("not json", "bad_frame", "The frame is not JSON"),
    (b'{"type":"ack","id":"\xff"}', "bad_frame", "not valid UTF-8"),
    ('{"type":"ack","id":"\\ud800"}', "bad_message", "lone surrogate"),
    ('{"type":"incident","id":"M","case":{"location":{"lat":NaN}}}', "bad_frame", "NaN"),
    ('{"type":"incident","id":"M","case":{"location":{"lat":1e999}}}', "bad_frame",
     "too large a number"),
    ("[1]", "bad_message", "must be a JSON object, not a list"),
    ('{"type":"ack","id":"' + "x" * MAX_FRAME + '"}', "too_large", "larger than"),
])
def test_frame_refusals(frame: str | bytes, code: str, fragment: str) -> None:
    refused = refusal(frame)
    assert refused.code == code and fragment in refused.message


def test_from_wire_refuses_a_ping_and_a_non_object() -> None:
    with pytest.raises(ProtocolError, match="Unknown message type 'ping'"):
        from_wire({"type": "ping", "id": "p"})
    with pytest.raises(ProtocolError, match="must be a JSON object, not a list"):
        from_wire([1])  # type: ignore[arg-type]


# --- hypothesis -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)

times = st.datetimes(timezones=st.sampled_from([UTC, CST])).map(datetime.isoformat)

# Values that are sometimes right for a field and often wrong.
field_values = st.one_of(
    json_values, times, st.text(max_size=3), st.integers(-200, 200),
    st.sampled_from(["accepted", "rejected", "completed", "aborted", "P3", "", "2026-11-27",
                     "2026-11-27T11:02:10", 2**70, [], {}]),
)

texts = st.text(max_size=70)
remark_lists = st.lists(st.text(max_size=5), max_size=22) | st.none()
locations = st.fixed_dictionaries(
    {}, optional={"lat": st.floats(-91, 91) | field_values,
                  "lon": st.floats(-181, 181) | field_values,
                  "address": texts | field_values})
reporters = st.fixed_dictionaries(
    {}, optional={"name": texts | field_values, "phone": texts | field_values}) | field_values
cases = st.fixed_dictionaries({}, optional={
    "shared_id": texts, "police_case_no": st.none() | texts, "sent_at": times | field_values,
    "location": locations | field_values, "classification": texts | field_values,
    "summary": texts | field_values, "priority": st.sampled_from(["P1", "P4", None, "P0"]),
    "reporter": reporters, "remarks": remark_lists | field_values,
})

GOOD: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "incident": {"id": texts, "case": cases | field_values},
    "acknowledgement": {"id": texts, "shared_id": texts,
                        "status": st.sampled_from(["accepted", "rejected", "x"]),
                        "cause": st.none() | texts, "police_case_no": st.none() | texts},
    "completion": {"id": texts, "shared_id": texts,
                   "status": st.sampled_from(["completed", "aborted", "x"]),
                   "completed_at": times, "disposition": texts},
    "update": {"id": texts, "shared_id": texts, "remarks": remark_lists,
               "summary": st.none() | texts},
    "cancel": {"id": texts, "shared_id": texts, "cause": st.none() | texts},
    "ack": {"id": texts, "incident": st.none() | texts},
    "ping": {"id": st.none() | texts},
}


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(w.TYPES))
    built: dict[str, Any] = {"type": kind}
    for name, good in GOOD[kind].items():
        choice = draw(st.sampled_from(["good", "good", "good", "any", "missing"]))
        if choice != "missing":
            built[name] = draw(good if choice == "good" else field_values)
    if draw(st.booleans()):
        built[draw(st.text(max_size=8))] = draw(json_values)  # an unknown field, or a clash
        built["type"] = kind
    return built


def outcome(text: str | bytes) -> w.PoliceMessage | ProtocolError:
    try:
        return decode(text)  # anything but ProtocolError escapes and fails the test
    except ProtocolError as refused:
        return refused


def check_decodes_or_refuses(text: str | bytes) -> None:
    result = outcome(text)
    if isinstance(result, ProtocolError):
        assert result.code in ("bad_frame", "bad_message", "invalid", "too_large")
        assert result.message.endswith("."), result.message
    elif not isinstance(result, Ping):
        assert decode(encode(result)) == result


@given(st.text())
def test_any_text(text: str) -> None:
    check_decodes_or_refuses(text)


@given(st.binary())
def test_any_bytes(data: bytes) -> None:
    check_decodes_or_refuses(data)


@given(json_values)
def test_any_json_value(value: Any) -> None:
    check_decodes_or_refuses(json.dumps(value))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_any_fields_for_each_type(built: dict[str, Any]) -> None:
    text = json.dumps(built)
    check_decodes_or_refuses(text)
    check_decodes_or_refuses(json.dumps(built, ensure_ascii=False).encode("utf-8",
                                                                          "surrogatepass"))
    if built["type"] != "ping":
        # The hub re-reads its outbox with from_wire: it judges an object as decode judges text.
        decoded = outcome(text)
        try:
            again: w.PoliceMessage | ProtocolError = from_wire(built)
        except ProtocolError as refused:
            again = refused
        if isinstance(decoded, ProtocolError):
            assert isinstance(again, ProtocolError) and again.message == decoded.message
        else:
            assert again == decoded
