"""The API's typed contract against the real app (issue 19, item 2): the served OpenAPI document is valid and
complete, a property-based run generated from it (schemathesis) finds no 5xx and no response outside its
schema, and the chat webhook survives hypothesis-generated bodies. Deterministic (derandomized, bounded)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate as validate_spec
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from govchat.runtime import Runtime
from kernel.clock import FakeClock
from kernel.config import load_settings
from office_flows.directory.demo import load_demo_directory
from tests.conftest import CHEAP_PASSWORDS
from tests.support.admin_rig import seed
from tests.support.live_app import LiveApp

ADMIN_TOKEN = "t-contract-admin-0123456789"
IVR_TOKEN = "ivr-contract-0123456789abcdef"
BOT_TOKEN = "bot-contract-0123456789abcdef"
RUN = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


async def _seed(rt: Runtime) -> None:
    async with rt.db.session() as s:
        await load_demo_directory(s)
    await seed(rt)
    await rt.tickets.create(kind="投诉", content="小区门口占道经营，晚上很吵", channel="phone", sender="13900001111")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    data = Path(tmp_path_factory.mktemp("contract"))
    cfg = load_settings(environ={}, data_dir=str(data / "data"), demo_data=False, **CHEAP_PASSWORDS)
    cfg = replace(
        cfg,
        api_tokens=f"{ADMIN_TOKEN}=MJ900",
        rest_integrations=f"ivr=phone:bearer:{IVR_TOKEN}:ratings,bot=app:bearer:{BOT_TOKEN}",
    )
    with LiveApp(cfg, _seed, clock=FakeClock()) as app:
        yield app


@pytest.fixture(scope="module")
def doc(live: LiveApp) -> dict[str, Any]:
    resp = requests.get(f"{live.url}/api/openapi.json", timeout=30)
    assert resp.status_code == 200
    return dict(resp.json())


def test_the_document_is_valid_openapi_and_complete(doc: dict[str, Any]) -> None:
    validate_spec(doc)  # OpenAPI 3.1, every $ref resolvable
    assert doc["openapi"] == "3.1.0"
    schemes = doc["components"]["securitySchemes"]
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            ids.append(op["operationId"])
            assert op["summary"], where
            assert isinstance(op["x-roles"], list), where
            for requirement in op.get("security", []):
                assert set(requirement) <= set(schemes), where
            success = [code for code in op["responses"] if code.startswith("2")]
            assert len(success) == 1, where
            if path.startswith("/api") and path != "/api/openapi.json" and not path.endswith(".ics"):
                assert op["security"], where
                assert op["responses"][success[0]]["content"]["application/json"]["schema"]["$ref"], where
                for code in ("401", "403"):
                    if code in op["responses"]:
                        ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                        assert ref.endswith("/ErrorOut"), where
            if method == "post" and "requestBody" in op:
                assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"], where
    assert len(ids) == len(set(ids)), "operationIds are unique"
    tickets = doc["paths"]["/api/tickets"]["post"]
    assert tickets["x-roles"] and "admin" in tickets["x-roles"]
    assert tickets["requestBody"]["content"]["application/json"]["example"]["kind"] == "投诉"
    assert "派单" in doc["paths"]["/api/tickets/{code}/dispatch"]["post"]["summary"]
    schema = doc["components"]["schemas"]["TicketCreate"]
    assert schema["properties"]["content"]["maxLength"] == 20_000
    webhook = doc["paths"]["/webhooks/rest/webhook"]["post"]
    assert webhook["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/BotMessages")


def _headers_for(path: str) -> dict[str, str]:
    if path.endswith("/rating") or path.startswith("/webhooks"):
        return {"Authorization": f"Bearer {IVR_TOKEN if path.endswith('/rating') else BOT_TOKEN}"}
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _run_operation(
    strategy: Any, url: str, session: requests.Session, headers: dict[str, str], name: str, succeeded: set[str]
) -> None:
    @RUN
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=url, session=session, headers=headers, timeout=30)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        if response.status_code < 300:
            succeeded.add(name)

    run()


def test_property_based_contract_run_finds_no_5xx_and_no_schema_break(live: LiveApp, doc: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(doc)
    session = requests.Session()
    checked = []
    succeeded: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        _run_operation(operation.as_strategy(), live.url, session, _headers_for(operation.path), name, succeeded)
        checked.append(name)
    assert len(checked) >= 45
    print(sorted(succeeded))
    # the run reached the real answers, not only refusals: lists, reads, creations and the chat
    for op in ("GET /api/tickets", "POST /api/tickets", "GET /api/kb/{kind}", "POST /webhooks/rest/webhook"):
        assert op in succeeded, op


def _refuse_operation(
    strategy: Any, url: str, session: requests.Session, headers: dict[str, str], refused: list[int]
) -> None:
    @settings(RUN, max_examples=8)
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=url, session=session, headers=headers, timeout=30)
        case.validate_response(response, checks=[not_a_server_error])
        refused.append(response.status_code)

    with contextlib.suppress(Unsatisfiable):  # every value of its parameters is valid: nothing to break
        run()


def test_malformed_requests_generated_from_the_document_get_no_5xx(live: LiveApp, doc: dict[str, Any]) -> None:
    """Schemathesis's negative mode: bodies, queries and path values that break the schema are refused with
    a 4xx (the Chinese reason is the models' job), never a 5xx."""
    schema = schemathesis.openapi.from_dict(doc)
    session = requests.Session()
    refused: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        _refuse_operation(strategy, live.url, session, _headers_for(operation.path), refused)
    assert refused and sum(400 <= s < 500 for s in refused) > len(refused) // 2


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
BODIES = st.one_of(
    st.fixed_dictionaries({}, optional={"sender": JSON, "message": JSON, "metadata": JSON}),
    JSON,
).map(lambda v: json.dumps(v).encode()) | st.binary(max_size=200)


def test_the_webhook_survives_generated_bodies(live: LiveApp, doc: dict[str, Any]) -> None:
    components = {"components": {"schemas": doc["components"]["schemas"]}}
    session = requests.Session()
    answered = []

    @settings(RUN, max_examples=60)
    @given(raw=BODIES, as_integration=st.booleans())
    def run(raw: bytes, as_integration: bool) -> None:
        headers = {"Content-Type": "application/json"}
        if as_integration:
            headers["Authorization"] = f"Bearer {BOT_TOKEN}"
        resp = session.post(f"{live.url}/webhooks/rest/webhook", data=raw, headers=headers, timeout=60)
        assert resp.status_code < 500, (raw, resp.status_code, resp.text)
        expected = "BotMessages" if resp.status_code == 200 else "ErrorOut"
        jsonschema.validate(resp.json(), {"$ref": f"#/components/schemas/{expected}", **components})
        if resp.status_code == 200:
            answered.append(resp.json())

    run()
    assert answered, "some generated bodies were answered by the bot"
    assert all(isinstance(m["text"], str) and m["text"] for reply in answered for m in reply)
