"""Configuração do nbgrader para o curso (a raiz do curso é a pasta onde está este ficheiro).

O original vive com o código do motor, em autograder/; o build (``make notebooks``), o
``make professor`` e cada entrega põem uma cópia na raiz onde o nbgrader corre (a pasta do
curso do professor, professor/, ou a raiz de uma entrega)."""

import os

c = get_config()  # noqa: F821 (injetado pelo nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))


def _pasta_autograder() -> str:
    """A pasta autograder/ do projeto (pré-processadores, modelo e código do feedback).

    Esta configuração corre copiada nas raízes do nbgrader (professor/, as de cada entrega, no
    motor, e as dos testes). Por ordem: CURSO4_AUTOGRADER (o motor e os testes indicam-na); a
    pasta deste ficheiro, se for a do motor; a irmã autograder/ da raiz (``cd professor &&
    nbgrader …``, o formgrader); o projeto do ambiente Python que corre o nbgrader
    (``<projeto>/.venv``, criado pelo ``make``); o projeto onde está instalado o pacote
    ``otimizacao`` (``pip install -e .``, também conda).
    Assim um ``nbgrader autograde`` simples numa cópia, sem variáveis, avalia igual.
    """
    import importlib.util
    import sys

    candidatas = [
        os.environ.get("CURSO4_AUTOGRADER"),
        c.CourseDirectory.root,
        os.path.join(os.path.dirname(c.CourseDirectory.root), "autograder"),
        os.path.join(os.path.dirname(os.path.abspath(sys.prefix)), "autograder"),
    ]

    try:
        spec = importlib.util.find_spec("otimizacao")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        # course/otimizacao/__init__.py -> <projeto>/autograder
        projeto = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(spec.origin))))
        candidatas.append(os.path.join(projeto, "autograder"))
    for pasta in candidatas:
        if pasta and os.path.isfile(os.path.join(pasta, "preprocessadores.py")):
            return os.path.abspath(pasta)
    raise RuntimeError(
        "nbgrader_config.py: não encontrei a pasta autograder/ do curso (preprocessadores.py). "
        "Indica-a em CURSO4_AUTOGRADER ou instala o projeto com «make» (pip install -e .)."
    )


AUTOGRADER = _pasta_autograder()
c.CourseDirectory.course_id = "modulo4"

# O esqueleto que o aluno vê no lugar da solução e o tempo máximo por célula vêm de
# autograder/comum.py (a mesma casa para o build, o motor e o localizar).
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(AUTOGRADER))
from autograder import comum  # noqa: E402

# O gradebook: o SQLite desta raiz, ou o de CURSO4_GRADEBOOK_URL (PostgreSQL; make professor
# GRADEBOOK=postgresql://… para o formgrader, make avaliar GRADEBOOK=… para a avaliação).
c.CourseDirectory.db_url = comum.url_gradebook(c.CourseDirectory.root)

c.ClearSolutions.code_stub = {"python": comum.ESQUELETO_CODIGO}
c.ClearSolutions.text_stub = comum.ESQUELETO_TEXTO
c.Execute.timeout = int(os.environ.get(comum.ENV_TEMPO_CELULA, comum.TEMPO_CELULA_S))
# Depois de uma célula acabar, o nbclient espera pelas últimas saídas do kernel no máximo
# iopub_timeout segundos (4 por omissão) e o nbgrader (raise_on_iopub_timeout) deita fora o
# caderno inteiro se não chegarem. Com a máquina ocupada (entregas em paralelo) e uma célula
# que escreve muito (uma barra do tqdm, centenas de avisos), 4 s não chegam: medido aqui, uma
# resposta certa com tqdm perdeu a tarefa toda. 60 s só atrasam esses casos.
c.Execute.iopub_timeout = 60

# Feedback em português (modelo próprio em modelo_feedback/feedback_pt).
# Só no generate_feedback: o formgrader usa o seu próprio HTMLExporter para mostrar a entrega ao
# professor, e o modelo do feedback não lhe serve (a página de correção dava erro 500).
c.GenerateFeedback.HTMLExporter.template_name = "feedback_pt"
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [
    os.path.join(AUTOGRADER, "modelo_feedback"),
]

# No feedback: sem o código nem as mensagens dos testes ocultos e sem tracebacks longos (só «Erro: mensagem»).
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

from autograder.feedback_pt import EsconderOcultos, ResumirErros  # noqa: E402
from autograder.preprocessadores import ExecutarEJulgar, StderrNaoEErro  # noqa: E402

# EsconderOcultos: um teste oculto que falhou mostra uma pista geral, não a sua mensagem (que pode
# dizer o valor esperado); o professor continua a vê-la no caderno avaliado (formgrader).
c.GenerateFeedback.preprocessors = [GetGrades, EsconderOcultos, ClearHiddenTests, ResumirErros, CSSHTMLHeaderPreprocessor]

# Um aviso nunca é um zero (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada). O nbgrader dá 0 a uma célula de teste com
# qualquer texto em stderr; StderrNaoEErro (autograder/preprocessadores.py) passa esse texto a
# stdout nas células avaliadas, logo depois do Execute e antes do SaveAutoGrades, e os erros a
# sério (saídas «error») continuam a valer 0. Porquê aqui, e não no arranque do kernel:
# - apanha o stderr venha de onde vier: DeprecationWarning que o IPython reativa para o
#   __main__ (ignora o PYTHONWARNINGS e os filtros do arranque), UserWarning das bibliotecas,
#   C++ a escrever no descritor 2 antes de qualquer filtro Python (absl do TensorFlow), tqdm;
# - não depende de variáveis de ambiente nem de como o kernel é lançado (o kernel isolado do
#   motor, o python3 do formgrader): o mesmo caderno tem a mesma nota por ``make avaliar`` e
#   por ``nbgrader autograde``;
# - o texto continua visível no feedback (o IgnorePattern do nbgrader apagá-lo-ia).
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute  # noqa: E402

_avaliacao = list(Autograde.class_traits()["autograde_preprocessors"].default())
_avaliacao.insert(_avaliacao.index(Execute) + 1, StderrNaoEErro)
# Nenhum veredicto no processo do aluno: o Execute dá lugar ao ExecutarEJulgar, que no fim
# corre os testes no juiz (autograder/juiz.py), fora do kernel. A configuração do Execute
# (tempo por célula, kernel_name da caixa) aplica-se-lhe, porque é uma subclasse dele.
_avaliacao[_avaliacao.index(Execute)] = ExecutarEJulgar
c.Autograde.autograde_preprocessors = _avaliacao
