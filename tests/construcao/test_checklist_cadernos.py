"""A citação do checklist no fim dos cadernos: os itens do «✅ Checklist Módulo 4» do texto,
palavra por palavra (``manifesto.CHECKLIST``, que test_manifesto confronta com o texto), e
exatamente os que o manifesto liga a cada caderno (``checklist=`` da sua entrada).

O formato, na última célula do caderno (markdown), é uma linha só com a marca e as citações:

    **Checklist do módulo:** «Entendo diferença entre FP32, FP16, INT8»

(vários itens na mesma linha, cada um entre «», pela ordem do manifesto). O caderno 10 usa o
mesmo mapa do manifesto; assim, o que cada caderno diz que demonstra é o que o checklist lhe
atribui. Cada item do checklist do texto é citado por algum caderno.

As ligações dos cadernos ao registo de progresso: cada ``verificacao.passou``/``registar_medidas``
dos cadernos usa um exercício e figuras que o manifesto conhece e põe neste caderno, e cada
exercício acaba num ``passou``. Os testes com um caderno adulterado provam que isto falha.
"""

from __future__ import annotations

import ast
import copy
import re

import nbformat
import pytest

from autograder import construir
from otimizacao import manifesto, verificacao

MARCA = "**Checklist do módulo:**"
CITACAO = re.compile(r"«([^»]*)»")
CAMINHOS = {c.stem: c for c in construir.cadernos()}
# Todos os cadernos a que o manifesto liga itens do checklist fecham com a citação deles.
COM_FECHO = [c for c in manifesto.CADERNOS if c.checklist]


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


@pytest.mark.parametrize("caderno", COM_FECHO, ids=[c.nome for c in COM_FECHO])
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
# Cada célula de testes visíveis de um exercício acaba em ``verificacao.passou("nome", …)``, e as
# medidas feitas noutras células vão com ``verificacao.registar_medidas("nome", {…})``: o caderno do
# registo vem do manifesto, pelo nome do exercício. Aqui lê-se cada chamada (ast) e confere-se,
# com as mesmas funções que a chamada usa ao correr, que o manifesto conhece o exercício e as
# figuras e que os põe neste caderno; e que cada exercício do caderno acaba num passou.
VERIFICAR = {"passou", "registar_medidas"}


def _chamadas(nb) -> list[tuple[int, ast.Call]]:
    """(índice da célula, chamada) de cada ``verificacao.passou``/``verificacao.registar_medidas``
    e de cada ``progresso.registar`` (o padrão antigo, com o nome do caderno escrito à mão)."""
    chamadas = []
    for i, celula in enumerate(nb.cells):
        if celula.cell_type != "code":
            continue
        fonte = "\n".join(linha for linha in celula.source.splitlines() if not linha.lstrip().startswith(("%", "!")))
        for no in ast.walk(ast.parse(fonte)):
            if (isinstance(no, ast.Call) and isinstance(no.func, ast.Attribute) and isinstance(no.func.value, ast.Name)
                    and (no.func.value.id, no.func.attr) in {("progresso", "registar")}
                    | {("verificacao", f) for f in VERIFICAR}):
                chamadas.append((i, no))
    return chamadas


def _literal(no, o_que: str):
    try:
        return ast.literal_eval(no)
    except ValueError:
        raise ValueError(f"{o_que} tem de ser escrito literalmente ({ast.unparse(no)}), para se poder conferir "
                         "no manifesto sem correr o caderno") from None


def _chaves_das_figuras(no) -> dict:
    if not isinstance(no, ast.Dict) or any(k is None for k in no.keys):
        raise ValueError(f"as figuras têm de ser um dicionário literal ({ast.unparse(no)})")
    return dict.fromkeys(_literal(k, "o nome de uma figura") for k in no.keys)


def ligacoes(nome: str, nb) -> tuple[list[str], set[str], set[str]]:
    """(problemas, exercícios que passam, figuras registadas) das chamadas de verificação do caderno
    ``nome``; cada problema é uma frase em pt-PT com a célula e o que corrigir."""
    problemas, exercicios, figuras = [], set(), set()
    for i, chamada in _chamadas(nb):
        onde = f"{nome}, célula {i}: {ast.unparse(chamada)[:100]}"
        if chamada.func.value.id == "progresso":
            problemas.append(f"{onde} — progresso.registar escreve o nome do caderno à mão; usa "
                             "verificacao.passou(exercicio, …) ou verificacao.registar_medidas(exercicio, {…}), que o "
                             "tiram do manifesto")
            continue
        funcao = chamada.func.attr
        argumentos = {k.arg: k.value for k in chamada.keywords}
        posicionais = ["exercicio", "texto" if funcao == "passou" else "figuras", "caderno"]
        argumentos.update(zip(posicionais, chamada.args, strict=False))
        try:
            if "exercicio" not in argumentos:
                raise ValueError("falta o nome do exercício")
            exercicio = _literal(argumentos["exercicio"], "o nome do exercício")
            caderno = _literal(argumentos["caderno"], "o caderno") if "caderno" in argumentos else None
            chaves = _chaves_das_figuras(argumentos["figuras"]) if "figuras" in argumentos else {}
            if funcao == "passou":
                dono, _ = verificacao.linha_de_passou(exercicio, figuras=chaves, caderno=caderno)
            else:
                dono = verificacao.conferir_medidas(exercicio, chaves, caderno=caderno)
        except ValueError as erro:  # NomeDesconhecido é um ValueError
            problemas.append(f"{onde} — {erro}")
            continue
        if dono != nome:
            problemas.append(f"{onde} — o manifesto põe {exercicio!r} no caderno {dono}, não neste")
            continue
        figuras |= set(chaves)
        if funcao == "passou":
            exercicios.add(exercicio)
    return problemas, exercicios, figuras


def problemas_do_caderno(caderno: manifesto.Caderno, nb) -> list[str]:
    """Tudo o que não bate entre as chamadas de verificação do caderno e a sua entrada no manifesto."""
    problemas, exercicios, figuras = ligacoes(caderno.nome, nb)
    # Um caderno que demonstra itens do checklist regista cada exercício seu que passa (o 10, que lê
    # o registo e não demonstra nenhum item, não regista o seu: senão o registo deixava de estar vazio
    # para quem ainda não fez os outros, e o 10 não mostraria o de exemplo).
    sem_passou = [e.nomes[0] for e in caderno.exercicios if not e.livre and not set(e.nomes) & exercicios]
    if caderno.checklist and sem_passou:
        problemas.append(f"{caderno.nome}: os testes visíveis de {sem_passou} não acabam em verificacao.passou(…) "
                         "(sem ela, o exercício nunca chega ao registo de progresso nem ao caderno 10)")
    pedidos = {e for alternativas in manifesto.REGRAS.values() for alt in alternativas
               for e in alt["exercicios"]} & set(caderno.nomes)
    if pedidos - exercicios:
        problemas.append(f"{caderno.nome}: as regras do checklist pedem {sorted(pedidos - exercicios)}, que o caderno "
                         "não regista com verificacao.passou(…)")
    if figuras != set(caderno.figuras):
        problemas.append(f"{caderno.nome}: regista as figuras {sorted(figuras)}, o manifesto declara "
                         f"{sorted(caderno.figuras)} (Caderno.figuras)")
    pedidas = {f for alternativas in manifesto.REGRAS.values() for alt in alternativas
               for (c, f, _, _) in alt["figuras"] if c == caderno.nome}
    if pedidas - figuras:
        problemas.append(f"{caderno.nome}: as regras do checklist leem {sorted(pedidas - figuras)}, que o caderno "
                         "não regista (o item nunca se acenderia no caderno 10)")
    return problemas


CADERNOS_LIDOS = {nome: nbformat.read(caminho, as_version=4) for nome, caminho in CAMINHOS.items()}


@pytest.mark.parametrize("caderno", manifesto.CADERNOS, ids=[c.nome for c in manifesto.CADERNOS])
def test_o_caderno_so_regista_nomes_que_o_manifesto_conhece(caderno):
    """Cada chamada de verificação do caderno usa um exercício dele e figuras que o manifesto lhe
    declara; cada exercício de um caderno com itens do checklist acaba num passou, e cada um que as
    regras pedem; cada figura declarada (e cada uma que as regras leem) é registada."""
    assert caderno.nome in CADERNOS_LIDOS, f"o manifesto tem {caderno.nome}, mas não há course/{caderno.nome}.ipynb"
    problemas = problemas_do_caderno(caderno, CADERNOS_LIDOS[caderno.nome])
    assert not problemas, "\n".join(problemas)


def test_todos_os_cadernos_do_curso_estao_no_manifesto():
    """Nenhum caderno fica fora da análise acima por não estar no manifesto."""
    assert set(CAMINHOS) == set(manifesto.POR_NOME), (
        f"cadernos em course/ sem entrada no manifesto: {sorted(set(CAMINHOS) - set(manifesto.POR_NOME))}; "
        f"entradas sem caderno: {sorted(set(manifesto.POR_NOME) - set(CAMINHOS))}")


def test_as_regras_do_checklist_so_usam_nomes_do_manifesto():
    exercicios = {n for c in manifesto.CADERNOS for n in c.nomes}
    for chave, alternativas in manifesto.REGRAS.items():
        for alt in alternativas:
            assert set(alt["exercicios"]) <= exercicios, (
                f"REGRAS[{chave!r}] pede {sorted(set(alt['exercicios']) - exercicios)}, que nenhum caderno do manifesto tem")
            for caderno, figura, _, _ in alt["figuras"]:
                assert caderno in manifesto.POR_NOME and figura in manifesto.POR_NOME[caderno].figuras, (
                    f"REGRAS[{chave!r}] lê a figura {figura!r} do caderno {caderno!r}, que o manifesto não declara")


def itens_sem_citacao(cadernos: dict) -> list[str]:
    """Os itens do checklist do texto (manifesto.CHECKLIST) que nenhum caderno cita a seguir à marca."""
    citados = {c for nb in cadernos.values() for _, linha in _linhas_com_marca(nb) for c in CITACAO.findall(linha)}
    return [f"{chave}: «{texto}»" for chave, texto in manifesto.CHECKLIST.items() if texto not in citados]


def test_cada_item_do_checklist_e_citado_por_um_caderno():
    sem = itens_sem_citacao(CADERNOS_LIDOS)
    assert not sem, f"Nenhum caderno cita estes itens do checklist (liga-os a um caderno no manifesto e cita-os no fecho): {sem}"


# --------------------------------------------------------------------------- o teste pode falhar
def _adulterado(nome: str, velho: str, novo: str):
    """Uma cópia do caderno ``nome`` com ``velho`` trocado por ``novo`` (exatamente uma vez)."""
    nb = copy.deepcopy(CADERNOS_LIDOS[nome])
    (celula,) = [c for c in nb.cells if velho in c.source]
    assert celula.source.count(velho) == 1
    celula.source = celula.source.replace(velho, novo)
    return nb


@pytest.mark.parametrize(("velho", "novo", "esperado"), [
    ('verificacao.passou("mascara_magnitude"', 'verificacao.passou("mascara_magnitud"',
     ["nenhum exercício 'mascara_magnitud'", "Querias dizer 'mascara_magnitude'", "['mascara_magnitude']"]),
    ('verificacao.passou("calcular_sparsity")', 'verificacao.passou("memoria_modelo")',
     ["põe 'memoria_modelo' no caderno 00_numeros_e_memoria", "['calcular_sparsity']"]),
    ('{"esparsidade": esp,', '{"esparsidad": esp,',
     ["não declara a(s) figura(s) esparsidad no caderno 04_poda", "as regras do checklist leem ['erro_esparsidade']"]),
    ('verificacao.passou("tamanho_gzip"', 'progresso.registar("04_poda", "tamanho_gzip"',
     ["progresso.registar escreve o nome do caderno à mão", "['tamanho_gzip']"]),
    ('verificacao.passou("calcular_sparsity")', 'verificacao.passou(nome)',
     ["o nome do exercício tem de ser escrito literalmente"]),
])
def test_um_caderno_adulterado_falha_com_a_mensagem(velho, novo, esperado):
    """O teste de cima só vale se apanhar um nome errado: um caderno 04 adulterado tem de dar
    problemas, com o que corrigir na mensagem."""
    problemas = "\n".join(problemas_do_caderno(manifesto.POR_NOME["04_poda"], _adulterado("04_poda", velho, novo)))
    for trecho in esperado:
        assert trecho in problemas, f"esperava «{trecho}» em:\n{problemas}"


def test_um_item_sem_citacao_e_apanhado():
    cadernos = dict(CADERNOS_LIDOS)
    cadernos["04_poda"] = _adulterado("04_poda", f"«{manifesto.CHECKLIST['poda']}»", "«»")
    assert itens_sem_citacao(cadernos) == [f"poda: «{manifesto.CHECKLIST['poda']}»"]
