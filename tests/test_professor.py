"""O que o professor e o aluno veem ao abrir o JupyterLab (issue 16).

- ``make professor`` serve o formgrader do nbgrader na raiz do curso (autograder/), com todas
  as tarefas e sem o aviso da pasta de troca;
- ``make curso`` mostra em course/ só os cadernos e o pacote de apoio (sem egg-info nem caches);
- o JupyterLab não pergunta se o aluno quer notícias do Jupyter (jupyter_config/ do projeto).

Os servidores arrancam numa cópia do projeto (só o que os comandos usam, com um .venv que aponta
para o verdadeiro), com a configuração do utilizador numa pasta temporária: nada do que geram
fica no projeto. O ``source/`` e o ``release/`` da cópia são os cadernos de course/ (o build a
sério demora minutos e tem os seus testes em test_construcao.py): aqui prova-se que o formgrader
os encontra, não como são feitos.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servidores import (
    RAIZ,
    TAREFAS,
    com_tarefas,
    copiar_projeto,
    ler_json,
    ler_texto,
    servidor,
)

TOKEN = "token-de-teste-do-professor"
_json, _texto = ler_json, ler_texto  # os nomes de sempre deste ficheiro


def _servidor(alvo: str, projeto: Path, casa: Path):
    return servidor(alvo, projeto, casa, TOKEN)


@pytest.fixture(scope="module")
def projeto(tmp_path_factory) -> Path:
    return _copiar_projeto(tmp_path_factory.mktemp("projeto"))


def _copiar_projeto(copia: Path) -> Path:
    """Cópia do que o make curso e o make professor usam, com um .venv já «instalado»."""
    return copiar_projeto(copia)


def _com_tarefas(projeto: Path) -> None:
    com_tarefas(projeto)


def test_make_professor_gera_o_build_so_se_faltar(projeto):
    """Sem source/ ou release/, o make professor corre o build primeiro; com eles, não."""
    for pasta in ("source", "release"):
        shutil.rmtree(projeto / "autograder" / pasta, ignore_errors=True)
    sem = subprocess.run(["make", "-n", "professor"], cwd=projeto, capture_output=True, text=True)
    assert "autograder.construir" in sem.stdout, sem.stdout + sem.stderr
    _com_tarefas(projeto)
    com = subprocess.run(["make", "-n", "professor"], cwd=projeto, capture_output=True, text=True)
    assert com.returncode == 0 and "autograder.construir" not in com.stdout, com.stdout + com.stderr
    assert "cd autograder" in com.stdout and "jupyterlab" in com.stdout


@pytest.mark.lento
def test_make_professor_serve_o_formgrader_com_todas_as_tarefas(projeto, tmp_path):
    _com_tarefas(projeto)
    with _servidor("professor", projeto, tmp_path) as base:
        # O primeiro pedido cria o gradebook (o nbgrader corre o alembic): pode demorar.
        tarefas = _json(f"{base}/formgrader/api/assignments?token={TOKEN}", espera=120)
        assert sorted(t["name"] for t in tarefas) == TAREFAS
        # A raiz do servidor é a do curso do nbgrader (autograder/).
        nomes = {i["name"] for i in _json(f"{base}/api/contents?token={TOKEN}")["content"]}
        assert {"nbgrader_config.py", "source", "release"} <= nomes, nomes
        # Sem o aviso «The exchange directory … does not exist» (troca local: jupyter_config/).
        pagina = _texto(f"{base}/formgrader/manage_assignments?token={TOKEN}")
        assert "Manage Assignments" in pagina, pagina[:500]
        assert "warning-exchange" not in pagina, "o formgrader avisa que falta a pasta de troca"
        assert (projeto / "autograder" / "exchange").is_dir()
        # Nem pergunta pelas notícias (a mesma configuração que o make curso).
        _sem_pergunta_das_noticias(base)


def _sem_pergunta_das_noticias(base: str) -> None:
    """O valor em vigor de fetchNews é «false» (o JupyterLab só pergunta quando é «none»)."""
    plugin = _json(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={TOKEN}")
    propriedades = plugin["schema"]["properties"]
    em_vigor = plugin["settings"].get("fetchNews", propriedades["fetchNews"]["default"])
    assert em_vigor == "false", f"o JupyterLab vai perguntar pelas notícias (fetchNews={em_vigor!r})"
    assert plugin["settings"].get("checkForUpdates", propriedades["checkForUpdates"]["default"]) is False


@pytest.mark.lento
def test_make_curso_mostra_so_cadernos_e_o_pacote(projeto, tmp_path):
    # O que uma instalação antiga e o uso deixam em course/: tem de continuar escondido.
    (projeto / "course" / "modulo4_otimizacao.egg-info").mkdir(exist_ok=True)
    (projeto / "course" / "modulo4_otimizacao.egg-info" / "PKG-INFO").write_text("x")
    (projeto / "course" / "otimizacao" / "__pycache__").mkdir(exist_ok=True)
    (projeto / "course" / ".ipynb_checkpoints").mkdir(exist_ok=True)
    with _servidor("curso", projeto, tmp_path) as base:
        raiz = {i["name"] for i in _json(f"{base}/api/contents?token={TOKEN}")["content"]}
        assert raiz == {f"{t}.ipynb" for t in TAREFAS} | {"otimizacao"}, raiz
        pacote = _json(f"{base}/api/contents/otimizacao?token={TOKEN}")["content"]
        fora = [i["name"] for i in pacote if not i["name"].endswith(".py")]
        assert not fora, f"em course/otimizacao/ o aluno vê {fora}"
        _sem_pergunta_das_noticias(base)


def test_a_instalacao_nao_deixa_egg_info_em_course(tmp_path):
    """O ``pip install -e .`` do make escreve o egg-info onde o ``[tool.distutils.egg_info]`` do
    pyproject.toml manda (a raiz do projeto), não ao lado do pacote em course/. Corre o comando
    egg_info do setuptools (o que a instalação editável corre) numa cópia do projeto: sem essa
    configuração, o egg-info aparece em course/ (visto à mão) e este teste falha. Não olha para
    a árvore de trabalho, que o make limpa depois de instalar."""
    import sys

    copia = tmp_path / "projeto"
    (copia / "course").mkdir(parents=True)
    shutil.copy(RAIZ / "pyproject.toml", copia / "pyproject.toml")
    shutil.copytree(RAIZ / "course" / "otimizacao", copia / "course" / "otimizacao")
    r = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "egg_info"],
                       cwd=copia, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    sobras = [p.name for p in (copia / "course").iterdir() if p.name.endswith((".egg-info", ".dist-info"))]
    assert not sobras, f"a instalação deixou {sobras} em course/ (ver [tool.distutils.egg_info])"
    assert (copia / "modulo4_otimizacao.egg-info").is_dir()


def test_torch_so_cpu_instala_a_mesma_versao_fixada_antes_do_resto():
    """``make setup TORCH_CPU=1`` (Linux sem GPU NVIDIA, README): primeiro o torch da linha fixada
    do requirements.txt, do índice CPU do PyTorch; depois o resto, que já o encontra instalado.
    Sem TORCH_CPU, nenhum índice extra. (``make -n``: mostra os comandos sem os correr.)"""
    fixado = [linha for linha in (RAIZ / "requirements.txt").read_text().splitlines() if linha.startswith("torch==")]
    assert fixado == ["torch==2.13.0"]  # a versão que o guia dos programadores manda fixar

    def comandos(*extra):
        r = subprocess.run(["make", "-n", "-W", "requirements.txt", "setup", *extra], cwd=RAIZ,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return [linha for linha in r.stdout.splitlines() if "pip install" in linha]

    cpu = comandos("TORCH_CPU=1")
    assert "--index-url https://download.pytorch.org/whl/cpu" in cpu[0]
    pacote = next(t for t in shlex.split(cpu[0]) if t.startswith("$("))
    torch = subprocess.run(["bash", "-c", f'echo "{pacote}"'], cwd=RAIZ, capture_output=True, text=True)
    assert torch.stdout.strip() == "torch==2.13.0"  # o $(grep …) do Makefile dá a linha fixada
    assert "-r requirements.txt" in cpu[1]
    assert not any("--index-url" in linha for linha in comandos())
