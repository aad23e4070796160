"""Pré-processadores da avaliação (``nbgrader autograde``), ativados em nbgrader_config.py."""

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade


class StderrNaoEErro(NbGraderPreprocessor):
    """Nas células avaliadas, passa as saídas ``stream``/``stderr`` para ``stdout``.

    O nbgrader dá 0 a qualquer célula de teste com texto em stderr (``utils.determine_grade``),
    e as bibliotecas escrevem lá sem que haja erro nenhum: o DeprecationWarning do
    ``quantize_dynamic`` (o IPython mostra os DeprecationWarning atribuídos ao ``__main__``, seja
    qual for o PYTHONWARNINGS), as linhas do absl que o C++ do TensorFlow escreve no descritor 2
    (o ipykernel apanha-as e envia-as como stderr), as barras de progresso do tqdm. Uma resposta
    certa não pode perder pontos por isso (DESIGN.md, invariante 9).

    O texto fica no caderno avaliado e no feedback (como saída normal); só deixa de contar
    como falha. Os erros a sério (asserts que falham, exceções, tempo esgotado) são saídas
    ``error`` e continuam a valer 0. Corre logo a seguir ao ``Execute``, antes do
    ``SaveAutoGrades`` que calcula as notas.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for saida in cell.get("outputs", []):
                if saida.get("output_type") == "stream" and saida.get("name") == "stderr":
                    saida["name"] = "stdout"
        return cell, resources
