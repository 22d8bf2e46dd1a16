"""Check recorded requests and responses against Argo CD's swagger.json.

Requests: the path matches a swagger path template and has the method; every query
parameter is declared (name and type); a JSON body validates against the body
schema. Responses: a 2xx body validates against the 200 schema, an error body
against `default` (runtimeError). swagger has no `additionalProperties: false`, so
every key of a body must also be a declared property, recursively: a typo such as
`syncOption` is caught.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

# Query parameters the API gateway accepts though swagger does not declare them.
EXTENSIONS = {
    # ARGOCD-NOTES §2.2: a projection handled by pkg/apiclient/application/forwarder_overwrite.go
    ("GET", "/api/v1/applications"): {"fields"},
}


class Contract:
    """swagger.json, ready to check requests and responses recorded by the fake."""

    def __init__(self, swagger_path: Path) -> None:
        self.swagger = json.loads(swagger_path.read_text())
        self.definitions = self.swagger["definitions"]
        self._templates = [
            (template, re.compile("^" + re.sub(r"\{\w+\}", r"[^/]+", template) + "$"))
            for template in self.swagger["paths"]
        ]

    # -- schemas ----------------------------------------------------------------------

    def _validator(self, schema: dict) -> Draft4Validator:
        return Draft4Validator({**schema, "definitions": self.definitions})

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def unknown_keys(self, data: Any, schema: dict, where: str = "") -> list[str]:
        """Keys of `data` that `schema` does not declare, recursively."""
        schema = self._resolve(schema)
        found: list[str] = []
        if isinstance(data, dict):
            properties = schema.get("properties")
            extra = schema.get("additionalProperties")
            if properties is None and not isinstance(extra, dict):
                return []  # a free-form object
            for key, value in data.items():
                path = f"{where}.{key}" if where else key
                if properties is not None and key in properties:
                    found += self.unknown_keys(value, properties[key], path)
                elif isinstance(extra, dict):
                    found += self.unknown_keys(value, extra, path)
                else:
                    found.append(path)
        elif isinstance(data, list) and isinstance(schema.get("items"), dict):
            for i, value in enumerate(data):
                found += self.unknown_keys(value, schema["items"], f"{where}[{i}]")
        return found

    def body_problems(self, data: Any, schema: dict, what: str) -> list[str]:
        problems = [
            f"{what}: {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in self._validator(schema).iter_errors(data)
        ]
        problems += [f"{what}: undeclared key {k}" for k in self.unknown_keys(data, schema)]
        return problems

    # -- requests and responses -------------------------------------------------------

    def operation(self, method: str, path: str) -> tuple[str, dict] | None:
        for template, pattern in self._templates:
            if pattern.match(path):
                op = self.swagger["paths"][template].get(method.lower())
                if op is not None:
                    return template, op
        return None

    def request_problems(self, method: str, path: str, query: dict[str, list[str]],
                         body: Any) -> list[str]:
        found = self.operation(method, path)
        what = f"{method} {path}"
        if found is None:
            return [f"{what}: no such operation in swagger.json"]
        template, op = found
        params = {p["name"]: p for p in op.get("parameters", [])}
        problems = []
        allowed = EXTENSIONS.get((method, template), set())
        for name, values in query.items():
            param = params.get(name)
            if param is None or param.get("in") != "query":
                if name not in allowed:
                    problems.append(f"{what}: undeclared query parameter {name!r}")
                continue
            if param.get("type") != "array" and len(values) > 1:
                problems.append(f"{what}: {name!r} is not repeatable")
            kind = param.get("items", {}).get("type") if param.get("type") == "array" \
                else param.get("type")
            for value in values:
                if kind == "boolean" and value not in ("true", "false"):
                    problems.append(f"{what}: {name!r}={value!r} is not a boolean")
                if kind in ("integer", "number") and not re.match(r"^-?\d+(\.\d+)?$", value):
                    problems.append(f"{what}: {name!r}={value!r} is not a number")
        body_param = next((p for p in params.values() if p.get("in") == "body"), None)
        if body is not None and body_param is None:
            problems.append(f"{what}: sends a body the operation does not take")
        if body_param is not None:
            if body is None:
                problems.append(f"{what}: the body is required")
            else:
                problems += self.body_problems(body, body_param["schema"], f"{what} body")
        return problems

    def response_problems(self, method: str, path: str, status: int, body: Any) -> list[str]:
        found = self.operation(method, path)
        if found is None or body is None:
            return []
        _, op = found
        responses = op.get("responses", {})
        spec = responses.get("200") if 200 <= status < 300 else responses.get("default")
        if spec is None or "schema" not in spec:
            return []
        return self.body_problems(body, spec["schema"], f"{method} {path} -> {status}")

    def record_problems(self, records: list[Any]) -> list[str]:
        """Problems in the requests recorded by a FakeArgo and in its answers."""
        problems: list[str] = []
        for r in records:
            problems += self.request_problems(r.method, r.path, r.query, r.body)
            if not r.faulted and r.status is not None:
                problems += self.response_problems(r.method, r.path, r.status, r.response)
        return problems
