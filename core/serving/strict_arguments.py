"""Tools refuse arguments they do not know.

The SDK builds each tool's argument model from its signature and ignores keys it does not
know, so an agent's typo (``prefx`` for ``prefix``) silently returns unfiltered results. Here
the model forbids extra keys (and the input schema says ``additionalProperties: false``); the
error boundary reports the unknown key beside the known ones.
"""

from __future__ import annotations

from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase
from pydantic import ConfigDict

__all__ = ["make_strict"]


def make_strict(tool: Tool) -> Tool:
    """``tool`` with an argument model and input schema that refuse unknown keys (in place)."""
    loose = tool.fn_metadata.arg_model
    if loose.model_config.get("extra") == "forbid":
        return tool
    strict: type[ArgModelBase] = type(
        loose.__name__,
        (loose,),
        {
            "model_config": ConfigDict(extra="forbid", arbitrary_types_allowed=True),
            "__module__": loose.__module__,
        },
    )
    tool.fn_metadata.arg_model = strict
    # The same schema as strict.model_json_schema() (nested models are unchanged), without
    # generating it again: for a big model such as a timeline that is a tenth of a second.
    tool.parameters = {**tool.parameters, "additionalProperties": False}
    return tool
