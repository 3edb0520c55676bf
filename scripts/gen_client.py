"""Generate the typed Python client (govchat/api_client.py) from the served OpenAPI document.

    .venv/bin/python scripts/gen_client.py            # builds the app, reads its document, writes the client
    .venv/bin/python scripts/gen_client.py --check    # fails when the committed client is out of date

Schemas become TypedDicts (required fields plain, optional ones NotRequired), each operation an async method
named after its operationId that returns the success response's type and raises ApiError(status, message)
otherwise. tests/govchat/test_api_client.py checks the committed file against the document.
"""

from __future__ import annotations

import argparse
import asyncio
import keyword
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "govchat" / "api_client.py"
PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def _name(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    return "Any" if name == "JsonValue" else name


def py_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _name(schema["$ref"])
    if "anyOf" in schema or "oneOf" in schema:
        parts: list[str] = []
        for option in schema.get("anyOf", schema.get("oneOf", [])):
            t = py_type(option)
            if t not in parts:
                parts.append(t)
        return "Any" if "Any" in parts else " | ".join(parts)
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        return f"Literal[{', '.join(repr(v) for v in values)}]"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(PRIMITIVES.get(k, "Any") for k in kind)
    if kind == "array":
        if "prefixItems" in schema:
            return f"tuple[{', '.join(py_type(s) for s in schema['prefixItems'])}]"
        return f"list[{py_type(schema.get('items', {}))}]"
    if kind == "object":
        extra = schema.get("additionalProperties")
        return f"dict[str, {py_type(extra) if isinstance(extra, dict) else 'Any'}]"
    return PRIMITIVES.get(str(kind), "Any")


def _refs(schema: object) -> set[str]:
    if isinstance(schema, dict):
        found = {_name(schema["$ref"])} if "$ref" in schema else set()
        for value in schema.values():
            found |= _refs(value)
        return found
    if isinstance(schema, list):
        return set().union(*(_refs(v) for v in schema)) if schema else set()
    return set()


def _ordered(schemas: dict[str, Any]) -> list[str]:
    """Schemas after those they refer to (TypedDicts are evaluated at import)."""
    done: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in done or name in trail or name not in schemas:
            return
        for dep in sorted(_refs(schemas[name])):
            visit(dep, (*trail, name))
        done.append(name)

    for name in sorted(schemas):
        visit(name, ())
    return done


def _schema_code(name: str, schema: dict[str, Any]) -> list[str]:
    if schema.get("type") != "object" or "properties" not in schema:
        return [f"{name} = {py_type(schema)}", ""]
    required = set(schema.get("required", []))
    fields = {f: (t if f in required else f"NotRequired[{t}]") for f, t in _props(schema)}
    if all(f.isidentifier() and not keyword.iskeyword(f) for f in fields):
        body = [f"    {f}: {t}" for f, t in fields.items()] or ["    pass"]
        return [f"class {name}(TypedDict):", *body, ""]
    lines = [f"{name} = TypedDict(", f"    {name!r},", "    {"]  # a field named like a keyword ("from")
    lines += [f"        {f!r}: {t}," for f, t in fields.items()]
    lines += ["    },", ")", ""]
    return lines


def _props(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [(field, py_type(prop)) for field, prop in schema["properties"].items()]


def _ident(name: str) -> str:
    name = re.sub(r"\W", "_", name)
    return f"{name}_" if keyword.iskeyword(name) else name


def _snake(op_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", op_id).lower()


def _method_code(path: str, method: str, op: dict[str, Any]) -> list[str]:
    success = next(code for code in op["responses"] if code.startswith("2"))
    content = op["responses"][success].get("content", {})
    result = py_type(content["application/json"]["schema"]) if "application/json" in content else "str"
    args = ["self"]
    path_expr = path
    query: list[tuple[str, str]] = []
    for p in op.get("parameters", []):
        ident = _ident(p["name"])
        if p["in"] == "path":
            args.append(f"{ident}: str")
            path_expr = path_expr.replace(f"{{{p['name']}}}", f"{{_seg({ident})}}")
        elif p["in"] == "query":
            query.append((p["name"], ident))
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        args.append(f"body: {py_type(body)} | None = None")
    if query:
        args.append("*")
        args += [f"{ident}: str | int | None = None" for _, ident in query]
    lines = [f"    async def {_snake(op['operationId'])}({', '.join(args)}) -> {result}:"]
    lines.append(f'        """{op["summary"]}"""')
    call = [f'"{method.upper()}"', f'f"{path_expr}"' if "{" in path_expr else f'"{path_expr}"', f"ok={success}"]
    if query:
        items = ", ".join(f'"{name}": {ident}' for name, ident in query)
        call.append(f"query={{{items}}}")
    if body is not None:
        call.append("body=body")
    lines.append(f"        return cast({result}, await self._call({', '.join(call)}))")
    lines.append("")
    return lines


HEADER = '''"""A typed client of the govchat API, generated by scripts/gen_client.py from /api/openapi.json.

Do not edit: regenerate.

    async with aiohttp.ClientSession() as http:
        api = GovchatClient(http, "https://govchat.example.gov.cn", token="…")
        created = await api.create_ticket({"kind": "投诉", "content": "…", "phone": "139…"})
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict, cast
from urllib.parse import quote

import aiohttp

__all__ = ["ApiError", "GovchatClient"]


class ApiError(Exception):
    """A refusal: the HTTP status and the server's Chinese reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _seg(value: str) -> str:
    return quote(value, safe="")

'''

CLIENT = '''

class GovchatClient:
    """One method per operation; ``token`` is an API token (or an integration's, for ratings and chat)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str = "", token: str | None = None) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.token = token

    async def _call(
        self, method: str, path: str, *, ok: int, query: dict[str, str | int | None] | None = None, body: object = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        async with self.session.request(
            method, self.base_url + path, params=params, json=body, headers=headers
        ) as resp:
            if resp.status != ok:
                data = await resp.json(content_type=None) if resp.content_type == "application/json" else None
                message = data.get("error", "") if isinstance(data, dict) else await resp.text()
                raise ApiError(resp.status, str(message))
            if resp.content_type == "application/json":
                return await resp.json()
            return await resp.text()

'''


def render(doc: dict[str, Any]) -> str:
    schemas = doc["components"]["schemas"]
    lines = [HEADER]
    for name in _ordered(schemas):
        if name != "JsonValue":
            lines += _schema_code(name, schemas[name])
            lines.append("")
    lines.append(CLIENT)
    for path, item in sorted(doc["paths"].items()):
        for method, op in sorted(item.items()):
            lines += _method_code(path, method, op)
    return "\n".join(lines)


def formatted(source: str) -> str:
    """The source as ruff formats it (the committed file is formatted)."""
    ruff = Path(sys.executable).parent / "ruff"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "api_client.py"
        path.write_text(source, encoding="utf-8")
        subprocess.run(
            [str(ruff), "format", "--quiet", "--config", str(ROOT / "pyproject.toml"), str(path)], check=True
        )
        return path.read_text(encoding="utf-8")


async def served_document() -> dict[str, Any]:
    from admin.openapi import document
    from govchat.app import create_app
    from govchat.runtime import build_runtime
    from kernel.config import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(environ={}, data_dir=tmp, demo_data=False)
        runtime = await build_runtime(settings, load_model=False)
        try:
            return document(create_app(runtime, background=False))
        finally:
            await runtime.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed client")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    source = formatted(render(asyncio.run(served_document())))
    if args.check:
        if TARGET.read_text(encoding="utf-8") != source:
            print("govchat/api_client.py is out of date: run scripts/gen_client.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(source, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
