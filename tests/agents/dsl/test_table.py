"""The README's table of DSL primitives is the registry's."""

from __future__ import annotations

from pathlib import Path

from soar.agents.dsl.primitives import PRIMITIVES
from soar.agents.dsl.table import BEGIN, END, primitives_table, with_table

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_table_is_the_registrys() -> None:
    text = README.read_text()
    assert with_table(text) == text, (
        "the README's primitives table is out of date: run "
        "python -m soar.agents.dsl.table --write README.md"
    )


def test_the_table_has_one_row_per_primitive_in_registry_order() -> None:
    rows = primitives_table().splitlines()[2:]
    assert len(rows) == len(PRIMITIVES)
    names = [row.split("`")[1].split("(")[0] for row in rows]
    assert names == list(PRIMITIVES)


def test_with_table_replaces_only_between_the_markers() -> None:
    text = f"before\n{BEGIN}\nold rows\n{END}\nafter\n"
    new = with_table(text)
    assert new.startswith(f"before\n{BEGIN}\n| group |") and new.endswith(f"{END}\nafter\n")
    assert "old rows" not in new and with_table(new) == new


def test_doctests() -> None:
    import doctest

    import soar.agents.dsl.table as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
