"""O que as medições (bench_41, bench_42, bench) partilham: o formato das linhas e da tabela."""

from __future__ import annotations

Linha = tuple[str, str, str, str]  # (métrica, valor medido, alvo, "✅"/"❌")


def num(v: float, casas: int = 2) -> str:
    """Número com vírgula decimal (pt-PT)."""
    return f"{v:.{casas}f}".replace(".", ",")


def estado(ok: bool) -> str:
    return "✅" if ok else "❌"


def tabela_markdown(linhas: list[Linha]) -> str:
    cabecalho = "| métrica | valor medido | alvo | |\n| --- | --- | --- | --- |\n"
    return cabecalho + "\n".join(f"| {m} | {v} | {a} | {e} |" for m, v, a, e in linhas)
