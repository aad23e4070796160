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

import contextlib
import csv
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.servidores import RAIZ, copiar_projeto, porta_livre

pytestmark = pytest.mark.lento

if os.name != "posix" or os.geteuid() != 0:
    pytest.skip("a turma no JupyterHub cria contas do sistema: corre os testes como root", allow_module_level=True)
for _comando in ("useradd", "userdel", "node", "npm", "runuser", "prlimit"):
    if shutil.which(_comando) is None:
        pytest.skip(f"falta o comando {_comando} (Debian: apt-get install passwd util-linux nodejs npm)",
                    allow_module_level=True)

import requests  # noqa: E402
import websocket  # noqa: E402 (websocket-client, do jupyter_server)

TAREFA = "00_numeros_e_memoria"
PROFESSOR = "tprof990"
ALUNOS = [("990001", "Zé Maria", "ze@exemplo.pt"), ("990002", "Ana Sofia Gonçalves", "ana@exemplo.pt")]
A1, A2 = (f"a{n}" for n, _, _ in ALUNOS)
CONTAS = [PROFESSOR, A1, A2]


def _apagar_contas():
    for conta in CONTAS:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(conta)
            subprocess.run(["userdel", "--remove", "--force", conta], capture_output=True)


def _processos_de(contas) -> list[str]:
    import psutil

    uids = set()
    for conta in contas:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(conta).pw_uid)
    return [f"{p.pid} {' '.join(p.info['cmdline'] or [])[:120]}" for p in psutil.process_iter(["uids", "cmdline"])
            if p.info["uids"] and p.info["uids"].real in uids]


class Turma:
    """O hub a correr (make turma) e quem lá entra."""

    def __init__(self, base: Path, projeto: Path, porta: int, proc: subprocess.Popen, senhas: dict[str, str]):
        self.base, self.projeto, self.porta, self.proc, self.senhas = base, projeto, porta, proc, senhas
        self.url = f"http://127.0.0.1:{porta}"
        self.raiz = projeto / "autograder"
        self.tokens: dict[str, str] = {}

    def entrar(self, conta: str) -> str:
        """Entra como no navegador (formulário com _xsrf) e pede um token da própria conta."""
        s = requests.Session()
        s.get(f"{self.url}/hub/login", timeout=30)
        r = s.post(f"{self.url}/hub/login", timeout=60, allow_redirects=False,
                   data={"username": conta, "password": self.senhas[conta], "_xsrf": s.cookies.get("_xsrf")})
        assert r.status_code == 302 and "login" not in r.headers.get("location", ""), r.text[:500]
        r = s.post(f"{self.url}/hub/api/users/{conta}/tokens", timeout=30, json={"note": "teste"},
                   headers={"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/")})
        assert r.status_code == 201, r.text[:500]
        self.tokens[conta] = r.json()["token"]
        return self.tokens[conta]

    def api(self, conta: str, metodo: str, caminho: str, **kw) -> requests.Response:
        """Um pedido como ``conta`` (o token dela) a /hub/… ou ao servidor dela (/user/conta/…)."""
        url = f"{self.url}{caminho}" if caminho.startswith("/hub/") else f"{self.url}/user/{conta}{caminho}"
        return requests.request(metodo, url, headers={"Authorization": f"token {self.tokens[conta]}"},
                                timeout=kw.pop("timeout", 300), **kw)

    def arrancar(self, conta: str) -> None:
        r = self.api(conta, "POST", f"/hub/api/users/{conta}/server")
        assert r.status_code in (201, 202), r.text[:500]
        limite = time.monotonic() + 180
        while not self.api(conta, "GET", f"/hub/api/users/{conta}").json()["servers"].get("", {}).get("ready"):
            assert time.monotonic() < limite, f"o servidor de {conta} não arrancou:\n{self.registo()}"
            time.sleep(1)

    def terminal(self, conta: str, comando: str, espera: float = 120) -> str:
        """Corre ``comando`` num terminal do JupyterLab de ``conta`` e devolve o que escreveu."""
        nome = self.api(conta, "POST", "/api/terminals").json()["name"]
        ws = websocket.create_connection(f"ws://127.0.0.1:{self.porta}/user/{conta}/terminals/websocket/{nome}",
                                         header=[f"Authorization: token {self.tokens[conta]}"], timeout=espera)
        fim = f"FIM-{uuid.uuid4().hex[:8]}"
        ws.send(json.dumps(["stdin", f"{comando}; echo; echo {fim}-$?\r"]))
        saida, limite = "", time.monotonic() + espera
        while not re.search(rf"{fim}-\d+\r?\n", saida) and time.monotonic() < limite:
            mensagem = json.loads(ws.recv())
            if mensagem[0] == "stdout":
                saida += mensagem[1]
        ws.close()
        self.api(conta, "DELETE", f"/api/terminals/{nome}")
        return saida

    def registo(self) -> str:
        caminho = self.projeto / "turma" / "estado" / "jupyterhub.log"
        texto = caminho.read_text(errors="replace") if caminho.exists() else ""
        erros = [linha for linha in texto.splitlines() if re.search(r"ERROR|Error|\[E |course directory", linha)]
        return "\n".join(erros[-40:]) + "\n---\n" + texto[-2000:]


@pytest.fixture(scope="module")
def turma():
    # O proxy do npm, instalado pelo próprio projeto (o mesmo alvo que o make turma usa).
    subprocess.run(["make", "-s", "turma/node_modules/.instalado"], cwd=RAIZ, check=True)
    _apagar_contas()
    # O Python do .venv (e o clone do projeto, para onde apontam o .venv e o node_modules da cópia)
    # têm de ser atravessáveis pelas contas da turma. Se estiverem num pyenv em /root (700) ou num
    # clone numa pasta do mktemp (700), o teste deixa atravessar essas pastas enquanto corre (só o
    # x) e repõe os modos no fim.
    t = proc = saida = None
    base = Path(tempfile.mkdtemp(prefix="turma-teste-"))
    modos: dict[Path, int] = {}
    try:
        python = Path(os.path.realpath(RAIZ / ".venv" / "bin" / "python"))
        for alvo in (python, Path(os.path.realpath(RAIZ)) / "x"):
            for pasta in alvo.parents:
                modo = os.stat(pasta).st_mode & 0o7777
                if not modo & 0o001 and pasta not in modos:
                    modos[pasta] = modo
                    os.chmod(pasta, modo | 0o001)
        # Uma pasta que todos atravessam (o professor lê a raiz do curso; os alunos, o .venv).
        os.chmod(base, 0o711)
        (base / "projeto").mkdir()
        projeto = copiar_projeto(base / "projeto")
        turma_copia = projeto / "turma"
        turma_copia.mkdir()
        for nome in ("__init__.py", "hub.py", "jupyterhub_config.py", "package.json", "package-lock.json"):
            shutil.copy2(RAIZ / "turma" / nome, turma_copia / nome)
        (turma_copia / "node_modules").symlink_to(RAIZ / "turma" / "node_modules")
        shutil.copytree(RAIZ / "solutions", projeto / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
        # source/ e release/ só da tarefa do teste (o build a sério de todas demora minutos)
        subprocess.run([str(projeto / ".venv/bin/python"), "-c",
                        f"from pathlib import Path; from autograder import construir; "
                        f"construir.construir(Path('autograder').resolve(), so=['{TAREFA}'])"],
                       cwd=projeto, check=True)
        alunos = base / "turma.csv"
        with alunos.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([("numero", "nome", "email"), *ALUNOS])
        porta = porta_livre()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAKE"))}
        env.update(ALUNOS=str(alunos), PORTA=str(porta), NO_BROWSER="1", TURMA_PROFESSOR=PROFESSOR,
                   TURMA_PARTILHADO=str(base / "srv"), TURMA_IP="127.0.0.1", TURMA_MEMORIA_MB="3072")
        saida = open(base / "make_turma.log", "wb")
        proc = subprocess.Popen(["make", "turma"], cwd=projeto, env=env, stdout=saida, stderr=subprocess.STDOUT,
                                start_new_session=True)  # um grupo como o de um terminal (Ctrl-C = SIGINT ao grupo)
        limite = time.monotonic() + 300
        while "Turma pronta" not in (texto := (base / "make_turma.log").read_text(errors="replace")):
            assert proc.poll() is None, f"make turma saiu ({proc.returncode}):\n{texto[-4000:]}"
            assert time.monotonic() < limite, f"make turma não ficou pronto:\n{texto[-4000:]}"
            time.sleep(0.5)
        senhas_csv = projeto / "turma" / "estado" / "senhas.csv"
        with senhas_csv.open(encoding="utf-8") as f:
            senhas = {linha["utilizador"]: linha["senha"] for linha in csv.DictReader(f)}
        t = Turma(base, projeto, porta, proc, senhas)
        t.saida_make = texto
        yield t
    finally:
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if saida is not None:
            saida.close()
        import psutil

        for p in psutil.process_iter(["cmdline"]):  # só o que este teste arrancou (pelo caminho da cópia)
            if any(str(base) in parte for parte in (p.info["cmdline"] or [])):
                with contextlib.suppress(psutil.Error):
                    p.kill()
        _apagar_contas()
        shutil.rmtree(base, ignore_errors=True)
        for pasta, modo in modos.items():
            os.chmod(pasta, modo)


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


def test_ciclo_completo_da_turma(turma):
    t = turma
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

    from autograder.avaliar import caderno_com_respostas, respostas_referencia

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
    # (o código do projeto verdadeiro, como nos outros testes da avaliação: a caixa de areia monta o
    # .venv e o pacote otimizacao pelos caminhos reais, e os da cópia são ligações para eles)
    avaliacao = subprocess.run(
        [str(RAIZ / ".venv/bin/python"), "-m", "autograder.avaliar", "--submissoes", str(recolhidas),
         "--tarefas", TAREFA, "--raiz", str(t.raiz)],
        cwd=RAIZ, capture_output=True, text=True, preexec_fn=lambda: os.umask(0o007))
    print(avaliacao.stdout[-3000:])
    assert (t.raiz / "grades.csv").exists(), avaliacao.stdout[-3000:] + avaliacao.stderr[-3000:]
    with (t.raiz / "grades.csv").open(encoding="utf-8") as f:
        notas = {linha["student_id"]: float(linha["raw_score"]) for linha in csv.DictReader(f)}
    assert notas == {A1: 14.0, A2: 0.0}, avaliacao.stdout[-3000:] + avaliacao.stderr[-3000:]
    # As mesmas notas que os mesmos cadernos recolhidos à mão (<aluno>/<tarefa>/<tarefa>.ipynb) têm.
    a_mao = t.base / "a_mao"
    for conta in (A1, A2):
        (a_mao / conta / TAREFA).mkdir(parents=True)
        shutil.copy2(recolhidas / conta / TAREFA / f"{TAREFA}.ipynb", a_mao / conta / TAREFA)
    subprocess.run([str(RAIZ / ".venv/bin/python"), "-m", "autograder.avaliar", "--submissoes", str(a_mao),
                    "--tarefas", TAREFA, "--raiz", str(t.base / "raiz_a_mao")], cwd=RAIZ, capture_output=True)
    with (t.base / "raiz_a_mao" / "grades.csv").open(encoding="utf-8") as f:
        assert {linha["student_id"]: float(linha["raw_score"]) for linha in csv.DictReader(f)} == notas

    # O passo do professor depois do make avaliar; depois, o «Release feedback» do formgrader.
    subprocess.run([str(t.projeto / ".venv/bin/python"), "-m", "turma.hub", "--depois-de-avaliar"], cwd=t.projeto,
                   env={**os.environ, "TURMA_PROFESSOR": PROFESSOR}, check=True)
    # O professor liberta o feedback; cada aluno busca o seu e lê lá a nota.
    r = t.api(PROFESSOR, "POST", f"/formgrader/api/assignment/{TAREFA}/release_feedback")
    assert r.status_code == 200 and json.loads(r.text).get("success"), r.text[:1000] + t.registo()
    assert "14 de 14" in _nota_no_feedback(t, A1).replace(".0", "")
    assert "0 de 14" in _nota_no_feedback(t, A2).replace(".0", "")
    print(f"ciclo da turma: {time.monotonic() - inicio:.0f} s")

    # Ctrl-C (SIGINT ao grupo do terminal) para o hub, o proxy e todos os servidores.
    os.killpg(t.proc.pid, signal.SIGINT)
    t.proc.wait(timeout=120)
    time.sleep(1)
    assert _processos_de(CONTAS) == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{t.url}/hub/api/", timeout=5)
