"""Um aviso nunca é um zero (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada; docs/invariantes.md#r-justica).

O nbgrader dá 0 a qualquer célula de teste com saída em stderr. As respostas certas que fazem
uma biblioteca avisar (``quantize_dynamic`` chamado diretamente, uma barra do tqdm) passam aqui pelo nbgrader a sério — não
neste processo — de duas maneiras:

  a) pelo caminho do curso (``entrega.avaliar_entrega``, o que ``make avaliar`` corre);
  b) pelo ``nbgrader autograde`` simples, numa raiz com uma cópia do ``nbgrader_config.py`` do
     curso e SEM as variáveis CURSO4_*, PYTHONWARNINGS e TF_CPP_* (o botão do formgrader);

e têm de ter a nota toda. Um erro a sério (assert que falha, exceção) continua a valer 0.
Uma tarefa «mini» (dois exercícios, 2 + 3 pontos) prova o mecanismo de forma barata:
DeprecationWarning atribuído ao ``__main__``, ``warnings.warn``, ``logging``,
``print(..., file=sys.stderr)`` e escrita direta no descritor 2 (como as linhas do absl do TensorFlow, escritas em C++).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import comum, construir, paralelo, processos, turma_demo
from autograder.comum import nbgrader_meta

pytestmark = pytest.mark.lento

# tarefa -> respostas certas de autograder/variantes/<tarefa>.py (CERTAS) que fazem uma
# biblioteca escrever em stderr no kernel da avaliação (no máximo uma por célula de solução).
AVISADORAS = {
    # O conversor e o interpretador escrevem no descritor 2 («fully_quantize: …», «Created
    # TensorFlow Lite XNNPACK delegate») e o tf.lite.Interpreter avisa que está obsoleto: passam
    # pelo filtro de otimizacao.ambiente e pelos filtros de avisos da primeira célula do 01.
    "01_ptq_tflite": [
        "inferência com tf.lite.Interpreter e quantization_parameters",
    ],
    "02_quantizacao_pytorch": [
        "quantize_dynamic chamado diretamente (o torch avisa que está obsoleto)",  # DeprecationWarning
        "latência com barra de progresso do tqdm (escreve em stderr)",
    ],
}
# O mecanismo geral (avisos do __main__, UserWarning, descritor 2) é provado também pela tarefa
# «mini», que custa poucos segundos.
ALUNO = "com_avisos"
# O ipykernel não apanha o descritor 2 (o C++ do TensorFlow) quando vê PYTEST_CURRENT_TEST no
# ambiente («o pytest tem a sua captura»): as avaliações daqui correm sem ela, como no professor.
SEM_PYTEST = "PYTEST_CURRENT_TEST"
LIMITES = processos.Limites(tempo_celula=300, tempo_entrega=1200)
VARIAVEIS_PROIBIDAS = ("CURSO4_", "PYTHONWARNINGS", "TF_CPP_", "PYTHONPATH")


# --------------------------------------------------------------------------- a tarefa «mini»
MINI = "mini_avisos"
DOBRO_COM_AVISOS = '''import logging
import os
import warnings


def dobro(x):
    # Como o quantize_dynamic: um DeprecationWarning atribuído a quem chama (o __main__).
    warnings.warn("dobro() está obsoleto", DeprecationWarning, stacklevel=2)
    # Como o tf_keras («Gradients do not exist for variables …»): um aviso pelo logging.
    logging.getLogger("biblioteca").warning("Gradients do not exist for variables")
    # Como as linhas do absl do TensorFlow: C/C++ a escrever diretamente no descritor 2.
    os.write(2, b"All log messages before absl::InitializeLog() are written to STDERR\\n")
    return 2 * x'''
SOMA_CERTA = "def soma(a, b):\n    return a + b"


def _meta(gid, grade, sol, locked, pontos=None):
    m = {"cell_type": "code", "grade": grade, "grade_id": gid, "locked": locked, "schema_version": 3,
         "solution": sol, "task": False}
    if pontos:
        m["points"] = pontos
    d = {"deletable": False, "nbgrader": m}
    if locked:
        d["editable"] = False
    return d


def _source_mini():
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    celulas = [
        new_markdown_cell("# Mini: avisos"),
        new_code_cell("import sys\nimport warnings"),
        new_code_cell("def dobro(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        # A própria célula de teste escreve em stderr: só um assert que falha a pode zerar.
        new_code_cell('print("isto vai para stderr", file=sys.stderr)\n'
                      'warnings.warn("um aviso numa célula de teste")\n'
                      'assert dobro(2) == 4, "dobro(2) deve dar 4."\n### BEGIN HIDDEN TESTS\n'
                      'assert dobro(-3) == -6, "dobro(-3) deve dar -6."\n### END HIDDEN TESTS'),
        new_code_cell("def soma(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"),
        new_code_cell('assert soma(2, 3) == 5, "soma(2, 3) deve dar 5."'),
    ]
    metas = [None, None, _meta("dobro", False, True, False), _meta("teste_dobro", True, False, True, 2),
             _meta("soma", False, True, False), _meta("teste_soma", True, False, True, 3)]
    for i, (c, m) in enumerate(zip(celulas, metas, strict=True)):
        c["id"] = f"mini-avisos-{i}"
        if m:
            c.metadata = m
    nb.cells = celulas
    return nb


def _mini(release, dobro, soma):
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    nb.cells[2].source = dobro
    nb.cells[4].source = soma
    return nb


# aluno -> (resposta dobro, resposta soma, notas esperadas)
ALUNOS_MINI = {
    ALUNO: (DOBRO_COM_AVISOS, SOMA_CERTA, {"teste_dobro": 2.0, "teste_soma": 3.0}),
    # Erros a sério continuam a valer 0: um assert visível que falha (com stderr na mesma célula)
    # e uma exceção na resposta.
    "erros": ("def dobro(x):\n    return x",
              'def soma(a, b):\n    raise ValueError("ainda não sei somar")',
              {"teste_dobro": 0.0, "teste_soma": 0.0}),
}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def curso(tmp_path_factory):
    """Raiz do nbgrader com as tarefas 01, 02 e mini e as entregas; devolve (raiz, entregas)."""
    raiz = tmp_path_factory.mktemp("avisos")
    construir.construir(raiz, so=list(AVISADORAS))  # copia também o nbgrader_config.py
    (raiz / "source" / MINI).mkdir(parents=True)
    nbformat.write(_source_mini(), raiz / "source" / MINI / f"{MINI}.ipynb")
    comum.nbgrader("generate_assignment", MINI, "--force", raiz=raiz)

    entregas = raiz / "entregas"
    for tarefa, nomes in AVISADORAS.items():
        source = raiz / "source" / tarefa / f"{tarefa}.ipynb"
        respostas = turma_demo.respostas_referencia(source)
        certas = construir.variantes(tarefa).CERTAS
        for nome in nomes:
            gid, codigo = certas[nome]
            respostas[gid] = codigo
        nb = turma_demo.caderno_com_respostas(raiz / "release" / tarefa / f"{tarefa}.ipynb", respostas)
        (entregas / ALUNO / tarefa).mkdir(parents=True)
        nbformat.write(nb, entregas / ALUNO / tarefa / f"{tarefa}.ipynb")
    release = nbformat.read(raiz / "release" / MINI / f"{MINI}.ipynb", as_version=4)
    for aluno, (dobro, soma, _) in ALUNOS_MINI.items():
        (entregas / aluno / MINI).mkdir(parents=True)
        nbformat.write(_mini(release, dobro, soma), entregas / aluno / MINI / f"{MINI}.ipynb")
    return raiz, entregas


def _pares():
    return [(ALUNO, t) for t in AVISADORAS] + [(a, MINI) for a in ALUNOS_MINI]


@pytest.fixture(scope="module")
def pelo_curso(curso):
    """(a) O caminho de ``make avaliar``: cada entrega pelo motor, numa raiz só dela."""
    raiz, entregas = curso
    lista = [(aluno, tarefa, entregas / aluno / tarefa) for aluno, tarefa in _pares()]
    fase = os.environ.pop(SEM_PYTEST, None)
    try:
        resultados = paralelo.avaliar_todas(raiz, lista, workers=2, limites=LIMITES)
    finally:
        if fase is not None:
            os.environ[SEM_PYTEST] = fase
    return raiz, {(r.aluno, r.tarefa): r for r in resultados}


@pytest.fixture(scope="module")
def pelo_nbgrader(curso, tmp_path_factory):
    """(b) O ``nbgrader autograde`` simples, noutra raiz com uma cópia da configuração do curso,
    sem CURSO4_*, PYTHONWARNINGS nem TF_CPP_* no ambiente."""
    raiz_curso, entregas = curso
    raiz = tmp_path_factory.mktemp("avisos_nbgrader")
    comum.copiar_configuracao(raiz)
    shutil.copytree(raiz_curso / "source", raiz / "source")
    shutil.copy2(raiz_curso / "gradebook.db", raiz / "gradebook.db")
    for aluno, tarefa in _pares():
        destino = raiz / "submitted" / aluno / tarefa
        destino.mkdir(parents=True)
        shutil.copy(entregas / aluno / tarefa / f"{tarefa}.ipynb", destino / f"{tarefa}.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith((*VARIAVEIS_PROIBIDAS, SEM_PYTEST))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    saidas = {}
    for tarefa in [*AVISADORAS, MINI]:
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", tarefa, "--force"],
                              cwd=raiz, env=env, capture_output=True, text=True, timeout=1800)
        saidas[tarefa] = proc.stdout + proc.stderr
        assert proc.returncode == 0, saidas[tarefa][-3000:]

    from nbgrader.api import Gradebook

    notas = {}
    with Gradebook(f"sqlite:///{raiz / 'gradebook.db'}") as gb:
        for aluno, tarefa in _pares():
            for caderno in gb.find_submission(tarefa, aluno).notebooks:
                notas[(aluno, tarefa)] = {g.name: (g.score, g.max_score) for g in caderno.grades}
    return raiz, notas


def _celulas_de_teste(raiz: Path, tarefa: str) -> list[str]:
    nb = nbformat.read(raiz / "source" / tarefa / f"{tarefa}.ipynb", as_version=4)
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")]


def _stderr_nas_celulas_de_teste(autograded: Path) -> list[str]:
    nb = nbformat.read(autograded, as_version=4)
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells
            if nbgrader_meta(c).get("grade") and c.cell_type == "code"
            and any(s.get("output_type") == "stream" and s.get("name") == "stderr" for s in c.get("outputs", []))]


# --------------------------------------------------------------------------- (a) make avaliar
@pytest.mark.parametrize("tarefa", list(AVISADORAS))
def test_resposta_certa_que_avisa_tem_nota_maxima_pelo_curso(curso, pelo_curso, tarefa):
    raiz, _ = curso
    r = pelo_curso[1][(ALUNO, tarefa)]
    assert r.avaliado, r.motivos
    perdidos = {g: f"{p}/{m}" for g, (p, m) in r.notas.items()
                if g in _celulas_de_teste(raiz, tarefa) and p != m}
    assert not perdidos, f"{tarefa}: uma resposta certa perdeu pontos por um aviso: {perdidos}"


@pytest.mark.parametrize("aluno", list(ALUNOS_MINI))
def test_mini_pelo_curso(pelo_curso, aluno):
    r = pelo_curso[1][(aluno, MINI)]
    assert r.avaliado, r.motivos
    assert {g: p for g, (p, _) in r.notas.items()} == ALUNOS_MINI[aluno][2]


def _saidas(autograded: Path) -> str:
    nb = nbformat.read(autograded, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"], ensure_ascii=False)


@pytest.mark.parametrize("caminho", ["curso", "nbgrader"])
def test_o_texto_dos_avisos_continua_visivel_no_caderno_avaliado(pelo_curso, pelo_nbgrader, caminho):
    """Nenhuma célula avaliada fica com stderr, mas o texto não desaparece (passa a stdout)."""
    if caminho == "curso":  # o motor corre com PYTHONWARNINGS=ignore: os avisos Python nem aparecem
        raiz = pelo_curso[0] / ".avaliacao" / ALUNO / MINI
        frases = ["absl::InitializeLog", "isto vai para stderr", "Gradients do not exist"]
    else:
        raiz = pelo_nbgrader[0]
        frases = ["absl::InitializeLog", "isto vai para stderr", "Gradients do not exist", "dobro() está obsoleto",
                  "um aviso numa célula de teste"]
    autograded = raiz / "autograded" / ALUNO / MINI / f"{MINI}.ipynb"
    assert _stderr_nas_celulas_de_teste(autograded) == []
    texto = _saidas(autograded)
    for frase in frases:
        assert frase in texto, f"«{frase}» desapareceu das saídas do caderno avaliado: {texto[:2000]}"



@pytest.mark.parametrize("caminho", ["curso", "nbgrader"])
def test_mensagens_internas_do_tensorflow_nao_chegam_ao_caderno(pelo_curso, pelo_nbgrader, caminho):
    """O filtro de otimizacao.ambiente (primeira célula do 01) tira as linhas informativas do C++
    do TensorFlow do caderno avaliado, pelos dois caminhos (o nbgrader simples corre sem o
    TF_CPP_MIN_LOG_LEVEL do curso no ambiente)."""
    tarefa = "01_ptq_tflite"
    raiz = pelo_curso[0] / ".avaliacao" / ALUNO / tarefa if caminho == "curso" else pelo_nbgrader[0]
    texto = _saidas(raiz / "autograded" / ALUNO / tarefa / f"{tarefa}.ipynb")
    for frase in ("fully_quantize", "XNNPACK delegate", "cudart_stub", "absl::InitializeLog"):
        assert frase not in texto, f"«{frase}» chegou ao caderno avaliado pelo caminho {caminho}"

# --------------------------------------------------------------------------- (b) nbgrader simples
@pytest.mark.parametrize("tarefa", list(AVISADORAS))
def test_resposta_certa_que_avisa_tem_nota_maxima_pelo_nbgrader(curso, pelo_nbgrader, tarefa):
    raiz, _ = curso
    _, notas = pelo_nbgrader
    perdidos = {g: f"{p}/{m}" for g, (p, m) in notas[(ALUNO, tarefa)].items()
                if g in _celulas_de_teste(raiz, tarefa) and p != m}
    assert not perdidos, f"{tarefa}: uma resposta certa perdeu pontos por um aviso: {perdidos}"


@pytest.mark.parametrize("aluno", list(ALUNOS_MINI))
def test_mini_pelo_nbgrader(pelo_nbgrader, aluno):
    _, notas = pelo_nbgrader
    assert {g: p for g, (p, _) in notas[(aluno, MINI)].items()} == ALUNOS_MINI[aluno][2]


def test_mesma_nota_pelos_dois_caminhos(curso, pelo_curso, pelo_nbgrader):
    """A mesma entrega tem a mesma nota por ``make avaliar`` e pelo botão do formgrader."""
    raiz, _ = curso
    _, notas = pelo_nbgrader
    for aluno, tarefa in _pares():
        testes = _celulas_de_teste(raiz, tarefa)
        a = {g: p for g, (p, _) in pelo_curso[1][(aluno, tarefa)].notas.items() if g in testes}
        b = {g: p for g, (p, _) in notas[(aluno, tarefa)].items() if g in testes}
        assert a == b, (aluno, tarefa)
