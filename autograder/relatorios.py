"""O que o professor lê no fim do ``make avaliar``: a tabela no ecrã, o
``notas_por_exercicio.csv`` e o ``relatorio_avaliacao.md`` (com os motivos de cada entrega).
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder import gradebook, processos
from autograder.resultado import Resultado


def linha_do_resultado(r: Resultado) -> str:
    """O que o ecrã diz de uma entrega acabada: a nota e, se esta corrida não a avaliou (a mesma
    entrega e a mesma avaliação de uma corrida anterior), que a nota foi reutilizada e de quando."""
    nota = "NÃO AVALIADA (falha da avaliação)" if r.nao_avaliada else f"{r.total:g}/{r.maximo:g}"
    if r.reutilizado:
        quando = f"em {r.avaliado_em}" if r.avaliado_em else "numa corrida anterior"
        como = f"(nota reutilizada, avaliada {quando}; REFAZER=1 avalia de novo)"
    else:
        como = f"avaliada em {r.segundos:.0f} s"
    return (f"  {r.aluno} · {r.tarefa}: {nota} {como}"
            + (f" ({len(r.motivos)} aviso(s))" if r.motivos else ""))


def _rotulo(celula: str) -> str:
    return celula.removeprefix("teste_")


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:g}"


def tabela(lista: list[gradebook.Nota]) -> str:
    """Tabela em texto: uma por tarefa, um aluno por linha, uma coluna por célula avaliada."""
    blocos = []
    for tarefa in dict.fromkeys(n.tarefa for n in lista):
        desta = [n for n in lista if n.tarefa == tarefa]
        celulas = list(dict.fromkeys(n.celula for n in desta))
        maximos = {n.celula: n.maximo for n in desta}
        alunos = list(dict.fromkeys(n.aluno for n in desta))
        cab = ["aluno"] + [f"{_rotulo(c)} (/{_fmt(maximos[c])})" for c in celulas] + ["total", "%"]
        linhas = [cab]
        for aluno in alunos:
            por_celula = {n.celula: n.pontos for n in desta if n.aluno == aluno}
            total = sum(p for p in por_celula.values() if p is not None)
            maximo = sum(maximos.values())
            pendente = any(p is None for p in por_celula.values())
            linhas.append(
                [aluno]
                + [_fmt(por_celula.get(c)) for c in celulas]
                + [f"{_fmt(total)}/{_fmt(maximo)}" + (" + ?" if pendente else ""), f"{100 * total / maximo:.0f} %"]
            )
        larguras = [max(len(linha[i]) for linha in linhas) for i in range(len(cab))]
        texto = [f"Tarefa {tarefa}"]
        for j, linha in enumerate(linhas):
            texto.append(" | ".join(v.ljust(larguras[i]) if i == 0 else v.rjust(larguras[i]) for i, v in enumerate(linha)))
            if j == 0:
                texto.append("-+-".join("-" * w for w in larguras))
        blocos.append("\n".join(texto))
    legenda = "«?» = resposta livre ainda por avaliar à mão (no formgrader do nbgrader)."
    return "\n\n".join(blocos) + ("\n" + legenda if any(n.pontos is None for n in lista) else "")


def escrever_csv(lista: list[gradebook.Nota], destino: Path) -> None:
    with destino.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["aluno", "tarefa", "celula", "pontos", "maximo"])
        for n in lista:
            w.writerow([n.aluno, n.tarefa, n.celula, "" if n.pontos is None else n.pontos, n.maximo])


def escrever_relatorio(resultados: list[Resultado], destino: Path) -> None:
    """O companheiro do grades.csv: os motivos de cada entrega, para o professor e o aluno."""
    linhas = ["# Relatório da avaliação", "",
              "Motivos registados por entrega (o que correu mal e o que fazer). Entregas sem motivos "
              "foram avaliadas normalmente.", ""]
    if processos.aviso_isolamento():
        linhas += [f"> ⚠️ {processos.aviso_isolamento()}", ""]
    linhas += ["| aluno | tarefa | pontos | motivos |", "| --- | --- | --- | --- |"]
    for r in resultados:
        todos = ([f"**NÃO AVALIADA** (falha da avaliação, não do aluno; corre o mesmo comando para a avaliar): "
                  f"{r.nao_avaliada}"] if r.nao_avaliada else []) + r.motivos
        motivos = "<br>".join(m.replace("|", "\\|") for m in todos) or "—"
        pontos = "não avaliada" if r.nao_avaliada else f"{r.total:g}/{r.maximo:g}"
        linhas.append(f"| {r.aluno} | {r.tarefa} | {pontos} | {motivos} |")
    destino.write_text("\n".join(linhas) + "\n", encoding="utf-8")
