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

ALVO_CADERNO_S = 30  # segundos por caderno, com as soluções, num kernel novo (issue #14)
ALVO_CURSO_S = 240  # o curso inteiro (issue #14)


def medir_cadernos() -> list[Linha]:
    """Executa cada caderno como o aluno o corre com as respostas certas (o release com as
    respostas de referência, sem os testes ocultos, que só correm no juiz) num kernel novo e mede
    o tempo. Uma célula com erro invalida a medida (o Run All passa por cima das células de teste,
    etiqueta ``raises-exception``, e o tempo de um caderno que falhou a meio seria falso)."""
    from nbclient import NotebookClient

    from autograder import construir
    from bench.bench_memoria_kernel import caderno_de_referencia

    linhas = []
    with tempfile.TemporaryDirectory() as tmp:
        raiz = Path(tmp)
        for tarefa in construir.construir(raiz):
            nb = caderno_de_referencia(raiz, tarefa)
            pasta = raiz / "release" / tarefa
            inicio = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(pasta)}}).execute()
            segundos = time.perf_counter() - inicio
            erros = [f"{o.get('ename')}: {o.get('evalue', '')[:80]}" for c in nb.cells if c.cell_type == "code"
                     for o in c.get("outputs", []) if o.get("output_type") == "error"]
            if erros:
                print(f"  {tarefa}: {len(erros)} célula(s) com erro — a medida não vale: {erros[0]}", flush=True)
            linhas.append((f"caderno {tarefa}: execução completa", f"{num(segundos, 1)} s",
                           f"≤ {ALVO_CADERNO_S} s" + (f" (ERRO em {len(erros)} célula(s))" if erros else ""),
                           estado(segundos <= ALVO_CADERNO_S and not erros)))
            print(f"  {tarefa}: {segundos:.1f} s", flush=True)
    total = sum(float(v.split()[0].replace(",", ".")) for _, v, _, _ in linhas)
    linhas.append(("curso inteiro: soma dos cadernos", f"{num(total, 1)} s", f"≤ {ALVO_CURSO_S} s",
                   estado(total <= ALVO_CURSO_S)))
    return linhas


def partes_do_manifesto() -> list[tuple[str, object]]:
    """As medições declaradas no manifesto (``bench`` de cada caderno), pela ordem dos cadernos,
    cada uma uma vez, com o título da secção dos cadernos que a usam."""
    import importlib

    from otimizacao import manifesto

    partes: dict[str, list[str]] = {}
    for caderno in manifesto.CADERNOS:
        for entrada in caderno.bench:
            partes.setdefault(entrada, []).append(caderno.seccao.split()[0])
    resultado = []
    for entrada, seccoes in partes.items():
        modulo, funcao = entrada.split(":")
        titulo = f"Secção {'/'.join(dict.fromkeys(seccoes))} — {entrada}"
        resultado.append((titulo, getattr(importlib.import_module(modulo), funcao)))
    return resultado


def main() -> int:
    from otimizacao import ambiente

    ambiente.preparar_tensorflow()  # o mesmo filtro das mensagens internas que os cadernos usam
    partes = [*partes_do_manifesto(), ("Cadernos", medir_cadernos)]
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
