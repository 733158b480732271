"""Board reference data outside migrations (tests that flush tables, the demo)."""

from ecommerce.board_data import boards_write
from ecommerce.models import Board, Category


def boards_ensure() -> None:
    """The five boards and their category trees exist (idempotent)."""
    boards_write(Board, Category)
