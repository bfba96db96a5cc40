"""``gateway serve`` (the relay) and ``gateway route`` (the reference tool-router agent)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio
import uvicorn
from pydantic import ValidationError

from core.cli_help import HelpFormatter
from core.errors import AtomsError, InvalidInput
from core.serving import configure_logging
from gateway.app import create_app
from gateway.settings import GatewayOptions, load_gateway_config

__all__ = ["build_parser", "main", "run"]

logger = logging.getLogger("gateway")


def _serve(args: argparse.Namespace) -> int:
    options = {"host": args.host} if args.host else {}
    if args.port is not None:
        options["port"] = args.port
    config = load_gateway_config({}, options)
    configure_logging(config.settings.log_level, config.settings.log_style)
    host, port = config.options.host, config.options.port
    spine = "postgresql" if config.options.database_url is not None else "sqlite"
    auth = "jwt" if config.authenticated else "none (loopback)"
    logger.info("gateway on http://%s:%s (spine %s, auth %s)", host, port, spine, auth)
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level=config.settings.log_level.lower(),
        log_config=None,
        timeout_graceful_shutdown=int(config.options.shutdown_grace_s) + 1,
    )
    return 0


def _route(args: argparse.Namespace) -> int:
    from core.governance import parse_maturity
    from core.metering import open_writer
    from core.settings import load_settings
    from gateway.proposals import RouterGovernance, complexities
    from gateway.router import MuscleEndpoint, RouterConfig, load_specs, run_router, tenant_of

    configure_logging(args.log_level)
    endpoints = []
    for item in args.muscle:
        name, sep, url = item.partition("=")
        if not sep or not url:
            raise InvalidInput("--muscle takes NAME=URL", value=item)
        endpoints.append(MuscleEndpoint(name=name, url=url))
    token = args.token_file.read_text().strip() if args.token_file else None
    muscle_token = args.muscle_token_file.read_text().strip() if args.muscle_token_file else None
    specs = load_specs(args.spec)
    settings = load_settings()
    # Decisions go to the usage ledger (SQLite under ATOMS_DATA_DIR, or ATOMS_LEDGER_DATABASE_URL).
    ledger = open_writer(settings)
    governance = RouterGovernance(
        tenant_id=tenant_of(args.canvas),
        maturity=parse_maturity(args.maturity),
        complexity=complexities(specs),
        store_path=settings.data_dir / "router-proposals.sqlite3",
        record=ledger.record,
        retention_s=settings.governance_retention_s,
    )
    config = RouterConfig(
        gateway_url=args.gateway.rstrip("/"),
        canvas_path=args.canvas,
        token=token,
        specs=specs,
        endpoints={e.name: e for e in endpoints},
        muscle_token=muscle_token,
        last_event_id=args.last_event_id,
        governance=governance,
        supervision_path=args.supervision_stream,
    )
    try:
        anyio.run(run_router, config)
    finally:
        ledger.close()
    return 0


def _token(args: argparse.Namespace) -> int:
    from core.settings import Settings
    from gateway.dev_tokens import mint_dev_token

    try:
        # Not load_settings: a staging or production environment is refused for what it is,
        # not for the storage it lacks.
        settings = Settings()
    except ValidationError:
        return _serve_config_error()

    config_secret = GatewayOptions().jwt_secret
    pins = {}
    for item in args.pin:
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise InvalidInput("--pin takes FIELD=VALUE", value=item)
        pins[name] = value
    token, actor = mint_dev_token(
        settings,
        tenant_id=args.tenant,
        actor=args.actor,
        role=args.role,
        subject=args.subject,
        ttl_s=args.ttl,
        pins=pins,
        secret=config_secret.get_secret_value() if config_secret is not None else None,
    )
    print(token)
    sys.stderr.write(
        f"a {args.ttl:g} s development token for tenant {actor.tenant_id}, {actor.kind} "
        f"{actor.subject} with the {actor.role} lens\n"
    )
    return 0


def _serve_config_error() -> int:
    load_gateway_config()  # raises the ConfigError that names every invalid variable
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway", description="The realtime canvas relay.", formatter_class=HelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)

    serve = command("serve", "serve the gateway (SSE, commands, WebSocket) on uvicorn")
    serve.add_argument("--host", default=None, help="bind address (default: ATOMS_GATEWAY_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default: ATOMS_GATEWAY_PORT, 8800)")
    token = command("token", "print a development JWT for a local gateway (refused unless ATOMS_ENV=local)")
    token.add_argument("--tenant", default="local", help="the tenant_id claim")
    token.add_argument("--actor", choices=["canvas", "agent"], default="canvas", help="who calls")
    token.add_argument("--role", default="director", help="an agent's lens: director, planner, router...")
    token.add_argument("--subject", help="the sub claim (default: dev-<actor>)")
    token.add_argument("--ttl", type=float, default=3600.0, help="seconds the token lives")
    token.add_argument(
        "--pin", action="append", default=[], help="FIELD=VALUE pinning a scope field, e.g. canvas_id=c1"
    )
    route = command("route", "run the reference tool-router agent on one canvas")
    route.add_argument("--gateway", required=True, help="gateway base URL, e.g. http://127.0.0.1:8800")
    route.add_argument(
        "--canvas",
        required=True,
        help="canvas path: /v1/<tenant>/<mode>/<project>/<surface>/<app>/canvases/<id>",
    )
    route.add_argument("--spec", required=True, type=Path, help="MuscleSpec JSON (`sentinel spec` output)")
    route.add_argument("--muscle", action="append", default=[], help="NAME=MCP_URL (repeatable)")
    route.add_argument("--token-file", type=Path, default=None, help="file holding the router's gateway JWT")
    route.add_argument("--muscle-token-file", type=Path, default=None, help="file holding the muscles' token")
    route.add_argument("--last-event-id", type=int, default=None, help="resume after this event id")
    route.add_argument(
        "--maturity",
        default="AUTONOMOUS",
        help="the router's governance level (STUDENT, INTERN, SUPERVISED, AUTONOMOUS); an agent's "
        "commands run at the lower of this and the agent's own",
    )
    route.add_argument(
        "--supervision-stream",
        default=None,
        help="stream path mirroring supervised calls (default: the canvas)",
    )
    route.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "token":
            return _token(args)
        return _serve(args) if args.command == "serve" else _route(args)
    except AtomsError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2


def run() -> None:
    raise SystemExit(main())
