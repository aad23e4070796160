"""Servidores a sério para os testes da avaliação em escala (``tests/avaliacao/test_escala.py``): um
PostgreSQL e um escalonador do Dask com os seus workers, numa pasta temporária e no loopback.
Cada um arranca aqui e para no fim do bloco ``with``, sem deixar processos."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _esperar_porta(porta: int, segundos: float, proc: subprocess.Popen, registo: Path) -> None:
    fim = time.monotonic() + segundos
    while time.monotonic() < fim:
        if proc.poll() is not None:
            raise RuntimeError(f"O processo saiu com o código {proc.returncode}:\n{registo.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", porta)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Ninguém a ouvir em 127.0.0.1:{porta} ao fim de {segundos} s:\n{registo.read_text()[-2000:]}")


def matar_arvore(pid: int) -> None:
    """Mata o processo e todos os descendentes de uma vez (como uma máquina que se desliga)."""
    try:
        raiz = psutil.Process(pid)
        alvos = [raiz, *raiz.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for p in alvos:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alvos, timeout=10)


# --------------------------------------------------------------------------- PostgreSQL
def binarios_postgres() -> Path | None:
    """A pasta com ``initdb``, ``pg_ctl`` e ``postgres`` (no PATH ou onde o Debian os põe)."""
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(shutil.which("initdb")).resolve().parent
    for pasta in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(pasta, "initdb").exists():
            return Path(pasta)
    return None


@contextlib.contextmanager
def postgres():
    """Um PostgreSQL numa pasta temporária, em 127.0.0.1 numa porta livre; dá o URL do SQLAlchemy.

    O PostgreSQL recusa correr como root: como root (o CI), o servidor corre como ``nobody``,
    numa pasta só dele."""
    binarios = binarios_postgres()
    if binarios is None:
        raise FileNotFoundError("initdb/pg_ctl")
    pasta = Path(tempfile.mkdtemp(prefix="curso4-pg-"))
    dados = pasta / "dados"
    registo = pasta / "postgres.log"
    prefixo: list[str] = []
    if os.geteuid() == 0:
        ninguem = pwd.getpwnam("nobody")
        os.chown(pasta, ninguem.pw_uid, ninguem.pw_gid)
        prefixo = ["setpriv", f"--reuid={ninguem.pw_uid}", f"--regid={ninguem.pw_gid}", "--clear-groups", "--"]
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(pasta)}
    subprocess.run([*prefixo, str(binarios / "initdb"), "-D", str(dados), "-U", "curso", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, env=env, cwd=pasta)
    porta = porta_livre()
    opcoes = f"-h 127.0.0.1 -p {porta} -k {pasta} -c fsync=off -c full_page_writes=off"
    subprocess.run([*prefixo, str(binarios / "pg_ctl"), "-D", str(dados), "-l", str(registo), "-o", opcoes,
                    "-w", "-t", "60", "start"], check=True, capture_output=True, env=env, cwd=pasta)
    try:
        subprocess.run([*prefixo, str(binarios / "createdb") if (binarios / "createdb").exists() else "createdb",
                        "-h", "127.0.0.1", "-p", str(porta), "-U", "curso", "curso"],
                       check=True, capture_output=True, env=env, cwd=pasta)
        yield f"postgresql://curso@127.0.0.1:{porta}/curso"
    finally:
        subprocess.run([*prefixo, str(binarios / "pg_ctl"), "-D", str(dados), "-m", "immediate", "-w", "stop"],
                       capture_output=True, env=env, cwd=pasta)
        shutil.rmtree(pasta, ignore_errors=True)


# --------------------------------------------------------------------------- Dask
@contextlib.contextmanager
def dask(n_workers: int, pasta: Path, env: dict[str, str]):
    """Um ``dask scheduler`` e ``n_workers`` processos ``dask worker`` (uma thread cada) no
    loopback; dá (endereço, lista de Popen dos workers). Os registos ficam em ``pasta``."""
    dask_bin = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    porta = porta_livre()
    endereco = f"tcp://127.0.0.1:{porta}"
    processos: list[subprocess.Popen] = []
    try:
        reg = pasta / "scheduler.log"
        sched = subprocess.Popen([*dask_bin, "--host", "127.0.0.1", "--port", str(porta), "--dashboard-address", ":0",
                                  "--no-show"], stdout=reg.open("w"), stderr=subprocess.STDOUT, env=env,
                                 start_new_session=True)
        processos.append(sched)
        _esperar_porta(porta, 60, sched, reg)
        workers = []
        for i in range(n_workers):
            reg = pasta / f"worker{i}.log"
            w = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", endereco, "--nworkers", "1",
                                  "--nthreads", "1", "--memory-limit", "0", "--host", "127.0.0.1",
                                  "--dashboard-address", ":0", "--name", f"w{i}"],
                                 stdout=reg.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
            processos.append(w)
            workers.append(w)
        yield endereco, workers
    finally:
        for p in reversed(processos):
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(processos):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                matar_arvore(p.pid)
                p.wait()
            matar_arvore(p.pid)
        from autograder import distribuido

        distribuido._limpar_workers_mortos()  # as pastas que os workers deixaram em /tmp
