"""Pré-processadores do feedback (``nbgrader generate_feedback``), ativados em nbgrader_config.py."""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


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
