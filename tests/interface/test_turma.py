"""A turma a sério no JupyterHub (make turma, issue 22): o ciclo inteiro do nbgrader pelas APIs HTTP.

Numa cópia do projeto (numa pasta que o professor atravessa), com dois alunos de nomes com
acentos e espaços e um professor de teste: cada um entra com a senha gerada (POST /hub/login),
arranca o seu servidor, e o ciclo corre como no navegador — o professor liberta a tarefa no
formgrader, cada aluno vê-a e busca-a (extensão assignment_list), um responde e o outro entrega
o esqueleto, o professor recolhe, o ``autograder.avaliar`` avalia a pasta recolhida, o
professor liberta o feedback e cada aluno busca o seu e lê lá a nota. Depois: o isolamento de
um aluno (API de conteúdos e um terminal), um processo de um aluno sem limite de memória, e o
Ctrl-C que não deixa nada a correr. Contas, processos e pastas apagam-se no fim.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import signal
import time

import pytest

from tests import servidores_turma

# O hub da turma (contas do sistema, um só por máquina) é partilhado com test_turma_navegador.py:
# os dois correm no mesmo processo do pytest-xdist (JUNTOS em tests/conftest.py).
pytestmark = pytest.mark.lento

if (_motivo := servidores_turma.motivo_para_saltar()) is not None:
    pytest.skip(_motivo, allow_module_level=True)

import requests  # noqa: E402

from tests.servidores_turma import A1, A2, CONTAS, PROFESSOR, TAREFA, Turma, turma  # noqa: E402, F401

_processos_de = servidores_turma.processos_de


def _nota_no_feedback(t: Turma, conta: str) -> str:
    """Busca o feedback pela extensão do nbgrader e devolve o título (com a nota) do HTML."""
    r = t.api(conta, "POST", "/assignments/fetch_feedback", data={"course_id": "modulo4", "assignment_id": TAREFA})
    assert r.status_code == 200, r.text[:500]
    pasta = t.api(conta, "GET", f"/api/contents/{TAREFA}/feedback").json()
    assert pasta["content"], f"{conta} não recebeu feedback: {r.text[:500]}"
    from urllib.parse import quote

    r = t.api(conta, "GET", f"/api/contents/{quote(pasta['content'][0]['path'])}/{TAREFA}.html")
    assert r.status_code == 200, t.api(conta, "GET", f"/api/contents/{quote(pasta['content'][0]['path'])}").text
    html = r.json()["content"]
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


def test_ciclo_completo_da_turma(turma):  # noqa: F811 (o fixture de servidores_turma)
    t = turma
    servidores_turma.recomecar(t)  # o hub é da sessão: talvez o outro teste da turma já lá tenha passado
    inicio = time.monotonic()
    # As senhas: mostradas uma vez no make turma e guardadas só para root.
    senhas_csv = t.projeto / "turma" / "estado" / "senhas.csv"
    assert oct(senhas_csv.stat().st_mode & 0o777) == "0o600"
    assert all(s in t.saida_make for s in t.senhas.values())
    assert pwd.getpwnam(A1).pw_gecos == "Zé Maria"
    # Uma senha errada não entra.
    s = requests.Session()
    s.get(f"{t.url}/hub/login")
    r = s.post(f"{t.url}/hub/login", allow_redirects=False,
               data={"username": A1, "password": "errada", "_xsrf": s.cookies.get("_xsrf")})
    assert r.status_code == 403 and "Invalid username or password" in r.text
    for conta in CONTAS:
        t.entrar(conta)
        t.arrancar(conta)

    # Só o professor tem o formgrader (no servidor e no JupyterLab).
    assert t.api(PROFESSOR, "GET", "/formgrader").status_code == 200
    assert t.api(A1, "GET", "/formgrader").status_code == 404
    lab = t.api(A1, "GET", "/lab").text
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', lab, re.S).group(1))
    assert "@jupyter/nbgrader:formgrader" in config["disabledExtensions"]

    # O professor liberta a tarefa no formgrader.
    r = t.api(PROFESSOR, "POST", f"/formgrader/api/assignment/{TAREFA}/release")
    assert r.status_code == 200 and json.loads(r.text).get("success"), r.text[:1000] + t.registo()

    from autograder.turma_demo import caderno_com_respostas, respostas_referencia

    for conta in (A1, A2):
        lista = t.api(conta, "GET", "/assignments", params={"course_id": "modulo4"}).json()
        assert [a["assignment_id"] for a in lista["value"]] == [TAREFA], lista
        r = t.api(conta, "POST", "/assignments/fetch", data={"course_id": "modulo4", "assignment_id": TAREFA})
        assert r.status_code == 200 and r.json()["success"], r.text[:500]
    caderno = f"/api/contents/{TAREFA}/{TAREFA}.ipynb"
    assert t.api(A2, "GET", caderno).status_code == 200  # o esqueleto fica como veio
    nb = caderno_com_respostas(t.raiz / "release" / TAREFA / f"{TAREFA}.ipynb",
                               respostas_referencia(t.raiz / "source" / TAREFA / f"{TAREFA}.ipynb"))
    r = t.api(A1, "PUT", caderno, json={"type": "notebook", "format": "json", "content": nb})
    assert r.status_code == 200, r.text[:500]
    for conta in (A1, A2):
        r = t.api(conta, "POST", "/assignments/submit", data={"course_id": "modulo4", "assignment_id": TAREFA})
        assert r.json().get("success", True) is not False, r.text[:500]

    # Isolamento: o que um aluno não pode abrir, pela API de conteúdos e num terminal.
    troca = t.base / "srv" / "exchange" / "modulo4"
    proibidos = [f"/home/{A2}", f"/home/{PROFESSOR}", t.raiz, t.raiz / "source", t.raiz / "gradebook.db",
                 t.raiz / "testes_ocultos", t.projeto / "solutions", troca / "inbound",
                 t.projeto / "turma" / "estado" / "senhas.csv"]
    for caminho in [f"../{A2}", f"../{PROFESSOR}", "../../" + str(t.raiz).lstrip("/")]:
        assert t.api(A1, "GET", f"/api/contents/{caminho}").status_code in (403, 404)
    for caminho in proibidos:
        saida = t.terminal(A1, f"ls {caminho} || cat {caminho}")
        assert "Permission denied" in saida, (caminho, saida)
    assert "Permission denied" not in t.terminal(A1, f"ls {troca}/outbound/{TAREFA}")

    # Um processo de um aluno que pede memória sem fim morre sozinho: o hub e os outros respondem.
    saida = t.terminal(A2, "python -c 'b = []\nwhile True: b.append(bytearray(10**8))'")
    assert "MemoryError" in saida, saida
    assert requests.get(f"{t.url}/hub/api/", timeout=10).status_code == 200
    for conta in CONTAS:
        assert t.api(conta, "GET", "/api/status", timeout=30).status_code == 200

    # O professor recolhe; a avaliação de sempre avalia a pasta recolhida tal como está.
    r = t.api(PROFESSOR, "POST", f"/formgrader/api/assignment/{TAREFA}/collect")
    assert r.status_code == 200 and json.loads(r.text).get("success"), r.text[:1000] + t.registo()
    recolhidas = t.raiz / "submitted"
    assert sorted(p.name for p in recolhidas.iterdir()) == [A1, A2]
    avaliacao = servidores_turma.avaliar(recolhidas, t.raiz)
    saida = avaliacao.communicate()[0]
    print(saida[-3000:])
    assert (t.raiz / "grades.csv").exists(), saida[-3000:]
    assert servidores_turma.notas(t.raiz) == {A1: 14.0, A2: 0.0}, saida[-3000:]
    # (que os mesmos cadernos recolhidos à mão têm as mesmas notas prova-o o teste no navegador,
    # tests/interface/test_turma_navegador.py: avaliá-los outra vez aqui custava ~30 s de CI sem provar mais)

    # A avaliação deixou o feedback pronto para o nbgrader (o timestamp.txt e o segredo de cada
    # entrega ao lado do HTML, que os alunos leem): sem mais nenhum passo, o professor liberta o
    # feedback no formgrader; cada aluno busca o seu e lê lá a nota.
    for conta in (A1, A2):
        feedback = t.raiz / "feedback" / conta / TAREFA
        for nome in ("timestamp.txt", "submission_secret.txt"):
            assert (feedback / nome).read_text() == (recolhidas / conta / TAREFA / nome).read_text()
        assert os.stat(feedback / f"{TAREFA}.html").st_mode & 0o004
    r = t.api(PROFESSOR, "POST", f"/formgrader/api/assignment/{TAREFA}/release_feedback")
    assert r.status_code == 200 and json.loads(r.text).get("success"), r.text[:1000] + t.registo()
    assert "14 de 14" in _nota_no_feedback(t, A1).replace(".0", "")
    assert "0 de 14" in _nota_no_feedback(t, A2).replace(".0", "")
    print(f"ciclo da turma: {time.monotonic() - inicio:.0f} s")

    # Ctrl-C (SIGINT ao grupo do terminal) para o hub, o proxy e todos os servidores.
    os.killpg(t.proc.pid, signal.SIGINT)
    t.proc.wait(timeout=120)
    # Os servidores recebem o sinal com o hub e acabam a seguir (numa máquina carregada, uns
    # segundos depois): espera-se até 30 s que não reste nenhum.
    for _ in range(30):
        if not _processos_de(CONTAS):
            break
        time.sleep(1)
    assert _processos_de(CONTAS) == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{t.url}/hub/api/", timeout=5)
