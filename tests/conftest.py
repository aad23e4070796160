"""Fixtures partilhadas: o build do nbgrader numa pasta temporária e a execução de cadernos."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # figuras sem ecrã
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Uma cache do modelo de base só desta sessão de testes (partilhada pelos cadernos que ela
# executa), para não ler nem escrever a cache do utilizador (~/.cache/curso4-otimizacao).
import tempfile  # noqa: E402

os.environ.setdefault("CURSO4_CACHE_MODELOS", tempfile.mkdtemp(prefix="curso4-cache-"))
# O registo de progresso dos cadernos (otimizacao.progresso) que os testes executam vai para um
# ficheiro temporário, nunca para o course/.progresso_modulo4.json de quem corre os testes.
os.environ.setdefault("CURSO4_PROGRESSO", os.path.join(tempfile.mkdtemp(prefix="curso4-progresso-"), ".progresso_modulo4.json"))

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

RAIZ = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """source/ e release/ do nbgrader de todos os cadernos, gerados numa raiz temporária."""
    from autograder import construir

    raiz = tmp_path_factory.mktemp("nbgrader")
    tarefas = construir.construir(raiz)
    return raiz, tarefas


# Os testes pesados (executam cadernos, treinam modelos ou correm o nbgrader) marcam-se «lento»
# no próprio módulo (`pytestmark = pytest.mark.lento`, ou `@pytest.mark.lento` num teste de um
# módulo com testes rápidos): `make test-rapido` corre todos os outros (`-m "not lento"`). Aqui só
# uma regra: quem usa um destes fixtures (um build inteiro, a turma de demonstração avaliada, os
# dados de treino, o hub da turma) é lento, esteja onde estiver.
FIXTURES_PESADAS = {"build", "demo", "digits", "turma"}


# Em paralelo (pytest-xdist, `make test -n 2`): um ficheiro de testes corre inteiro num só processo,
# para os fixtures de módulo (a turma de demonstração avaliada, os servidores) se fazerem uma vez;
# ficheiros que partilham um recurso único da máquina (o hub da turma, com as suas contas do
# sistema) juntam-se em JUNTOS. (O --dist loadgroup do xdist 3.8 não serve: marca o grupo no
# atributo _nodeid, que o pytest 9 já não lê, e os testes de um módulo espalhavam-se — a turma
# de demonstração avaliada duas vezes, 860 s em vez de 440.)
JUNTOS = {
    "tests/interface/test_turma.py": "hub_da_turma",
    "tests/interface/test_turma_navegador.py": "hub_da_turma",
}


def grupo_xdist(nodeid: str) -> str:
    """O grupo de um teste: o seu ficheiro, ou o nome comum dos ficheiros em JUNTOS."""
    ficheiro = nodeid.split("::", 1)[0]
    return JUNTOS.get(ficheiro, ficheiro)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadFileScheduling

    class PorFicheiro(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return grupo_xdist(nodeid)

    return PorFicheiro(config, log)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if FIXTURES_PESADAS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lento)
