"""A citação do checklist no fim dos cadernos: os itens do «✅ Checklist Módulo 4» do texto,
palavra por palavra (``manifesto.CHECKLIST``, que test_manifesto confronta com o texto), e
exatamente os que o manifesto liga a cada caderno (``checklist=`` da sua entrada).

O formato, na última célula do caderno (markdown), é uma linha só com a marca e as citações:

    **Checklist do módulo:** «Entendo diferença entre FP32, FP16, INT8»

(vários itens na mesma linha, cada um entre «», pela ordem do manifesto). O caderno 10 usa o
mesmo mapa do manifesto; assim, o que cada caderno diz que demonstra é o que o checklist lhe
atribui.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from autograder import construir
from otimizacao import manifesto

MARCA = "**Checklist do módulo:**"
CITACAO = re.compile(r"«([^»]*)»")
CAMINHOS = {c.stem: c for c in construir.cadernos()}
# Todos os cadernos a que o manifesto liga itens do checklist fecham com a citação deles.
COM_FECHO = [c for c in manifesto.CADERNOS if c.checklist]
# Caderno cuja citação final ainda falta (de outro dono): conta como falha esperada até chegar.
PENDENTES: dict[str, str] = {}


def _linhas_com_marca(nb) -> list[tuple[int, str]]:
    """(índice da célula, linha) de cada linha de markdown com a marca do checklist."""
    return [
        (i, linha)
        for i, celula in enumerate(nb.cells)
        if celula.cell_type == "markdown"
        for linha in celula.source.splitlines()
        if MARCA in linha
    ]


@pytest.mark.parametrize("nome", list(CAMINHOS))
def test_toda_citacao_do_checklist_e_um_item_do_texto(nome):
    """Em qualquer caderno, o que se cita a seguir à marca é um item do texto, tal e qual."""
    nb = nbformat.read(CAMINHOS[nome], as_version=4)
    itens = set(manifesto.CHECKLIST.values())
    for i, linha in _linhas_com_marca(nb):
        citacoes = CITACAO.findall(linha)
        assert citacoes, f"{nome}, célula {i}: a marca «{MARCA}» sem nenhum item citado entre «»"
        for citacao in citacoes:
            assert citacao in itens, (
                f"{nome}, célula {i}: «{citacao}» não é um item do checklist do texto. "
                f"Cita um destes, palavra por palavra: {sorted(itens)}"
            )


@pytest.mark.parametrize(
    "caderno",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=PENDENTES[c.nome], strict=False))
        if c.nome in PENDENTES
        else c
        for c in COM_FECHO
    ],
    ids=[c.nome for c in COM_FECHO],
)
def test_fecho_cita_os_itens_do_manifesto(caderno):
    """A última célula cita exatamente os itens que o manifesto liga ao caderno, pela ordem."""
    assert caderno.checklist, f"{caderno.nome}: o manifesto não liga o caderno a nenhum item"
    nb = nbformat.read(CAMINHOS[caderno.nome], as_version=4)
    marcas = _linhas_com_marca(nb)
    assert marcas, f"{caderno.nome}: falta a citação do checklist no fim («{MARCA} «…»»)"
    assert len(marcas) == 1, f"{caderno.nome}: a citação do checklist aparece {len(marcas)} vezes"
    (i, linha), = marcas
    # Depois do fecho vem só o resumo da validação (issue 24: o título e a célula verificacao.resumo).
    fim = len(nb.cells) - 1
    while fim > 0 and ("verificacao.resumo(" in nb.cells[fim].source
                       or nb.cells[fim].source.startswith("## O estado dos teus exercícios")):
        fim -= 1
    assert i == fim, f"{caderno.nome}: a citação do checklist não está na última célula antes do resumo da validação"
    esperados = [manifesto.CHECKLIST[chave] for chave in caderno.checklist]
    assert CITACAO.findall(linha) == esperados, (
        f"{caderno.nome}: cita {CITACAO.findall(linha)}, mas o manifesto liga o caderno a {esperados}"
    )


# --------------------------------------------------------------------------- ligações ao manifesto
def _chamadas_registar(nb) -> list[ast.Call]:
    """As chamadas ``progresso.registar(...)`` das células de código de um caderno."""
    chamadas = []
    for celula in nb.cells:
        if celula.cell_type != "code":
            continue
        fonte = "\n".join(linha for linha in celula.source.splitlines() if not linha.lstrip().startswith(("%", "!")))
        for no in ast.walk(ast.parse(fonte)):
            if (isinstance(no, ast.Call) and isinstance(no.func, ast.Attribute) and no.func.attr == "registar"
                    and isinstance(no.func.value, ast.Name) and no.func.value.id == "progresso"):
                chamadas.append(no)
    return chamadas


def _registos(caderno) -> tuple[list[str], set[str], set[str]]:
    """(cadernos nomeados, exercícios, figuras) que as chamadas ``progresso.registar`` do caderno
    escrevem; cada argumento tem de ser literal (senão o teste não o pode conferir)."""
    nb = nbformat.read(CAMINHOS[caderno.nome], as_version=4)
    nomes, exercicios, figuras = [], set(), set()
    for chamada in _chamadas_registar(nb):
        argumentos = list(chamada.args) + [k.value for k in chamada.keywords if k.arg == "exercicio"]
        nomes.append(ast.literal_eval(argumentos[0]))
        if len(argumentos) > 1:
            exercicios.add(ast.literal_eval(argumentos[1]))
        for k in chamada.keywords:
            if k.arg == "figuras":
                assert isinstance(k.value, ast.Dict), f"{caderno.nome}: figuras= tem de ser um dicionário literal"
                figuras |= {ast.literal_eval(chave) for chave in k.value.keys}
    return nomes, exercicios, figuras


@pytest.mark.parametrize("caderno", manifesto.CADERNOS, ids=[c.nome for c in manifesto.CADERNOS])
def test_o_caderno_so_regista_nomes_que_o_manifesto_conhece(caderno):
    """Cada ``progresso.registar`` escreve o nome do próprio caderno, um exercício dele e as figuras
    que o manifesto lhe declara; e cada exercício e figura que as regras do checklist pedem a este
    caderno é registado por ele (senão o item nunca se acenderia no caderno 10)."""
    nomes, exercicios, figuras = _registos(caderno)
    assert set(nomes) <= {caderno.nome}, f"{caderno.nome} regista em nome de {set(nomes) - {caderno.nome}}"
    proprios = {nome for e in caderno.exercicios if not e.livre for nome in e.nomes}
    assert exercicios <= proprios, f"{caderno.nome} regista exercícios que não são dele: {exercicios - proprios}"
    assert figuras == set(caderno.figuras), (f"{caderno.nome}: regista as figuras {sorted(figuras)}, "
                                             f"o manifesto declara {sorted(caderno.figuras)}")
    pedidas = {f for alternativas in manifesto.REGRAS.values() for alt in alternativas
               for (c, f, _, _) in alt["figuras"] if c == caderno.nome}
    assert pedidas <= figuras, f"{caderno.nome}: as regras do checklist leem {sorted(pedidas - figuras)}, que o caderno não regista"
    pedidos = {e for alternativas in manifesto.REGRAS.values() for alt in alternativas
               for e in alt["exercicios"]} & proprios
    assert pedidos <= exercicios, f"{caderno.nome}: as regras pedem {sorted(pedidos - exercicios)}, que o caderno não regista"


def test_cada_item_do_checklist_e_citado_por_um_caderno():
    citados = {chave for c in manifesto.CADERNOS for chave in c.checklist}
    assert set(manifesto.CHECKLIST) - citados == set()


def test_o_verificador_de_registos_apanha_um_nome_errado():
    """O teste acima só vale se uma chamada com o caderno ou o exercício errados se vir."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'progresso.registar("04_poda", "mascara_magnitud")\n%time x = 1\nprogresso.registar("04_poda", figuras={"erro": 1})')])
    chamadas = _chamadas_registar(nb)
    assert [ast.literal_eval(c.args[1]) for c in chamadas if len(c.args) > 1] == ["mascara_magnitud"]
    assert len(chamadas) == 2
