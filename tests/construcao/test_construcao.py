"""Invariantes do build do nbgrader (docs/invariantes.md: I1, I4 e I6) e o contrato (docs/contrato.md)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import nbformat
import pytest

import solutions
from autograder import comum, construir
from autograder.comum import nbgrader_meta

IMPORTA_SOLUTIONS = re.compile(r"(^|\s)(import|from)\s+solutions\b|import_module\(.solutions", re.M)
CURSO_MD = Path(__file__).resolve().parents[3] / "shared" / "CURSO.md"


def test_release_e_igual_a_course_celula_a_celula(build):
    """Invariante 1: o release do nbgrader é exatamente o que está em course/."""
    raiz, tarefas = build
    assert tarefas, "não há cadernos em course/"
    for tarefa in tarefas:
        release = raiz / "release" / tarefa / f"{tarefa}.ipynb"
        assert release.exists(), f"o nbgrader não gerou {release}"
        assert construir.diferencas(release, comum.COURSE / f"{tarefa}.ipynb") == []


def test_source_tem_solucoes_e_testes_ocultos(build):
    raiz, tarefas = build
    for tarefa in tarefas:
        nb = nbformat.read(raiz / "source" / tarefa / f"{tarefa}.ipynb", as_version=4)
        solucoes = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
        assert solucoes and all(comum.INICIO_SOLUCAO in c.source for c in solucoes)
        assert "NotImplementedError" not in "".join(c.source for c in solucoes if c.cell_type == "code")
        if construir.testes_ocultos(tarefa):
            assert any(comum.INICIO_OCULTOS in c.source for c in nb.cells)


def _codigo_alem_do_esqueleto(fonte: str) -> list[str]:
    """O que uma célula de solução do release tem além de assinaturas, docstrings, imports e
    do esqueleto ``raise NotImplementedError(...)`` (vazio = nada da referência)."""
    sobras = []

    def e_docstring(no):
        return isinstance(no, ast.Expr) and isinstance(getattr(no, "value", None), ast.Constant)

    def e_esqueleto(no):
        return isinstance(no, ast.Raise) and "NotImplementedError" in ast.unparse(no)

    def visitar(corpo, dentro_de_funcao):
        for no in corpo:
            if e_docstring(no) or isinstance(no, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visitar(no.body, True)
            elif isinstance(no, ast.ClassDef):
                visitar(no.body, False)
            elif dentro_de_funcao and e_esqueleto(no):
                continue
            else:
                sobras.append(ast.unparse(no))

    visitar(ast.parse(fonte).body, False)
    return sobras


def test_release_sem_solucoes_nem_testes_ocultos(build):
    """Invariante 4: nada da referência nem dos testes ocultos chega ao aluno."""
    raiz, tarefas = build
    for tarefa in tarefas:
        caminho = raiz / "release" / tarefa / f"{tarefa}.ipynb"
        texto = caminho.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in texto and "HIDDEN TESTS" not in texto
        for codigo in construir.testes_ocultos(tarefa).values():
            for linha in codigo.split("\n"):
                if linha.strip().startswith("assert"):
                    assert linha.strip() not in texto, f"{tarefa}: teste oculto visível no release: {linha}"
        for celula in nbformat.read(caminho, as_version=4).cells:
            if nbgrader_meta(celula).get("solution") and celula.cell_type == "code":
                sobras = _codigo_alem_do_esqueleto(celula.source)
                assert not sobras, f"{tarefa} [{nbgrader_meta(celula)['grade_id']}]: código no release: {sobras}"


def test_testes_ocultos_nao_usam_solutions():
    """Invariante 4: um teste nunca compara com solutions durante a avaliação."""
    for ficheiro in construir.OCULTOS.glob("*.py"):
        assert not IMPORTA_SOLUTIONS.search(ficheiro.read_text(encoding="utf-8")), ficheiro.name
    for caderno in construir.cadernos():
        assert not IMPORTA_SOLUTIONS.search(caderno.read_text(encoding="utf-8")), caderno.name


def test_build_e_deterministico(build, tmp_path):
    """Invariante 6 (parte do build): duas construções dão os mesmos bytes."""
    raiz, tarefas = build
    construir.construir(tmp_path, release=False)
    for tarefa in tarefas:
        a = (raiz / "source" / tarefa / f"{tarefa}.ipynb").read_bytes()
        b = (tmp_path / "source" / tarefa / f"{tarefa}.ipynb").read_bytes()
        assert a == b, f"{tarefa}: o source mudou entre duas construções"


def _contrato() -> dict[str, str]:
    """Nome → assinatura de cada exercício de CURSO.md (as linhas «- `nome(...)`»)."""
    if not CURSO_MD.exists():
        pytest.skip("shared/CURSO.md não está ao lado do projeto")
    texto = CURSO_MD.read_text(encoding="utf-8")
    contrato = {}
    for m in re.finditer(r"^- `(\w+)\((.*?)\)(?: -> [^`]*)?`", texto, flags=re.M):
        contrato[m.group(1)] = m.group(2)
    return contrato


def test_contrato_de_curso_md_existe_em_solutions_com_a_mesma_assinatura():
    """Os nomes e assinaturas de CURSO.md são um contrato (para os cadernos já escritos)."""
    contrato = _contrato()
    feitos = {n for n in contrato if n in solutions._ONDE}
    assert "memoria_modelo" in feitos
    for nome in feitos:
        try:
            objeto = getattr(solutions, nome)
        except ModuleNotFoundError:
            continue  # caderno ainda não escrito (próxima ronda)
        params = contrato[nome]
        esperado = [p.split(":")[0].split("=")[0].strip() for p in params.split(",") if p.strip()]
        alvo = objeto.__init__ if inspect.isclass(objeto) else objeto
        obtido = [p for p in inspect.signature(alvo).parameters if p != "self"]
        assert obtido == esperado, f"{nome}: CURSO.md pede {esperado}, solutions tem {obtido}"


def test_cada_exercicio_do_caderno_tem_referencia_com_a_mesma_assinatura():
    for caderno in construir.cadernos():
        nb = nbformat.read(caderno, as_version=4)
        for celula in nb.cells:
            if nbgrader_meta(celula).get("solution") and celula.cell_type == "code":
                for no in ast.parse(celula.source).body:
                    if isinstance(no, ast.FunctionDef):
                        _, ref = construir._corpo_referencia(no.name)
                        assert construir._mesma_assinatura(no, ref), f"{caderno.name}: {no.name}"


def test_esqueleto_fora_de_funcao_e_recusado_com_mensagem():
    with pytest.raises(comum.ErroConstrucao, match="fora de uma função"):
        construir.injetar_solucao_codigo(
            "# O TEU CÓDIGO AQUI\n"
            'raise NotImplementedError("Exercício por fazer: substitui estas duas linhas pelo teu código.")',
            "teste",
        )


def test_assinatura_diferente_e_recusada_com_mensagem():
    fonte = (
        "def memoria_modelo(n, tipo):\n"
        '    """Doc."""\n'
        "    # O TEU CÓDIGO AQUI\n"
        '    raise NotImplementedError("Exercício por fazer: substitui estas duas linhas pelo teu código.")'
    )
    with pytest.raises(comum.ErroConstrucao, match="assinatura"):
        construir.injetar_solucao_codigo(fonte, "teste")


def test_detetor_de_codigo_no_release_apanha_uma_fuga():
    esqueleto = 'def f(x):\n    """Doc."""\n    # O TEU CÓDIGO AQUI\n    raise NotImplementedError("por fazer")'
    assert _codigo_alem_do_esqueleto(esqueleto) == []
    assert _codigo_alem_do_esqueleto('def f(x):\n    """Doc."""\n    return 2 * x') == ["return 2 * x"]
    assert _codigo_alem_do_esqueleto('class A:\n    def g(self):\n        """D."""\n        self.x = 1') == ["self.x = 1"]


@pytest.mark.lento
def test_build_nao_deixa_o_ruido_do_tensorflow_no_terminal(tmp_path):
    """O build importa as referências (TensorFlow, PyTorch): as linhas informativas do C++ em
    inglês («absl::InitializeLog», «oneDNN custom operations», «cuda drivers») não chegam ao
    terminal de quem corre ``make curso`` ou ``make avaliar``. (Que o filtro deixa passar o resto,
    como um erro a sério, prova-o tests/unidade/test_apoio.py::test_filtro_tira_so_as_mensagens_informativas_do_tensorflow.)"""
    import subprocess
    import sys

    codigo = ("import sys; from pathlib import Path; from autograder import construir; "
              f"construir.construir(Path({str(tmp_path)!r}), so=['01_ptq_tflite', '02_quantizacao_pytorch'], "
              "release=False); print('tensorflow' in sys.modules, 'torch' in sys.modules)")
    env = comum.ambiente_nbgrader()
    env.pop("TF_CPP_MIN_LOG_LEVEL")  # como no terminal do professor: nada cala o TensorFlow antes
    proc = subprocess.run([sys.executable, "-c", codigo], cwd=comum.RAIZ, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-2:] == ["True", "True"]  # controlo: o build importou-os mesmo
    for ruido in ("absl::InitializeLog", "oneDNN custom operations", "cuda drivers"):
        assert ruido not in proc.stderr, proc.stderr[-2000:]
