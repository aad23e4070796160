"""`NO_BROWSER=1 make curso` arranca o JupyterLab em course/ (o trabalho principal do aluno)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]
TOKEN = "token-de-teste-do-curso"


def _porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read()


@pytest.fixture
def servidor():
    porta = _porta_livre()
    env = dict(os.environ, NO_BROWSER="1", PORTA=str(porta), JUPYTER_TOKEN=TOKEN)
    proc = subprocess.Popen(
        ["make", "curso"], cwd=RAIZ, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{porta}"
    try:
        limite = time.monotonic() + 90
        while time.monotonic() < limite:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
            try:
                _get(f"{base}/api/status?token={TOKEN}")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("o JupyterLab não respondeu em 90 s")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_make_curso_serve_o_jupyterlab_em_course(servidor):
    estado, corpo = _get(f"{servidor}/lab?token={TOKEN}")
    assert estado == 200 and b"JupyterLab" in corpo
    _, listagem = _get(f"{servidor}/api/contents?token={TOKEN}")
    nomes = {item["name"] for item in json.loads(listagem)["content"]}
    esperados = {p.name for p in (RAIZ / "course").glob("*.ipynb")} | {"otimizacao"}
    assert esperados <= nomes, f"faltam {esperados - nomes}"
    # A extensão do nbgrader (validar, lista de tarefas) está ativa no servidor.
    _, ext = _get(f"{servidor}/lab/api/extensions?token={TOKEN}")
    assert b"nbgrader" in ext
