"""Processos da avaliação: os limites de cada um, os espaços de nomes do Linux (sem rede, PIDs
próprios), correr com um prazo e matar tudo no Ctrl-C.

``isolamento()`` diz se esta máquina consegue isolar (root, Linux, ``unshare``, ``bwrap``); o
resto da caixa de areia do kernel está em ``kernel_na_caixa.py`` e ``caixa.py``.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import comum


@dataclass(frozen=True)
class Limites:
    tempo_celula: int = comum.TEMPO_CELULA_S  # s por célula (o nbgrader interrompe a célula e continua)
    tempo_entrega: int = comum.TEMPO_ENTREGA_S  # s de relógio para uma entrega inteira
    memoria_mb: int = comum.MEMORIA_MB  # espaço de endereçamento por processo
    cpu_s: int = comum.CPU_S  # tempo de CPU por processo
    sem_rede: bool = True


_processos: set[subprocess.Popen] = set()


_trinco = threading.Lock()


PARAR = threading.Event()  # Ctrl-C: nenhuma corrida nova começa depois disto (ver matar_todos)


@functools.cache
def isolamento() -> bool:
    """True se esta máquina consegue pôr o kernel do aluno na caixa (``caixa.py``): Linux, root,
    ``bwrap``, ``setpriv``, ``unshare`` e ``ip``, e um espaço de rede novo funciona. Calculado na
    primeira vez que é preciso (importar este módulo não corre nada)."""
    if os.name != "posix" or os.geteuid() != 0:
        return False
    if not all(shutil.which(p) for p in ("unshare", "ip", "bwrap", "setpriv")):
        return False
    teste = subprocess.run(
        ["unshare", "--net", "--pid", "--mount", "--fork", "--kill-child", "--", "ip", "link", "set", "lo", "up"],
        capture_output=True,
    )
    return teste.returncode == 0


def aviso_isolamento() -> str | None:
    """O aviso a mostrar ao professor quando não há caixa (pt-PT), ou None."""
    if isolamento():
        return None
    falta = [p for p in ("bwrap", "setpriv", "unshare", "ip") if not shutil.which(p)]
    como = (f" Falta: {', '.join(falta)} (Debian: apt-get install bubblewrap util-linux iproute2)."
            if falta and os.name == "posix" and os.geteuid() == 0 else "")
    return ("Sem caixa de areia (precisa de root, Linux e bubblewrap): o código dos alunos corre com as "
            "tuas permissões, pode ler solutions/ e os testes ocultos e usar a rede." + como
            + " Avalia num contentor (ver README, «Modelo de ameaças»).")


def _prefixo(limites: Limites) -> list[str]:
    if not isolamento():
        return []
    # Novo espaço de PIDs: quando o processo principal acaba, todos os filhos (kernels) morrem.
    # O /proc volta a ser montado para esse espaço (--mount-proc): o bwrap da caixa lê lá os
    # seus próprios espaços de nomes (com o /proc da máquina falha: «open /proc/N/ns/ns»).
    prefixo = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if limites.sem_rede:
        prefixo.insert(1, "--net")  # sem rede; o loopback (para o kernel) é ligado abaixo
        return [*prefixo, "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
    return [*prefixo, "--"]


def correr_limitado(cmd: list[str], cwd: Path, env: dict, limites: Limites,
                    prazo: float | None = None) -> tuple[int, str, bool]:
    """Corre ``cmd`` com os limites; devolve (código de saída, saída, excedeu_o_tempo).

    ``prazo`` (``time.monotonic()``) é o fim do tempo da entrega inteira: todas as corridas de
    uma entrega (nbgrader, localizar, nova tentativa) partilham o mesmo relógio.
    """
    if prazo is None:
        prazo = time.monotonic() + limites.tempo_entrega
    restante = prazo - time.monotonic()
    if restante <= 0:
        return -1, "", True
    # Os limites põe-nos um lançador (limitar.py), não um preexec_fn: esta função corre em
    # várias threads, e código Python entre fork e exec num processo com threads pode bloquear.
    lancador = [sys.executable, str(Path(__file__).with_name("limitar.py")),
                str(limites.memoria_mb * 2**20), str(limites.cpu_s), "--"]
    with _trinco:  # depois do Ctrl-C nada de novo arranca (o matar_todos põe PARAR com o trinco)
        if PARAR.is_set():
            raise Interrompida()
        proc = subprocess.Popen(
            lancador + _prefixo(limites) + cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        )
        _processos.add(proc)
    excedeu = False
    try:
        saida, _ = proc.communicate(timeout=restante)
    except subprocess.TimeoutExpired:
        excedeu = True
        matar(proc)
        saida, _ = proc.communicate()
    finally:
        matar(proc)
        with _trinco:
            _processos.discard(proc)
    return proc.returncode, saida or "", excedeu


def matar(proc: subprocess.Popen) -> None:
    """Mata o processo, o seu grupo e todos os descendentes que ainda lhe estejam ligados."""
    try:
        import psutil

        filhos = psutil.Process(proc.pid).children(recursive=True)
    except Exception:
        filhos = []
    for alvo in [proc.pid, *(f.pid for f in filhos)]:
        try:
            os.killpg(alvo, signal.SIGKILL) if alvo == proc.pid else os.kill(alvo, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Interrompida(Exception):
    """A avaliação foi interrompida (Ctrl-C): a entrega fica por avaliar, nada se guarda."""


def matar_todos() -> None:
    """Ctrl-C: não deixa nenhum processo de avaliação para trás, e nenhum começa depois."""
    with _trinco:
        PARAR.set()
        for proc in list(_processos):
            matar(proc)
