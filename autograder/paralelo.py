"""As entregas avaliadas em paralelo nesta máquina: um conjunto de threads (cada entrega corre nos
seus processos, ver ``entrega.py``), a barra de progresso com as que estão a correr, e o Ctrl-C
que para sem perder o que já acabou. O mesmo num escalonador do Dask: ``distribuido.py``."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from autograder import entrega, entregas, processos, relatorios
from autograder.resultado import Resultado


def avaliar_todas(raiz: Path, lista: list[tuple[str, str, Path]], workers: int, limites: processos.Limites,
                  refazer: bool = False, intervalo: float | None = None) -> list[Resultado]:
    """Avalia as entregas em paralelo, com progresso; Ctrl-C para sem perder o que já acabou.

    A barra avança a cada entrega que acaba e, enquanto nenhuma acaba, diz quais estão a ser
    avaliadas e há quanto tempo (atualizada a cada segundo num terminal; a cada 15 s num registo)."""
    from tqdm import tqdm

    resultados: list[Resultado] = []
    falhas = 0
    barra = tqdm(total=len(lista), desc="A avaliar", unit="entrega", file=sys.stdout, dynamic_ncols=True)
    if intervalo is None:
        intervalo = 1.0 if sys.stdout.isatty() else 15.0
    em_curso: dict[tuple[str, str], float] = {}
    trinco = threading.Lock()

    def avaliar(aluno: str, tarefa: str, pasta: Path) -> Resultado:
        with trinco:
            em_curso[(aluno, tarefa)] = time.monotonic()
        try:
            return entrega.avaliar_entrega(raiz, tarefa, aluno, pasta, limites, refazer)
        finally:
            with trinco:
                em_curso.pop((aluno, tarefa), None)

    def mostrar_em_curso(refresh: bool = True) -> None:
        agora = time.monotonic()
        with trinco:
            correm = sorted(em_curso.items(), key=lambda x: x[1])
        partes = [f"{aluno} · {tarefa} há {agora - t0:.0f} s" for (aluno, tarefa), t0 in correm]
        texto = ("a avaliar " + ", ".join(partes)) if partes else ""
        if falhas:
            texto += ("; " if texto else "") + f"com avisos: {falhas}"
        barra.set_postfix_str(texto, refresh=refresh)

    executor = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futuros = {executor.submit(avaliar, aluno, tarefa, pasta): (aluno, tarefa) for aluno, tarefa, pasta in lista}
        pendentes = set(futuros)
        while pendentes:
            acabados, pendentes = wait(pendentes, timeout=intervalo, return_when=FIRST_COMPLETED)
            for futuro in acabados:
                aluno, tarefa = futuros[futuro]
                try:
                    r = futuro.result()
                except processos.Interrompida:
                    continue
                except Exception as erro:  # um erro do próprio motor não pode parar a turma nem dar 0
                    r = Resultado(aluno, entregas.id_seguro(aluno), tarefa,
                                        nao_avaliada=f"Erro interno ao avaliar ({type(erro).__name__}: {erro}).")
                resultados.append(r)
                if r.motivos or not r.avaliado:
                    falhas += 1
                barra.write(relatorios.linha_do_resultado(r))
                mostrar_em_curso(refresh=False)  # a que acabou já saiu da lista
                barra.update(1)
            if not acabados:
                mostrar_em_curso()
    except KeyboardInterrupt:
        processos.matar_todos()
        executor.shutdown(wait=False, cancel_futures=True)
        barra.close()
        print(f"\n⏸  Avaliação interrompida: {len(resultados)} entrega(s) avaliada(s) ficam guardadas. "
              "Corre o mesmo comando para continuar (REFAZER=1 para avaliar tudo de novo).")
        raise SystemExit(130) from None
    executor.shutdown(wait=True)
    barra.close()
    return sorted(resultados, key=lambda r: (r.tarefa, r.aluno))
