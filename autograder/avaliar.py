"""O trabalho do professor: avaliar uma turma com o nbgrader (``make avaliar``).

    make avaliar                       avalia a turma de demonstração (ver abaixo)
    make avaliar SUBMISSOES=pasta      avalia pasta/<aluno>/<tarefa>/*.ipynb

A turma de demonstração tem três alunos por caderno:
    referencia     o caderno source (com as soluções): tem de ter a nota máxima;
    so_esqueletos  o caderno de course/ por tocar: tem de ter 0;
    meio_certo     referência em parte dos exercícios e um erro típico nos outros
                   (autograder/variantes/<caderno>.py, MEIO_CERTO).

O resultado: uma tabela no ecrã (pontos por aluno e por exercício), ``professor/grades.csv``
(exportado pelo nbgrader), ``professor/notas_por_exercicio.csv`` e o feedback HTML de cada
aluno em ``professor/feedback/<aluno>/<tarefa>/``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

from autograder import (
    cache_modelos,
    comum,
    construir,
    entregas,
    formgrader,
    gradebook,
    kernel_na_caixa,
    paralelo,
    processos,
    relatorios,
    turma_demo,
)
from autograder.comum import PROFESSOR


# --------------------------------------------------------------------------- avaliação
def entregas_a_avaliar(submissoes: Path, tarefas: list[str]) -> list[tuple[str, str, Path]]:
    """(aluno, tarefa, pasta) para cada aluno de ``submissoes`` e cada tarefa (mesmo as que o
    aluno não entregou: essas valem 0, com o motivo)."""
    if not submissoes.is_dir():
        raise SystemExit(
            f"❌ A pasta de submissões {submissoes} não existe. Indica uma pasta com "
            "<aluno>/<tarefa>/<caderno>.ipynb, por exemplo: make avaliar SUBMISSOES=entregas"
        )
    alunos = sorted(p for p in submissoes.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not alunos:
        raise SystemExit(
            f"❌ Não encontrei pastas de alunos em {submissoes}: esperava <aluno>/<tarefa>/<caderno>.ipynb "
            f"(tarefas: {', '.join(tarefas)})."
        )
    return [(p.name, tarefa, p / tarefa) for p in alunos for tarefa in tarefas]


@contextlib.contextmanager
def _terminar_como_ctrl_c():
    """SIGTERM (um ``kill``, o fim de uma sessão, o ``timeout``) e SIGHUP (o terminal fechou) param
    a avaliação como o Ctrl-C: os processos dela morrem e nada de novo arranca. Sem isto, o
    Python morria sem matar os kernels e as corridas do ``localizar.py`` em curso."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interromper(numero, _quadro):
        raise KeyboardInterrupt(signal.Signals(numero).name)

    anteriores = {s: signal.signal(s, interromper) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, anterior in anteriores.items():
            signal.signal(s, anterior)


def main(argv: list[str] | None = None) -> int:
    with _terminar_como_ctrl_c():
        return _main(argv)


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Avalia submissões com o nbgrader e mostra as notas.")
    ap.add_argument("--submissoes", type=Path, help="pasta <aluno>/<tarefa>/*.ipynb (sem ela: turma de demonstração)")
    ap.add_argument("--tarefas", nargs="*", help="só estas tarefas (ex.: 00_numeros_e_memoria)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="entregas avaliadas em paralelo")
    ap.add_argument("--refazer", action="store_true", help="avalia de novo mesmo as entregas já avaliadas")
    ap.add_argument("--tempo-celula", type=int, default=processos.Limites.tempo_celula, help="segundos por célula")
    ap.add_argument("--tempo-entrega", type=int, default=processos.Limites.tempo_entrega, help="segundos por entrega")
    ap.add_argument("--memoria-mb", type=int, default=processos.Limites.memoria_mb, help="memória por processo (MB)")
    ap.add_argument("--motor", help="tcp://servidor:8786: entregas como tarefas do Dask (local: um LocalCluster)")
    ap.add_argument("--alunos", type=Path,
                    help="lista da turma (CSV numero,nome,email, a do make turma): os nomes no formgrader")
    ap.add_argument("--raiz", type=Path, default=PROFESSOR, help=argparse.SUPPRESS)  # para os testes
    args = ap.parse_args(argv)
    limites = processos.Limites(tempo_celula=args.tempo_celula, tempo_entrega=args.tempo_entrega,
                            memoria_mb=args.memoria_mb)

    raiz = args.raiz.resolve()
    raiz.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(comum.RAIZ))
    lista_turma = formgrader.ler_lista_da_turma(args.alunos.resolve()) if args.alunos else None
    if (erro_gradebook := gradebook.verificar_gradebook(raiz)) is not None:  # GRADEBOOK=postgresql://…
        print(f"❌ {erro_gradebook}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(comum.RAIZ))
    # O gradebook principal nunca se apaga: guarda as notas e os comentários dados à mão.
    try:
        tarefas = construir.construir(raiz, so=args.tarefas or None)
    except comum.ErroConstrucao as erro:
        print(f"❌ {erro}", file=sys.stderr)
        return 1
    submissoes = args.submissoes.resolve() if args.submissoes else turma_demo.criar_turma_demo(raiz, tarefas, raiz / "turma_demo")
    lista = entregas_a_avaliar(submissoes, tarefas)
    alunos = sorted({a for a, _, _ in lista})
    print(f"» {len(alunos)} aluno(s), {len(tarefas)} tarefa(s), {len(lista)} entrega(s), "
          f"{args.workers} em paralelo")
    if lista_turma is not None:
        fora = [a for a in alunos if a not in lista_turma and entregas.id_seguro(a) not in lista_turma]
        if fora:
            print(f"ℹ️  Fora da lista da turma {args.alunos} (no formgrader, o nome vem da pasta): {', '.join(fora)}")
    if processos.aviso_isolamento():
        print(f"⚠️  {processos.aviso_isolamento()}")
    print(f"» {cache_modelos.aquecer_cache(raiz)}")
    # A caixa de areia monta-se uma vez antes de avaliar quem quer que seja: se não montar, nada
    # é avaliado (nenhuma entrega fica com uma nota por culpa da máquina).
    if (erro_caixa := kernel_na_caixa.verificar_caixa(raiz, limites)) is not None:
        print(f"❌ {erro_caixa}", file=sys.stderr)
        return 1
    if args.motor:  # o Dask (autograder/distribuido.py); sem ele, as threads desta máquina
        from autograder import distribuido
        resultados = distribuido.avaliar_todas(raiz, lista, args.motor, args.workers, limites, refazer=args.refazer)
    else:
        resultados = paralelo.avaliar_todas(raiz, lista, args.workers, limites, refazer=args.refazer)
    # Cada passo tenta-se mesmo que um anterior tenha falhado (para um aluno ou para todos): uma
    # entrega estranha nunca fica com a turma inteira sem notas, CSV ou relatório. O que falhou
    # fica em ``falhas`` (o código de saída deixa de ser 0) e um ficheiro de um passo que falhou
    # é apagado, para que ninguém leia o de uma avaliação anterior como se fosse deste.
    falhas: list[str] = []

    def passo(o_que: str, conselho: str, funcao, *a, apagar: Path | None = None):
        try:
            return funcao(*a)
        except Exception as erro:
            detalhe = (str(erro).strip().splitlines() or [""])[0][:300]
            falhas.append(f"{o_que}: {type(erro).__name__}: {detalhe}. {conselho}")
            print(f"❌ {o_que} falhou ({type(erro).__name__}: {detalhe}).", file=sys.stderr)
            if apagar is not None:
                apagar.unlink(missing_ok=True)
            return None

    de_novo = "Corrige a causa e corre o mesmo comando outra vez (as entregas já avaliadas não são avaliadas de novo)."
    problemas = passo("Registar as notas no gradebook e gerar o feedback", de_novo, gradebook.registar, raiz, resultados)
    falhas += problemas or []
    passo("Preparar o feedback para o «Release feedback» do nbgrader", de_novo, formgrader.feedback_para_o_nbgrader,
          submissoes, raiz, resultados)
    passo("Mostrar as entregas e os nomes dos alunos no formgrader", de_novo, formgrader.sincronizar_formgrader, raiz,
          resultados, {(entregas.id_seguro(a), t): p for a, t, p in lista}, lista_turma)
    alunos_ids = {r.aluno_id: r.aluno for r in resultados}
    nao_avaliadas = {(r.aluno_id, r.tarefa) for r in resultados if r.nao_avaliada}
    passo("Exportar o grades.csv", de_novo, gradebook.exportar, raiz, list(alunos_ids), tarefas, raiz / "grades.csv",
          nao_avaliadas, apagar=raiz / "grades.csv")
    lista_notas = passo("Ler as notas do gradebook", de_novo, gradebook.notas, raiz, tarefas, alunos_ids)
    if lista_notas is not None:
        passo("Escrever o notas_por_exercicio.csv", de_novo, relatorios.escrever_csv, lista_notas,
              raiz / "notas_por_exercicio.csv", apagar=raiz / "notas_por_exercicio.csv")
        print()
        print(passo("Mostrar a tabela das notas", de_novo, relatorios.tabela, lista_notas) or "")
    else:
        (raiz / "notas_por_exercicio.csv").unlink(missing_ok=True)
        falhas.append("Escrever o notas_por_exercicio.csv, a tabela e o checklist da turma: não feitos, porque "
                      f"as notas não se leram do gradebook. {de_novo}")
    com_motivos = [r for r in resultados if r.motivos]
    if com_motivos:
        print("\nAvisos:")
        for r in com_motivos:
            for m in r.motivos:
                print(f"  {r.aluno} · {r.tarefa}: {m}")
    from autograder import checklist_turma  # por item do checklist, a % da turma que o demonstra

    if lista_notas is not None:
        print()
        passo("Fazer o checklist da turma",
              "As notas estão escritas; corre `python -m autograder.checklist_turma` para tentar outra vez.",
              checklist_turma.escrever, raiz, tarefas, alunos_ids, lista_notas)
    # O relatório por último: leva também o que falhou nos passos anteriores.
    relatorio = raiz / "relatorio_avaliacao.md"

    def relatorio_com_falhas() -> None:
        relatorios.escrever_relatorio(resultados, relatorio)
        if falhas:
            with relatorio.open("a", encoding="utf-8") as f:
                f.write("\n## O que falhou nesta avaliação\n\n" + "".join(f"- {x}\n" for x in falhas))

    passo("Escrever o relatorio_avaliacao.md", de_novo, relatorio_com_falhas, apagar=relatorio)
    print()
    for nome, texto in [("grades.csv", "Notas exportadas"), ("notas_por_exercicio.csv", "Notas por exercício"),
                        ("relatorio_avaliacao.md", "Motivos de cada entrega")]:
        if (raiz / nome).exists():
            print(f"{texto}: {raiz / nome}")
    print(f"Feedback de cada aluno: {raiz / 'feedback'}/<aluno>/<tarefa>/")
    for r in resultados:
        if r.nao_avaliada:
            falhas.append(f"{r.aluno} · {r.tarefa}: NÃO AVALIADA ({r.nao_avaliada}). Fica em branco no grades.csv; "
                          "corre o mesmo comando para a avaliar (nada dela foi guardado).")
    if falhas:
        print(f"\n❌ A avaliação chegou ao fim, mas {len(falhas)} coisa(s) falharam (o resto foi escrito):",
              file=sys.stderr)
        for f in falhas:
            print(f"  - {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
