"""The smallest muscle the contract allows."""

from core.contract import Muscle, tool


class Echo(Muscle):
    """Echoes text back. Use it to check that a client reaches the server."""

    version = "0.1.0"

    @tool
    def echo(self, text: str, times: int = 1) -> list[str]:
        """Return `text` repeated `times` times."""
        return [text] * times
