"""The wire-protocol codec (DESIGN §5), tested without sockets: round trips, every documented
refusal with its words, and hypothesis throwing arbitrary text, bytes and JSON at the decoder."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.comms import protocol as p
from console.comms.protocol import (
    MAX_FRAME,
    CommandMessage,
    Hello,
    Ping,
    PositionsMessage,
    ProtocolError,
    TimelineRequest,
    decode_client,
    decode_server,
    encode,
)


def frame(**fields: Any) -> str:
    return json.dumps(fields)


def hello(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "hello", "protocol": 1, "client": "console 0.1",
                               "auth": {"username": "ctl", "password": "secret"},
                               "resume_from": None}
    message.update(changes)
    return message


def command(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "command", "id": "c-1", "name": "incident.accept",
                               "args": {"id": "I1"}, "expected_version": 3}
    message.update(changes)
    return message


def positions(*rows: Any) -> dict[str, Any]:
    return {"type": "positions", "units": list(rows)}


def refusal(text: str | bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        decode_client(text)
    return caught.value


def is_sentence(message: str) -> bool:
    return bool(message.strip()) and message.endswith(".")


# --- round trips ----------------------------------------------------------------------------


def test_hello_with_password() -> None:
    decoded = decode_client(json.dumps(hello(resume_from=42)))
    assert decoded == Hello(1, "console 0.1", "ctl", "secret", None, 42)
    assert "secret" not in repr(decoded)


def test_hello_with_token_and_no_resume() -> None:
    message = hello(auth={"token": "t0k3n"})
    del message["resume_from"]
    assert decode_client(json.dumps(message)) == Hello(1, "console 0.1", None, None, "t0k3n", None)


def test_hello_as_utf8_bytes_keeps_chinese() -> None:
    text = json.dumps(hello(client="调度台", auth={"username": "张三", "password": "密码"}),
                      ensure_ascii=False)
    decoded = decode_client(text.encode("utf-8"))
    assert isinstance(decoded, Hello)
    assert (decoded.client, decoded.username, decoded.password) == ("调度台", "张三", "密码")


def test_command() -> None:
    decoded = decode_client(json.dumps(command()))
    assert decoded == CommandMessage("c-1", "incident.accept", {"id": "I1"}, 3)
    assert hash(decoded) == hash(CommandMessage("c-1", "incident.accept", {}, 3))


def test_command_defaults_and_unknown_fields() -> None:
    message = {"type": "command", "id": "x" * 64, "name": "unit.set_status", "future": [1, 2]}
    assert decode_client(json.dumps(message)) == CommandMessage("x" * 64, "unit.set_status", {},
                                                                None)


def test_positions() -> None:
    rows = [["U1", 31.2, 121.5, 90, 12.5], ["U2", -90, 180, 360, 0], ["U3", 90, -180, 0, 200]]
    decoded = decode_client(json.dumps(positions(*rows)))
    assert decoded == PositionsMessage((("U1", 31.2, 121.5, 90.0, 12.5),
                                        ("U2", -90.0, 180.0, 360.0, 0.0),
                                        ("U3", 90.0, -180.0, 0.0, 200.0)))
    assert isinstance(decoded, PositionsMessage)
    assert all(type(v) is float for row in decoded.units for v in row[1:])


def test_positions_empty_and_full() -> None:
    assert decode_client(json.dumps(positions())) == PositionsMessage(())
    rows = [[f"U{i}", 0, 0, 0, 0] for i in range(5000)]
    decoded = decode_client(json.dumps(positions(*rows)))
    assert isinstance(decoded, PositionsMessage)
    assert len(decoded.units) == 5000


def test_hello_subscribing_to_some_streams() -> None:
    hello = decode_client('{"type":"hello","protocol":1,"client":"desk","auth":{"token":"t"},'
                          '"subscribe":["events"]}')
    assert isinstance(hello, Hello) and hello.subscribe == frozenset({"events"})
    hello = decode_client('{"type":"hello","protocol":1,"client":"c","auth":{"token":"t"}}')
    assert isinstance(hello, Hello) and hello.subscribe is None
    for bad in ('"events"', '["events","sounds"]', '[1]', '["events","positions","events"]'):
        with pytest.raises(ProtocolError, match="'subscribe' must be a list of streams"):
            decode_client('{"type":"hello","protocol":1,"client":"c","auth":{"token":"t"},'
                          f'"subscribe":{bad}}}')


def test_track() -> None:
    decoded = decode_client('{"type":"track","id":"k1","unit":"U45",'
                            '"since":"2026-11-27T08:00:00+08:00","until":"2026-11-27T01:00:00Z"}')
    assert decoded == p.TrackRequest("k1", "U45", datetime(2026, 11, 27, 0, tzinfo=UTC),
                                     datetime(2026, 11, 27, 1, tzinfo=UTC))


@pytest.mark.parametrize(("since", "until", "fragment"), [
    ("2026-11-27T02:00:00Z", "2026-11-27T01:00:00Z", "'since' must not be later than 'until'"),
    ("2026-11-25T00:00:00Z", "2026-11-27T01:00:00Z", "at most 24 hours"),
    ("2026-11-27T00:00:00", "2026-11-27T01:00:00Z", "'since' must carry its UTC offset"),
    ("yesterday", "2026-11-27T01:00:00Z", "'since' must be an ISO 8601 time"),
    ("2026-11-27T00:00:00Z", 7, "'until' must be an ISO 8601 time"),
])
def test_track_refusals(since: Any, until: Any, fragment: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_client(json.dumps({"type": "track", "id": "k", "unit": "U1", "since": since,
                                  "until": until}))
    assert caught.value.code == "bad_message"
    assert fragment in caught.value.message
    assert is_sentence(caught.value.message)


def test_ping() -> None:
    assert decode_client('{"type":"ping","id":"p1"}') == Ping("p1")
    assert decode_client('{"type":"ping"}') == Ping(None)
    assert decode_client('{"type":"ping","id":null}') == Ping(None)


# --- refusals -------------------------------------------------------------------------------

BAD: list[tuple[str, str | bytes, str, str]] = [
    # (case, frame, code, fragment of the message)
    ("not json", "hello", "bad_frame", "The frame is not JSON: Expecting value"),
    ("truncated json", '{"type":', "bad_frame", "The frame is not JSON"),
    ("NaN", '{"type":"ping","id":NaN}', "bad_frame", "NaN is not a number JSON allows"),
    ("Infinity", '[Infinity]', "bad_frame", "Infinity is not a number JSON allows"),
    ("-Infinity", '[-Infinity]', "bad_frame", "-Infinity is not a number JSON allows"),
    ("overflowing float", '[1e999]', "bad_frame", "'1e999' is too large a number"),
    ("too many digits", "[" + "9" * 5000 + "]", "bad_frame", "not JSON this hub can read"),
    ("invalid utf-8", b'{"type":"ping","id":"\xff"}', "bad_frame", "not valid UTF-8"),
    ("lone surrogate", '{"type":"ping","id":"\\ud800"}', "bad_message", "lone surrogate"),
    ("list", "[1, 2]", "bad_message", "must be a JSON object, not a list"),
    ("string", '"hello"', "bad_message", "must be a JSON object, not a string"),
    ("null", "null", "bad_message", "must be a JSON object, not null"),
    ("number", "7", "bad_message", "must be a JSON object, not a number"),
    ("no type", "{}", "bad_message",
     "The message has no 'type'; expected hello, command, positions, ping, timeline, track, "
     "logout, audit, reporter, search, case, attachment, workers or report."),
    ("type not a string", '{"type":1}', "bad_message", "'type' must be a string"),
    ("unknown type", '{"type":"x"}', "bad_message",
     "Unknown message type 'x'; expected hello, command, positions, ping, timeline, track, "
     "logout, audit, reporter, search, case, attachment, workers or report."),
    ("police type", '{"type":"incident"}', "bad_message", "Unknown message type 'incident'"),
    ("server type", '{"type":"welcome"}', "bad_message", "Unknown message type 'welcome'"),
    # hello
    ("protocol 2", frame(**hello(protocol=2)), "unsupported_protocol",
     "This hub speaks protocol 1; the client asked for 2."),
    ("protocol missing", frame(**{k: v for k, v in hello().items() if k != "protocol"}),
     "unsupported_protocol", "no 'protocol'"),
    ("protocol string", frame(**hello(protocol="1")), "unsupported_protocol",
     "'protocol' must be the whole number 1."),
    ("protocol true", frame(**hello(protocol=True)), "unsupported_protocol",
     "'protocol' must be the whole number 1."),
    ("protocol 1.0", frame(**hello(protocol=1.0)), "unsupported_protocol", "whole number 1"),
    ("client missing", frame(**{k: v for k, v in hello().items() if k != "client"}),
     "bad_message", "'client' must be a string of at most 128 characters."),
    ("client too long", frame(**hello(client="c" * 129)), "bad_message", "'client'"),
    ("client number", frame(**hello(client=5)), "bad_message", "'client'"),
    ("auth missing", frame(**{k: v for k, v in hello().items() if k != "auth"}),
     "bad_message", "'auth' must be an object"),
    ("auth list", frame(**hello(auth=["u", "p"])), "bad_message", "'auth' must be an object"),
    ("auth both shapes", frame(**hello(auth={"username": "u", "password": "p", "token": "t"})),
     "bad_message", "either 'username' and 'password', or 'token', and nothing else"),
    ("auth only username", frame(**hello(auth={"username": "u"})), "bad_message",
     "either 'username' and 'password'"),
    ("auth empty", frame(**hello(auth={})), "bad_message", "either 'username' and 'password'"),
    ("empty username", frame(**hello(auth={"username": "", "password": "p"})), "bad_message",
     "'username' in 'auth' must be a non-empty string of at most 64 characters."),
    ("long username", frame(**hello(auth={"username": "u" * 65, "password": "p"})),
     "bad_message", "'username' in 'auth'"),
    ("long password", frame(**hello(auth={"username": "u", "password": "p" * 1025})),
     "bad_message", "'password' in 'auth' must be a non-empty string of at most 1024"),
    ("password null", frame(**hello(auth={"username": "u", "password": None})),
     "bad_message", "'password' in 'auth'"),
    ("long token", frame(**hello(auth={"token": "t" * 257})), "bad_message",
     "'token' in 'auth' must be a non-empty string of at most 256 characters."),
    ("token number", frame(**hello(auth={"token": 12})), "bad_message", "'token' in 'auth'"),
    ("resume_from string", frame(**hello(resume_from="5")), "bad_message",
     "'resume_from' must be a whole number or null."),
    ("resume_from negative", frame(**hello(resume_from=-1)), "bad_message", "'resume_from'"),
    ("resume_from float", frame(**hello(resume_from=5.0)), "bad_message", "'resume_from'"),
    ("resume_from bool", frame(**hello(resume_from=False)), "bad_message", "'resume_from'"),
    ("resume_from huge", frame(**hello(resume_from=2**63)), "bad_message", "'resume_from'"),
    # command
    ("id missing", frame(**{k: v for k, v in command().items() if k != "id"}), "bad_message",
     "'id' must be a string of 1 to 64 characters."),
    ("id empty", frame(**command(id="")), "bad_message", "'id' must be a string"),
    ("id too long", frame(**command(id="i" * 65)), "bad_message", "'id' must be a string"),
    ("id number", frame(**command(id=7)), "bad_message", "'id' must be a string"),
    ("name missing", frame(**{k: v for k, v in command().items() if k != "name"}),
     "bad_message", "'name' must be a command name such as 'incident.accept'"),
    ("name upper", frame(**command(name="Incident.accept")), "bad_message", "'name'"),
    ("name no dot", frame(**command(name="incident")), "bad_message", "'name'"),
    ("name two dots", frame(**command(name="a.b.c")), "bad_message", "'name'"),
    ("name newline", frame(**command(name="a.b\n")), "bad_message", "'name'"),
    ("name too long", frame(**command(name="a" * 60 + ".bbbbb")), "bad_message", "'name'"),
    ("args list", frame(**command(args=[1])), "bad_message", "'args' must be an object."),
    ("args null", frame(**command(args=None)), "bad_message", "'args' must be an object."),
    ("expected_version string", frame(**command(expected_version="3")), "bad_message",
     "'expected_version' must be a whole number or null."),
    ("expected_version bool", frame(**command(expected_version=True)), "bad_message",
     "'expected_version'"),
    ("expected_version negative", frame(**command(expected_version=-2)), "bad_message",
     "'expected_version'"),
    # positions
    ("units missing", '{"type":"positions"}', "bad_message", "'units' must be a list"),
    ("units object", frame(**{"type": "positions", "units": {}}), "bad_message",
     "'units' must be a list"),
    ("too many rows", frame(**positions(*[["U", 0, 0, 0, 0]] * 5001)), "bad_message",
     "'units' holds 5001 rows; at most 5000"),
    ("short row", frame(**positions(["U1", 0, 0, 0, 0], ["U2", 0, 0, 0])), "bad_message",
     "Row 1 of 'units' must be a list of five values"),
    ("row not a list", frame(**positions("U1")), "bad_message", "Row 0 of 'units' must be"),
    ("row id number", frame(**positions([1, 0, 0, 0, 0])), "bad_message",
     "Row 0 of 'units': the unit id must be a string of 1 to 64 characters."),
    ("row id empty", frame(**positions(["", 0, 0, 0, 0])), "bad_message", "the unit id"),
    ("row id long", frame(**positions(["u" * 65, 0, 0, 0, 0])), "bad_message", "the unit id"),
    # A NUL or a bidi override in an id PostgreSQL would be asked to store or look up.
    ("row id nul", frame(**positions(["U\x001", 0, 0, 0, 0])), "bad_message",
     "Row 0 of 'units': the unit id holds a character it may not hold (U+0000)."),
    ("command id nul", frame(**command(id="c\x00")), "bad_message",
     "'id' holds a character it may not hold (U+0000)."),
    ("username bidi", frame(**hello(auth={"username": "ctl\u202e", "password": "x"})),
     "bad_message", "'username' in 'auth' holds a character it may not hold (U+202E)."),
    ("timeline incident nul", frame(type="timeline", id="t1", incident="CH\x00"),
     "bad_message", "'incident' in timeline holds a character"),
    ("lat high", frame(**positions(["U1", 0, 0, 0, 0], ["U2", 90.5, 0, 0, 0])), "bad_message",
     "Row 1 of 'units': 'lat' must be a number from -90 to 90."),
    ("lon low", frame(**positions(["U1", 0, -180.1, 0, 0])), "bad_message",
     "Row 0 of 'units': 'lon' must be a number from -180 to 180."),
    ("heading negative", frame(**positions(["U1", 0, 0, -1, 0])), "bad_message",
     "'heading' must be a number from 0 to 360."),
    ("speed too fast", frame(**positions(["U1", 0, 0, 0, 200.01])), "bad_message",
     "'speed' must be a number from 0 to 200."),
    ("speed bool", frame(**positions(["U1", 0, 0, 0, True])), "bad_message", "'speed'"),
    ("lat string", frame(**positions(["U1", "31", 0, 0, 0])), "bad_message", "'lat'"),
    ("lat null", frame(**positions(["U1", None, 0, 0, 0])), "bad_message", "'lat'"),
    ("lat huge int", '{"type":"positions","units":[["U1",' + "9" * 400 + ",0,0,0]]}",
     "bad_message", "'lat'"),
    # ping
    ("ping id number", '{"type":"ping","id":5}', "bad_message",
     "'id' must be a string of 1 to 64 characters, or null."),
    ("ping id long", frame(type="ping", id="p" * 65), "bad_message", "'id' must be a string"),
]


@pytest.mark.parametrize(("text", "code", "fragment"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_refusal(text: str | bytes, code: str, fragment: str) -> None:
    refused = refusal(text)
    assert refused.code == code
    assert fragment in refused.message
    assert str(refused) == refused.message
    assert is_sentence(refused.message), refused.message


def test_too_large_is_checked_before_parsing() -> None:
    text = "x" * (MAX_FRAME + 1)  # not JSON either: size wins
    refused = refusal(text)
    assert refused.code == "too_large"
    assert refused.message == f"The frame is larger than {MAX_FRAME} characters."
    assert refusal(text.encode()).code == "too_large"
    assert refusal(b"x" * (4 * MAX_FRAME + 1)).code == "too_large"


def test_limit_counts_characters_not_bytes() -> None:
    padding = "调" * (MAX_FRAME - 40)
    text = json.dumps({"type": "ping", "id": None, "pad": padding}, ensure_ascii=False)
    assert len(text) <= MAX_FRAME < len(text.encode())
    assert decode_client(text.encode()) == Ping(None)


def test_command_errors_carry_its_id() -> None:
    assert refusal(frame(**command(args=[]))).ref == "c-1"
    assert refusal(frame(**command(name="bad"))).ref == "c-1"
    assert refusal(frame(**command(expected_version=-1))).ref == "c-1"
    assert refusal(frame(**command(id=""))).ref is None
    assert refusal(frame(**hello(protocol=2))).ref is None


def test_refusal_becomes_an_error_message() -> None:
    refused = refusal(frame(**command(args=[])))
    assert refused.to_message() == {"type": "error", "code": "bad_message",
                                    "message": "'args' must be an object.", "ref": "c-1"}


def test_unknown_type_is_quoted_short() -> None:
    refused = refusal(frame(type="z" * 1000))
    quoted = refused.message.split("'", 1)[1].split(";")[0]
    assert quoted == "z" * 38 + "…"  # the quote is cut short; the list of types follows it
    assert len(refused.message) < len(quoted) + 40 + len(", ".join(p.CLIENT_TYPES))
    assert is_sentence(refused.message)


def test_deep_nesting_is_refused_without_crashing() -> None:
    depth = 100_000
    refused = refusal("[" * depth + "]" * depth)
    assert refused.code == "bad_frame"
    assert refused.message == "The frame is not JSON this hub can read: it is nested too deeply."
    assert refusal('{"a":' * 40_000 + "1" + "}" * 40_000).code == "bad_frame"
    with pytest.raises(ProtocolError, match="nested too deeply"):
        decode_server('{"a":' * depth + "1" + "}" * depth)


# --- properties -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)

# Values that are sometimes right for a field and often wrong.
field_values = st.one_of(
    json_values,
    st.integers(min_value=-5, max_value=5),
    st.text(alphabet="abc_.", max_size=20),
    st.sampled_from([1, "incident.accept", {"token": "t"}, {"username": "u", "password": "p"},
                     "U1", 0.5, 2**70]),
    st.lists(st.lists(st.one_of(st.text(max_size=3), st.integers(-200, 400),
                                st.floats(-400, 400), st.booleans(), st.none()),
                      min_size=4, max_size=6), max_size=4),
)

# For each type, each known field is either a right value or an arbitrary one, or is missing.
GOOD: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "hello": {
        "protocol": st.just(1),
        "client": st.text(max_size=130),
        "auth": st.fixed_dictionaries({"username": st.text(max_size=66),
                                       "password": st.text(max_size=8)})
        | st.fixed_dictionaries({"token": st.text(max_size=10)}),
        "resume_from": st.none() | st.integers(min_value=-2),
    },
    "command": {
        "id": st.text(max_size=66),
        "name": st.from_regex(r"[a-z_]{1,8}\.[a-z_]{1,8}", fullmatch=True),
        "args": st.dictionaries(st.text(max_size=5), json_values, max_size=4),
        "expected_version": st.none() | st.integers(min_value=-2),
    },
    "positions": {
        "units": st.lists(st.tuples(st.text(min_size=1, max_size=4),
                                    st.floats(-91, 91), st.floats(-181, 181),
                                    st.integers(-1, 361), st.floats(0, 201)).map(list),
                          max_size=5),
    },
    "ping": {"id": st.none() | st.text(max_size=66)},
    "ack": {"id": st.none() | st.text(max_size=82)},
    "logout": {"id": st.none() | st.text(max_size=66)},
    "timeline": {"id": st.text(max_size=66), "incident": st.text(max_size=66)},
    "reporter": {"id": st.text(max_size=66), "incident": st.text(max_size=66),
                 "reason": st.text(max_size=40)},
    "track": {"id": st.text(max_size=66), "unit": st.text(max_size=66),
              "since": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
              | st.text(max_size=30),
              "until": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
              | st.text(max_size=30)},
    "audit": {"id": st.text(max_size=66), "verify": st.booleans(),
              "filters": st.fixed_dictionaries({}, optional={
                  "since": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
                  | st.text(max_size=30), "user": st.text(max_size=130) | st.none(),
                  "action": st.text(max_size=66)}),
              "limit": st.integers(-1, 1001), "before": st.none() | st.integers(-2)},
    "search": {"id": st.text(max_size=66),
               "filters": st.none() | st.fixed_dictionaries({}, optional={
                   "phone": st.text(max_size=70) | st.integers(),
                   "text": st.text(max_size=210) | st.none(),
                   "state": st.sampled_from(["new", "closed", "lost"]) | st.lists(st.text()),
                   "created_from": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
                   | st.text(max_size=30), "supervised": st.booleans() | st.text(max_size=3),
                   "ever_overdue": st.booleans() | st.integers(),
                   "satisfaction": st.sampled_from(["satisfied", "happy"]) | st.none(),
                   "near": st.none() | st.fixed_dictionaries({}, optional={
                       "lat": st.floats(), "lon": st.floats(allow_nan=False),
                       "metres": st.integers(-1, 6000) | st.text(max_size=3)})}),
               "limit": st.integers(-1, 501), "cursor": st.none() | st.text(max_size=60)},
    "case": {"id": st.text(max_size=66), "incident": st.text(max_size=66) | st.integers()},
    "attachment": {"id": st.text(min_size=1, max_size=64),
                   "attachment": st.text(min_size=1, max_size=66),
                   "thumbnail": st.booleans() | st.none()},
    "workers": {"id": st.text(min_size=1, max_size=64),
                "day": st.dates().map(date.isoformat) | st.text(max_size=12),
                "month": st.text(max_size=8), "community": st.text(max_size=66) | st.none(),
                "unit": st.text(max_size=66)},
    "report": {"id": st.text(max_size=66),
               "kind": st.sampled_from(["handover", "statistics", "departments", "weekly"]),
               "from": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
               | st.text(max_size=30),
               "to": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
               | st.text(max_size=45)},
}


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(p.CLIENT_TYPES))
    message: dict[str, Any] = {"type": kind}
    for name, good in GOOD[kind].items():
        choice = draw(st.sampled_from(["good", "good", "good", "any", "missing"]))
        if choice != "missing":
            message[name] = draw(good if choice == "good" else field_values)
    if draw(st.booleans()):
        message[draw(st.text(max_size=8))] = draw(json_values)  # an unknown field, or a clash
        message["type"] = kind
    return message


def outcome(text: str | bytes) -> p.ClientMessage | ProtocolError:
    try:
        return decode_client(text)
    except ProtocolError as refused:
        return refused


def check_decodes_or_refuses(text: str | bytes) -> None:
    result = outcome(text)  # anything but ProtocolError escapes and fails the test
    if isinstance(result, ProtocolError):
        assert result.code in ("bad_frame", "bad_message", "unsupported_protocol", "too_large")
        assert is_sentence(result.message), result.message
    else:
        assert isinstance(result, p.ClientMessage)


@given(st.text())
def test_any_text(text: str) -> None:
    check_decodes_or_refuses(text)


@given(st.text(st.characters(codec=None, exclude_categories=())))
def test_any_text_with_surrogates(text: str) -> None:
    check_decodes_or_refuses(text)


@given(st.binary())
def test_any_bytes(data: bytes) -> None:
    check_decodes_or_refuses(data)


@given(json_values)
def test_any_json_value(value: Any) -> None:
    check_decodes_or_refuses(json.dumps(value))
    check_decodes_or_refuses(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def test_a_reporter_request_gives_its_reason_for_the_hub_to_judge() -> None:
    decoded = decode_client(frame(type="reporter", id="r1", incident="CH-1", reason="回访"))
    assert decoded == p.ReporterRequest("r1", "CH-1", "回访")
    # A blank or missing reason is the hub's to refuse, with a template the console translates.
    assert decode_client(frame(type="reporter", id="r1", incident="CH-1")) == \
        p.ReporterRequest("r1", "CH-1", "")
    for bad in (5, None, "x" * (p.MAX_REASON + 1)):
        with pytest.raises(ProtocolError) as caught:
            decode_client(frame(type="reporter", id="r1", incident="CH-1", reason=bad))
        assert caught.value.code == "bad_message" and "'reason'" in caught.value.message


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_any_fields_for_each_type(message: dict[str, Any]) -> None:
    text = json.dumps(message)
    check_decodes_or_refuses(text)
    decoded = outcome(text)
    if isinstance(decoded, ProtocolError):
        return
    expected = {"hello": Hello, "command": CommandMessage, "positions": PositionsMessage,
                "ping": Ping, "timeline": TimelineRequest,
                "track": p.TrackRequest, "logout": p.Logout,
                "audit": p.AuditRequest, "reporter": p.ReporterRequest,
                "search": p.SearchRequest, "case": p.CaseRequest,
                "attachment": p.AttachmentRequest,
                "ack": p.TaskAck, "report": p.ReportRequest}[message["type"]]
    assert isinstance(decoded, expected)
    # Whatever was accepted can be answered and echoed without trouble.
    if isinstance(decoded, CommandMessage):
        assert decoded.args == message.get("args", {})
        encode(p.result_error(decoded.id, "invalid", "No.", args=decoded.args))
    if isinstance(decoded, Hello):
        assert (decoded.username is None) != (decoded.token is None)


@given(st.dictionaries(st.text(max_size=5), json_values, max_size=4))
def test_server_decoder_never_crashes(fields: dict[str, Any]) -> None:
    for kind in p.SERVER_TYPES:
        assert decode_server(json.dumps({**fields, "type": kind}))["type"] == kind
    for wrong in ("hello", None, 1):
        with pytest.raises(ProtocolError) as caught:
            decode_server(json.dumps({**fields, "type": wrong}))
        assert is_sentence(caught.value.message)


# --- hub → client ---------------------------------------------------------------------------


def test_builders() -> None:
    assert p.welcome({"username": "ctl", "roles": ["controller"]}, "tok", 7, "hub-1") == {
        "type": "welcome", "protocol": 1, "user": {"username": "ctl", "roles": ["controller"]},
        "token": "tok", "seq": 7, "hub": "hub-1"}
    assert p.error("not_ready", "Send hello first.") == {
        "type": "error", "code": "not_ready", "message": "Send hello first."}
    assert p.error("rate_limited", "Slow down.", ref="c1", retry_after=2.0) == {
        "type": "error", "code": "rate_limited", "message": "Slow down.", "ref": "c1",
        "retry_after": 2.0}
    assert p.snapshot(9, incidents=[], units=[], cameras=[], taxonomy=[]) == {
        "type": "snapshot", "seq": 9, "incidents": [], "units": [], "cameras": [],
        "taxonomy": []}
    assert p.synced(9) == {"type": "synced", "seq": 9}
    logged = {"type": "event", "seq": 3, "at": "2024-01-01T00:00:00+00:00",
              "name": "incident.accepted", "actor": "ctl", "data": {}}
    assert p.event(logged) == logged
    assert p.event({k: v for k, v in logged.items() if k != "type"})["type"] == "event"
    with pytest.raises(ValueError, match="cannot have type"):
        p.event({**logged, "type": "result"})
    assert p.result_ok("c1", {"id": "I1", "version": 1}, 10) == {
        "type": "result", "id": "c1", "ok": True, "data": {"id": "I1", "version": 1}, "seq": 10}
    assert p.result_error("c1", "conflict", "Changed.", template="Changed.", params={}) == {
        "type": "result", "id": "c1", "ok": False,
        "error": {"code": "conflict", "message": "Changed.", "template": "Changed.",
                  "params": {}}}
    at = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    # Rows may be any sequences (the hub keeps tuples); on the wire they are arrays.
    assert json.loads(p.encode(p.positions_frame(at, [("U1", 31.2, 121.5, 90.0, 3.0,
                                                        "available")]))) == {
        "type": "positions", "at": "2024-05-01T08:30:00+00:00",
        "units": [["U1", 31.2, 121.5, 90.0, 3.0, "available"]]}
    assert p.pong("p1") == {"type": "pong", "id": "p1"}
    assert p.pong(None) == {"type": "pong", "id": None}
    assert p.track("k1", "U1", [(30.6, 104.1, 90.0, 1.5, "2024-05-01T08:30:00+00:00")]) == {
        "type": "track", "id": "k1", "unit": "U1",
        "points": [[30.6, 104.1, 90.0, 1.5, "2024-05-01T08:30:00+00:00"]]}


def test_every_built_message_passes_decode_server() -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    for message in (p.welcome({}, "t", 0, "h"), p.error("forbidden", "No."), p.snapshot(0),
                    p.synced(0), p.event({"seq": 1}), p.result_ok("c", {}, 1),
                    p.result_error("c", "invalid", "No."), p.positions_frame(at, []),
                    p.pong(None), p.track("k", "U1", [])):
        assert decode_server(encode(message)) == message
        assert decode_server(encode(message).encode()) == message


def test_decode_server_refusals() -> None:
    with pytest.raises(ProtocolError, match="Unknown message type 'hello'; expected welcome,"):
        decode_server('{"type":"hello"}')
    with pytest.raises(ProtocolError, match="not JSON") as caught:
        decode_server("nope")
    assert caught.value.code == "bad_frame"
    with pytest.raises(ProtocolError, match="must be a JSON object"):
        decode_server("[]")
    # No size limit on what the hub sends: a snapshot may be large.
    big = encode(p.snapshot(1, incidents=["x" * 100] * 5000))
    assert len(big) > MAX_FRAME
    assert decode_server(big)["seq"] == 1


def test_encode_is_compact_and_keeps_chinese() -> None:
    text = encode(p.error("forbidden", "没有权限。", ref="c1"))
    assert text == ('{"type":"error","code":"forbidden","message":"没有权限。","ref":"c1"}')
    assert "\\u" not in text


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_encode_refuses_non_finite_numbers(number: float) -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        encode(p.positions_frame(datetime(2024, 1, 1, tzinfo=UTC), [("U1", number, 0, 0, 0, "x")]))


def test_error_codes_documented() -> None:
    assert {"auth_failed", "bad_frame", "bad_message", "too_large", "unsupported_protocol",
            "not_ready", "rate_limited", "forbidden", "shutting_down",
            "session_ended"} == p.ERROR_CODES


def test_a_field_devices_ack_names_its_task() -> None:
    assert decode_client(frame(type="ack", id="T12-G1")) == p.TaskAck("T12-G1")
    for bad in (None, "", 7, "x" * 81):
        with pytest.raises(ProtocolError):
            decode_client(frame(type="ack", id=bad))
