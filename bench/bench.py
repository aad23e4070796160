"""``make bench``: mede as técnicas do curso e o tempo de execução de cada caderno.

Num só processo: secção 4.1 (``bench_41``), secção 4.2 (``bench_42``) e, para cada caderno,
o tempo que a versão com as soluções demora a correr do princípio ao fim (nbclient, kernel
novo, como o nbgrader o corre). Imprime uma tabela em markdown e guarda-a em
``bench/resultados.md``. Não é um teste: os alvos aparecem ao lado dos valores medidos.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

from bench.comum import Linha, estado, num, tabela_markdown

ALVO_CADERNO_S = 90  # segundos por caderno (issues #3 e #4)


def medir_cadernos() -> list[Linha]:
    """Executa a versão com as soluções de cada caderno num kernel novo e mede o tempo."""
    import nbformat
    from nbclient import NotebookClient

    from autograder import construir

    linhas = []
    with tempfile.TemporaryDirectory() as tmp:
        raiz = Path(tmp)
        for tarefa in construir.construir(raiz, release=False):
            caminho = raiz / "source" / tarefa / f"{tarefa}.ipynb"
            nb = nbformat.read(caminho, as_version=4)
            inicio = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(caminho.parent)}}).execute()
            segundos = time.perf_counter() - inicio
            linhas.append((f"caderno {tarefa}: execução completa", f"{num(segundos, 1)} s",
                           f"≤ {ALVO_CADERNO_S} s", estado(segundos <= ALVO_CADERNO_S)))
            print(f"  {tarefa}: {segundos:.1f} s", flush=True)
    return linhas


def main() -> int:
    from bench.bench_41 import medir_41
    from bench.bench_42 import medir_42

    partes = [("Secção 4.1 — quantização", medir_41), ("Secção 4.2 — poda e destilação", medir_42),
              ("Cadernos", medir_cadernos)]
    texto = [f"# Medições ({platform.system()} {platform.machine()}, Python {platform.python_version()})", ""]
    for titulo, medir in partes:
        print(f"» {titulo}…", flush=True)
        texto += [f"## {titulo}", "", tabela_markdown(medir()), ""]
    saida = Path(__file__).with_name("resultados.md")
    saida.write_text("\n".join(texto), encoding="utf-8")
    print("\n".join(texto))
    print(f"Guardado em {saida}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
