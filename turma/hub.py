"""Uma turma a sério nesta máquina: ``make turma ALUNOS=turma.csv`` (como root).

Cria uma conta do sistema por aluno (``a<número>``, com o nome do CSV como nome a mostrar) e
uma para o professor, com senhas iniciais mostradas uma só vez (e guardadas em
``turma/estado/senhas.csv``, só para root); prepara a pasta de troca do nbgrader, a
configuração do Jupyter de alunos e professor e as permissões do projeto; arranca o JupyterHub
(turma/jupyterhub_config.py). Ctrl-C para o hub e todos os servidores que ele arrancou.

Variáveis (além das opções): TURMA_PROFESSOR (conta do professor, «professor»),
TURMA_PARTILHADO (pasta partilhada: troca e configuração, «/srv/nbgrader»), TURMA_MEMORIA_MB
(memória por processo de cada servidor, 8192), TURMA_CPU_S (tempo de CPU por processo, 7200),
TURMA_IP (onde o hub escuta, «0.0.0.0»).
"""

from __future__ import annotations

import argparse
import csv
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJETO = Path(__file__).resolve().parents[1]
TURMA = PROJETO / "turma"
COURSE_ID = "modulo4"
# O que os servidores dos alunos precisam de ler no projeto (o Python do curso e o pacote
# otimizacao, instalado em modo editável a partir de course/); tudo o resto fica só para root.
PUBLICO = {".venv", "course"}
# As extensões do nbgrader que são só do professor: as que a configuração dos alunos do make curso
# (jupyter_config/aluno/) desliga — uma só lista para o portátil do aluno e para a turma.
_CONFIG_ALUNO = PROJETO / "jupyter_config" / "aluno"
SO_PROFESSOR_SERVIDOR = [
    nome for nome, ligada in json.loads((_CONFIG_ALUNO / "jupyter_server_config.json").read_text(encoding="utf-8"))
    ["ServerApp"]["jpserver_extensions"].items() if ligada is False]
SO_PROFESSOR_LAB = [
    nome for nome, desligada in json.loads((_CONFIG_ALUNO / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    ["disabledExtensions"].items() if desligada]


@dataclass
class Aluno:
    numero: str
    nome: str
    email: str
    utilizador: str


def ler_alunos(caminho: Path) -> list[Aluno]:
    """As linhas do CSV (numero,nome,email); o utilizador é «a» seguido do número, só [a-z0-9]."""
    with caminho.open(encoding="utf-8-sig", newline="") as f:
        linhas = list(csv.DictReader(f))
    alunos, vistos = [], set()
    for i, linha in enumerate(linhas, start=2):
        numero = (linha.get("numero") or "").strip()
        utilizador = "a" + re.sub(r"[^a-z0-9]", "", numero.lower())
        if utilizador == "a" or len(utilizador) > 31:
            raise SystemExit(f"❌ {caminho}, linha {i}: o número «{numero}» não serve para criar a conta.")
        if utilizador in vistos:
            raise SystemExit(f"❌ {caminho}, linha {i}: o número «{numero}» está repetido.")
        vistos.add(utilizador)
        nome = " ".join((linha.get("nome") or "").replace(":", " ").split()) or utilizador
        alunos.append(Aluno(numero, nome, (linha.get("email") or "").strip(), utilizador))
    if not alunos:
        raise SystemExit(f"❌ {caminho} não tem alunos (colunas: numero,nome,email).")
    return alunos


def existe(utilizador: str) -> bool:
    try:
        pwd.getpwnam(utilizador)
        return True
    except KeyError:
        return False


def criar_conta(utilizador: str, nome: str) -> str | None:
    """Cria a conta (com grupo próprio e pasta pessoal só dela) e devolve a senha inicial;
    None se a conta já existia (a senha fica a que era)."""
    if existe(utilizador):
        return None
    subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
                    "--comment", nome, utilizador], check=True)
    senha = secrets.token_urlsafe(9)
    subprocess.run(["chpasswd"], input=f"{utilizador}:{senha}\n", text=True, check=True)
    os.chmod(pwd.getpwnam(utilizador).pw_dir, 0o700)  # ninguém espreita a pasta de outro
    return senha


def proteger(projeto: Path, professor: str) -> None:
    """O projeto fica só para root, exceto o que os servidores precisam de ler (PUBLICO); a pasta
    do curso (professor/, a raiz do nbgrader) fica também para o grupo do professor (pastas com
    setgid, para que o que lá se criar continue do grupo), e o código do motor (autograder/) o
    grupo só o lê (a configuração do curso importa-o). Fecham-se as pastas aos outros; os modos
    dos ficheiros lá dentro ficam (o nbgrader copia-os para a troca, onde os alunos os leem)."""
    try:
        gid = grp.getgrnam(professor).gr_gid
    except KeyError:
        raise SystemExit(f"❌ Não há o grupo {professor}: corre primeiro make turma ALUNOS=… (cria a conta).") from None
    # Todos atravessam o projeto (para chegar ao .venv); só o professor o lista (o Python
    # importa o pacote autograder a partir dele).
    os.chown(projeto, -1, gid)
    os.chmod(projeto, 0o751)
    for entrada in projeto.iterdir():
        if entrada.name not in PUBLICO and not entrada.is_symlink():
            os.chmod(entrada, entrada.stat().st_mode & ~0o007)
    for raiz, pastas_g, ficheiros_g in ((projeto / "professor", 0o2070, 0o060), (projeto / "autograder", 0o050, 0o040)):
        for pasta, _, ficheiros in os.walk(raiz):
            os.chown(pasta, -1, gid)
            os.chmod(pasta, (os.stat(pasta).st_mode | pastas_g) & ~0o007)
            for nome in ficheiros:
                f = os.path.join(pasta, nome)
                if not os.path.islink(f):
                    os.chown(f, -1, gid)
                    os.chmod(f, os.stat(f).st_mode | ficheiros_g)


def preparar_feedback(raiz: Path) -> int:
    """O «Release feedback» do nbgrader procura, ao lado de cada feedback, o timestamp.txt e o
    submission_secret.txt da entrega (é com o segredo que o aluno reconhece o seu). A avaliação do
    curso (make avaliar, ``formgrader.feedback_para_o_nbgrader``) já os copia; isto repete-o para um
    feedback gerado de outra forma (ex.: nbgrader generate_feedback à mão)."""
    copiados = 0
    for entrega in (raiz / "submitted").glob("*/*"):
        destino = raiz / "feedback" / entrega.relative_to(raiz / "submitted")
        for html in destino.glob("*.html"):  # o nbgrader copia o modo: o aluno tem de o poder ler
            os.chmod(html, 0o664)
        for nome in ("timestamp.txt", "submission_secret.txt"):
            if destino.is_dir() and (entrega / nome).is_file():
                shutil.copy2(entrega / nome, destino / nome)
                copiados += 1
    return copiados


def escrever_configuracao(partilhado: Path, raiz: Path, professor: str) -> tuple[Path, Path]:
    """A pasta de troca do nbgrader e a configuração do Jupyter de alunos e do professor."""
    troca = partilhado / "exchange"
    troca.mkdir(parents=True, exist_ok=True)
    os.chmod(partilhado, 0o755)
    os.chmod(troca, 0o1777)  # como o nbgrader documenta: todos escrevem, ninguém apaga o dos outros
    comum = f"c.Exchange.root = {str(troca)!r}\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
    aluno, prof = partilhado / "config" / "aluno", partilhado / "config" / "professor"
    for pasta in (aluno / "labconfig", prof):
        pasta.mkdir(parents=True, exist_ok=True)
    (aluno / "nbgrader_config.py").write_text(
        "# Gerado pelo make turma: a troca partilhada da turma.\nc = get_config()  # noqa: F821\n" + comum
        + "c.Execute.iopub_timeout = 60\n", encoding="utf-8")
    # O terminal do JupyterLab sem «bash -l»: o /etc/profile tiraria o .venv do curso do PATH.
    terminal = {"shell_command": ["/bin/bash"]}
    servidor = {"ServerApp": {"jpserver_extensions": {e: False for e in SO_PROFESSOR_SERVIDOR},
                              "terminado_settings": terminal},
                "ContentsManager": {"hide_globs": ["__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints"]}}
    (aluno / "jupyter_server_config.json").write_text(json.dumps(servidor, indent=2), encoding="utf-8")
    # O formgrader abre-se no JupyterLab num iframe da mesma origem; o jupyterhub-singleuser proíbe
    # por omissão qualquer iframe (frame-ancestors 'none': o menu Nbgrader › Formgrader ficava
    # «127.0.0.1 refused to connect»). Só no servidor do professor, e só para a mesma origem.
    cabecalhos = {"Content-Security-Policy": "frame-ancestors 'self'"}
    (prof / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"terminado_settings": terminal, "tornado_settings": {"headers": cabecalhos}}},
                   indent=2), encoding="utf-8")
    # Como no make curso (jupyter_config/labconfig): o JupyterLab não pergunta nem vai buscar notícias
    # nem atualizações à rede (numa sala de aula, ninguém precisa do aviso; sem rede, falharia).
    sem_noticias = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
    for pasta in (aluno, prof):
        (pasta / "labconfig").mkdir(parents=True, exist_ok=True)
        (pasta / "labconfig" / "default_setting_overrides.json").write_text(
            json.dumps(sem_noticias, indent=2), encoding="utf-8")
    (aluno / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {e: True for e in SO_PROFESSOR_LAB}}, indent=2), encoding="utf-8")
    # O professor: a configuração do curso (a de professor/, cópia da de autograder/) mais a troca partilhada.
    (prof / "nbgrader_config.py").write_text(
        "# Gerado pelo make turma: a configuração do curso e a troca partilhada.\n"
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig('nbgrader_config.py', path={str(raiz)!r})  # noqa: F821\n" + comum, encoding="utf-8")
    for pasta, _, ficheiros in os.walk(partilhado / "config"):
        os.chmod(pasta, 0o755)
        for nome in ficheiros:
            os.chmod(os.path.join(pasta, nome), 0o644)
    return aluno, prof


def registar_alunos(raiz: Path, alunos: list[Aluno]) -> None:
    """Os alunos no gradebook, com o nome do CSV (o formgrader mostra-o ao lado do utilizador)."""
    sys.path.insert(0, str(PROJETO))
    from nbgrader.api import Gradebook

    from autograder import comum

    with Gradebook(comum.url_gradebook(raiz)) as gb:
        for a in alunos:
            primeiro, _, resto = a.nome.partition(" ")
            gb.update_or_create_student(a.utilizador, first_name=primeiro, last_name=resto, email=a.email or None)


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parar(hub: subprocess.Popen, uids: set[int]) -> None:
    """Pede ao hub que pare (ele para o proxy e os servidores); o que ficar, mata-se."""
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
            hub.wait()
    import psutil

    sobras = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids]
    for p in sobras:
        try:
            p.kill()
        except psutil.Error:
            pass
    if sobras:
        print(f"» Terminei {len(sobras)} processo(s) de alunos que ficaram para trás.")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Arranca o JupyterHub da turma (make turma ALUNOS=turma.csv).")
    ap.add_argument("--alunos", type=Path, help="CSV com as colunas numero,nome,email")
    ap.add_argument("--porta", type=int, default=8000)
    ap.add_argument("--sem-navegador", action="store_true")
    ap.add_argument("--depois-de-avaliar", action="store_true",
                    help="acerta as permissões do projeto para a turma (o make avaliar já deixa o feedback "
                         "pronto para o Release feedback; isto só repara o que se mudou à mão)")
    args = ap.parse_args(argv)
    professor = os.environ.get("TURMA_PROFESSOR", "professor")
    partilhado = Path(os.environ.get("TURMA_PARTILHADO", "/srv/nbgrader")).resolve()
    raiz, venv = PROJETO / "professor", PROJETO / ".venv"
    estado = TURMA / "estado"
    proxy = TURMA / "node_modules" / ".bin" / "configurable-http-proxy"

    if os.geteuid() != 0:
        print("❌ O make turma tem de correr como root (cria contas e arranca um servidor por aluno): "
              "sudo make turma ALUNOS=turma.csv", file=sys.stderr)
        return 1
    if args.depois_de_avaliar:
        preparar_feedback(raiz)
        proteger(PROJETO, professor)
        print(f"» Feedback pronto para o «Release feedback» do formgrader; {raiz} só para root e o grupo {professor}.")
        return 0
    if args.alunos is None or not args.alunos.is_file():
        print("❌ Indica a lista da turma: make turma ALUNOS=turma.csv (colunas numero,nome,email).", file=sys.stderr)
        return 1
    for comando in ("useradd", "chpasswd", "prlimit"):
        if shutil.which(comando) is None:
            print(f"❌ Falta o comando {comando} (Debian: apt-get install passwd util-linux).", file=sys.stderr)
            return 1
    if not proxy.exists():
        print("❌ Falta o proxy do JupyterHub: corre make turma (instala-o com npm ci em turma/).", file=sys.stderr)
        return 1
    if not (raiz / "release").is_dir():
        print("❌ Falta professor/release/: corre primeiro make notebooks.", file=sys.stderr)
        return 1

    alunos = ler_alunos(args.alunos)
    estado.mkdir(mode=0o700, exist_ok=True)
    os.chmod(estado, 0o700)
    novas = {}
    for utilizador, nome in [(professor, "Professor"), *((a.utilizador, a.nome) for a in alunos)]:
        if (senha := criar_conta(utilizador, nome)) is not None:
            novas[utilizador] = (nome, senha)
    if novas:
        senhas = estado / "senhas.csv"
        novo = not senhas.exists()
        with os.fdopen(os.open(senhas, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "w", encoding="utf-8") as f:
            escritor = csv.writer(f)
            if novo:
                escritor.writerow(["utilizador", "nome", "senha"])
            escritor.writerows([u, n, s] for u, (n, s) in novas.items())
        os.chmod(senhas, 0o600)
        print("\n» Contas novas e as senhas iniciais (só aparecem agora; cópia em "
              f"{senhas}, só para root). Cada um muda a sua com «passwd» num terminal do JupyterLab:")
        for u, (n, s) in novas.items():
            print(f"   {u:<12} {s:<14} {n}")
        print()

    # O Python do curso tem de ser legível pelas contas da turma (um pyenv em /root não é).
    teste = subprocess.run(["runuser", "-u", alunos[0].utilizador, "--", str(venv / "bin" / "python"), "-c", "pass"],
                           capture_output=True, text=True)
    if teste.returncode != 0:
        print(f"❌ As contas da turma não conseguem correr o Python do curso ({venv}/bin/python → "
              f"{(venv / 'bin' / 'python').resolve()}): {teste.stderr.strip()[:200]}\n   Cria o .venv com um Python "
              "que todos leem (ex.: rm -rf .venv && make setup PYTHON=/usr/bin/python3.11) e o projeto numa "
              "pasta que todos atravessam.", file=sys.stderr)
        return 1
    config_aluno, config_prof = escrever_configuracao(partilhado, raiz, professor)
    registar_alunos(raiz, alunos)
    proteger(PROJETO, professor)

    porta_hub, porta_proxy = porta_livre(), porta_livre()
    ip = os.environ.get("TURMA_IP", "0.0.0.0")
    turma = {
        "ip": ip, "porta": args.porta, "porta_hub": porta_hub, "porta_proxy": porta_proxy,
        "estado": str(estado), "proxy": str(proxy), "venv": str(venv), "raiz": str(raiz),
        "professor": professor, "alunos": [a.utilizador for a in alunos],
        "config_aluno": str(config_aluno), "config_professor": str(config_prof),
        "memoria_mb": int(os.environ.get("TURMA_MEMORIA_MB", 8192)),
        "cpu_s": int(os.environ.get("TURMA_CPU_S", 7200)),
    }
    (estado / "turma.json").write_text(json.dumps(turma, indent=2), encoding="utf-8")
    ambiente = {**os.environ, "TURMA_CONFIG": str(estado / "turma.json"),
                "PATH": f"{venv}/bin:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    registo = open(estado / "jupyterhub.log", "ab")
    hub = subprocess.Popen([str(venv / "bin" / "jupyterhub"), "-f", str(TURMA / "jupyterhub_config.py")],
                           cwd=estado, env=ambiente, stdout=registo, stderr=subprocess.STDOUT,
                           start_new_session=True)  # o Ctrl-C chega só aqui; o hub para pelo SIGTERM
    uids = {pwd.getpwnam(u).pw_uid for u in [professor, *turma["alunos"]]}

    def interromper(_numero, _quadro):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interromper)
    local = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    url = f"http://{local}:{args.porta}/hub/login"
    try:
        while True:
            if hub.poll() is not None:
                print(f"❌ O JupyterHub saiu ({hub.returncode}); vê {estado / 'jupyterhub.log'}.", file=sys.stderr)
                return 1
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        print(f"» Turma pronta: {len(alunos)} aluno(s) e o professor «{professor}» em {url}")
        print(f"  (registo do hub: {estado / 'jupyterhub.log'}). Ctrl-C para tudo.", flush=True)
        if not args.sem_navegador:
            import webbrowser

            webbrowser.open(url)
        hub.wait()
        return hub.returncode or 0
    except KeyboardInterrupt:
        print("\n» A parar o hub e os servidores da turma…", flush=True)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # um segundo Ctrl-C não deixa nada a meio
        parar(hub, uids)
        registo.close()


if __name__ == "__main__":
    sys.exit(main())
