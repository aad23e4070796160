"""Configuração do nbgrader para o curso (a raiz do curso é esta pasta)."""

import os

c = get_config()  # noqa: F821 (injetado pelo nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# A pasta autograder/ do projeto (modelos e código do feedback). Os testes usam cópias desta
# configuração noutras raízes e indicam-na em CURSO4_AUTOGRADER.
AUTOGRADER = os.environ.get("CURSO4_AUTOGRADER", c.CourseDirectory.root)
c.CourseDirectory.course_id = "modulo4"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# O que o aluno vê no lugar da solução (tem de ser igual ao esqueleto dos cadernos de course/).
c.ClearSolutions.code_stub = {
    "python": (
        "# O TEU CÓDIGO AQUI\n"
        'raise NotImplementedError("Exercício por fazer: substitui estas duas linhas pelo teu código.")'
    )
}
c.ClearSolutions.text_stub = "ESCREVE AQUI A TUA RESPOSTA"

# Tempo máximo por célula durante a avaliação (segundos).
c.Execute.timeout = int(os.environ.get("CURSO4_TEMPO_CELULA", "300"))

# Feedback em português (modelo próprio em modelo_feedback/feedback_pt).
c.HTMLExporter.template_name = "feedback_pt"
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(AUTOGRADER, "modelo_feedback"),
]

# No feedback: sem o código dos testes ocultos e sem tracebacks longos (só «Erro: mensagem»).
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(AUTOGRADER))
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

from autograder.feedback_pt import ResumirErros  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ResumirErros, CSSHTMLHeaderPreprocessor]
