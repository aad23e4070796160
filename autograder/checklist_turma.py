"""O checklist do módulo para a turma inteira (no fim de ``make avaliar``).

Para cada item do checklist (``manifesto.ITENS``), a percentagem dos alunos avaliados cujos
exercícios avaliados o demonstram. O mapa item → células avaliadas deriva de uma só casa: a
tabela ``manifesto.REGRAS`` (a mesma que o caderno 10_checklist aplica ao registo de cada aluno)
dá os exercícios de cada alternativa, e ``construir.exercicios_do_caderno`` dá as células de
teste de cada exercício. As medidas do registo do aluno não entram: o professor só tem as notas.

Um aluno demonstra um item se, numa das alternativas, **todas** as células de teste de todos os
seus exercícios tiveram a nota máxima. Um item cujas tarefas não foram avaliadas nesta corrida
(``TAREFAS=...``) fica «não avaliado», não 0 %.

Escreve, na raiz da avaliação (onde fica o ``grades.csv``):
    checklist_turma.csv   item, texto, alunos que o demonstram, alunos, percentagem
    checklist_turma.png   um gráfico de barras com a percentagem por item
e mostra uma tabela no ecrã. As notas vêm de ``gradebook.notas`` (o único leitor do gradebook).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import comum, construir, gradebook
from autograder.comum import COURSE

CSV = "checklist_turma.csv"
PNG = "checklist_turma.png"


@dataclass
class LinhaChecklist:
    item: str
    texto: str
    demonstram: int
    alunos: int
    avaliado: bool  # False: nenhuma tarefa do item foi avaliada nesta corrida

    @property
    def fracao(self) -> float | None:
        if not self.avaliado or not self.alunos:
            return None
        return self.demonstram / self.alunos


def mapa_celulas(pasta: Path = COURSE) -> dict[str, list[list[tuple[str, str]]]]:
    """item → alternativas, cada uma a lista de (tarefa, grade_id) das células de teste dos
    exercícios dessa alternativa (de ``manifesto.REGRAS`` e dos cadernos de ``pasta``)."""
    from otimizacao import manifesto

    celulas: dict[str, list[tuple[str, str]]] = {}  # exercício (qualquer dos nomes) → células
    for caminho in construir.cadernos(pasta):
        caderno = manifesto.POR_NOME.get(caminho.stem)
        if caderno is None:
            continue
        _, testes, _ = construir.exercicios_do_caderno(nbformat.read(caminho, as_version=4), caderno)
        for ex in caderno.exercicios:
            for nome in ex.nomes:
                celulas[nome] = [(caderno.nome, gid) for gid in testes.get(ex.nomes[0], [])]
    mapa = {}
    for item, alternativas in manifesto.REGRAS.items():
        mapa[item] = []
        for alternativa in alternativas:
            em_falta = [n for n in alternativa["exercicios"] if not celulas.get(n)]
            if em_falta:
                raise comum.ErroConstrucao(
                    f"checklist da turma: {', '.join(em_falta)} (item {item}) não tem células de teste em "
                    f"{pasta}: confirma manifesto.REGRAS e os cadernos."
                )
            mapa[item].append([c for n in alternativa["exercicios"] for c in celulas[n]])
    return mapa


def calcular(lista, mapa: dict[str, list[list[tuple[str, str]]]]) -> list[LinhaChecklist]:
    """As linhas do checklist da turma a partir das notas (``gradebook.Nota``: aluno, tarefa,
    celula, pontos, maximo)."""
    from otimizacao import manifesto

    alunos = sorted({n.aluno for n in lista})
    tarefas = {n.tarefa for n in lista}
    cheias = {(n.aluno, n.tarefa, n.celula) for n in lista if n.pontos is not None and n.pontos >= n.maximo}
    linhas = []
    for item, alternativas in mapa.items():
        avaliado = any(t in tarefas for alternativa in alternativas for t, _ in alternativa)
        demonstram = sum(
            any(all((aluno, t, gid) in cheias for t, gid in alternativa) for alternativa in alternativas)
            for aluno in alunos
        )
        linhas.append(LinhaChecklist(item, manifesto.ITENS[item], demonstram if avaliado else 0, len(alunos), avaliado))
    return linhas


def _percentagem(linha: LinhaChecklist) -> str:
    return "não avaliado" if linha.fracao is None else f"{100 * linha.fracao:.0f} %"


def tabela(linhas: list[LinhaChecklist]) -> str:
    """A tabela em texto (pt-PT) do checklist da turma."""
    cab = ["item do checklist", "alunos", "%"]
    corpo = [[f"{lin.texto}", f"{lin.demonstram}/{lin.alunos}" if lin.avaliado else "—", _percentagem(lin)]
             for lin in linhas]
    larguras = [max(len(r[i]) for r in [cab, *corpo]) for i in range(3)]
    texto = ["Checklist da turma: alunos cujos exercícios avaliados demonstram cada item"]
    for j, r in enumerate([cab, *corpo]):
        texto.append(" | ".join(v.ljust(larguras[i]) if i == 0 else v.rjust(larguras[i]) for i, v in enumerate(r)))
        if j == 0:
            texto.append("-+-".join("-" * w for w in larguras))
    return "\n".join(texto)


def escrever_csv(linhas: list[LinhaChecklist], destino: Path) -> None:
    with destino.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "texto", "alunos_que_demonstram", "alunos", "percentagem"])
        for lin in linhas:
            w.writerow([lin.item, lin.texto, lin.demonstram if lin.avaliado else "", lin.alunos,
                        "" if lin.fracao is None else round(100 * lin.fracao, 1)])


def figura(linhas: list[LinhaChecklist]):
    """Barras horizontais com a percentagem da turma por item (sem pyplot: não mexe no backend).

    Os textos longos (os itens do checklist, a legenda do eixo x) partem-se em linhas: o
    ``tight_layout`` arruma as margens, mas não encolhe um texto mais largo do que a figura
    (a legenda do eixo x ficava cortada, «…com a no»)."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rotulos = [textwrap.fill(lin.texto, 48) for lin in linhas]
    altura = 0.32 * sum(r.count("\n") + 1 for r in rotulos) + 0.2 * len(linhas) + 1.8
    fig = Figure(figsize=(10, altura))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = list(range(len(linhas)))[::-1]
    valores = [0 if lin.fracao is None else 100 * lin.fracao for lin in linhas]
    ax.barh(y, valores, color=["tab:gray" if lin.fracao is None else "tab:green" for lin in linhas])
    for yi, lin, v in zip(y, linhas, valores, strict=True):
        ax.text(v + 1, yi, _percentagem(lin), va="center", fontsize=9)
    ax.set_yticks(y, rotulos, fontsize=8)
    ax.set_xlim(0, 125)  # espaço para «não avaliado» à direita de uma barra vazia e «100 %» da cheia
    ax.set_xticks(range(0, 101, 20))  # percentagens: nada de «120» no eixo
    ax.set_xlabel(textwrap.fill("% dos alunos que o demonstram (todos os testes dos exercícios do item com a "
                                "nota toda)", 60), fontsize=9)
    ax.set_title("Checklist do módulo na turma")
    fig.tight_layout()
    return fig


def escrever_grafico(linhas: list[LinhaChecklist], destino: Path) -> None:
    figura(linhas).savefig(destino, dpi=110)


def escrever(raiz: Path, tarefas: list[str], alunos: dict[str, str] | None = None, lista=None) -> list[LinhaChecklist]:
    """Calcula o checklist da turma, escreve ``checklist_turma.csv`` e ``checklist_turma.png`` em
    ``raiz`` e mostra a tabela. ``lista``: as notas já lidas por ``gradebook.notas`` (sem ela, lê-as)."""
    if lista is None:
        lista = gradebook.notas(raiz, tarefas, alunos)
    linhas = calcular(lista, mapa_celulas())
    escrever_csv(linhas, raiz / CSV)
    escrever_grafico(linhas, raiz / PNG)
    print(tabela(linhas))
    print(f"Checklist da turma: {raiz / CSV} e {raiz / PNG}")
    return linhas


def no_fim_da_avaliacao(raiz: Path, tarefas: list[str], alunos: dict[str, str], lista) -> None:
    """O que o ``make avaliar`` chama no fim: um problema no checklist nunca estraga as notas
    (que já estão escritas); fica um aviso a dizer o que fazer."""
    try:
        print()
        escrever(raiz, tarefas, alunos, lista)
    except Exception as erro:
        print(f"⚠️  Não consegui fazer o checklist da turma ({type(erro).__name__}: {erro}). As notas estão "
              "certas e escritas; corre `python -m autograder.checklist_turma` para tentar outra vez.")


if __name__ == "__main__":
    import sys

    raiz = comum.PROFESSOR
    tarefas = [p.stem for p in construir.cadernos()]
    escrever(raiz, tarefas)
    sys.exit(0)
