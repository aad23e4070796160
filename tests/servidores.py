"""Arrancar o ``make curso`` e o ``make professor`` numa cópia do projeto (para os testes).

Usado por tests/interface/test_professor.py e tests/interface/test_navegador.py: uma cópia só com o que os comandos
usam (o .venv verdadeiro, entrada a entrada, com um carimbo próprio: o make da cópia nunca
reinstala), um servidor numa porta livre do loopback com a configuração do utilizador numa
pasta temporária, e tudo morto no fim (o grupo de processos inteiro).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[1]
TAREFAS = sorted(p.stem for p in (RAIZ / "course").glob("*.ipynb"))
# O que gera o build, a avaliação e o formgrader: nunca se copia para a cópia do projeto.
GERADOS = {"source", "release", "submitted", "autograded", "feedback", "gradebook.db", "exchange",
           "turma_demo", ".avaliacao", "grades.csv", "notas_por_exercicio.csv", "relatorio_avaliacao.md"}
LIXO = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints", *GERADOS)


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ler_json(url: str, espera: float = 30):
    with urllib.request.urlopen(url, timeout=espera) as r:
        return json.loads(r.read())


def ler_texto(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read().decode()


@contextlib.contextmanager
def servidor(alvo: str, projeto: Path, casa: Path, token: str, espera: float = 120):
    """``NO_BROWSER=1 PORTA=… make <alvo>`` em ``projeto``; devolve o URL base e mata tudo no fim.

    ``casa`` recebe a configuração do Jupyter do utilizador (vazia: ~/.jupyter fica de fora e
    intacto) e o registo do servidor (``<alvo>.log``).
    """
    porta = porta_livre()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAKE"))}
    env.update(
        NO_BROWSER="1", PORTA=str(porta), JUPYTER_TOKEN=token,
        # a configuração e as definições do utilizador (~/.jupyter) ficam de fora e intactas
        JUPYTER_CONFIG_DIR=str(casa / "config"), JUPYTERLAB_SETTINGS_DIR=str(casa / "definicoes"),
        JUPYTERLAB_WORKSPACES_DIR=str(casa / "areas"), JUPYTER_RUNTIME_DIR=str(casa / "runtime"),
    )
    registo_caminho = casa / f"{alvo}.log"
    registo = open(registo_caminho, "wb")
    inicio = time.monotonic()
    proc = subprocess.Popen(["make", alvo], cwd=projeto, env=env, stdout=registo,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{porta}"
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make {alvo} saiu ({proc.returncode}):\n"
                            + registo_caminho.read_text(errors="replace")[-3000:])
            if time.monotonic() - inicio > espera:
                pytest.fail(f"o JupyterLab do make {alvo} não respondeu em {espera:.0f} s")
            try:
                ler_json(f"{base}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.3)
        print(f"make {alvo}: servidor pronto em {time.monotonic() - inicio:.1f} s")
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        registo.close()


def copiar_projeto(copia: Path) -> Path:
    """Cópia do que o make curso e o make professor usam, com um .venv já «instalado»."""
    for nome in ("Makefile", "pyproject.toml", "requirements.txt"):
        shutil.copy2(RAIZ / nome, copia / nome)
    for pasta in ("autograder", "course", "jupyter_config"):
        shutil.copytree(RAIZ / pasta, copia / pasta, ignore=LIXO)
    # O .venv verdadeiro, entrada a entrada, com um carimbo próprio: o make da cópia nunca
    # reinstala (nem aponta a instalação editável do projeto para a cópia).
    venv = copia / ".venv"
    venv.mkdir()
    for entrada in (RAIZ / ".venv").iterdir():
        if entrada.name != ".instalado":
            (venv / entrada.name).symlink_to(entrada)
    (venv / ".instalado").touch()
    return copia


def com_tarefas(projeto: Path) -> None:
    """source/ e release/ da cópia com os cadernos de course/ (o build a sério demora minutos e
    tem os seus testes em test_construcao.py): chega para o formgrader listar as tarefas."""
    for pasta in ("source", "release"):
        for tarefa in TAREFAS:
            destino = projeto / "professor" / pasta / tarefa
            destino.mkdir(parents=True, exist_ok=True)
            shutil.copy2(RAIZ / "course" / f"{tarefa}.ipynb", destino)
