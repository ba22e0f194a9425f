"""Every refusal of the domain, provoked for real through a hub, reads in Chinese.

One case per domain template (console/domain, as tools/refusal_catalogue.py finds them): a
command sent over a real socket to a real hub that the domain refuses with exactly that template.
The hub's answer is turned into text the way the console does (``CommandResult.from_wire`` and
``result_text``) with the console's language set to Chinese, and the text may hold no Latin word
but the refusal's ids and codes — no raw enum such as ``off_duty`` either.

A few templates cannot be provoked through a hub; :data:`UNREACHABLE` says which and why, and
:func:`test_every_domain_template_is_provoked_or_explained` keeps the two lists complete.
"""

from __future__ import annotations

import importlib.util
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from console.comms.clock import Clock
from console.comms.pending import CommandResult
from console.domain.attachments import MAX_BYTES
from console.domain.model import SYSTEM
from console.domain.rules import Rules
from console.store.writer import Command
from console.ui.text import WORD_PARAMS, result_text
from console.views.i18n import Translations
from tests.hub.attachment_files import b64, jpeg, png
from tests.hub.conftest import PASSWORD, HubThread, add_users, incident_args
from tests.views.refusal_district import (
    LONG,
    SQUARE,
    USERS,
    Case,
    District,
    WorldTime,
    acknowledged_twice,
    approve_twice,
    attach,
    cancelled_twice,
    committed_twice,
    declare,
    field_command,
    field_unit,
    finished_stage,
    gw,
    linked_twice,
    on_scene,
    other_units_command,
    overdue_supervised_twice,
    send,
    stood_down,
)

ROOT = Path(__file__).resolve().parents[2]
#: Monday 2026-11-23 09:00 in the district: a working morning.
ORIGIN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
#: Words a translation keeps on purpose because the user types them or reads them on the wire,
#: named beside their Chinese ("'method' 须为 site（上门）或 callback（回访）").
KEPT = {"GeoJSON", "Polygon", "site", "callback", "up", "down", "accepted", "rejected",
        "completed", "aborted", "minutes", "hours", "working_days", "lon", "lat",
        # File formats and units.
        "MB", "JPEG", "PNG", "WebP", "AAC", "AMR", "WAV", "OGG", "PDF"}
LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")

#: Domain templates no command over a hub can provoke, and why.
UNREACHABLE = {
    # The domain guards callers other than the hub (a bare decide() has no id allocator and no
    # store behind it); the hub's world always has them.
    "New incidents cannot be registered here.": "the hub always allocates incident ids",
    "Police messages cannot be received here.": "the hub's world always holds police cases",
    "Major incidents cannot be declared here.": "the hub's world always holds major incidents",
    "Warnings cannot be raised here.": "the hub's world always holds warnings",
    # The protocol decoder answers non-object args with bad_message before the domain sees them.
    "The arguments of a command must be an object.": "refused by the protocol decoder first",
    # The console's own enabling text for major-incident buttons, never a hub answer.
    "Choose a major incident first.": "a button's tooltip when no major incident is chosen",
    # Only a stage whose clock does not exist at all (never started) reaches it, and a request
    # needs a running clock of that stage first.
    "The deadline is not running.": "a pending request's stage always has a clock",
    # Answered to the police center over /police (an English ``error`` for its system); the
    # police messages are not commands a console can send, and no console shows them.
    "There is no police message '{kind}'.": "answered to the police link only",
    "There is no case {shared_id} here.": "answered to the police link only",
    "Case {shared_id} was not escalated to the police; only an escalation is acknowledged or "
    "completed by them.": "answered to the police link only",
    "Only the police center that diverted case {shared_id} may amend or withdraw it.":
        "answered to the police link only",
    "An update needs remarks or a summary.": "answered to the police link only",
    "{id} is already {state}; there is nothing to withdraw.": "answered to the police link only",
    "Case {shared_id} is already incident {incident}.": "the hub acknowledges a repeated case",
    "'status' must be accepted or rejected.": "answered to the police link only",
    "'status' must be completed or aborted.": "answered to the police link only",
    "'remarks' must be a list of at most {limit} texts.": "answered to the police link only",
    "The police have already acknowledged {id}.": "only the police link acknowledges",
    "'state' must be up or down.": "the police link's own up/down, sent by the hub itself",
    "Message {message} of {id} is not waiting for the police.": "the police link's delivery acks",
}

#: Domain templates a hub can send that no case here provokes yet: they came with the field
#: tasks and attachments, and their Chinese is checked from the catalogue alone
#: (tests/views/test_refusal_translation.py). Each wants its case here.
NOT_YET = {
    "A field unit confirms only its own tasks.": "needs a task of another unit on /field",
    "Task {task} was delivered already.": "needs a task acknowledged on /field",
    "There is no task {task}.": "field.delivered of a made-up task on /field",
    "Tasks cannot be confirmed here.": "field.delivered outside a field session",
    "You may attach files only to incidents your department handles.": "a desk's attachment",
    "You may see the attachments of your own cases only; {id} is not one of them.":
        "the attachment request of a desk, not a command",
    "An attachment must be sent as a file (its data), checked by the hub.":
        "the hub's own form of attachment.add",
    "There is no patrol checkpoint {checkpoint}.":
        "needs the checkpoints imported (tests/hub/test_roster_checks.py provokes it)",
    "Unit {unit} is {distance} m from checkpoint {checkpoint}; a pass counts within {radius} m.":
        "needs a checkpoint and a fix (tests/hub/test_roster_checks.py provokes it)",
    "Unit {unit} has sent no position in the last {minutes} minutes; a checkpoint is passed "
    "where the unit is seen.": "needs a checkpoint and a unit without a fix",
}

def domain_templates() -> list[str]:
    spec = importlib.util.spec_from_file_location("refusal_catalogue",
                                                  ROOT / "tools/refusal_catalogue.py")
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.SOURCES = ("console/domain",)
    sentences, _ = tool.catalogue()
    return list(sentences)


CASES: dict[str, Case] = {
    # -- arguments --------------------------------------------------------------------------
    "'{field}' is required.":
        lambda d: d.do("ctl", "incident.create", **{
            k: v for k, v in incident_args().items() if k != "description"}),
    "'{field}' must be text.":
        lambda d: d.do("ctl", "incident.create", **incident_args(description=5)),
    "'{field}' is longer than {limit} characters.":
        lambda d: d.do("ctl", "incident.create", **incident_args(description=LONG)),
    "'{field}' holds a character that text may not hold ({character}).":
        lambda d: d.do("ctl", "incident.create", **incident_args(description="噪声\u202e扰民")),
    "'{field}' must be one of: {allowed}.":
        lambda d: d.do("ctl", "incident.create", **incident_args(priority="P9")),
    "'{field}' must be a number.":
        lambda d: d.do("ctl", "incident.create", **incident_args(
            location={"lat": "北纬", "lon": 104.1, "address": "建设路"})),
    "'{field}' must be between {low} and {high}.":
        lambda d: d.do("ctl", "incident.create", **incident_args(
            location={"lat": 95, "lon": 104.1, "address": "建设路"})),
    "'{field}' must be a whole number.":
        lambda d: d.do("ctl", "incident.request_extension", id=d.new(), stage="accept",
                       extra={"value": 1.5, "unit": "hours"}, reason="核实"),
    "'{field}' must be true or false.":
        lambda d: d.do("taker", "incident.set_confidential", id=d.new(), confidential="是"),
    "'{field}' must be an object.":
        lambda d: d.do("ctl", "incident.create", **incident_args(location="建设路 1 号")),
    "'{field}' must be a list of codes.":
        lambda d: d.do("ctl", "incident.assign", id=d.accepted(), department="environment",
                       co_handlers="urban_mgmt"),
    "'{field}' has more than {limit} entries.":
        lambda d: d.do("ctl", "incident.assign", id=d.accepted(), department="environment",
                       co_handlers=[f"d{i}" for i in range(30)]),
    "'method' must be site (a visit) or callback (a call to the reporter).":
        lambda d: d.do("ctl", "incident.verify", id=d.resolved(), method="短信", satisfied=True),
    "'satisfied' and 'satisfaction' disagree.":
        lambda d: d.do("ctl", "incident.verify", id=d.resolved(), method="callback",
                       satisfied=True, satisfaction="dissatisfied"),
    "'unit' must be minutes, hours or working_days.":
        lambda d: d.do("ctl", "incident.request_extension", id=d.new(), stage="accept",
                       extra={"value": 1, "unit": "weeks"}, reason="核实"),
    # -- creating ---------------------------------------------------------------------------
    "There is no command '{name}'.": lambda d: d.do("ctl", "incident.fly", id="CH-1"),
    "There is no category '{code}'.":
        lambda d: d.do("ctl", "incident.create", **incident_args(category="env.no_such")),
    "'{code}' is reserved for police cases awaiting classification; choose a category.":
        lambda d: d.do("ctl", "incident.create", **incident_args(category="unclassified")),
    "There is no request type '{code}'.":
        lambda d: d.do("ctl", "incident.create", **incident_args(request_type="poem")),
    "The location ({lat}, {lon}) is outside the district; check the point, or give the "
    "address and place it on the map.":
        lambda d: d.do("ctl", "incident.create", **incident_args(
            location={"lat": 0, "lon": 0, "address": "建设路"})),
    "You may register incidents only from your own channel.":
        lambda d: gw(d, "incident.create", **incident_args()),
    # -- who may ----------------------------------------------------------------------------
    "Your role ({roles}) may not {action}.":
        lambda d: d.do("viewer", "incident.accept", id=d.new()),
    "You may {action} only on your own cases.":
        lambda d: d.do("desk-env", "incident.sign", id=d.assigned("urban_mgmt")),
    "You may add notes only to incidents your department handles.":
        lambda d: d.do("desk-env", "incident.note", id=d.assigned("urban_mgmt"), text="已知悉"),
    "You may verify results only on site, for incidents in your care.":
        lambda d: field_command(d, field_unit(d), "incident.verify", id=d.resolved(), method="site",
                         satisfied=True),
    "Liaison officers sign for police-diverted incidents only.":
        lambda d: d.do("liaison", "incident.accept", id=d.new()),
    "Liaison officers return police-diverted incidents only.":
        lambda d: d.do("liaison", "incident.reject", id=d.new(), reason="非警务"),
    "Liaison officers classify police-diverted incidents only.":
        lambda d: d.do("liaison", "incident.classify", id=d.new(),
                       category="env.noise_residential"),
    "A field unit reports progress only on its own assignments.":
        lambda d: (lambda x: field_command(d, field_unit(d), "assignment.update", id=x[0],
                                    assignment=x[2], status="en_route"))(d.dispatched()),
    "A field unit changes only its own status.":
        lambda d: other_units_command(d, "unit.set_status", status="busy"),
    "A field unit clocks in only itself.": lambda d: other_units_command(d, "unit.clock_in"),
    "A field unit clocks out only itself.": lambda d: other_units_command(d, "unit.clock_out"),
    "A field unit records only its own patrol checkpoints.":
        lambda d: other_units_command(d, "unit.checkpoint", checkpoint="CP-1"),
    "Early warnings are raised by the hub's own detector only.":
        lambda d: d.do("admin", "warning.raise", category="safety.gas_leak", level="grid",
                       area="g111", count=3, baseline=0.1, threshold=3, window=60),
    "Only a duty leader may lift the confidential mark of {id}.":
        lambda d: d.do("taker", "incident.set_confidential", id=d.confidential(),
                       confidential=False),
    # -- the reporter -----------------------------------------------------------------------
    "{id} is not a case your department leads or co-handles; its reporter is not shown to you.":
        lambda d: d.reporter("desk-env", d.assigned("urban_mgmt")),
    "Your role does not need the reporter of {id}.": lambda d: d.reporter("viewer", d.new()),
    "{id} is confidential: only the intake and the duty leader see its reporter.":
        lambda d: d.reporter("ctl", d.confidential()),
    # -- lifecycle --------------------------------------------------------------------------
    "There is no incident {id}.": lambda d: d.do("ctl", "incident.accept", id="CH-20261123-999999"),
    "{id} has changed since you opened it (version {expected}, now {current}); look at it "
    "again before acting.":
        lambda d: send(d.as_("ctl"), "incident.accept", {"id": d.new()}, expected_version=7),
    "{id} is {state}; only {wanted} incidents can be {doing}.":
        lambda d: d.do("ctl", "incident.accept", id=d.accepted()),
    "{id} is {state}; nothing more can be done on it.":
        lambda d: d.do("ctl", "incident.dispatch", id=d.rejected(), unit=d.unit()),
    "{id} awaits classification (police code {code}); classify it first.":
        lambda d: d.do("liaison", "incident.accept", id=d.diverted_unmapped()),
    "{id} is already classified as {category}.":
        lambda d: d.do("ctl", "incident.classify", id=d.new(), category="env.noise_residential"),
    "{id} is a {kind}; only inquiries, opinions and suggestions can be answered and closed at "
    "intake.":
        lambda d: d.do("ctl", "incident.answer", id=d.new(), answer="已答复"),
    "An incident cannot be merged into itself.":
        lambda d: (lambda inc: d.do("ctl", "incident.merge", id=inc, into=inc))(d.new()),
    "{into} is {state}; merge duplicates into an open incident.":
        lambda d: d.do("ctl", "incident.merge", id=d.new(), into=d.rejected()),
    "There is no department '{code}'.":
        lambda d: d.do("ctl", "incident.assign", id=d.accepted(), department="no_such_desk"),
    "The lead department cannot also be a co-handler.":
        lambda d: d.do("ctl", "incident.assign", id=d.accepted(), department="environment",
                       co_handlers=["environment"]),
    "A co-handling department is named twice.":
        lambda d: d.do("ctl", "incident.assign", id=d.accepted(), department="environment",
                       co_handlers=["urban_mgmt", "urban_mgmt"]),
    "{id} is {state}; only open incidents not already with the police can be escalated.":
        lambda d: d.do("ctl", "incident.escalate", id=d.with_police(), reason="再次"),
    "{id} is already marked confidential.":
        lambda d: d.do("taker", "incident.set_confidential", id=d.confidential(),
                       confidential=True),
    "{id} is not marked confidential.":
        lambda d: d.do("leader", "incident.set_confidential", id=d.new(), confidential=False),
    "{id} is not overdue; supervision is for overdue incidents.":
        lambda d: d.do("leader", "incident.supervise", id=d.new(), note="督办"),
    "{id} is already supervised.": overdue_supervised_twice,
    # -- deadlines --------------------------------------------------------------------------
    "{id} has no running deadline to extend.":
        lambda d: d.do("ctl", "incident.request_extension", id=d.with_police(), stage="accept",
                       extra={"value": 1, "unit": "hours"}, reason="核实"),
    "The {stage} deadline of {id} is not running.":
        lambda d: d.do("ctl", "incident.request_extension", id=d.new(), stage="resolve",
                       extra={"value": 1, "unit": "hours"}, reason="核实"),
    "An extension of the {stage} deadline of {id} is already waiting for approval.":
        lambda d: d.do("ctl", "incident.request_extension", id=d.extension_requested()[0],
                       stage="accept", extra={"value": 1, "unit": "hours"}, reason="核实"),
    "The deadline has already passed; an extension must be requested before it.":
        lambda d: d.do("ctl", "incident.request_extension", id=d.overdue(), stage="accept",
                       extra={"value": 1, "unit": "hours"}, reason="核实"),
    "This stage is already finished.": finished_stage,
    "{id} has no extension request waiting.":
        lambda d: d.do("leader", "incident.approve_extension", id=d.new(), request="X1"),
    "There is no extension request {request} on {id}.":
        lambda d: d.do("leader", "incident.approve_extension", id=d.extension_requested()[0],
                       request="CH-0/X9"),
    "Extension request {request} was already {status}.": approve_twice,
    # -- units ------------------------------------------------------------------------------
    "There is no unit {unit}.":
        lambda d: d.do("ctl", "incident.dispatch", id=d.accepted(), unit="U-NONE"),
    "'purpose' must be respond (handle the incident) or verify (check on site).":
        lambda d: d.do("ctl", "incident.dispatch", id=d.accepted(), unit=d.unit(),
                       purpose="inspect"),
    "Unit {unit} is already registered.":
        lambda d: (lambda u: d.do("admin", "unit.register", id=u, name="重复", type="patrol"))(
            d.unit()),
    "A new unit starts off duty, available, busy or out of service.":
        lambda d: d.do("admin", "unit.register", id=f"U-new-{next(d.numbers)}", name="新",
                       type="patrol", status="en_route"),
    "The status {status} follows from an assignment; dispatch the unit or update its "
    "assignment instead.":
        lambda d: d.do("ctl", "unit.set_status", id=d.unit(), status="on_scene"),
    "Unit {unit} is on assignment {assignment}; clear or cancel it first.":
        lambda d: d.do("ctl", "unit.set_status", id=d.dispatched()[1], status="busy"),
    "Unit {unit} is already {status}.":
        lambda d: d.do("ctl", "unit.set_status", id=d.unit("off_duty"), status="off_duty"),
    "Unit {unit} is already on duty ({status}).":
        lambda d: gw(d, "unit.clock_in", id=d.unit("busy")),
    "Unit {unit} is already off duty.":
        lambda d: gw(d, "unit.clock_out", id=d.unit("off_duty")),
    "Unit {unit} is on assignment {assignment}; clear or cancel it before the unit clocks out.":
        lambda d: gw(d, "unit.clock_out", id=d.dispatched()[1]),
    "Unit {unit} is off duty; a checkpoint is passed on duty.":
        lambda d: gw(d, "unit.checkpoint", id=d.unit("off_duty"),
                                                     checkpoint="CP-1"),
    "Unit {unit} is {status}; only available units can be dispatched.":
        lambda d: d.do("ctl", "incident.dispatch", id=d.accepted(), unit=d.unit("out_of_service")),
    "Unit {unit} is still {state} on {id}; clear or cancel its assignment first.":
        lambda d: (lambda x: d.do("ctl", "incident.merge", id=x[0], into=d.new()))(d.dispatched()),
    "{id} has no unit on the way or at the scene.":
        lambda d: d.do("ctl", "assignment.update", id=d.accepted(), assignment="CH-0/1",
                       status="en_route"),
    "{id} has no assignment {assignment}.":
        lambda d: d.do("ctl", "assignment.update", id=d.dispatched()[0], assignment="CH-0/9",
                       status="en_route"),
    "Assignment {assignment} is already {state}.": cancelled_twice,
    "Unit {unit} is on scene; clear the assignment instead of cancelling it.":
        lambda d: (lambda x: d.do("ctl", "assignment.update", id=x[0], assignment=x[1],
                                  status="cancelled"))(on_scene(d)),
    "Assignment {assignment} is already {state}; a unit cannot go back to {target}.":
        lambda d: (lambda x: d.do("ctl", "assignment.update", id=x[0], assignment=x[1],
                                  status="en_route"))(on_scene(d)),
    # -- major incidents --------------------------------------------------------------------
    "There is no major incident {id}.":
        lambda d: d.do("leader", "major.note", id="MI-20261123-99", text="补记"),
    "{id} was stood down; it takes no more changes.": stood_down,
    "{incident} is already linked to {id}.": linked_twice,
    "Unit {unit} is already committed to {id}.": committed_twice,
    "'area' must be a GeoJSON Polygon or a centre with a radius.":
        lambda d: declare(d, {"type": "Circle"}),
    "'area' must be a Polygon with 1 to 10 rings.":
        lambda d: declare(d, {"type": "Polygon", "coordinates": []}),
    "Each ring of 'area' needs at least 4 positions.":
        lambda d: declare(d, {"type": "Polygon", "coordinates": [SQUARE[:3]]}),
    "'area' has more than {limit} positions.":
        lambda d: declare(d, {"type": "Polygon", "coordinates": [SQUARE * 2_000]}),
    "Each ring of 'area' must end where it starts.":
        lambda d: declare(d, {"type": "Polygon", "coordinates": [[*SQUARE[:3], [104.0, 30.0]]]}),
    "A position of 'area' must be [lon, lat].":
        lambda d: declare(d, {"type": "Polygon", "coordinates": [[[104.09]] * 4]}),
    # -- early warnings ---------------------------------------------------------------------
    "There is no warning {id}.":
        lambda d: d.do("leader", "warning.acknowledge", id="EW-20261123-999"),
    "{id} was already acknowledged by {by}.": acknowledged_twice,
    # -- field calls for help and attachments --------------------------------------------------
    "Unit {unit} has no SOS waiting.":
        lambda d: d.do("ctl", "unit.sos_clear", id=d.unit()),
    "A field unit calls for help only for itself.":
        lambda d: other_units_command(d, "unit.sos", lat=30.66, lon=104.10),
    "{filename} claims to be {claimed}, but its bytes are {found}; nothing was stored.":
        lambda d: attach(d, b64(png()), "image/jpeg"),
    "{filename} claims to be {claimed}, but its bytes are not a file of any accepted type; "
    "nothing was stored.":
        lambda d: attach(d, b64(b"just some words, not a picture"), "image/jpeg"),
    "{filename} did not arrive whole: its base64 text is broken or cut off. Nothing was "
    "stored; send it again.":
        lambda d: attach(d, b64(jpeg())[:-3], "image/jpeg"),
    "{filename} ends early: the {content_type} file is cut off or damaged. Nothing was stored; "
    "send it again.":
        lambda d: attach(d, b64(jpeg()[: len(jpeg()) * 2 // 3]), "image/jpeg"),
    "{filename} is empty; nothing was stored.":
        lambda d: attach(d, "", "image/jpeg"),
    "{filename} is larger than {limit_mb} MB (about {size_mb} MB); nothing was stored.":
        lambda d: attach(d, b64(b"\xff\xd8\xff" + b"\x00" * MAX_BYTES + b"\xff\xd9"),
                          "image/jpeg"),
    "{filename}: files of type {content_type} are not accepted; send a photo (JPEG, PNG, "
    "WebP), audio (MP3, AAC/M4A, AMR, WAV, OGG), a video (MP4) or a PDF.":
        lambda d: attach(d, b64(b"MZ\x90\x00 a program"), "application/x-msdownload"),
    "'data_b64' must be the file's bytes as base64 text.":
        lambda d: d.do("ctl", "attachment.add", incident=d.new(), filename="photo.jpg",
                       content_type="image/jpeg", data_b64=5),
}


def raise_warnings(thread: HubThread) -> list[str]:
    """A warning raised as the hub's detector raises one (a command of the system actor),
    written before the hub starts so that it is in the log the hub loads."""
    results, _ = thread.store.execute_batch([(Command(str(uuid.uuid4()), "warning.raise", {
        "category": "safety.gas_leak", "level": "grid", "area": "g111", "count": 3,
        "baseline": 0.1, "threshold": 3, "window": 60, "incidents": []}), SYSTEM)])
    assert results[0].ok, results[0]
    return [str(e.event.data["id"]) for e in thread.store.events_after(0, limit=1_000)
            if e.event.name == "warning.raised"]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, rules: Rules) -> Iterator[District]:
    url = f"sqlite:///{tmp_path_factory.mktemp('refusals') / 'hub.db'}"
    time = WorldTime()
    thread = HubThread(url, rules, clock=Clock(origin=ORIGIN, real=time))
    add_users(thread.store)
    for name, (roles, department, unit) in USERS.items():
        thread.store.accounts.create_user(name, PASSWORD, roles, now=datetime.now(UTC),
                                          department=department, unit=unit)
    world = District(thread, time, warnings=raise_warnings(thread))
    thread.start()
    yield world
    for client in world.clients.values():
        client.close()
    thread.stop()


@pytest.fixture(scope="module")
def chinese(qapp: Any) -> Iterator[None]:
    translations = Translations()
    assert translations.apply("zh_CN") == "zh_CN"
    yield
    translations.apply("en")


def shown(answer: dict[str, Any]) -> tuple[str, CommandResult]:
    """The text the console shows for a refused command (or reporter request)."""
    result = CommandResult.from_wire(answer)
    return result_text(result), result


def test_every_domain_template_is_provoked_or_explained() -> None:
    catalogue = set(domain_templates())
    assert not set(CASES) & set(UNREACHABLE) and not set(CASES) & set(NOT_YET)
    assert set(CASES) | set(UNREACHABLE) | set(NOT_YET) == catalogue, (
        "new or gone domain templates: provoke each through the hub in CASES",
        sorted(catalogue ^ (set(CASES) | set(UNREACHABLE) | set(NOT_YET))))
    assert len(UNREACHABLE) < len(catalogue) / 4


@pytest.mark.parametrize("template", sorted(CASES))
def test_the_hubs_refusal_reads_in_chinese(template: str, district: District,
                                           chinese: None) -> None:
    answer = CASES[template](district)
    assert answer.get("ok") is False, answer
    assert answer["error"].get("template") == template, answer["error"]
    text, result = shown(answer)
    assert text and text != result.message, f"not translated: {text!r}"
    # Ids, numbers and codes stay as the hub sent them; everything else must be Chinese.
    rest = text
    for name, value in sorted(result.params.items(), key=lambda p: -len(str(p[1]))):
        if name not in WORD_PARAMS:
            rest = rest.replace(str(value), " ")
    # Words with digits are codes and formats (data_b64, base64, MP4).
    latin = set(LATIN.findall(re.sub(r"\b\w*\d\w*\b", " ", rest))) - KEPT
    assert not latin, f"{template!r} shown as {text!r}: Latin words {sorted(latin)}"

