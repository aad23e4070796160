"""Avaliar turmas grandes (issue 15): o gradebook num PostgreSQL a sério e as entregas como
tarefas de um Dask distributed a sério (escalonador e dois workers no loopback), com um worker
morto a meio.

Para caber no tempo do CI, a mesma turma pequena (a de demonstração do caderno 00, o mais
rápido: três entregas) serve as duas coisas: uma avaliação local com o gradebook no PostgreSQL
é a referência com que se compara a avaliação distribuída.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import gradebook
from tests import servidores_escala as srv

pytestmark = pytest.mark.lento

RAIZ = Path(__file__).resolve().parents[2]
TAREFA = "00_numeros_e_memoria"
CELULA = "teste_memoria_modelo"  # uma célula avaliada do 00 onde o professor põe uma nota à mão
RESPOSTA = "memoria_modelo"  # a célula de resposta que ela testa (onde fica o comentário)


def _ambiente(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("CURSO4_GRADEBOOK_URL", None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")  # o alembic do nbgrader
    env.update(extra)
    return env


def _avaliar(raiz: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "autograder.avaliar", "--raiz", str(raiz), "--tarefas", TAREFA,
           "--workers", "2", *args]
    return subprocess.Popen(cmd, cwd=RAIZ, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _acabar(proc: subprocess.Popen, segundos: float = 900) -> str:
    saida, _ = proc.communicate(timeout=segundos)
    assert proc.returncode == 0, saida[-4000:]
    return saida


def _notas(raiz: Path, url: str | None = None) -> dict[tuple[str, str], float | None]:
    anterior = os.environ.get("CURSO4_GRADEBOOK_URL")
    if url:
        os.environ["CURSO4_GRADEBOOK_URL"] = url
    try:
        return {(n.aluno, n.celula): n.pontos for n in gradebook.notas(raiz, [TAREFA])}
    finally:
        os.environ.pop("CURSO4_GRADEBOOK_URL", None)
        if anterior is not None:
            os.environ["CURSO4_GRADEBOOK_URL"] = anterior


SEM_POSTGRES = ("Não encontrei o PostgreSQL (initdb, pg_ctl): instala-o com «sudo apt-get install postgresql» "
                "(o .ci/run fá-lo sozinho, como root) e corre o teste de novo.")


@pytest.fixture(scope="module")
def postgres():
    """O URL de um PostgreSQL arrancado aqui, ou None se não houver PostgreSQL na máquina."""
    if srv.binarios_postgres() is None:
        yield None
        return
    with srv.postgres() as url:
        yield url


@pytest.fixture(scope="module")
def com_postgres(postgres):
    """Salta (antes de avaliar a turma) os testes que precisam do PostgreSQL, se não houver."""
    if postgres is None:
        pytest.skip(SEM_POSTGRES)


@pytest.fixture(scope="module")
def local(tmp_path_factory, postgres):
    """A turma de demonstração do 00 avaliada localmente (o conjunto de threads de sempre), com
    o gradebook principal no PostgreSQL (no SQLite, sem PostgreSQL: o teste do Dask não depende
    dele): (raiz, url ou None, notas)."""
    raiz = tmp_path_factory.mktemp("local_pg")
    _acabar(_avaliar(raiz, env=_ambiente(**({"CURSO4_GRADEBOOK_URL": postgres} if postgres else {}))))
    return raiz, postgres, _notas(raiz, postgres)


def test_gradebook_postgresql_guarda_notas_a_mao(com_postgres, local):
    """As notas ficam no PostgreSQL (não no SQLite da raiz, que é só o modelo de cada entrega)
    e uma nota dada à mão, como no formgrader, sobrevive a uma nova avaliação (REFAZER=1)."""
    from nbgrader.api import Gradebook, MissingEntry

    raiz, url, notas = local
    assert {a for a, _ in notas} == {"referencia", "so_esqueletos", "meio_certo"}
    assert notas[("so_esqueletos", CELULA)] == 0 and notas[("referencia", CELULA)] > 0
    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:  # o modelo: sem entregas
        with pytest.raises(MissingEntry):
            gb.find_submission(TAREFA, "referencia")

    with Gradebook(url) as gb:  # o professor, no formgrader
        nota = gb.find_grade(CELULA, TAREFA, TAREFA, "so_esqueletos")
        nota.manual_score = 1.0
        gb.find_comment(RESPOSTA, TAREFA, TAREFA, "so_esqueletos").manual_comment = "Quase: revê as unidades."
        gb.db.commit()

    # Avaliar de novo (REFAZER=1) a entrega com a nota à mão; só ela, para poupar tempo ao CI.
    turma = raiz.parent / "turma_refazer"
    shutil.copytree(raiz / "turma_demo" / "so_esqueletos", turma / "so_esqueletos")
    _acabar(_avaliar(raiz, "--refazer", "--submissoes", str(turma), env=_ambiente(CURSO4_GRADEBOOK_URL=url)))
    with Gradebook(url) as gb:
        nota = gb.find_grade(CELULA, TAREFA, TAREFA, "so_esqueletos")
        assert nota.manual_score == 1.0 and nota.auto_score == 0
        assert gb.find_comment(RESPOSTA, TAREFA, TAREFA, "so_esqueletos").manual_comment == "Quase: revê as unidades."
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        grades = {linha["student_id"]: float(linha["score"]) for linha in csv.DictReader(f)}
    assert grades["so_esqueletos"] == 1.0  # a nota à mão conta no grades.csv
    assert "Quase: revê as unidades." in (raiz / "feedback" / "so_esqueletos" / TAREFA / f"{TAREFA}.html").read_text(
        encoding="utf-8")


def test_gradebook_inacessivel_para_logo_com_mensagem_clara(tmp_path):
    """Um URL errado (ninguém a ouvir na porta) para antes de avaliar, em pt-PT, sem mostrar a
    palavra-passe do URL."""
    url = f"postgresql://curso:segredo123@127.0.0.1:{srv.porta_livre()}/curso"
    proc = _avaliar(tmp_path / "raiz", env=_ambiente(CURSO4_GRADEBOOK_URL=url))
    saida, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, saida[-2000:]
    assert "Não consegui ligar ao gradebook" in saida and "GRADEBOOK=" in saida
    assert "segredo123" not in saida
    assert not (tmp_path / "raiz" / "source").exists()  # nada foi construído nem avaliado


def test_dask_worker_morto_a_meio_nao_perde_nem_duplica(local, tmp_path):
    """Um escalonador e dois workers do Dask a sério; a avaliação manda-lhes as três entregas e,
    quando os dois estão ocupados, um worker morre (com tudo o que lançou). O outro avalia o que
    ficou: cada entrega é registada uma só vez e as notas são as da avaliação local."""
    from distributed import Client

    _, _, notas_locais = local
    raiz = tmp_path / "raiz"
    env = _ambiente(PYTHONPATH=str(RAIZ))  # os workers importam autograder/ do projeto
    with srv.dask(2, tmp_path, env) as (endereco, workers):
        with Client(endereco, timeout="60s") as cliente:
            cliente.wait_for_workers(2, timeout=120)
            proc = _avaliar(raiz, "--motor", endereco, env=_ambiente())
            # Espera até os dois workers estarem a avaliar uma entrega cada (o build e a cache
            # do modelo vêm antes; 600 s chegam numa máquina de 2 núcleos carregada).
            fim = time.monotonic() + 600
            ocupados = {}
            while time.monotonic() < fim and proc.poll() is None:
                a_correr = {w: ts for w, ts in cliente.processing().items()
                            if any(str(t).startswith("avaliar-") for t in ts)}
                if len(a_correr) == 2:
                    ocupados = a_correr
                    break
                time.sleep(0.5)
            assert len(ocupados) == 2, "os dois workers nunca estiveram ocupados ao mesmo tempo"
            vitima = workers[0]
            srv.matar_arvore(vitima.pid)
            saida = _acabar(proc)
            assert len(cliente.scheduler_info()["workers"]) == 1  # o outro continuou sozinho

    linhas = [linha.strip() for linha in saida.splitlines() if f" · {TAREFA}:" in linha]
    alunos = [linha.split(" · ")[0] for linha in linhas]
    assert sorted(alunos) == ["meio_certo", "referencia", "so_esqueletos"], saida[-3000:]  # uma vez cada
    assert _notas(raiz) == notas_locais
