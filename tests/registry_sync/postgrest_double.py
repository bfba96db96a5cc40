"""TEST DOUBLE: a PostgREST-compatible HTTP server in front of the real PostgreSQL, for tests only.

PostgREST itself cannot be installed here (no package, no Docker), so this emulates only the
subset of PostgREST's protocol that supabase-py sends for registry_sync, over real HTTP:

- ``GET /rest/v1/<table>?select=..&order=col.asc&limit=n`` (+ ``col=eq.v`` / ``col=in.(a,b)``)
- ``POST /rest/v1/<table>?on_conflict=..&columns=..`` with ``Prefer: return=minimal|representation,
  resolution=merge-duplicates`` (PostgREST's ``INSERT .. SELECT FROM json_populate_recordset .. ON CONFLICT``)
- ``POST /rest/v1/rpc/<function>`` with named arguments as the JSON body

Like PostgREST it verifies the bearer JWT (HS256), switches to the token's ``role`` with
``SET LOCAL ROLE`` (so the migration's grants and RLS really run) and answers errors as
``{code, message, details, hint}`` with the SQLSTATE as code (PGRST205 for an unknown table).
It tests our reading of PostgREST, not PostgREST: the golden request tests pin what the real
client sends, so a client change shows up even though the server is emulated.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import psycopg
import uvicorn
from psycopg import sql
from psycopg.types.json import Jsonb
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

GOLDEN_HEADERS = ("accept-profile", "content-profile", "content-type", "prefer", "x-client-info")


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    role: str | None
    body: Any = None


def _error(
    status: int, code: str, message: str, hint: str | None = None, details: str | None = None
) -> Response:
    return JSONResponse(
        {"code": code, "message": message, "details": details, "hint": hint}, status_code=status
    )


def _status_for(sqlstate: str, role: str) -> int:
    if sqlstate == "42501":
        return 401 if role == "anon" else 403
    if sqlstate == "23505":
        return 409
    if sqlstate in ("42P01", "42883"):
        return 404
    if sqlstate.startswith(("22", "23", "P0", "42")):
        return 400
    return 500


@dataclass
class PostgrestDouble:
    dsn: str
    jwt_secret: str
    requests: list[RecordedRequest] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/rest/v1/rpc/{function}", self._rpc, methods=["POST"]),
                Route("/rest/v1/{table}", self._table, methods=["GET", "POST"]),
            ]
        )

    def _role(self, request: Request) -> tuple[str | None, dict[str, Any] | None]:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(token, self.jwt_secret, algorithms=["HS256"], options={"verify_aud": False})
        except jwt.PyJWTError:
            return None, None
        return str(claims.get("role")), claims

    async def _record(self, request: Request, role: str | None) -> Any:
        raw = await request.body()
        body = json.loads(raw) if raw else None
        headers = {name: request.headers[name] for name in GOLDEN_HEADERS if name in request.headers}
        if "x-client-info" in headers:  # "supabase-py/2.34.1; platform=...": the machine's part varies
            headers["x-client-info"] = headers["x-client-info"].split(";")[0]
        headers["apikey"] = "<redacted>" if "apikey" in request.headers else "<absent>"
        headers["authorization"] = "Bearer <redacted>" if "authorization" in request.headers else "<absent>"
        self.requests.append(
            RecordedRequest(
                request.method,
                request.url.path,
                list(request.query_params.multi_items()),
                headers,
                role,
                body,
            )
        )
        return body

    def _run(self, role: str, claims: dict[str, Any], query: sql.Composable, params: tuple[Any, ...]) -> Any:
        with psycopg.connect(self.dsn, autocommit=False) as conn:
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
            conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
            cur = conn.execute(query, params)
            rows = cur.fetchall() if cur.description else []
            conn.commit()
            return [row[0] for row in rows]

    def _table_exists(self, table: str) -> bool:
        with psycopg.connect(self.dsn) as conn:
            row = conn.execute("select to_regclass(%s) is not null", (f"public.{table}",)).fetchone()
            return bool(row and row[0])

    def _guarded(
        self, role: str, claims: dict[str, Any], query: sql.Composable, params: tuple[Any, ...]
    ) -> Any:
        try:
            return self._run(role, claims, query, params)
        except psycopg.Error as exc:
            state = exc.sqlstate or "XX000"
            return _error(
                _status_for(state, role),
                state,
                exc.diag.message_primary or str(exc),
                exc.diag.message_hint,
                exc.diag.message_detail,
            )

    async def _table(self, request: Request) -> Response:
        role, claims = self._role(request)
        body = await self._record(request, role)
        if role is None or claims is None:
            return _error(401, "PGRST301", "JWT could not be decoded")
        table = request.path_params["table"]
        if not self._table_exists(table):
            return _error(
                404,
                "PGRST205",
                f"Could not find the table 'public.{table}' in the schema cache",
                hint=None,
            )
        if request.method == "GET":
            return self._select(role, claims, table, request)
        return self._upsert(role, claims, table, request, body)

    def _select(self, role: str, claims: dict[str, Any], table: str, request: Request) -> Response:
        params = request.query_params
        select = params.get("select", "*")
        columns = (
            sql.SQL("*")
            if select == "*"
            else sql.SQL(", ").join(sql.Identifier(c) for c in select.split(","))
        )
        where: list[sql.Composable] = []
        values: list[Any] = []
        for key, value in params.multi_items():
            if key in ("select", "order", "limit", "offset"):
                continue
            if value.startswith("eq."):
                where.append(sql.SQL("{} = %s").format(sql.Identifier(key)))
                values.append(value[3:])
            elif value.startswith("in.(") and value.endswith(")"):
                where.append(sql.SQL("{} = any(%s)").format(sql.Identifier(key)))
                values.append(value[4:-1].split(","))
        query = sql.SQL("select to_jsonb(t) from (select {} from public.{}").format(
            columns, sql.Identifier(table)
        )
        if where:
            query += sql.SQL(" where ") + sql.SQL(" and ").join(where)
        if "order" in params:
            column, _, direction = params["order"].partition(".")
            query += sql.SQL(" order by {} {}").format(
                sql.Identifier(column), sql.SQL("desc" if direction == "desc" else "asc")
            )
        if "limit" in params:
            query += sql.SQL(" limit %s")
            values.append(int(params["limit"]))
        query += sql.SQL(") t")
        result = self._guarded(role, claims, query, tuple(values))
        return result if isinstance(result, Response) else JSONResponse(result)

    def _upsert(self, role: str, claims: dict[str, Any], table: str, request: Request, body: Any) -> Response:
        rows = body if isinstance(body, list) else [body]
        prefer = {
            p.split("=")[0].strip(): p.split("=")[-1].strip()
            for p in request.headers.get("prefer", "").split(",")
            if p
        }
        columns_param = request.query_params.get("columns")
        names = [c.strip('"') for c in columns_param.split(",")] if columns_param else list(rows[0])
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in names)
        query = sql.SQL(
            "insert into public.{t} ({c}) select {c} from jsonb_populate_recordset(null::public.{t}, %s)"
        ).format(t=sql.Identifier(table), c=columns)
        conflict = request.query_params.get("on_conflict")
        if conflict:
            target = sql.SQL(", ").join(sql.Identifier(c) for c in conflict.split(","))
            if prefer.get("resolution") == "ignore-duplicates":
                query += sql.SQL(" on conflict ({}) do nothing").format(target)
            else:
                updates = sql.SQL(", ").join(
                    sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in names
                )
                query += sql.SQL(" on conflict ({}) do update set {}").format(target, updates)
        representation = prefer.get("return") == "representation"
        query = (
            sql.SQL("with w as ({} returning *) select to_jsonb(w) from w").format(query)
            if representation
            else query
        )
        result = self._guarded(role, claims, query, (Jsonb(rows),))
        if isinstance(result, Response):
            return result
        return JSONResponse(result, status_code=201) if representation else Response(status_code=201)

    async def _rpc(self, request: Request) -> Response:
        role, claims = self._role(request)
        body = await self._record(request, role) or {}
        if role is None or claims is None:
            return _error(401, "PGRST301", "JWT could not be decoded")
        arguments = sql.SQL(", ").join(sql.SQL("{} := %s").format(sql.Identifier(k)) for k in body)
        query = sql.SQL("select to_jsonb(r) from public.{}({}) r").format(
            sql.Identifier(request.path_params["function"]), arguments
        )
        result = self._guarded(role, claims, query, tuple(body.values()))
        return result if isinstance(result, Response) else JSONResponse(result)


class ServedDouble:
    """The double served by uvicorn in a thread on 127.0.0.1:<port>; stop() is bounded."""

    def __init__(self, double: PostgrestDouble, port: int) -> None:
        self.double = double
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            double.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self, timeout_s: float = 15.0) -> ServedDouble:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("PostgREST test double did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
