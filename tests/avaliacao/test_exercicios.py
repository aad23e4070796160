"""A avaliação é justa nos dois sentidos (docs/invariantes.md#r-justica): cada resposta certa escrita de outra
forma tem a nota toda e cada erro típico perde pontos.

As respostas vêm de autograder/variantes/<caderno>.py e passam pelas células de teste reais
(visíveis + ocultas) do caderno source, corridas neste processo.
"""

from __future__ import annotations

import pytest

from autograder import comum, construir
from tests import cadernos as cad

pytestmark = pytest.mark.lento  # corre os exercícios com o TensorFlow e o PyTorch

TAREFAS = [p.stem for p in construir.cadernos() if construir.variantes(p.stem) is not None]
CERTAS = [(t, nome) for t in TAREFAS for nome in construir.variantes(t).CERTAS]
ERRADAS = [(t, nome) for t in TAREFAS for nome in construir.variantes(t).ERRADAS]

_cache: dict[str, tuple] = {}


def contexto(tarefa: str):
    """(caderno source, namespace já preparado com a referência) — uma vez por caderno."""
    if tarefa not in _cache:
        nb = construir.caderno_fonte(comum.COURSE / f"{tarefa}.ipynb")
        _cache[tarefa] = (nb, cad.preparar_namespace(nb))
    return _cache[tarefa]


def ns_com(tarefa: str, codigo: str) -> dict:
    _, ns = contexto(tarefa)
    ns = cad.copia_para_variante(ns)
    cad.executar(codigo, ns, "<resposta do aluno>")
    return ns


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_referencia_passa_em_todos_os_testes(tarefa):
    nb, ns = contexto(tarefa)
    falhas = {gid: cad.falha(src, ns) for gid, src in cad.celulas_teste(nb).items()}
    assert not any(falhas.values()), {gid: repr(e) for gid, e in falhas.items() if e}


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_esqueletos_falham_todos_os_testes_com_not_implemented(tarefa):
    nb, ns = contexto(tarefa)
    ns = dict(ns)
    for celula in cad.ler(comum.COURSE / f"{tarefa}.ipynb").cells:
        if comum.nbgrader_meta(celula).get("solution") and celula.cell_type == "code":
            cad.executar(celula.source, ns)
    for gid, src in cad.celulas_teste(nb).items():
        erro = cad.falha(src, ns)
        assert isinstance(erro, NotImplementedError), f"{gid}: esperava NotImplementedError, veio {erro!r}"


@pytest.mark.parametrize("tarefa", TAREFAS)
def test_ha_pelo_menos_seis_erros_tipicos(tarefa):
    assert len(construir.variantes(tarefa).ERRADAS) >= 6


@pytest.mark.parametrize(("tarefa", "nome"), CERTAS, ids=[f"{t} · {n}" for t, n in CERTAS])
def test_resposta_certa_diferente_tem_nota_maxima(tarefa, nome):
    nb, _ = contexto(tarefa)
    _, codigo = construir.variantes(tarefa).CERTAS[nome]
    ns = ns_com(tarefa, codigo)
    falhas = {gid: cad.falha(src, ns) for gid, src in cad.celulas_teste(nb).items()}
    assert not any(falhas.values()), {gid: repr(e) for gid, e in falhas.items() if e}


@pytest.mark.parametrize(("tarefa", "nome"), ERRADAS, ids=[f"{t} · {n}" for t, n in ERRADAS])
def test_erro_tipico_perde_pontos_com_mensagem(tarefa, nome):
    nb, _ = contexto(tarefa)
    _, codigo, devem_falhar = construir.variantes(tarefa).ERRADAS[nome]
    ns = ns_com(tarefa, codigo)
    testes = cad.celulas_teste(nb)
    for gid in devem_falhar:
        erro = cad.falha(testes[gid], ns)
        assert erro is not None, f"{gid} deixou passar o erro «{nome}»"
        if isinstance(erro, AssertionError):
            assert str(erro).strip(), f"{gid}: o assert que apanhou «{nome}» não tem mensagem para o aluno"
