"""The ``search`` request over a real socket to a real hub (SQLite and PostgreSQL): the whole
record, not only the replica's day; Chinese substrings; keyset pages while cases arrive; a
department desk's scope and masking as its feed has them; bad filters refused; personal searches
on the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.comms.clock import Clock as HubClock
from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.store.conftest import Clock

#: The hub's world time, frozen: every case the hub creates is created now.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CONTROLLER = Actor("ctl", frozenset({Role.CONTROLLER}))
ENV_DESK = Actor("desk-env", frozenset({Role.DEPARTMENT}), department="environment")


def run(store: Store, actor: Actor, name: str, **args: Any) -> str:
    result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
    assert result.ok, result.error
    return str(result.data["id"])


def seed(url: str, rules: Rules, at: datetime, cases: list[dict[str, Any]],
         *, close: bool = False, department: str | None = None) -> list[str]:
    """Cases created through the write path at ``at`` (a clock set back), each one a minute
    after the last; ``close`` takes them to closed, ``department`` assigns them."""
    clock = Clock(at)
    store = Store(url, rules, clock=clock)
    ids = []
    try:
        for args in cases:
            incident = run(store, CONTROLLER, "incident.create", **incident_args(**args))
            ids.append(incident)
            if department is not None or close:
                run(store, CONTROLLER, "incident.accept", id=incident)
                run(store, CONTROLLER, "incident.assign", id=incident,
                    department=department or "environment")
            if close:
                desk = Actor("desk", frozenset({Role.DEPARTMENT}),
                             department=department or "environment")
                run(store, desk, "incident.sign", id=incident)
                run(store, desk, "incident.resolve", id=incident, result="已处理")
                run(store, CONTROLLER, "incident.verify", id=incident, method="callback",
                    satisfied=True)
                run(store, CONTROLLER, "incident.close", id=incident)
            clock.advance(minutes=1)
    finally:
        store.close()
    return ids


@pytest.fixture
def make_hub(db_url: str, rules: Rules) -> Iterator[Any]:
    started: list[HubThread] = []

    def start() -> HubThread:
        thread = HubThread(db_url, rules, clock=HubClock(1, origin=NOW, real=lambda: 0.0))
        add_users(thread.store)
        thread.store.accounts.create_user("intake", PASSWORD, ["call_taker"],
                                          now=datetime.now(UTC))
        started.append(thread.start())
        return thread

    yield start
    for thread in started:
        thread.stop()


def search(client: Client, request_id: str, **fields: Any) -> dict[str, Any]:
    client.send({"type": "search", "id": request_id, **fields})
    while True:
        answer = client.until("search")
        if answer["id"] == request_id:
            return answer


def personal_searches(hub: HubThread) -> list[Any]:
    return hub.store.audit.rows(action="search.")


def test_a_search_by_phone_finds_a_closed_case_older_than_a_day_and_is_on_record(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    [old] = seed(db_url, rules, NOW - timedelta(days=30),
                 [{"reporter": {"name": "李女士", "phone": "13900000009"}}], close=True)
    seed(db_url, rules, NOW - timedelta(hours=1), [{}])  # another caller's, today
    hub = make_hub()
    client = Client(hub.port)
    client.hello("ctl")
    snapshot, _ = client.sync()
    assert snapshot is not None
    assert old not in {i["id"] for i in snapshot["incidents"]}  # beyond the replica's day
    found = search(client, "s1", filters={"phone": "13900000009"})
    assert found["total"] == 1 and found["next"] is None
    [row] = found["rows"]
    assert set(row) == {"id", "created_at", "category", "state", "priority", "address",
                        "lead_department", "reporter"}
    assert (row["id"], row["state"], row["lead_department"]) == (old, "closed", "environment")
    assert datetime.fromisoformat(row["created_at"]) == NOW - timedelta(days=30)
    assert row["reporter"] == {"name": "李**", "phone": "139****0009"}  # a controller's mask
    [entry] = personal_searches(hub)
    assert (entry.entry.actor, entry.entry.action, entry.entry.client) == (
        "ctl", "search.personal", "tests")
    assert entry.entry.detail == {"filters": {"phone": "13900000009"}, "page": "first"}
    intake = Client(hub.port)
    intake.login("intake")
    assert search(intake, "s2", filters={"phone": "13900000009"})["rows"][0]["reporter"] == {
        "name": "李女士", "phone": "13900000009"}
    assert [e.entry.actor for e in personal_searches(hub)] == ["ctl", "intake"]
    client.close()
    intake.close()


def test_chinese_substrings_of_a_description_an_address_and_a_name(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    gas, noise = seed(db_url, rules, NOW - timedelta(days=3), [
        {"description": "和平路口燃气泄漏，味道很大", "category": "safety.gas_leak",
         "location": {"lat": 30.6675, "lon": 104.1075, "address": "和平路 8 号"},
         "reporter": {"name": "王大爷", "phone": "13700000007"}},
        {}])
    hub = make_hub()
    client = Client(hub.port)
    client.login("ctl")

    def ids(text: str, who: Client = client) -> list[str]:
        return [r["id"] for r in search(who, text, filters={"text": text})["rows"]]

    assert ids("燃气") == [gas]  # two characters: no trigram of its own
    assert ids("燃气泄漏") == [gas]
    assert ids("和平路") == [gas]  # the description and the address
    assert ids("8 号") == [gas]
    assert ids("施工噪声") == [noise]
    assert ids("王大") == [gas]  # the reporter's name, for a role that sees reporters
    assert ids("建设路 1") == [noise]
    assert ids("煤气") == []
    viewer = Client(hub.port)
    viewer.login("viewer")
    assert ids("王大", viewer) == []  # a viewer sees no reporter: names are not searched
    assert ids("燃气", viewer) == [gas]
    # The controller's searches by text may match names: on record; the viewer's are not.
    assert {e.entry.actor for e in personal_searches(hub)} == {"ctl"}
    client.close()
    viewer.close()


def test_pages_return_every_row_once_while_cases_arrive_and_no_personal_filter_is_not_recorded(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    seeded = seed(db_url, rules, NOW - timedelta(days=2), [{} for _ in range(5)])
    # Three more created in the same instant: the id breaks the tie.
    store = Store(db_url, rules, clock=Clock(NOW - timedelta(days=1)))
    try:
        seeded += [run(store, CONTROLLER, "incident.create", **incident_args())
                   for _ in range(3)]
    finally:
        store.close()
    hub = make_hub()
    client = Client(hub.port)
    client.login("ctl")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = search(client, f"p{pages}", filters={"category": "environment"}, limit=3,
                      cursor=cursor)
        pages += 1
        seen += [r["id"] for r in page["rows"]]
        if pages == 1:
            assert page["total"] == 8
        # New cases arrive between pages.
        assert client.command("incident.create", **incident_args())["ok"]
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen))
    assert seen == list(reversed(seeded))  # newest first, ties by id
    assert set(seen) == set(seeded)
    assert personal_searches(hub) == []
    client.close()


def test_a_department_desk_finds_only_its_cases_with_reporters_as_its_feed_has_them(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    ours = seed(db_url, rules, NOW - timedelta(days=40), [{}, {}], close=True)
    theirs = seed(db_url, rules, NOW - timedelta(days=5), [{"category": "city.illegal_parking"}],
                  department="urban_mgmt")
    unassigned = seed(db_url, rules, NOW - timedelta(days=4), [{}])
    hub = make_hub()
    desk = Client(hub.port)
    desk.login("desk-env")
    found = search(desk, "d1", filters={})
    assert sorted(r["id"] for r in found["rows"]) == sorted(ours) and found["total"] == 2
    desk.send({"type": "timeline", "id": "t1", "incident": ours[0]})
    timeline = desk.until("timeline")
    fed = timeline["events"][0]["data"]["reporter"]
    assert fed == {"name": "", "phone": "", "withheld": True}
    assert all(r["reporter"] == fed for r in found["rows"])
    assert search(desk, "d2", filters={"department": "urban_mgmt"})["rows"] == []
    ctl = Client(hub.port)
    ctl.login("ctl")
    every = search(ctl, "c1", filters={})
    assert {r["id"] for r in every["rows"]} == {*ours, *theirs, *unassigned}
    desk.close()
    ctl.close()


def test_filters_narrow_the_record(db_url: str, rules: Rules, make_hub: Any) -> None:
    [closed] = seed(db_url, rules, NOW - timedelta(days=10), [{"priority": "P2"}], close=True)
    [parking] = seed(db_url, rules, NOW - timedelta(days=3),
                     [{"category": "city.illegal_parking", "source": "grid"}],
                     department="urban_mgmt")
    [fresh] = seed(db_url, rules, NOW - timedelta(hours=2), [{}])
    hub = make_hub()
    client = Client(hub.port)
    client.login("ctl")

    def ids(**filters: Any) -> set[str]:
        return {r["id"] for r in search(client, str(uuid.uuid4()), filters=filters)["rows"]}

    assert ids(state="closed") == {closed}
    assert ids(state=["closed", "new"]) == {closed, fresh}
    assert ids(priority="P2") == {closed}
    assert ids(source="grid") == {parking}
    assert ids(category="city") == {parking}
    assert ids(category="environment") == {closed, fresh}
    assert ids(category="env.noise_construction") == {closed, fresh}
    assert ids(department="urban_mgmt") == {parking}
    assert ids(street="street.shuangqiaozi") == {closed, parking, fresh}
    assert ids(street="street.nowhere") == set()
    assert ids(created_from=(NOW - timedelta(days=5)).isoformat()) == {parking, fresh}
    assert ids(created_to=(NOW - timedelta(days=5)).isoformat()) == {closed}
    assert ids(supervised=False) == {closed, parking, fresh}
    place = hub.store.incident(closed)
    assert place is not None and place.location.community and place.location.grid
    assert ids(community=place.location.community) >= {closed}
    assert ids(community="community.nowhere") == set()
    assert ids(grid=place.location.grid) >= {closed}
    assert ids(grid="grid.nowhere") == set()
    # A phone is compared by its digits, however it is typed.
    assert ids(phone="138-0000-0001") == ids(phone="13800000001") == {closed, parking, fresh}
    client.close()


LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
ENV = Actor("desk", frozenset({Role.DEPARTMENT}), department="environment")


def handle(store: Store, clock: Clock, incident: str, *verdicts: bool) -> None:
    """Accept, assign, sign and resolve ``incident``, then verify it once per verdict (a failed
    verification sends it back to be resolved again); a minute between steps."""
    steps: list[tuple[Actor, str, dict[str, Any]]] = [
        (CONTROLLER, "incident.accept", {}),
        (CONTROLLER, "incident.assign", {"department": "environment"}),
        (ENV, "incident.sign", {})]
    for satisfied in verdicts:
        steps.append((ENV, "incident.resolve", {"result": "已处理"}))
        steps.append((CONTROLLER, "incident.verify", {
            "method": "callback", "satisfied": satisfied,
            **({} if satisfied else {"note": "群众反映未解决"})}))
    for actor, name, args in steps:
        run(store, actor, name, id=incident, **args)
        clock.advance(minutes=1)


def test_the_record_s_marks_closing_verdict_supervision_lateness_and_place(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    clock = Clock(NOW - timedelta(days=20))
    store = Store(db_url, rules, clock=clock)
    here = {"lat": 30.6675, "lon": 104.0925, "address": "建设路 1 号"}
    try:
        # Handled in minutes and closed: satisfied, never late.
        prompt = run(store, CONTROLLER, "incident.create", **incident_args(location=here))
        handle(store, clock, prompt, True)
        closed_at = clock()
        run(store, CONTROLLER, "incident.close", id=prompt)
        # Left five hours unaccepted (late, and supervised for it), then handled, found
        # unresolved once, resolved, closed and reopened: no longer closed nor supervised.
        clock.now = NOW - timedelta(days=15)
        late = run(store, CONTROLLER, "incident.create", **incident_args(
            location={**here, "lat": 30.6677}))  # 22 m north
        clock.advance(hours=5)
        run(store, LEADER, "incident.supervise", id=late, note="超时未受理")
        handle(store, clock, late, False, True)
        run(store, CONTROLLER, "incident.close", id=late)
        run(store, CONTROLLER, "incident.reopen", id=late, reason="群众再次来电")
        # Verified as not resolved an hour ago: dissatisfied, nothing late yet.
        clock.now = NOW - timedelta(hours=1)
        unhappy = run(store, CONTROLLER, "incident.create", **incident_args(
            location={**here, "lat": 30.6695}))  # 222 m north
        handle(store, clock, unhappy, False)
        # Registered three days ago and never touched: its accept clock is late now, though no
        # event has said so.
        clock.now = NOW - timedelta(days=3)
        waiting = run(store, CONTROLLER, "incident.create", **incident_args())
    finally:
        store.close()
    hub = make_hub()
    client = Client(hub.port)
    client.login("ctl")

    def ids(**filters: Any) -> set[str]:
        return {r["id"] for r in search(client, str(uuid.uuid4()), filters=filters)["rows"]}

    def iso(moment: datetime) -> str:
        return moment.isoformat()

    assert ids(closed_from=iso(closed_at - timedelta(minutes=1)),
               closed_to=iso(closed_at + timedelta(minutes=1))) == {prompt}
    assert ids(closed_from=iso(NOW - timedelta(days=30))) == {prompt}  # the reopened is not
    assert ids(closed_to=iso(closed_at)) == set()  # exclusive
    assert ids(satisfaction="satisfied") == {prompt, late}  # the latest verdict counts
    assert ids(satisfaction=["dissatisfied", "basically_satisfied"]) == {unhappy}
    assert ids(ever_supervised=True) == {late}
    assert ids(supervised=True) == set()  # the reopen cleared the flag, not the record
    assert ids(ever_supervised=False) == {prompt, unhappy, waiting}
    assert ids(ever_overdue=True) == {late, waiting}
    assert ids(ever_overdue=False) == {prompt, unhappy}
    assert ids(near={"lat": 30.6675, "lon": 104.0925, "metres": 50}) == {prompt, late}
    assert ids(near={"lat": 30.6675, "lon": 104.0925, "metres": 250}) == {prompt, late, unhappy}
    assert ids(near={"lat": 30.6675, "lon": 104.0925, "metres": 50},
               created_from=iso(NOW - timedelta(days=16))) == {late}
    assert ids(ever_overdue=True, state="accepted", category="environment") == {late}
    client.close()


BAD = [
    ({"filters": {"colour": "red"}}, "Unknown search filter 'colour'"),
    ({"filters": ["phone"]}, "'filters' in search must be an object"),
    ({"filters": {"phone": 13900000009}}, "'phone' in search filters"),
    ({"filters": {"text": ""}}, "'text' in search filters"),
    ({"filters": {"text": "燃气\u202e"}}, "'text' in search filters holds a character"),
    ({"filters": {"state": "lost"}}, "'state' in search filters must be one of"),
    ({"filters": {"priority": []}}, "'priority' in search filters must be one of"),
    ({"filters": {"created_from": "yesterday"}}, "'created_from' in search filters"),
    ({"filters": {"created_to": "2026-11-25T08:00:00"}}, "must carry its UTC offset"),
    ({"filters": {"created_from": "2026-11-25T08:00:00Z", "created_to": "2026-11-24T08:00:00Z"}},
     "must be later than 'created_from'"),
    ({"filters": {"supervised": "yes"}}, "'supervised' in search filters"),
    ({"filters": {"ever_overdue": 1}}, "'ever_overdue' in search filters must be true or false"),
    ({"filters": {"ever_supervised": None, "ever_overdue": "no"}}, "'ever_overdue' in search"),
    ({"filters": {"satisfaction": "happy"}}, "'satisfaction' in search filters must be one of"),
    ({"filters": {"closed_from": "2026-11-25"}}, "'closed_from' in search filters"),
    ({"filters": {"closed_from": "2026-11-25T08:00:00Z", "closed_to": "2026-11-25T08:00:00Z"}},
     "'closed_to' in search filters must be later than 'closed_from'"),
    ({"filters": {"near": {"lat": 30.6, "lon": 104.1}}}, "'near' in search filters must be"),
    ({"filters": {"near": {"lat": 30.6, "lon": 104.1, "metres": 0}}}, "'near' in search"),
    ({"filters": {"near": {"lat": 91, "lon": 104.1, "metres": 50}}}, "'near' in search"),
    ({"filters": {"near": {"lat": 30.6, "lon": 104.1, "metres": 50000}}}, "'near' in search"),
    ({"filters": {"near": {"lat": "30.6", "lon": 104.1, "metres": 50}}}, "'near' in search"),
    ({"limit": 0}, "'limit' in search"),
    ({"cursor": "not-a-cursor"}, "'cursor' in search"),
]


def test_a_bad_filter_is_refused_and_nothing_is_read(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    hub = make_hub()
    client = Client(hub.port)
    client.login("ctl")
    for number, (request_fields, complaint) in enumerate(BAD):
        # Each with a phone beside it: had anything been read, it would be on record.
        client.send({"type": "search", "id": f"bad{number}",
                     "filters": {"phone": "13900000009"}, **request_fields})
        refused = client.until("error")
        assert (refused["code"], refused["ref"]) == ("bad_message", f"bad{number}")
        assert complaint in refused["message"]
        client.send({"type": "ping", "id": f"still-here{number}"})
        assert client.recv()["type"] == "pong"  # no search answer came before it
    assert personal_searches(hub) == []
    client.close()


def test_a_role_that_sees_no_reporter_may_not_search_by_phone(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    hub = make_hub()
    viewer = Client(hub.port)
    viewer.login("viewer")
    viewer.send({"type": "search", "id": "v1", "filters": {"phone": "13800000001"}})
    refused = viewer.until("error")
    assert (refused["code"], refused["ref"], refused["params"]) == ("forbidden", "v1", {})
    assert refused["template"] == "Your role does not see reporters, so it may not search by phone."
    assert personal_searches(hub) == []
    viewer.close()


def test_a_past_case_is_read_whole_scoped_masked_and_on_record_when_shown_in_full(
        db_url: str, rules: Rules, make_hub: Any) -> None:
    [old] = seed(db_url, rules, NOW - timedelta(days=30),
                 [{"reporter": {"name": "李女士", "phone": "13900000009"}}], close=True)
    [parking] = seed(db_url, rules, NOW - timedelta(days=3),
                     [{"category": "city.illegal_parking"}], department="urban_mgmt")
    hub = make_hub()

    def case(client: Client, incident: str) -> dict[str, Any] | None:
        request_id = str(uuid.uuid4())
        client.send({"type": "case", "id": request_id, "incident": incident})
        answer = client.until("case")
        assert (answer["id"], answer["incident"]) == (request_id, incident)
        return answer["case"]

    def reads() -> list[Any]:
        return hub.store.audit.rows(action="case.")

    ctl = Client(hub.port)
    ctl.login("ctl")
    document = case(ctl, old)
    assert document is not None
    assert (document["id"], document["state"], document["version"]) == (old, "closed", 7)
    assert document["reporter"] == {"name": "李**", "phone": "139****0009"}
    assert reads() == []  # masked: nothing personal was read
    assert case(ctl, "CH-20200101-000001") is None
    intake = Client(hub.port)
    intake.login("intake")
    assert case(intake, old)["reporter"] == {"name": "李女士", "phone": "13900000009"}
    [entry] = reads()
    assert (entry.entry.actor, entry.entry.action, entry.entry.subject) == (
        "intake", "case.personal", old)
    desk = Client(hub.port)
    desk.login("desk-env")
    assert case(desk, old)["reporter"] == {"name": "", "phone": "", "withheld": True}
    assert case(desk, parking) is None  # another department's: as if there were none
    desk.send({"type": "case", "id": "c-bad"})
    refused = desk.until("error")
    assert (refused["code"], refused["ref"]) == ("bad_message", "c-bad")
    assert len(reads()) == 1
    for client in (ctl, intake, desk):
        client.close()
