"""``make bench-avaliacao``: quanto custa avaliar uma turma (issue #5).

Mede, numa raiz temporária (não mexe em ``autograder/``):

1. uma turma de ``--alunos`` alunos (por omissão 20: os três alunos de demonstração —
   ``referencia``, ``meio_certo``, ``so_esqueletos`` — repetidos à vez) sobre ``--tarefas``
   (por omissão todos os cadernos), avaliada em série (1 de cada vez) e em paralelo
   (``--workers``, por omissão os núcleos), sempre do zero (``refazer``); primeiro em paralelo;
2. a mesma turma como tarefas do Dask (``--motor``, por omissão um ``LocalCluster`` com
   ``--workers`` processos; issue 15), com o tempo e a confirmação de que as notas são iguais;
3. a sobrecarga do motor por caderno: um ``nbgrader autograde`` simples de um caderno com uma
   célula vazia contra o motor (raiz própria, limites, isolamento) no mesmo caderno, mediana de
   ``--repeticoes``.

Imprime uma tabela em markdown e guarda-a em ``bench/resultados_avaliacao.md``. Não é um teste.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder import (
    avaliar,
    comum,
    construir,
    distribuido,
    entrega,
    paralelo,
    processos,
    turma_demo,
)
from bench.comum import num

TIPOS = ("referencia", "meio_certo", "so_esqueletos")


def turma(raiz: Path, tarefas: list[str], n_alunos: int) -> Path:
    """``raiz/turma/aluno01…`` com cópias das entregas de demonstração, à vez."""
    demo = turma_demo.criar_turma_demo(raiz, tarefas, raiz / "demo")
    destino = raiz / "turma"
    for i in range(n_alunos):
        shutil.copytree(demo / TIPOS[i % len(TIPOS)], destino / f"aluno{i + 1:02d}")
    return destino


def cronometrar_turma(raiz: Path, submissoes: Path, tarefas: list[str], workers: int,
                      motor_dask: str | None = None) -> tuple[float, list]:
    """Avalia a turma do zero (``refazer``): com as threads locais de sempre ou, com
    ``motor_dask`` (``local`` ou ``tcp://…``), como tarefas do Dask (``autograder/distribuido.py``)."""
    lista = avaliar.entregas_a_avaliar(submissoes, tarefas)
    inicio = time.perf_counter()
    if motor_dask:
        resultados = distribuido.avaliar_todas(raiz, lista, motor_dask, workers, processos.Limites(), refazer=True)
    else:
        resultados = paralelo.avaliar_todas(raiz, lista, workers, processos.Limites(), refazer=True)
    return time.perf_counter() - inicio, resultados


def notas_de(resultados: list) -> dict:
    return {(r.aluno, r.tarefa): r.notas for r in resultados}


def caderno_vazio(raiz: Path) -> None:
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    celula = new_code_cell("")
    celula.metadata = {"nbgrader": {"grade": False, "solution": True, "locked": False, "grade_id": "vazia",
                                    "schema_version": 3, "task": False}}
    nb.cells = [celula]
    (raiz / "source" / "vazio").mkdir(parents=True)
    nbformat.write(nb, raiz / "source" / "vazio" / "vazio.ipynb")


def sobrecarga(raiz: Path, repeticoes: int) -> tuple[float, float]:
    """(mediana do nbgrader simples, mediana do motor) num caderno de uma célula vazia, em s."""
    raiz.mkdir(parents=True)
    comum.copiar_configuracao(raiz)
    caderno_vazio(raiz)
    comum.nbgrader("generate_assignment", "vazio", "--force", raiz=raiz)
    pasta = raiz / "entregas" / "aluno" / "vazio"
    pasta.mkdir(parents=True)
    shutil.copy(raiz / "release" / "vazio" / "vazio.ipynb", pasta / "vazio.ipynb")
    # nbgrader simples: o caderno em submitted/ e um «nbgrader autograde» na raiz.
    (raiz / "submitted" / "aluno").mkdir(parents=True)
    shutil.copytree(pasta, raiz / "submitted" / "aluno" / "vazio")
    simples, do_motor = [], []
    for _ in range(repeticoes + 1):  # a primeira volta aquece as caches do disco e não conta
        inicio = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "vazio", "--student=aluno", "--force",
                        f"--CourseDirectory.root={raiz}"], cwd=raiz, env=comum.ambiente_nbgrader(),
                       capture_output=True, check=True)
        simples.append(time.perf_counter() - inicio)
        inicio = time.perf_counter()
        r = entrega.avaliar_entrega(raiz, "vazio", "aluno", pasta, processos.Limites(), refazer=True)
        do_motor.append(time.perf_counter() - inicio)
        assert r.avaliado, r.motivos
    return statistics.median(simples[1:]), statistics.median(do_motor[1:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alunos", type=int, default=20)
    ap.add_argument("--tarefas", nargs="*", help="por omissão, todos os cadernos")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeticoes", type=int, default=3)
    ap.add_argument("--sem-serie", action="store_true", help="só a avaliação em paralelo")
    ap.add_argument("--motor", default="local",
                    help="o Dask a comparar com as threads locais: local (LocalCluster de --workers processos) "
                         "ou tcp://servidor:8786; «nenhum» para não comparar")
    ap.add_argument("--so-sobrecarga", action="store_true", help="só a sobrecarga do motor (sem turma)")
    args = ap.parse_args(argv)

    carga = os.getloadavg()[0]
    cabecalho = (f"# Avaliação de uma turma\n\n{platform.platform()}, {os.cpu_count()} núcleos, "
                 f"carga média no início {num(carga, 1)}\n\n| medição | valor |\n| --- | --- |\n")
    destino = Path(__file__).parent / "resultados_avaliacao.md"
    linhas: list[str] = []

    def anotar(linha: str) -> None:  # cada medição fica guardada logo que existe (a turma demora)
        linhas.append(linha)
        print(linha, flush=True)
        destino.write_text(cabecalho + "\n".join(linhas) + "\n", encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="bench_avaliacao_") as tmp:
        raiz = Path(tmp) / "curso"
        raiz.mkdir()
        base, motor_s = sobrecarga(Path(tmp) / "vazio", args.repeticoes)
        anotar(f"| caderno de uma célula vazia: `nbgrader autograde` simples | {num(base, 1)} s "
               f"(mediana de {args.repeticoes}) |")
        anotar(f"| o mesmo pelo motor (raiz própria, limites, isolamento={processos.isolamento()}) | "
               f"{num(motor_s, 1)} s → sobrecarga {num(motor_s - base, 1)} s por caderno |")
        if args.so_sobrecarga:
            return 0
        tarefas = construir.construir(raiz, so=args.tarefas or None)
        submissoes = turma(raiz, tarefas, args.alunos)
        n = args.alunos * len(tarefas)
        # Primeiro em paralelo (mais curto): se a série for interrompida, o paralelo já ficou.
        # Depois a mesma turma no Dask (issue 15): o tempo e se as notas são as mesmas.
        corridas = [(args.workers, None)] + ([] if args.motor == "nenhum" else [(args.workers, args.motor)])
        corridas += [] if args.sem_serie else [(1, None)]
        notas_locais = None
        for workers, motor_dask in corridas:
            segundos, resultados = cronometrar_turma(raiz, submissoes, tarefas, workers, motor_dask)
            avaliados = sum(r.avaliado for r in resultados)
            como = f"Dask ({motor_dask}), {workers} worker(s)" if motor_dask else f"{workers} de cada vez"
            extra = ""
            if motor_dask:
                iguais = notas_de(resultados) == notas_locais
                extra = "; notas iguais às locais" if iguais else "; ⚠️ NOTAS DIFERENTES das locais"
            elif notas_locais is None:
                notas_locais = notas_de(resultados)
            anotar(f"| turma: {args.alunos} alunos × {len(tarefas)} caderno(s) = {n} entregas, "
                   f"{como} | {num(segundos / 60, 1)} min ({num(segundos / n, 1)} s por "
                   f"entrega; {avaliados}/{n} avaliadas{extra}) |")
            if workers == 1:
                por_tarefa: dict[str, list[float]] = {}
                for r in resultados:
                    por_tarefa.setdefault(r.tarefa, []).append(r.segundos)
                for tarefa, tempos in por_tarefa.items():
                    anotar(f"| {tarefa}, em série: mediana por entrega | {num(statistics.median(tempos), 1)} s |")
    print(f"\nGuardado em {destino}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
