"""Invariantes do build do nbgrader (DESIGN.md 1, 4 e 6) e o contrato de CURSO.md."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import nbformat
import pytest

import solutions
from autograder import construir
from autograder.construir import nbgrader_meta

IMPORTA_SOLUTIONS = re.compile(r"(^|\s)(import|from)\s+solutions\b|import_module\(.solutions", re.M)
CURSO_MD = Path(__file__).resolve().parents[2] / "shared" / "CURSO.md"


def test_release_e_igual_a_course_celula_a_celula(build):
    """Invariante 1: o release do nbgrader é exatamente o que está em course/."""
    raiz, tarefas = build
    assert tarefas, "não há cadernos em course/"
    for tarefa in tarefas:
        release = raiz / "release" / tarefa / f"{tarefa}.ipynb"
        assert release.exists(), f"o nbgrader não gerou {release}"
        assert construir.diferencas(release, construir.COURSE / f"{tarefa}.ipynb") == []


def test_source_tem_solucoes_e_testes_ocultos(build):
    raiz, tarefas = build
    for tarefa in tarefas:
        nb = nbformat.read(raiz / "source" / tarefa / f"{tarefa}.ipynb", as_version=4)
        solucoes = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
        assert solucoes and all(construir.INICIO_SOLUCAO in c.source for c in solucoes)
        assert "NotImplementedError" not in "".join(c.source for c in solucoes if c.cell_type == "code")
        if construir.testes_ocultos(tarefa):
            assert any(construir.INICIO_OCULTOS in c.source for c in nb.cells)


def _linhas_de_codigo_da_referencia(raiz: Path, tarefa: str) -> set[str]:
    """Linhas não triviais injetadas entre BEGIN/END SOLUTION no caderno source."""
    nb = nbformat.read(raiz / "source" / tarefa / f"{tarefa}.ipynb", as_version=4)
    linhas, dentro = set(), False
    for celula in nb.cells:
        for linha in celula.source.split("\n"):
            s = linha.strip()
            if s == construir.INICIO_SOLUCAO:
                dentro = True
            elif s == construir.FIM_SOLUCAO:
                dentro = False
            elif dentro and len(s) > 20 and not s.startswith("#"):
                linhas.add(s)
    assert linhas, f"{tarefa}: não encontrei código de referência no source"
    return linhas


def test_release_sem_solucoes_nem_testes_ocultos(build):
    """Invariante 4: nada da referência nem dos testes ocultos chega ao aluno."""
    raiz, tarefas = build
    for tarefa in tarefas:
        texto = (raiz / "release" / tarefa / f"{tarefa}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in texto and "HIDDEN TESTS" not in texto
        ocultos = construir.testes_ocultos(tarefa)
        for codigo in ocultos.values():
            for linha in codigo.split("\n"):
                if linha.strip().startswith("assert"):
                    assert linha.strip() not in texto, f"{tarefa}: teste oculto visível no release: {linha}"
        for linha in _linhas_de_codigo_da_referencia(raiz, tarefa):
            assert linha not in texto, f"{tarefa}: código de referência no release: {linha}"


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
    with pytest.raises(construir.ErroConstrucao, match="fora de uma função"):
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
    with pytest.raises(construir.ErroConstrucao, match="assinatura"):
        construir.injetar_solucao_codigo(fonte, "teste")
