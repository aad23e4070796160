"""Pré-processadores do feedback (``nbgrader generate_feedback``), ativados em nbgrader_config.py."""

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from autograder import comum

# O que o aluno lê no feedback quando falhou um teste oculto (a mensagem original, que pode dizer
# o valor esperado, fica no caderno avaliado: o professor vê-a no formgrader).
MENSAGEM_OCULTA = ("Um teste oculto desta célula falhou (os testes visíveis passaram). Os ocultos experimentam "
                   "casos que os visíveis não cobrem: relê o enunciado do exercício (casos-limite, tipos, "
                   "valores por omissão, o que não pode mudar) e experimenta a tua função com outros valores.")
METADADOS = "curso4"  # cell.metadata[METADADOS]["falhou_em"] = "visível" | "oculta" (escrito pelo juiz)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LINHA_DA_CELULA = re.compile(r"Cell In\[\d*\], line (\d+)")


def falhou_no_oculto(cell) -> bool:
    """A célula de teste falhou na parte oculta? Nas julgadas, o juiz escreveu-o nos metadados; nas
    que correm no kernel, conta a linha da célula de teste onde o erro nasceu (a primeira
    «Cell In[…], line N» do traceback) contra a linha do marcador dos ocultos."""
    parte = (cell.get("metadata", {}).get(METADADOS) or {}).get("falhou_em")
    if parte:
        return parte == "oculta"
    linhas = cell.source.split("\n")
    marcador = next((i + 1 for i, linha in enumerate(linhas) if linha.strip() == comum.INICIO_OCULTOS), None)
    if marcador is None:
        return False
    for saida in cell.get("outputs", []):
        if saida.get("output_type") == "error":
            texto = _ANSI.sub("", "\n".join(saida.get("traceback", [])))
            if achada := _LINHA_DA_CELULA.search(texto):
                return int(achada.group(1)) > marcador
    return False


class EsconderOcultos(Preprocessor):
    """Nas células de teste que falharam num teste oculto, o feedback mostra o tipo do erro e uma
    pista geral, não a mensagem do teste: essas mensagens podem dizer o valor esperado (por
    exemplo «ceil(7/2) = 4 bytes»), e os testes ocultos nunca chegam ao aluno. Corre antes do
    ``ClearHiddenTests``, que lhe apaga o marcador de onde começam os ocultos."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and comum.nbgrader_meta(cell).get("grade") and falhou_no_oculto(cell):
            for saida in cell.get("outputs", []):
                if saida.get("output_type") == "error":
                    saida["evalue"] = MENSAGEM_OCULTA
                    saida["traceback"] = [f"{saida.get('ename')}: {MENSAGEM_OCULTA}"]
            cell.outputs = [s for s in cell.get("outputs", []) if s.get("output_type") == "error"]
        return cell, resources


class ResumirErros(Preprocessor):
    """Em todas as células, troca o traceback pelo essencial: «TipoDeErro: mensagem».

    Nas células de teste, as mensagens dizem o que está mal e o que fazer; o traceback completo
    só mostraria o código dos testes ocultos à volta da linha que falhou. Nas outras (uma
    demonstração que chama uma função tua ainda por fazer, nos cadernos 05 e 09), o traceback
    é o do teu próprio caderno, que tens aberto: o feedback fica um relatório legível.
    """

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for saida in cell.get("outputs", []):
                if saida.get("output_type") == "error":
                    saida["traceback"] = [f"{saida.get('ename')}: {saida.get('evalue')}"]
        return cell, resources
