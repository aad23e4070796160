"""Os motivos em pt-PT que o aluno e o professor leem: o que as saídas do caderno avaliado mostram
(tempo, memória, sintaxe, rede, ficheiros), a célula fatal desativada e o que o juiz viu.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder import juiz
from autograder.comum import e_teste, nbgrader_meta
from autograder.processos import Limites
from autograder.resultado import Resultado


def rotulo_da_celula(celula, i: int) -> str:
    gid = nbgrader_meta(celula).get("grade_id")
    return gid if gid else f"n.º {i + 1}"


def motivos_das_saidas(nb, limites: Limites) -> list[str]:
    """Motivos em pt-PT para os erros que não são simples testes falhados."""
    motivos = []
    for i, celula in enumerate(nb.cells):
        if celula.cell_type != "code":
            continue
        rotulo = rotulo_da_celula(celula, i)
        for saida in celula.get("outputs", []):
            texto = json.dumps(saida, ensure_ascii=False)
            if saida.get("output_type") != "error":
                if "Output truncated" in texto or "output truncated" in texto:
                    motivos.append(f"A célula {rotulo} escreveu demasiado no ecrã: a saída foi cortada no feedback.")
                continue
            nome, valor = saida.get("ename", ""), str(saida.get("evalue", ""))
            if nome in ("CellTimeoutError", "TimeoutError") or "Timeout" in nome:
                motivos.append(
                    f"A célula {rotulo} excedeu o tempo máximo de {limites.tempo_celula} s e foi "
                    "interrompida: há um ciclo infinito ou um cálculo demasiado lento?"
                )
            elif nome == "MemoryError":
                motivos.append(
                    f"A célula {rotulo} excedeu o limite de memória ({limites.memoria_mb} MB): "
                    "estás a criar listas ou arrays enormes?"
                )
            elif nome in ("SyntaxError", "IndentationError", "TabError"):
                motivos.append(f"Erro de sintaxe na célula {rotulo} ({valor}): corrige-o e corre a célula.")
            elif nome == "StdinNotImplementedError":
                motivos.append(
                    f"A célula {rotulo} usa input(): na avaliação ninguém escreve no teclado. Tira o input()."
                )
            elif nome == "ModuleNotFoundError" and "solutions" in valor:
                motivos.append(f"A célula {rotulo} tenta importar solutions, que não existe na avaliação.")
            elif nome in ("gaierror", "URLError", "ConnectionError", "ConnectionRefusedError") or (
                "Network is unreachable" in valor or "Name or service not known" in valor
            ):
                motivos.append(f"A célula {rotulo} tenta usar a rede, que não está disponível na avaliação.")
            elif nome in ("FileNotFoundError", "PermissionError", "IsADirectoryError", "OSError") and not e_teste(celula):
                absoluto = "'/" in valor or ":\\" in valor  # caminho absoluto (Linux/macOS ou Windows)
                motivos.append(
                    f"A célula {rotulo} falhou a mexer em ficheiros ({nome}: {valor}). "
                    + ("Na avaliação o caderno só pode ler e escrever na sua própria pasta: usa caminhos "
                       "relativos a ela." if absoluto else
                       "Confirma que o ficheiro é criado por uma célula anterior (um exercício por fazer "
                       "pode não o ter criado).")
                )
    return list(dict.fromkeys(motivos))


CELULA_DESATIVADA = (
    'raise RuntimeError("Esta célula fez o kernel morrer durante a avaliação e foi desativada: '
    'confirma que não usas os._exit, sys.exit nem código que rebente com a memória.")'
)


def desativar(nb, indice: int) -> str:
    """Desativa a célula fatal (ou, se for de teste, a resposta que ela testa). Devolve o rótulo."""
    celula = nb.cells[indice]
    if e_teste(celula):
        # Uma célula de teste não se muda (o nbgrader repõe-na): desativa-se a resposta anterior.
        for j in range(indice - 1, -1, -1):
            if nbgrader_meta(nb.cells[j]).get("solution") and nb.cells[j].cell_type == "code":
                celula, indice = nb.cells[j], j
                break
    rotulo = rotulo_da_celula(celula, indice)
    celula.source = CELULA_DESATIVADA
    return rotulo


def motivos_do_juiz(relatorio: Path, resultado: Resultado) -> list[str]:
    """O que o juiz (``juiz.py``) viu: uma falha dele deixa a entrega por avaliar; o que a sonda
    achou no kernel (ganchos do IPython, funções substituídas) fica nos motivos, como adulteração."""
    if not relatorio.exists():
        return []
    try:
        dados = json.loads(relatorio.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        resultado.nao_avaliada = "O relatório do juiz ficou ilegível."
        return []
    if dados.get("falha_do_juiz"):
        resultado.nao_avaliada = str(dados["falha_do_juiz"])
    motivos = []
    achados = [str(a) for a in dados.get("adulteracoes", []) if isinstance(a, str)]
    if achados:
        motivos.append(
            "Adulteração: o caderno " + "; ".join(juiz.descrever_adulteracao(a) for a in achados)
            + ". Isso só muda o teu kernel: os testes correm no avaliador, fora dele, e a nota é a dele."
        )
    return motivos
