"""Turn an imported service module into a :class:`MuscleSpec`, checking the contract.

This runs in a child process (see ``_child.py``): importing a service runs its code, and a
broken or hostile service must not take the sentinel down with it.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import re
import sys
import traceback
from pathlib import Path
from typing import Any

import jsonschema
from mcp.server.mcpserver.tools import Tool
from pydantic import ValidationError

from core.contract import CAPABILITY_PATTERN, Muscle, ToolExample, injected_parameters, tool_options
from core.discovery import ServiceLocation
from core.errors import AtomsError
from core.serving.job_tools import JOB_TOOLS, SUBMIT_PREFIX
from core.serving.strict_arguments import make_strict
from core.spec import ErrorSpec, MuscleSpec, ParamSpec, ToolSpec
from sentinel.job_tools import job_tool_specs
from sentinel.problem import ServiceProblem

__all__ = ["ServiceProblem", "introspect_module"]

_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_TOOL_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_RESERVED_PARAMS = {"ctx", "self"}
_MCP_PY_GLOBALS = frozenset(
    {"main", "server", "runtime", "Context", "ToolAnnotations", "MuscleRuntime", "MuscleServer", "run_cli"}
)


def introspect_module(location: ServiceLocation) -> MuscleSpec:
    """Import ``location``'s service and build its spec, or raise :class:`ServiceProblem`."""
    source = location.service_path.read_bytes()
    rel = location.relative_path
    module = _import(location, rel)
    muscle_class = _the_muscle_class(module, rel)
    class_node = _class_node(ast.parse(source), muscle_class.__name__, rel)
    return _Builder(location, module, muscle_class, class_node, source).build()


def _import(location: ServiceLocation, rel: str) -> Any:
    root = str(location.root)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        return importlib.import_module(location.module)
    except SyntaxError as exc:
        raise ServiceProblem(rel, exc.lineno or 1, f"syntax error: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001 - any failure of user code becomes a located report
        line = 1
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == location.service_path.resolve():
                line = frame.lineno or 1
        raise ServiceProblem(rel, line, f"import failed: {type(exc).__name__}: {exc}") from None


def _the_muscle_class(module: Any, rel: str) -> type[Muscle]:
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Muscle) and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        names = ", ".join(sorted(c.__name__ for c in found)) or "none"
        raise ServiceProblem(rel, 1, f"expected exactly one Muscle subclass, found {names}")
    return found[0]


def _class_node(tree: ast.Module, name: str, rel: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise ServiceProblem(rel, 1, f"class {name} must be defined at module level")


def _utf8_slice(line: str, start: int, end: int | None) -> str:
    # ast column offsets count UTF-8 bytes, not characters.
    return line.encode()[start:end].decode()


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _first_party_modules(root: Path) -> tuple[str, ...]:
    """Files of the project's own modules this process has loaded (the service and everything it
    imported), relative to ``root``: generated files and the sentinel itself left out."""
    found = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        path = Path(file).resolve()
        if not path.is_relative_to(root) or path.name == "mcp.py":
            continue
        relative = path.relative_to(root)
        if relative.parts[0] in ("core", "muscles", "registry_sync", "gateway"):
            found.add(relative.as_posix())
    return tuple(sorted(found))


def _error_catalog() -> dict[str, str]:
    catalog: dict[str, str] = {}
    pending: list[type[AtomsError]] = [AtomsError]
    while pending:
        cls = pending.pop()
        catalog.setdefault(cls.code, cls.default_hint)
        pending.extend(cls.__subclasses__())
    return catalog


class _Builder:
    def __init__(
        self,
        location: ServiceLocation,
        module: Any,
        muscle_class: type[Muscle],
        class_node: ast.ClassDef,
        source: bytes,
    ) -> None:
        self.location = location
        self.module = module
        self.cls = muscle_class
        self.class_node = class_node
        self.source = source
        self.text = source.decode()
        self.lines = self.text.splitlines(keepends=True)
        self.rel = location.relative_path
        # module -> names mcp.py imports from it ("." + "service" for the service itself).
        self.imports: dict[str, set[str]] = {".service": {muscle_class.__name__}}
        self.catalog = _error_catalog()

    def fail(self, line: int, message: str) -> ServiceProblem:
        return ServiceProblem(self.rel, line, message)

    def build(self) -> MuscleSpec:
        cls, line = self.cls, self.class_node.lineno
        description = inspect.getdoc(cls)
        if not description or cls.__doc__ is None:
            raise self.fail(
                line, f"class {cls.__name__} needs a docstring: it becomes the muscle's description"
            )
        if not _SEMVER.fullmatch(cls.version):
            raise self.fail(line, f"version {cls.version!r} is not semantic (MAJOR.MINOR.PATCH)")
        for cap in cls.capabilities:
            if not CAPABILITY_PATTERN.fullmatch(cap):
                raise self.fail(line, f"capability {cap!r} must look like cap.<domain>.<verb>")
        nodes = self.tool_nodes()
        tools = [self.tool(node) for node in nodes]
        if not tools:
            raise self.fail(line, f"{cls.__name__} declares no @tool methods")
        tools += self.job_tools(tools, line)
        names = {t.name for t in tools}
        # mcp.py defines one function per tool beside its own globals and the imported names.
        taken = _MCP_PY_GLOBALS | {name for imported in self.imports.values() for name in imported}
        for node in nodes:
            if node.name in taken:
                raise self.fail(node.lineno, f"tool name {node.name!r} clashes with a name mcp.py needs")
        canvas_ids: set[str] = set()
        for canvas_tool in cls.canvas_tools:
            if canvas_tool.tool not in names:
                raise self.fail(
                    line, f"canvas tool {canvas_tool.id!r} is bound to unknown tool {canvas_tool.tool!r}"
                )
            if canvas_tool.id in canvas_ids:
                raise self.fail(line, f"canvas tool id {canvas_tool.id!r} is declared twice")
            canvas_ids.add(canvas_tool.id)
        spec = MuscleSpec(
            name=self.location.name,
            category=self.location.category,
            version=cls.version,
            description=description,
            class_name=cls.__name__,
            module=self.location.module,
            service_path=self.rel,
            source_sha256="",
            capabilities=tuple(cls.capabilities),
            canvas_tools=tuple(cls.canvas_tools),
            tools=tuple(tools),
            imports={module: tuple(sorted(names)) for module, names in sorted(self.imports.items())},
        )
        return spec.model_copy(
            update={
                "source_sha256": spec.content_sha256(),
                "dependencies": _first_party_modules(self.location.root),
            }
        )

    def job_tools(self, tools: list[ToolSpec], line: int) -> list[ToolSpec]:
        """The tools the runtime adds for job-backed tools (none when there are none)."""
        backed = [(spec, getattr(self.cls, spec.name)) for spec in tools if spec.job]
        if not backed:
            if self.cls.job_examples:
                raise self.fail(line, "job_examples are declared but no tool is @tool(job=True)")
            return []
        added = {f"{SUBMIT_PREFIX}{spec.name}" for spec, _ in backed} | set(JOB_TOOLS)
        for spec in tools:
            if spec.name in added:
                raise self.fail(line, f"tool name {spec.name!r} is the name of a job tool the runtime adds")
        unknown = set(self.cls.job_examples) - added
        if unknown:
            raise self.fail(line, f"job_examples for tools that do not exist: {sorted(unknown)}")
        self.imports.setdefault("core.jobs", set()).update({"JobPage", "JobStatus"})

        def check(name: str, examples: tuple[ToolExample, ...], sdk_tool: Tool) -> None:
            self.check_examples(name, line, examples, sdk_tool)

        return job_tool_specs(backed, self.cls.job_examples, lambda code: self.catalog.get(code, ""), check)

    def tool_nodes(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        nodes = []
        for node in self.class_node.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                method = getattr(self.cls, node.name, None)
                if method is not None and tool_options(method) is not None:
                    nodes.append(node)
        return nodes

    def segment(self, node: ast.expr) -> str:
        """The source text of ``node`` on one line, whatever the author's wrapping.

        Slices the pre-split lines (ast.get_source_segment re-splits the whole file per call).
        """
        assert node.end_lineno is not None and node.end_col_offset is not None
        first, last = node.lineno - 1, node.end_lineno - 1
        if first == last:
            text = _utf8_slice(self.lines[first], node.col_offset, node.end_col_offset)
        else:
            parts = [_utf8_slice(self.lines[first], node.col_offset, None)]
            parts += self.lines[first + 1 : last]
            parts.append(_utf8_slice(self.lines[last], 0, node.end_col_offset))
            text = "".join(parts)
        return " ".join(text.split())

    def tool(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ToolSpec:
        name, line = node.name, node.lineno
        method = getattr(self.cls, name)
        options = tool_options(method)
        assert options is not None
        if not _TOOL_NAME.fullmatch(name):
            raise self.fail(line, f"tool name {name!r} must be snake_case")
        description = inspect.getdoc(method)
        if not description:
            raise self.fail(line, f"tool {name} needs a docstring: it becomes the tool's description")
        args = node.args
        if args.vararg or args.kwarg or args.posonlyargs:
            raise self.fail(
                line, f"tool {name}: *args, **kwargs and positional-only parameters are not allowed"
            )
        if node.returns is None:
            raise self.fail(line, f"tool {name} needs a return annotation")
        try:
            injected = injected_parameters(method)
        except Exception as exc:  # noqa: BLE001 - any failure of user code becomes a located report
            raise self.fail(line, f"tool {name}: annotations do not resolve: {exc}") from None

        positional = args.args[1:]  # drop self
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(
            args.defaults
        )
        all_args = list(zip(positional, defaults, strict=True)) + list(
            zip(args.kwonlyargs, args.kw_defaults, strict=True)
        )
        params: list[ParamSpec] = []
        for arg, default in all_args:
            if arg.arg in _RESERVED_PARAMS:
                raise self.fail(arg.lineno, f"tool {name}: parameter name {arg.arg!r} is reserved")
            if arg.annotation is None:
                raise self.fail(arg.lineno, f"tool {name}: parameter {arg.arg!r} needs a type annotation")
            if arg.arg in injected:
                if default is not None:
                    raise self.fail(
                        arg.lineno, f"tool {name}: injected parameter {arg.arg!r} takes no default"
                    )
                continue
            for node_ in (arg.annotation, default):
                if node_ is not None:
                    self.need_names(node_, arg.lineno)
            params.append(
                ParamSpec(
                    name=arg.arg,
                    annotation=self.segment(arg.annotation),
                    default=None if default is None else self.segment(default),
                )
            )
        self.need_names(node.returns, line)
        sdk_tool = self.sdk_tool(name, line, method, injected, description)
        self.check_examples(name, line, options.examples, sdk_tool)
        errors = []
        for code in options.errors:
            if code not in self.catalog:
                raise self.fail(line, f"tool {name}: unknown error code {code!r} in errors=")
            errors.append(ErrorSpec(code=code, hint=self.catalog[code]))
        return ToolSpec(
            name=name,
            title=options.title or name.replace("_", " ").capitalize(),
            description=description,
            is_async=inspect.iscoroutinefunction(method),
            params=tuple(params),
            injected=dict(sorted(injected.items())),
            returns=self.segment(node.returns),
            input_schema=sdk_tool.parameters,
            output_schema=sdk_tool.output_schema,
            examples=options.examples,
            errors=tuple(errors),
            read_only=options.read_only,
            destructive=options.destructive,
            idempotent=options.idempotent,
            open_world=options.open_world,
            job=options.job,
        )

    def need_names(self, node: ast.AST, line: int) -> None:
        """Names an annotation or default uses must be importable from the service module."""
        for ident in _names_in(node):
            if hasattr(builtins, ident):
                continue
            if not hasattr(self.module, ident):
                raise self.fail(line, f"{ident!r} is used in a tool signature but not defined in service.py")
            self.imports.setdefault(self.origin(ident), set()).add(ident)

    def origin(self, ident: str) -> str:
        """Import a name from where it is defined (typing.Literal, core.media.MediaRef) when
        that module exposes the very same object; otherwise from the service module."""
        obj = getattr(self.module, ident)
        home = getattr(obj, "__module__", None)
        if isinstance(home, str) and home != self.module.__name__:
            home_module = sys.modules.get(home)
            if (
                home_module is not None
                and getattr(home_module, ident, None) is obj
                and not home.startswith("_")
            ):
                return home
        return ".service"

    def sdk_tool(self, name: str, line: int, method: Any, injected: dict[str, str], description: str) -> Tool:
        """Let the SDK derive the schemas from the same signature mcp.py will have."""
        signature = inspect.signature(method, eval_str=True)
        params = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for p in list(signature.parameters.values())[1:]
            if p.name not in injected
        ]

        async def stand_in(**kwargs: Any) -> Any:  # never called
            raise NotImplementedError

        stand_in.__name__ = name
        stand_in.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        try:
            # The same strict argument model the server installs: the schema says so too.
            return make_strict(Tool.from_function(stand_in, name=name, description=description))
        except Exception as exc:  # noqa: BLE001 - any failure of user code becomes a located report
            raise self.fail(line, f"tool {name}: the MCP SDK cannot build a schema: {exc}") from None

    def check_examples(self, name: str, line: int, examples: tuple[Any, ...], sdk_tool: Tool) -> None:
        schema = sdk_tool.output_schema
        # One validator per schema: jsonschema.validate() re-checks the meta-schema every call.
        validator = jsonschema.Draft202012Validator(schema) if schema is not None and examples else None
        for example in examples:
            try:
                sdk_tool.fn_metadata.arg_model.model_validate(example.request)
            except ValidationError as exc:
                raise self.fail(
                    line, f"tool {name}: example {example.title!r} request is invalid: {exc}"
                ) from None
            if validator is not None:
                response = example.response
                if sdk_tool.fn_metadata.wrap_output:
                    response = {"result": response}
                try:
                    validator.validate(response)
                except jsonschema.ValidationError as exc:
                    raise self.fail(
                        line,
                        f"tool {name}: example {example.title!r} response breaks the output schema: {exc.message}",
                    ) from None
