"""A turma do ``make turma`` (turma/hub.py) para os testes: contas de teste, o hub numa cópia do
projeto, e quem lá entra pelas APIs HTTP. Partilhado por tests/interface/test_turma.py (o ciclo pelas
APIs, o isolamento, os limites e o Ctrl-C) e tests/interface/test_turma_navegador.py (o ciclo num Chromium).

Corre como root (cria contas do sistema: tprof990, a990001 «Zé Maria», a990002 «Ana Sofia
Gonçalves»); as contas, os processos e as pastas apagam-se no fim, e os modos das pastas
antepassadas do .venv e do clone que o fixture abre (só o x) repõem-se.
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
import requests
import websocket  # websocket-client, do jupyter_server

from tests.servidores import RAIZ, copiar_projeto, porta_livre


def motivo_para_saltar() -> str | None:
    """Porque é que os testes da turma não podem correr aqui (None: podem)."""
    if os.name != "posix" or os.geteuid() != 0:
        return "a turma no JupyterHub cria contas do sistema: corre os testes como root"
    for comando in ("useradd", "userdel", "node", "npm", "runuser", "prlimit"):
        if shutil.which(comando) is None:
            return f"falta o comando {comando} (Debian: apt-get install passwd util-linux nodejs npm)"
    return None


TAREFA = "00_numeros_e_memoria"
PROFESSOR = "tprof990"
ALUNOS = [("990001", "Zé Maria", "ze@exemplo.pt"), ("990002", "Ana Sofia Gonçalves", "ana@exemplo.pt")]
A1, A2 = (f"a{n}" for n, _, _ in ALUNOS)
CONTAS = [PROFESSOR, A1, A2]


def apagar_contas():
    for conta in CONTAS:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(conta)
            subprocess.run(["userdel", "--remove", "--force", conta], capture_output=True)


def processos_de(contas) -> list[str]:
    import psutil

    uids = set()
    for conta in contas:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(conta).pw_uid)
    # Um zombie (já morto, à espera que o pai o recolha: sem cmdline) não corre nem ocupa nada.
    return [f"{p.pid} {' '.join(p.info['cmdline'] or [])[:120]}"
            for p in psutil.process_iter(["uids", "cmdline", "status"])
            if p.info["uids"] and p.info["uids"].real in uids and p.info["status"] != psutil.STATUS_ZOMBIE]


class Turma:
    """O hub a correr (make turma) e quem lá entra."""

    def __init__(self, base: Path, projeto: Path, porta: int, proc: subprocess.Popen, senhas: dict[str, str]):
        self.base, self.projeto, self.porta, self.proc, self.senhas = base, projeto, porta, proc, senhas
        self.url = f"http://127.0.0.1:{porta}"
        self.raiz = projeto / "professor"
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


def arrancar_hub(t: Turma) -> str:
    """``make turma`` na cópia (como o professor o corre num terminal) até «Turma pronta»; devolve o
    que escreveu. Uma segunda vez no mesmo projeto (o hub parado) é o «correr make turma outra
    vez» do README: as contas já existem e ficam com as suas senhas."""
    t.arranques += 1
    registo = t.base / f"make_turma_{t.arranques}.log"
    saida = open(registo, "wb")
    t.abertos.append(saida)
    t.proc = subprocess.Popen(["make", "turma"], cwd=t.projeto, env=t.env, stdout=saida, stderr=subprocess.STDOUT,
                              start_new_session=True)  # um grupo como o de um terminal (Ctrl-C = SIGINT ao grupo)
    t.procs.append(t.proc)
    limite = time.monotonic() + 300
    while "Turma pronta" not in (texto := registo.read_text(errors="replace")):
        assert t.proc.poll() is None, f"make turma saiu ({t.proc.returncode}):\n{texto[-4000:]}"
        assert time.monotonic() < limite, f"make turma não ficou pronto:\n{texto[-4000:]}"
        time.sleep(0.5)
    return texto


def recomecar(t: Turma) -> None:
    """A turma como acabada de arrancar, para um ciclo inteiro (tests/interface/test_turma.py e
    tests/interface/test_turma_navegador.py partilham um hub, que custa ~15 s a preparar): o hub a correr
    (o test_turma acaba com um Ctrl-C), a tarefa por libertar, sem entregas, avaliações nem
    feedback na troca, na raiz do curso, no gradebook e nas pastas dos alunos. Num hub novo não
    muda nada."""
    if t.proc.poll() is not None:
        arrancar_hub(t)
    shutil.rmtree(t.base / "srv" / "exchange" / "modulo4", ignore_errors=True)
    for nome in ("submitted", "autograded", "feedback"):
        shutil.rmtree(t.raiz / nome, ignore_errors=True)
    for conta in (A1, A2):  # as avaliações guardadas (a cache do modelo de base fica)
        shutil.rmtree(t.raiz / ".avaliacao" / conta, ignore_errors=True)
    for nome in ("grades.csv", "notas_por_exercicio.csv", "relatorio_avaliacao.md"):
        (t.raiz / nome).unlink(missing_ok=True)
    for conta in (A1, A2):
        casa = Path(pwd.getpwnam(conta).pw_dir)
        shutil.rmtree(casa / TAREFA, ignore_errors=True)
        shutil.rmtree(casa / ".local" / "share" / "jupyter" / "nbgrader_cache", ignore_errors=True)
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{t.raiz / 'gradebook.db'}") as gb:
        for conta in (A1, A2):
            with contextlib.suppress(MissingEntry):
                gb.remove_submission(TAREFA, conta)
    for pasta in (t.base / "a_mao", t.base / "raiz_a_mao"):
        shutil.rmtree(pasta, ignore_errors=True)


@pytest.fixture(scope="session")
def turma():
    """A turma de teste: um hub (make turma) numa cópia do projeto, para a sessão inteira. Cada
    teste começa por ``recomecar(turma)``."""
    # O proxy do npm, instalado pelo próprio projeto (o mesmo alvo que o make turma usa).
    subprocess.run(["make", "-s", "turma/node_modules/.instalado"], cwd=RAIZ, check=True)
    apagar_contas()
    # O Python do .venv (e o clone do projeto, para onde apontam o .venv e o node_modules da cópia)
    # têm de ser atravessáveis pelas contas da turma. Se estiverem num pyenv em /root (700) ou num
    # clone numa pasta do mktemp (700), o teste deixa atravessar essas pastas enquanto corre (só o
    # x) e repõe os modos no fim.
    t = None
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
                        f"construir.construir(Path('professor').resolve(), so=['{TAREFA}'])"],
                       cwd=projeto, check=True)
        alunos = base / "turma.csv"
        with alunos.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([("numero", "nome", "email"), *ALUNOS])
        porta = porta_livre()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAKE"))}
        env.update(ALUNOS=str(alunos), PORTA=str(porta), NO_BROWSER="1", TURMA_PROFESSOR=PROFESSOR,
                   TURMA_PARTILHADO=str(base / "srv"), TURMA_IP="127.0.0.1", TURMA_MEMORIA_MB="3072")
        t = Turma(base, projeto, porta, None, {})
        t.env, t.arranques, t.procs, t.abertos = env, 0, [], []
        t.saida_make = arrancar_hub(t)  # o do primeiro arranque: o único que mostra as senhas
        senhas_csv = projeto / "turma" / "estado" / "senhas.csv"
        with senhas_csv.open(encoding="utf-8") as f:
            t.senhas = {linha["utilizador"]: linha["senha"] for linha in csv.DictReader(f)}
        yield t
    finally:
        for proc in (t.procs if t is not None else []):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=90)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        for saida in (t.abertos if t is not None else []):
            saida.close()
        import psutil

        for p in psutil.process_iter(["cmdline"]):  # só o que este teste arrancou (pelo caminho da cópia)
            if any(str(base) in parte for parte in (p.info["cmdline"] or [])):
                with contextlib.suppress(psutil.Error):
                    p.kill()
        apagar_contas()
        shutil.rmtree(base, ignore_errors=True)
        for pasta, modo in modos.items():
            os.chmod(pasta, modo)


def avaliar(submissoes: Path, raiz: Path) -> subprocess.Popen:
    """O ``autograder.avaliar`` (o que o ``make avaliar`` corre) sobre ``submissoes``, em fundo, com
    o ``umask 007`` do README. É o código do projeto verdadeiro, como nos outros testes da
    avaliação: a caixa de areia monta o .venv e o pacote otimizacao pelos caminhos reais, e os da
    cópia são ligações para eles."""
    return subprocess.Popen(
        [str(RAIZ / ".venv/bin/python"), "-m", "autograder.avaliar", "--submissoes", str(submissoes),
         "--tarefas", TAREFA, "--raiz", str(raiz)],
        cwd=RAIZ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=lambda: os.umask(0o007))


def notas(raiz: Path) -> dict[str, float]:
    """aluno → pontos da TAREFA no grades.csv de ``raiz``."""
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        return {linha["student_id"]: float(linha["raw_score"]) for linha in csv.DictReader(f)
                if linha["assignment"] == TAREFA}


def copiar_a_mao(recolhidas: Path, destino: Path) -> Path:
    """Os cadernos recolhidos, só eles, na organização que o professor faria à mão
    (<aluno>/<tarefa>/<tarefa>.ipynb): sem o timestamp.txt nem o segredo do nbgrader."""
    for conta in (A1, A2):
        (destino / conta / TAREFA).mkdir(parents=True)
        shutil.copy2(recolhidas / conta / TAREFA / f"{TAREFA}.ipynb", destino / conta / TAREFA)
    return destino
