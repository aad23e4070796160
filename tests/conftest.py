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
# de demonstração avaliada duas vezes, 860 s em vez de 440.) Os dois ficheiros que usam o
# fixture «build» (um build inteiro, ~50 s) também vão juntos: o fixture é da sessão de cada
# processo, e separados faziam-no duas vezes.
JUNTOS = {
    "tests/interface/test_turma.py": "hub_da_turma",
    "tests/interface/test_turma_navegador.py": "hub_da_turma",
    "tests/construcao/test_construcao.py": "build_inteiro",
    "tests/unidade/test_juiz.py": "build_inteiro",
}


# Em paralelo, o escalonador do xdist dá os grupos por ordem do número de testes (os de muitos
# testes rápidos primeiro): a turma de demonstração (um fixture de ~800 s) e o hub da turma
# começavam tarde, e no fim um processo trabalhava sozinho enquanto o outro esperava. Os grupos
# pesados vão primeiro, do mais longo para o mais curto (segundos por ficheiro, somados do
# --durations=0 de `make test` em 2 processos, 2026-12-04, 2 núcleos); os outros seguem-se pela
# ordem em que foram recolhidos e enchem os buracos no fim.
PESADOS_PRIMEIRO = {
    "tests/avaliacao/test_avaliacao.py": 1056,
    "tests/avaliacao/test_exercicios.py": 814,
    "tests/avaliacao/test_batota.py": 369,
    "tests/interface/test_navegador.py": 236,
    "tests/avaliacao/test_robustez.py": 225,
    "tests/avaliacao/test_escala.py": 173,
    "hub_da_turma": 157,  # test_turma.py + test_turma_navegador.py
    "tests/avaliacao/test_avisos.py": 158,
    "tests/avaliacao/test_justica_nbgrader.py": 130,
    "tests/avaliacao/test_uma_falha.py": 98,
    "tests/avaliacao/test_texto_do_aluno.py": 82,
    "build_inteiro": 107,  # test_construcao.py (57 s) + test_juiz.py (50 s), cada um com o seu build
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

    # Os grupos pela ordem da recolha, que os processos já fazem com os pesados à frente (abaixo).
    config.option.loadscopereorder = False
    return PorFicheiro(config, log)


def ordem_xdist(nodeids: list[str]) -> list[int]:
    """Os índices de ``nodeids`` com os grupos de PESADOS_PRIMEIRO à frente, do mais demorado
    para o menos; dentro de cada grupo, e entre os outros, a ordem da recolha."""
    return sorted(range(len(nodeids)), key=lambda i: -PESADOS_PRIMEIRO.get(grupo_xdist(nodeids[i]), 0))


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # um processo do xdist: todos recolhem pela mesma ordem
        items[:] = [items[i] for i in ordem_xdist([item.nodeid for item in items])]
    for item in items:
        if FIXTURES_PESADAS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lento)
