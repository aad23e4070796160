"""``python -m bench.bench_memoria_kernel``: quanta memória ocupa o kernel de um aluno (issue 22).

Para dimensionar uma turma no JupyterHub (README, «Para lá de uma máquina»): corre, num kernel
novo (``python3``, o do curso), cada caderno de ``--cadernos`` (por omissão 00, 03 e 09: só
NumPy; o QAT com o TensorFlow; o pipeline inteiro) com as respostas de referência nas células
de solução (``autograder.turma_demo.caderno_com_respostas``, sobre o ``release`` que o build gera
numa raiz temporária), do princípio ao fim, como um aluno que fez tudo. Mede:

- o pico de memória residente do kernel (``VmHWM`` de /proc, lido antes de o desligar: é o
  máximo exato, não uma amostra) e o dos processos que ele arrancou (a soma dos picos, um
  majorante);
- a memória residente no fim (o que fica ocupado enquanto o aluno não reinicia o kernel);
- o tempo de parede.

A cache do modelo de base começa vazia (``CURSO4_CACHE_MODELOS`` numa pasta temporária): o
primeiro caderno que o usa treina-o, como na primeira aula de um aluno (o pior caso). Imprime
uma tabela em markdown e guarda-a em ``bench/resultados_memoria_kernel.md``. Não é um teste.
Só Linux (lê /proc).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

from autograder import construir, turma_demo
from bench.comum import num

CADERNOS = ("00_numeros_e_memoria", "03_qat", "09_pipeline_completo")


def pico_kb(pid: int) -> int:
    """O pico de memória residente (VmHWM) do processo ``pid``, em KiB."""
    for linha in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linha.startswith("VmHWM:"):
            return int(linha.split()[1])
    raise RuntimeError(f"/proc/{pid}/status sem VmHWM")


def caderno_de_referencia(raiz: Path, tarefa: str) -> nbformat.NotebookNode:
    """O caderno que o aluno busca (release), com as respostas de referência."""
    return turma_demo.caderno_com_respostas(raiz / "release" / tarefa / f"{tarefa}.ipynb",
                                         turma_demo.respostas_referencia(raiz / "source" / tarefa / f"{tarefa}.ipynb"))


def medir(nb: nbformat.NotebookNode, pasta: Path) -> dict:
    """Corre ``nb`` num kernel novo em ``pasta``; os picos e o tempo."""
    from nbclient import NotebookClient

    cliente = NotebookClient(nb, timeout=3600, kernel_name="python3", allow_errors=True,
                             resources={"metadata": {"path": str(pasta)}})
    filhos: dict[int, int] = {}  # pid → pico (KiB) dos processos que o kernel arrancou
    parar = threading.Event()

    def vigiar(kernel: psutil.Process) -> None:
        while not parar.wait(0.5):
            try:
                for filho in kernel.children(recursive=True):
                    try:
                        filhos[filho.pid] = max(filhos.get(filho.pid, 0), pico_kb(filho.pid))
                    except (OSError, RuntimeError):
                        pass
            except psutil.Error:
                return

    inicio = time.perf_counter()
    with cliente.setup_kernel():
        kernel = psutil.Process(cliente.km.provisioner.process.pid)
        vigia = threading.Thread(target=vigiar, args=(kernel,), daemon=True)
        vigia.start()
        erros = 0
        for i, celula in enumerate(nb.cells):
            cliente.execute_cell(celula, i)
            erros += any(s.get("output_type") == "error" for s in celula.get("outputs", []))
        segundos = time.perf_counter() - inicio
        pico, fim = pico_kb(kernel.pid), kernel.memory_info().rss // 1024
        parar.set()
        vigia.join()
    return {"pico_mb": pico / 1024, "filhos_mb": sum(filhos.values()) / 1024, "fim_mb": fim / 1024,
            "segundos": segundos, "celulas_com_erro": erros}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cadernos", nargs="+", default=list(CADERNOS))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-memoria-") as tmp:
        tmp = Path(tmp)
        os.environ["CURSO4_CACHE_MODELOS"] = str(tmp / "cache_modelos")  # o kernel herda-o
        os.environ["CURSO4_PROGRESSO"] = str(tmp / "progresso.json")
        raiz = tmp / "raiz"
        construir.construir(raiz, so=args.cadernos)
        linhas = []
        for tarefa in args.cadernos:
            pasta = tmp / "aluno" / tarefa
            pasta.mkdir(parents=True)
            r = medir(caderno_de_referencia(raiz, tarefa), pasta)
            print(f"» {tarefa}: pico {r['pico_mb']:.0f} MB, no fim {r['fim_mb']:.0f} MB, "
                  f"filhos {r['filhos_mb']:.0f} MB, {r['segundos']:.0f} s, {r['celulas_com_erro']} célula(s) com erro",
                  flush=True)
            linhas.append((tarefa, r))
    maquina = f"{platform.machine()}, {os.cpu_count()} núcleos, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    tabela = ["| caderno | pico do kernel (MB) | processos do kernel (MB) | no fim (MB) | tempo (s) |",
              "| --- | --- | --- | --- | --- |"]
    tabela += [f"| {t} | {r['pico_mb']:.0f} | {r['filhos_mb']:.0f} | {r['fim_mb']:.0f} | {num(r['segundos'], 0)} |"
               for t, r in linhas]
    texto = (f"Memória de um kernel de aluno por caderno (referência, do princípio ao fim; {maquina}; "
             "cache do modelo de base vazia no início)\n\n" + "\n".join(tabela) + "\n")
    print("\n" + texto)
    (Path(__file__).parent / "resultados_memoria_kernel.md").write_text(texto, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
