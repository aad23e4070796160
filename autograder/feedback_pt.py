"""Pré-processadores do feedback (``nbgrader generate_feedback``), ativados em nbgrader_config.py."""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class ResumirErros(Preprocessor):
    """Nas células de teste, troca o traceback pelo essencial: «TipoDeErro: mensagem».

    As mensagens dos testes dizem o que está mal e o que fazer; o traceback completo só
    mostraria o código dos testes ocultos à volta da linha que falhou.
    """

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            for saida in cell.get("outputs", []):
                if saida.get("output_type") == "error":
                    saida["traceback"] = [f"{saida.get('ename')}: {saida.get('evalue')}"]
        return cell, resources
