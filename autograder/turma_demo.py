"""A turma de demonstração do ``make avaliar`` (referencia, so_esqueletos, meio_certo) e as
respostas de referência de um source (também usadas pelos testes e pelos bancos de ensaio).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from autograder import construir
from autograder.comum import COURSE, FIM_SOLUCAO, INICIO_SOLUCAO, PROFESSOR, nbgrader_meta

DEMO = PROFESSOR / "turma_demo"


def sem_marcas(fonte: str) -> str:
    """O código de referência de uma célula source, sem as linhas BEGIN/END SOLUTION."""
    return "\n".join(
        linha for linha in fonte.split("\n") if linha.strip() not in (INICIO_SOLUCAO, FIM_SOLUCAO)
    )


def respostas_referencia(source: Path) -> dict[str, str]:
    """grade_id → código de referência de cada célula de solução do caderno source."""
    nb = nbformat.read(source, as_version=4)
    return {
        nbgrader_meta(c)["grade_id"]: sem_marcas(c.source)
        for c in nb.cells
        if nbgrader_meta(c).get("solution")
    }


def caderno_com_respostas(base: Path, respostas: dict[str, str]):
    """Uma cópia do caderno ``base`` com as células de solução trocadas por ``respostas``."""
    nb = nbformat.read(base, as_version=4)
    for celula in nb.cells:
        gid = nbgrader_meta(celula).get("grade_id")
        if nbgrader_meta(celula).get("solution") and gid in respostas:
            celula.source = respostas[gid].strip("\n")
    return nb


def criar_turma_demo(raiz: Path, tarefas: list[str], destino: Path = DEMO) -> Path:
    """Escreve ``destino/<aluno>/<tarefa>/<tarefa>.ipynb`` para os três alunos de demonstração."""
    if destino.exists():
        shutil.rmtree(destino)
    for tarefa in tarefas:
        source = raiz / "source" / tarefa / f"{tarefa}.ipynb"
        referencia = respostas_referencia(source)
        meio = dict(referencia)
        var = construir.variantes(tarefa)
        if var is not None:
            for gid, erro in getattr(var, "MEIO_CERTO", {}).items():
                meio[gid] = var.ERRADAS[erro][1]
        alunos = {
            "referencia": nbformat.read(source, as_version=4),
            "so_esqueletos": nbformat.read(COURSE / f"{tarefa}.ipynb", as_version=4),
            "meio_certo": caderno_com_respostas(COURSE / f"{tarefa}.ipynb", meio),
        }
        for aluno, nb in alunos.items():
            pasta = destino / aluno / tarefa
            pasta.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, pasta / f"{tarefa}.ipynb")
    return destino
