"""Avaliação distribuída com o Dask (``make avaliar MOTOR=tcp://servidor:8786``).

Cada entrega é uma tarefa do Dask distributed. A tarefa recebe os bytes da entrega (os
ficheiros da pasta ``<aluno>/<tarefa>/``) e o pacote da tarefa (o source, o release e um
gradebook modelo só com essa tarefa); num worker, avalia-a com o motor de sempre
(``entrega.avaliar_entrega``: raiz própria, limites, isolamento, célula fatal desativada) e devolve
o ``Resultado`` (notas, motivos) e o caderno avaliado, de onde o coordenador gera o feedback.
Só o coordenador (este processo) escreve no gradebook principal (``gradebook.registar``).

Um worker que morre a meio (a máquina desligou-se, o processo foi morto) não perde nada: o
escalonador do Dask volta a dar as suas tarefas a outro worker, e o coordenador regista cada
entrega uma só vez (um resultado por entrega). Uma avaliação interrompida retoma como a local:
o resultado de cada entrega fica em ``<raiz>/.avaliacao/<aluno>/<tarefa>/resultado.json``.

``MOTOR=local`` corre o mesmo num ``LocalCluster`` desta máquina (``WORKERS`` processos, uma
entrega de cada vez em cada um): serve para medir (``make bench-avaliacao``). Sem ``MOTOR``, a
avaliação usa o conjunto de threads de sempre (``paralelo.avaliar_todas``), tão rápido numa só
máquina e sem serializar nada (medições no README).

Os workers precisam do mesmo ambiente que o coordenador (``make setup`` ou a imagem de
avaliação, ``Containerfile``): o código do projeto e as versões fixadas.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

from autograder import cache_modelos, comum, entrega, entregas, processos
from autograder.resultado import Resultado

# --------------------------------------------------------------------------- no coordenador


def pacote_tarefa(raiz: Path, tarefa: str) -> dict[str, bytes]:
    """O que um worker precisa para avaliar ``tarefa``: o source, o release e um gradebook
    modelo (SQLite) só com a tarefa, sem alunos (o gradebook da raiz pode ter a turma toda)."""
    from nbgrader.api import Gradebook

    with tempfile.TemporaryDirectory(prefix="curso4-pacote-") as tmp:
        modelo = Path(tmp) / "gradebook.db"
        shutil.copy2(raiz / "gradebook.db", modelo)
        with Gradebook(f"sqlite:///{modelo}") as gb:
            for aluno in [s.id for s in gb.students]:
                gb.remove_student(aluno)
            for outra in [a.name for a in gb.assignments if a.name != tarefa]:
                gb.remove_assignment(outra)
        return {
            "tarefa": tarefa.encode(),
            "source": (raiz / "source" / tarefa / f"{tarefa}.ipynb").read_bytes(),
            "release": (raiz / "release" / tarefa / f"{tarefa}.ipynb").read_bytes(),
            "gradebook": modelo.read_bytes(),
        }


def ficheiros_da_entrega(pasta: Path) -> dict[str, bytes]:
    """nome -> bytes dos ficheiros da pasta da entrega ({} se o aluno não a entregou)."""
    if not pasta.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(pasta.iterdir()) if p.is_file()}


def _cliente(raiz: Path, endereco: str, workers: int):
    from distributed import Client, LocalCluster

    if endereco == "local":
        # Os workers desta máquina partilham a cache do modelo de base da avaliação (já aquecida).
        os.environ[comum.ENV_CACHE_MODELOS] = str(cache_modelos.pasta_cache_modelos(raiz))
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               memory_limit=0, dashboard_address=None, silence_logs=40)
        return Client(cluster), cluster
    try:
        return Client(endereco, timeout="30s"), None
    except (OSError, TimeoutError) as erro:
        raise SystemExit(
            f"❌ Não consegui ligar ao escalonador do Dask em {endereco} ({erro}). Confirma que o "
            "«dask scheduler» está a correr nesse endereço e que esta máquina lá chega, ou avalia "
            "localmente sem MOTOR=."
        ) from None


def avaliar_todas(raiz: Path, lista: list[tuple[str, str, Path]], endereco: str, workers: int,
                  limites: processos.Limites, refazer: bool = False) -> list[Resultado]:
    """Avalia as entregas como tarefas do Dask (``endereco``: ``tcp://…`` ou ``local``), com o
    mesmo progresso e o mesmo resultado que ``paralelo.avaliar_todas``."""
    from distributed import as_completed
    from tqdm import tqdm

    resultados: list[Resultado] = []
    por_fazer = []
    for aluno, tarefa, pasta in lista:  # retomar: o que já foi avaliado com a mesma impressão fica
        aluno_id = entregas.id_seguro(aluno)
        guardado = Resultado.ler(raiz / ".avaliacao" / aluno_id / tarefa / "resultado.json")
        impressao = entrega.impressao_entrega(pasta, raiz / "source" / tarefa / f"{tarefa}.ipynb", limites)
        if guardado is not None and guardado.impressao == impressao and not refazer and not guardado.nao_avaliada:
            resultados.append(guardado)
        else:
            por_fazer.append((aluno, tarefa, pasta))
    barra = tqdm(total=len(lista), initial=len(resultados), desc="A avaliar", unit="entrega",
                 file=sys.stdout, dynamic_ncols=True)
    if not por_fazer:
        barra.close()
        return sorted(resultados, key=lambda r: (r.tarefa, r.aluno))
    cliente, cluster = _cliente(raiz, endereco, workers)
    barra.write(f"» Dask: {endereco} ({len(cliente.scheduler_info()['workers'])} worker(s) ligados)")
    falhas = 0
    futuros = {}
    try:
        pacotes = {}
        for tarefa in sorted({t for _, t, _ in por_fazer}):
            pacote = pacote_tarefa(raiz, tarefa)
            chave = hashlib.sha256(b"".join(pacote.values())).hexdigest()[:16]
            # Uma tarefa do Dask (e não dados espalhados): se o worker que a guarda morrer, o
            # escalonador volta a calculá-la noutro.
            pacotes[tarefa] = cliente.submit(_identidade, pacote, key=f"pacote-{tarefa}-{chave}")
        for aluno, tarefa, pasta in por_fazer:
            futuro = cliente.submit(avaliar_remoto, pacotes[tarefa], aluno, ficheiros_da_entrega(pasta),
                                    limites, pure=False, key=f"avaliar-{tarefa}-{entregas.id_seguro(aluno)}-"
                                    f"{os.urandom(4).hex()}")
            futuros[futuro] = (aluno, tarefa)
        for futuro in as_completed(list(futuros)):
            aluno, tarefa = futuros[futuro]
            try:
                r = _guardar(raiz, futuro.result())
            except Exception as erro:  # um erro do próprio motor não pode parar a turma
                r = Resultado(aluno, entregas.id_seguro(aluno), tarefa,
                                    nao_avaliada=f"Erro interno ao avaliar num worker do Dask ({type(erro).__name__}: "
                                                 f"{erro}). Corre o mesmo comando para a avaliar de novo.")
            resultados.append(r)
            if r.motivos or not r.avaliado:
                falhas += 1
            barra.set_postfix_str(f"com avisos: {falhas}")
            nota = "NÃO AVALIADA (falha da avaliação)" if r.nao_avaliada else f"{r.total:g}/{r.maximo:g}"
            barra.write(f"  {aluno} · {tarefa}: {nota} em {r.segundos:.0f} s"
                        + (f" ({len(r.motivos)} aviso(s))" if r.motivos else ""))
            barra.update(1)
    except KeyboardInterrupt:
        cliente.cancel(list(futuros), force=True)
        barra.close()
        print(f"\n⏸  Avaliação interrompida: {len(resultados)} entrega(s) avaliada(s) ficam guardadas. "
              "Corre o mesmo comando para continuar (REFAZER=1 para avaliar tudo de novo).")
        raise SystemExit(130) from None
    finally:
        cliente.close()
        if cluster is not None:
            cluster.close()
    barra.close()
    return sorted(resultados, key=lambda r: (r.tarefa, r.aluno))


def _guardar(raiz: Path, devolvido: dict) -> Resultado:
    """Escreve o que o worker devolveu onde o motor local o deixaria: ``registar`` e a retoma
    tratam-no como a uma avaliação local."""
    r = Resultado(**devolvido["resultado"])
    trabalho = raiz / ".avaliacao" / r.aluno_id / r.tarefa
    if trabalho.exists():
        shutil.rmtree(trabalho)
    destino = trabalho / "autograded" / r.aluno_id / r.tarefa
    for nome, conteudo in devolvido["autograded"].items():
        caminho = destino / nome
        caminho.parent.mkdir(parents=True, exist_ok=True)
        caminho.write_bytes(conteudo)
    if not r.nao_avaliada:  # uma falha da avaliação nunca fica guardada para a retoma
        r.guardar(trabalho / "resultado.json")
    return r


# --------------------------------------------------------------------------- no worker
_trinco = threading.Lock()
_cache_aquecida: set[str] = set()


def _identidade(x):
    return x


def _raiz_do_worker(pacote: dict[str, bytes]) -> Path:
    """Uma raiz do nbgrader neste worker para a tarefa do pacote (escrita uma vez por processo)."""
    tarefa = pacote["tarefa"].decode()
    chave = hashlib.sha256(b"".join(pacote.values())).hexdigest()[:16]
    base = Path(tempfile.gettempdir()) / f"curso4-worker-{os.getpid()}"
    raiz = base / f"{tarefa}-{chave}"
    with _trinco:
        if not base.exists():
            # Só para este utilizador: tem os testes ocultos (o kernel isolado atravessa-a à mesma).
            base.mkdir(mode=0o700)
            _limpar_workers_mortos()
        if not (raiz / ".pronta").exists():
            for sub, nome in (("source", "source"), ("release", "release")):
                destino = raiz / sub / tarefa / f"{tarefa}.ipynb"
                destino.parent.mkdir(parents=True, exist_ok=True)
                destino.write_bytes(pacote[nome])
            (raiz / "gradebook.db").write_bytes(pacote["gradebook"])
            (raiz / ".pronta").touch()
        # A cache do modelo de base: uma por worker (como a avaliação local faz uma por turma).
        if not os.environ.get(comum.ENV_CACHE_MODELOS):
            os.environ[comum.ENV_CACHE_MODELOS] = str(base / "cache_modelos")
        cache = os.environ[comum.ENV_CACHE_MODELOS]
        # Já com modelos (outro worker desta máquina, a imagem de avaliação): não se treina de
        # novo; uma entrada antiga só faz o caderno treinar o modelo ele próprio.
        if cache not in _cache_aquecida and not any(Path(cache).glob("*")):
            cache_modelos.aquecer_cache(raiz)
        _cache_aquecida.add(cache)
    return raiz


def _limpar_workers_mortos() -> None:
    """Apaga as pastas de workers desta máquina que já não existem (mortos a meio)."""
    import psutil

    for pasta in Path(tempfile.gettempdir()).glob("curso4-worker-*"):
        pid = pasta.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(pasta, ignore_errors=True)


def avaliar_remoto(pacote: dict[str, bytes], aluno: str, ficheiros: dict[str, bytes],
                   limites: processos.Limites) -> dict:
    """A tarefa do Dask: avalia a entrega ``ficheiros`` de ``aluno`` neste worker, com o motor de
    sempre, e devolve o Resultado e o caderno avaliado (nome -> bytes)."""
    inicio = time.monotonic()
    raiz = _raiz_do_worker(pacote)
    tarefa = pacote["tarefa"].decode()
    aluno_id = entregas.id_seguro(aluno)
    entregas_tmp = Path(tempfile.mkdtemp(prefix="entregas-", dir=raiz))
    try:
        pasta = entregas_tmp / aluno / tarefa
        if ficheiros:
            pasta.mkdir(parents=True)
            for nome, conteudo in ficheiros.items():
                (pasta / Path(nome).name).write_bytes(conteudo)
        r = entrega.avaliar_entrega(raiz, tarefa, aluno, pasta, limites, refazer=True)
        avaliado = raiz / ".avaliacao" / aluno_id / tarefa / "autograded" / aluno_id / tarefa
        caderno = {str(p.relative_to(avaliado)): p.read_bytes() for p in sorted(avaliado.rglob("*"))
                   if p.is_file()} if avaliado.is_dir() else {}
        r.segundos = time.monotonic() - inicio
        return {"resultado": asdict(r), "autograded": caderno}
    finally:
        shutil.rmtree(entregas_tmp, ignore_errors=True)
        shutil.rmtree(raiz / ".avaliacao" / aluno_id / tarefa, ignore_errors=True)
