"""O kernel do aluno na caixa de areia: o kernelspec que o lança pela ``caixa.py``, um uid só da
entrega, o ambiente do nbgrader e do ``localizar.py``, e a verificação antes da primeira entrega.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder import cache_modelos, comum, processos
from autograder.comum import ambiente_nbgrader

KERNEL_ISOLADO = "curso4-isolado"


UID_PRIMEIRO, UID_QUANTOS = 200_000, 4_096  # uids reservados para os kernels dos alunos


@contextlib.contextmanager
def uid_reservado():
    """Reserva, para uma entrega, um uid que nenhum outro kernel em avaliação nesta máquina está
    a usar (um ``flock`` por uid em ``/run/curso4-uids``, libertado no fim, mesmo se o processo
    morrer). Dois kernels avaliados ao mesmo tempo — nesta avaliação ou noutra — nunca partilham
    um uid: não se podem ler nem mandar sinais."""
    import fcntl

    pasta = Path("/run/curso4-uids") if os.access("/run", os.W_OK) else Path(tempfile.gettempdir()) / "curso4-uids"
    pasta.mkdir(mode=0o700, exist_ok=True)
    inicio = (os.getpid() * 7 + threading.get_ident()) % UID_QUANTOS
    for i in range(UID_QUANTOS):
        uid = UID_PRIMEIRO + (inicio + i) % UID_QUANTOS
        f = open(pasta / str(uid), "a")  # noqa: SIM115 (fica aberto enquanto a entrega dura)
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        try:
            yield uid
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()
        return
    raise RuntimeError(f"Não há uids livres para a caixa ({UID_QUANTOS} entregas ao mesmo tempo?)")


def kernelspec(raiz: Path) -> Path:
    """Escreve o kernelspec do kernel na caixa (``caixa.py``) e devolve a pasta a pôr no
    JUPYTER_PATH. As interrupções (tempo de uma célula esgotado) vão por mensagem: o kernel
    está noutra sessão e noutro espaço de PIDs, onde o sinal do grupo não chega."""
    pasta = raiz / ".avaliacao" / ".jupyter"
    spec = pasta / "kernels" / KERNEL_ISOLADO / "kernel.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    conteudo = {
        "argv": [sys.executable, str(Path(__file__).with_name("caixa.py")), "-f", "{connection_file}"],
        "display_name": "Python 3 (caixa de areia da avaliação)",
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }
    texto = json.dumps(conteudo, indent=1)
    if not spec.exists() or spec.read_text(encoding="utf-8") != texto:  # várias threads: troca atómica
        temporario = spec.with_name(f"kernel.json.{os.getpid()}.{threading.get_ident()}")
        temporario.write_text(texto, encoding="utf-8")
        os.replace(temporario, spec)
    return pasta


def verificar_caixa(raiz: Path, limites: processos.Limites) -> str | None:
    """Antes de avaliar a primeira entrega: monta a caixa como para um kernel e importa o que o
    kernel precisa. None se funciona (ou se não há isolamento: o aviso diz-se à parte); senão, o
    que falhou, em pt-PT, com o caminho ou o programa em falta."""
    if not processos.isolamento():
        return None
    env = ambiente_nbgrader()
    env[comum.ENV_CACHE_MODELOS] = str(cache_modelos.pasta_cache_modelos(raiz))
    with uid_reservado() as uid, tempfile.TemporaryDirectory(prefix="curso4-verificar-") as tmp:
        env[comum.ENV_UID] = str(uid)
        env[comum.ENV_CAIXA] = tmp
        codigo, saida, excedeu = processos.correr_limitado(
            [sys.executable, str(Path(__file__).with_name("caixa.py")), "--verificar"], Path(tmp), env, limites,
            time.monotonic() + 120)
    if codigo == 0 and "caixa ok" in saida:
        return None
    linhas = [linha for linha in saida.strip().splitlines() if linha.strip()]
    detalhe = linhas[-1] if linhas else ("demorou mais de 120 s" if excedeu else f"código de saída {codigo}")
    return (f"Não consegui montar a caixa de areia dos kernels dos alunos ({detalhe}). Nenhuma entrega foi "
            "avaliada. Confirma que o bubblewrap está instalado (apt-get install bubblewrap) e que o .venv "
            "e o pacote course/otimizacao existem nos caminhos que o Python indica; depois corre o mesmo comando.")


def ambiente_do_kernel(raiz: Path, trabalho: Path, uid: int | None) -> dict[str, str]:
    """O ambiente do nbgrader e do localizar: sem isolamento, o de sempre; com isolamento, o
    kernelspec da caixa (``caixa.py``), o uid reservado para esta entrega e a pasta onde a caixa
    guarda o que é só do kernel. Em ambos, a cache do modelo de base desta avaliação."""
    env = ambiente_nbgrader()
    env[comum.ENV_CACHE_MODELOS] = str(cache_modelos.pasta_cache_modelos(raiz))
    if processos.isolamento():
        cache_modelos.cache_legivel(cache_modelos.pasta_cache_modelos(raiz))
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernelspec(raiz)), env.get("JUPYTER_PATH")]))
        env[comum.ENV_KERNEL] = KERNEL_ISOLADO
        env[comum.ENV_UID] = str(uid)
        env[comum.ENV_CAIXA] = str(trabalho / ".caixa")
    return env
