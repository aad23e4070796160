"""O nbgrader de ponta a ponta (DESIGN.md, invariantes 2, 3, 4 e 6) e ``make avaliar``.

Todos os cadernos são avaliados com a turma de demonstração: referencia (o source),
so_esqueletos (course/ por tocar) e meio_certo.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import avaliar, construir
from autograder.construir import nbgrader_meta

pytestmark = pytest.mark.lento

RAIZ = Path(__file__).resolve().parents[1]
TAREFAS = [p.stem for p in construir.cadernos()]


def _correr_avaliar(raiz: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    cmd = [sys.executable, "-m", "autograder.avaliar", "--raiz", str(raiz), *args]
    proc = subprocess.run(cmd, cwd=RAIZ, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """tarefa -> (raiz, saída de `autograder.avaliar`): a turma de demonstração de todos os
    cadernos, numa só avaliação (as entregas correm duas a duas, em paralelo)."""
    raiz = tmp_path_factory.mktemp("avaliacao")
    saida = _correr_avaliar(raiz, "--workers", "2").stdout
    return {tarefa: (raiz, saida) for tarefa in TAREFAS}


def _celulas_autoavaliadas(raiz: Path, tarefa: str) -> set[str]:
    nb = nbformat.read(raiz / "source" / tarefa / f"{tarefa}.ipynb", as_version=4)
    return {nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("grade") and c.cell_type == "code"}


def _pontos(raiz: Path, tarefa: str) -> dict[str, dict[str, tuple]]:
    por_aluno: dict[str, dict[str, tuple]] = {}
    for n in avaliar.notas(raiz, [tarefa]):
        por_aluno.setdefault(n.aluno, {})[n.celula] = (n.pontos, n.maximo)
    return por_aluno


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_referencia_tem_tudo_esqueletos_zero_meio_certo_no_meio(demo, tarefa):
    """Invariante 2 e o critério de `make avaliar` do issue #2."""
    raiz, saida = demo[tarefa]
    auto = _celulas_autoavaliadas(raiz, tarefa)
    pontos = _pontos(raiz, tarefa)
    assert set(pontos) == {"referencia", "so_esqueletos", "meio_certo"}
    for celula in auto:
        p, m = pontos["referencia"][celula]
        assert p == m, f"referencia perdeu pontos em {celula}: {p}/{m}"
        assert pontos["so_esqueletos"][celula][0] == 0, f"so_esqueletos ganhou pontos em {celula}"
    total_meio = sum(pontos["meio_certo"][c][0] for c in auto)
    total_max = sum(pontos["referencia"][c][1] for c in auto)
    # meio_certo erra parte dos exercícios: perde pontos; e, onde há mais do que uma célula
    # avaliada, fica com alguns (05 tem uma só célula de 6 pontos: aí só pode ter 0 ou tudo).
    assert total_meio < total_max, f"meio_certo teve {total_meio}/{total_max}"
    if len(auto) > 1:
        assert total_meio > 0, f"meio_certo teve {total_meio}/{total_max}"
    assert "100 %" in saida and "so_esqueletos" in saida and "Tarefa " + tarefa in saida


def _erros(caderno: Path) -> list[str]:
    nb = json.loads(caderno.read_text(encoding="utf-8"))
    return [
        o["ename"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_cadernos_correm_do_principio_ao_fim(demo, tarefa):
    """Invariante 3: a solução corre sem erros; o caderno do aluno só falha nos esqueletos."""
    raiz, _ = demo[tarefa]
    autograded = raiz / "autograded"
    assert _erros(autograded / "referencia" / tarefa / f"{tarefa}.ipynb") == []
    erros_aluno = _erros(autograded / "so_esqueletos" / tarefa / f"{tarefa}.ipynb")
    assert erros_aluno and set(erros_aluno) == {"NotImplementedError"}, erros_aluno


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_csv_e_feedback_em_pt_pt_sem_testes_ocultos(demo, tarefa):
    raiz, _ = demo[tarefa]
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        linhas = [linha for linha in csv.DictReader(f) if linha["assignment"] == tarefa]
    assert {linha["student_id"] for linha in linhas} == {"referencia", "so_esqueletos", "meio_certo"}
    assert (raiz / "notas_por_exercicio.csv").exists()
    for aluno in ("referencia", "so_esqueletos", "meio_certo"):
        html = (raiz / "feedback" / aluno / tarefa / f"{tarefa}.html").read_text(encoding="utf-8")
        assert 'lang="pt-PT"' in html and "pontos" in html
        assert "HIDDEN TESTS" not in html
        if aluno != "referencia":  # a referência é o próprio source: as marcas são dela
            assert "BEGIN SOLUTION" not in html
        assert "Traceback (most recent call last)" not in html


def test_submissoes_reais_deterministicas_e_sem_acesso_a_solutions(demo, tmp_path):
    """Invariantes 4 e 6 com `--submissoes`: a mesma entrega tem a mesma nota duas vezes, e
    um aluno que tenta importar `solutions` não o consegue."""
    tarefa = TAREFAS[0]
    raiz_demo, _ = demo[tarefa]
    entregas = tmp_path / "entregas"
    shutil.copytree(raiz_demo / "turma_demo" / "meio_certo", entregas / "meio_certo")
    batoteiro = entregas / "batoteiro" / tarefa
    batoteiro.mkdir(parents=True)
    nb = nbformat.read(construir.COURSE / f"{tarefa}.ipynb", as_version=4)
    for celula in nb.cells:
        if nbgrader_meta(celula).get("solution") and celula.cell_type == "code":
            celula.source = "from solutions import *  # tenta usar a referência"
    nbformat.write(nb, batoteiro / f"{tarefa}.ipynb")

    notas = []
    for vez in (1, 2):
        raiz = tmp_path / f"raiz{vez}"
        _correr_avaliar(raiz, "--tarefas", tarefa, "--submissoes", str(entregas), "--workers", "2")
        notas.append({(n.aluno, n.celula): n.pontos for n in avaliar.notas(raiz, [tarefa])})
        caderno = raiz / "autograded" / "batoteiro" / tarefa / f"{tarefa}.ipynb"
        assert "ModuleNotFoundError" in _erros(caderno)
    assert notas[0] == notas[1]
    assert all(p == 0 for (aluno, _), p in notas[0].items() if aluno == "batoteiro")
    assert sum(p for (aluno, _), p in notas[0].items() if aluno == "meio_certo") > 0


def test_submissoes_inexistentes_dao_mensagem_clara(tmp_path):
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "autograder.avaliar", "--raiz", str(tmp_path / "r"),
           "--tarefas", TAREFAS[0], "--submissoes", str(tmp_path / "nao_existe")]
    proc = subprocess.run(cmd, cwd=RAIZ, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "não existe" in (proc.stdout + proc.stderr)
