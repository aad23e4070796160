"""O texto do aluno nunca estraga a avaliação (issue 20).

As marcas do nbgrader («### BEGIN HIDDEN TESTS», …) numa célula do aluno — um comentário, um
texto entre aspas, uma célula de texto, uma célula acrescentada — faziam o ``nbgrader
generate_feedback`` levantar (o ClearHiddenTests corre em todas as células do feedback), e o
``make avaliar`` parava sem ``grades.csv``, sem CSV por exercício e sem relatório, para a turma
inteira e em todas as corridas seguintes. Aqui:

- (rápido) ``entregas.normalizar`` tira as marcas do texto do aluno sem mudar o que o código
  faz, diz porquê em pt-PT, e o ClearHiddenTests do próprio nbgrader já não levanta;
- (lento) de ponta a ponta, com o caderno 10 (o mais rápido): um aluno com a marca num
  comentário e um aluno honesto têm ambos a nota toda, feedback, ``grades.csv`` e relatório;
- (lento) se mesmo assim o feedback de um aluno falhar (aqui: a neutralização desligada, como
  antes desta correção), o resto da turma tem feedback, notas e relatório, e o código de saída
  diz que algo falhou.
"""

from __future__ import annotations

import ast
import copy
import csv
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import avaliar, construir, entregas, turma_demo

TAREFA = "10_checklist"
RESPOSTA = "itens_demonstrados"  # a única célula de resposta do caderno 10


def _meta(gid, *, solucao, pontos=None):
    m = {"cell_type": "code", "grade": pontos is not None, "grade_id": gid, "locked": not solucao,
         "schema_version": 3, "solution": solucao, "task": False}
    if pontos is not None:
        m["points"] = pontos
    return {"deletable": False, "nbgrader": m}


def _release_mini():
    """Um caderno como o release: uma resposta (``dobro``) e a sua célula de teste."""
    nb = new_notebook()
    celulas = [
        (new_markdown_cell("# Mini"), None),
        (new_code_cell("import numpy as np"), None),
        (new_code_cell("def dobro(x):\n    # O TEU CÓDIGO AQUI\n    raise NotImplementedError()"),
         _meta("dobro", solucao=True)),
        (new_code_cell('assert dobro(2) == 4, "dobro(2) deve dar 4."'), _meta("teste_dobro", solucao=False, pontos=2)),
    ]
    for i, (c, m) in enumerate(celulas):
        c["id"] = f"mini-{i}"
        if m:
            c.metadata = m
    nb.cells = [c for c, _ in celulas]
    return nb


def _linhas_com_marca(nb) -> list[str]:
    """As linhas onde o nbgrader veria uma marca (o mesmo teste que ele faz: ``marca in linha``)."""
    return [linha for c in nb.cells for linha in c.source.split("\n")
            if any(m in linha for m in entregas.MARCAS_NBGRADER)]


def test_as_marcas_sao_as_que_o_nbgrader_procura():
    """Se o nbgrader mudar as marcas por omissão, a neutralização tem de mudar com elas."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    # Só as dos testes ocultos: as de solução só as lê o generate_assignment (nunca o autograde
    # nem o feedback) e estão, legitimamente, no caderno de referência da turma de demonstração.
    esperadas = {ClearHiddenTests.class_traits()["begin_test_delimeter"].default_value,
                 ClearHiddenTests.class_traits()["end_test_delimeter"].default_value}
    assert set(entregas.MARCAS_NBGRADER) == esperadas
    assert ClearSolutions.class_traits()["begin_solution_delimeter"].default_value not in esperadas


def test_marcas_do_nbgrader_no_texto_do_aluno_sao_neutralizadas():
    from nbgrader.preprocessors import ClearHiddenTests

    release = _release_mini()
    aluno = copy.deepcopy(release)
    aluno.cells[2].source = ("def dobro(x):\n    # BEGIN HIDDEN TESTS: aqui o professor esconde os dele\n"
                             '    texto = "BEGIN HIDDEN TESTS"\n    return 2 * x')
    acrescentada = new_code_cell('### END HIDDEN TESTS\nmarca = "END HIDDEN TESTS"\ncru = r"BEGIN HIDDEN TESTS"')
    acrescentada["id"] = "acrescentada"
    nota = new_markdown_cell("As minhas notas: BEGIN HIDDEN TESTS e END HIDDEN TESTS.")
    nota["id"] = "nota"
    aluno.cells[3:3] = [acrescentada, nota]

    # Sem a neutralização, o próprio nbgrader recusa este caderno no feedback: é o que este
    # teste protege (se o nbgrader deixasse de o recusar, o resto do teste não provaria nada).
    with pytest.raises(RuntimeError):
        ClearHiddenTests().preprocess(copy.deepcopy(aluno), {})

    saida, motivos = entregas.normalizar(aluno, release)

    assert _linhas_com_marca(saida) == []
    ClearHiddenTests().preprocess(copy.deepcopy(saida), {})  # já não levanta
    resposta = next(c for c in saida.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "dobro")
    codigo = [c for c in saida.cells if c.cell_type == "code"]
    for c in codigo:
        ast.parse(c.source)  # o código continua a compilar
    # O código faz o mesmo: o texto entre aspas normal fica com o mesmo valor (\x20 é um espaço);
    # só o r"…" (onde não há forma de escrever o espaço de outra maneira) muda, e isso é dito.
    ns: dict = {}
    exec(resposta.source + "\ntexto_fora = dobro.__code__.co_consts", ns)
    assert "BEGIN HIDDEN TESTS" in ns["texto_fora"] and ns["dobro"](21) == 42
    ns = {}
    exec(next(c.source for c in codigo if c.get("id") == "acrescentada"), ns)
    assert ns["marca"] == "END HIDDEN TESTS" and ns["cru"] == "BEGIN_HIDDEN_TESTS"
    assert "BEGIN_HIDDEN_TESTS e END_HIDDEN_TESTS" in next(c.source for c in saida.cells if c.get("id") == "nota")

    texto = "\n".join(motivos)
    # Um motivo por célula e por sítio: comentário e aspas na resposta (2); comentário, aspas e
    # r"…" na célula acrescentada (3); a célula de texto, com as duas marcas num só motivo (1).
    # Mais ou menos do que 6 quer dizer que uma troca ficou por dizer ou foi dita duas vezes.
    assert len([m for m in motivos if "do nbgrader;" in m]) == 6, motivos
    assert "as marcas «BEGIN HIDDEN TESTS» e «END HIDDEN TESTS» do nbgrader; foram alteradas para " \
           "«BEGIN_HIDDEN_TESTS» e «END_HIDDEN_TESTS» (numa célula de texto)" in texto
    assert "A tua célula dobro tinha a marca «BEGIN HIDDEN TESTS» do nbgrader" in texto
    assert "«BEGIN_HIDDEN_TESTS» (num comentário: o código faz o mesmo)" in texto
    assert "«BEGIN\\x20HIDDEN\\x20TESTS» (dentro de aspas" in texto
    assert "«BEGIN_HIDDEN_TESTS» (fora de um comentário" in texto  # o r"…": diz que pode mudar
    assert "numa célula de texto" in texto and "não estragar a avaliação" in texto


@pytest.mark.parametrize("fonte, fica", [
    # O corpo de uma célula %%… não é Python: \x20 não seria um espaço lá.
    ('%%bash\necho "BEGIN HIDDEN TESTS"', '%%bash\necho "BEGIN_HIDDEN_TESTS"'),
    ('!echo "END HIDDEN TESTS"', '!echo "END_HIDDEN_TESTS"'),
    ('x = f"BEGIN HIDDEN TESTS {1}"', 'x = f"BEGIN_HIDDEN_TESTS {1}"'),
    # As marcas de solução não estragam nada (o autograde e o feedback não as leem): ficam.
    ("# BEGIN SOLUTION", "# BEGIN SOLUTION"),
    # Uma célula que não compila (texto por fechar): a marca sai na mesma.
    ('x = """por fechar\nBEGIN HIDDEN TESTS', 'x = """por fechar\nBEGIN_HIDDEN_TESTS'),
    # Dentro de aspas normais (também bytes e docstrings): o mesmo valor.
    ('y = b"END HIDDEN TESTS"', 'y = b"END\\x20HIDDEN\\x20TESTS"'),
    ("def f():\n    '''BEGIN HIDDEN TESTS'''", "def f():\n    '''BEGIN\\x20HIDDEN\\x20TESTS'''"),
    # O nbgrader procura o texto em qualquer sítio da linha, mesmo colado a outras letras.
    ("# PREPEND HIDDEN TESTS", "# PREPEND_HIDDEN_TESTS"),
    ("sem marcas: begin hidden tests, BEGIN  HIDDEN TESTS", "sem marcas: begin hidden tests, BEGIN  HIDDEN TESTS"),
])
def test_regra_da_neutralizacao(fonte, fica):
    nova, _ = entregas.neutralizar_marcas(fonte, codigo=True)
    assert nova == fica
    assert not any(m in linha for linha in nova.split("\n") for m in entregas.MARCAS_NBGRADER)


# --------------------------------------------------------------------------- de ponta a ponta
def _turma(raiz, entregas_dir, alunos):
    """Escreve ``entregas_dir/<aluno>/10_checklist/10_checklist.ipynb``: o release com as respostas
    de referência, mais o que ``alunos[aluno]`` acrescenta ao início da resposta."""
    source = raiz / "source" / TAREFA / f"{TAREFA}.ipynb"
    for aluno, prefixo in alunos.items():
        respostas = turma_demo.respostas_referencia(source)
        respostas[RESPOSTA] = prefixo + respostas[RESPOSTA]
        nb = turma_demo.caderno_com_respostas(raiz / "release" / TAREFA / f"{TAREFA}.ipynb", respostas)
        pasta = entregas_dir / aluno / TAREFA
        pasta.mkdir(parents=True)
        nbformat.write(nb, pasta / f"{TAREFA}.ipynb")


def _grades(raiz) -> dict[str, tuple[float, float]]:
    with (raiz / "grades.csv").open(encoding="utf-8") as f:
        return {linha["student_id"]: (float(linha["score"]), float(linha["max_score"]))
                for linha in csv.DictReader(f) if linha["assignment"] == TAREFA}


ALUNOS = {"honesto": "", "com_marca": "# ### BEGIN HIDDEN TESTS\n"}


@pytest.mark.lento
def test_marca_num_comentario_nao_estraga_a_avaliacao_da_turma(tmp_path, capsys):
    raiz = tmp_path / "raiz"
    construir.construir(raiz, so=[TAREFA])
    _turma(raiz, tmp_path / "entregas", ALUNOS)
    inicio = time.monotonic()
    codigo = avaliar.main(["--submissoes", str(tmp_path / "entregas"), "--tarefas", TAREFA, "--workers", "2",
                           "--raiz", str(raiz)])
    saida = capsys.readouterr()
    print(f"avaliação: {time.monotonic() - inicio:.0f} s")
    assert codigo == 0, saida.out[-3000:] + saida.err[-3000:]
    notas = _grades(raiz)
    assert set(notas) == set(ALUNOS), notas
    pontos, maximo = notas["honesto"]
    assert maximo > 0 and pontos == maximo, notas
    # A marca estava num comentário: o código é o de referência e tem de ter a nota toda também.
    assert notas["com_marca"] == notas["honesto"], notas
    for aluno in ALUNOS:
        assert (raiz / "feedback" / aluno / TAREFA / f"{TAREFA}.html").exists(), aluno
    assert (raiz / "notas_por_exercicio.csv").exists()
    relatorio = (raiz / "relatorio_avaliacao.md").read_text(encoding="utf-8")
    linha = next(linha for linha in relatorio.splitlines() if linha.startswith("| com_marca "))
    assert "marca «BEGIN HIDDEN TESTS»" in linha and "BEGIN_HIDDEN_TESTS" in linha, linha
    html = (raiz / "feedback" / "com_marca" / TAREFA / f"{TAREFA}.html").read_text(encoding="utf-8")
    assert "Avisos da avaliação" in html and "BEGIN_HIDDEN_TESTS" in html


@pytest.mark.lento
def test_feedback_que_falha_para_um_aluno_nao_para_o_resto(tmp_path, capsys, monkeypatch):
    """Sem a neutralização (como antes desta correção), a marca chega ao feedback e o nbgrader
    falha para esse aluno: os outros têm na mesma feedback, notas, CSV e relatório; o aluno fica
    com o motivo, e o código de saída não é 0."""
    monkeypatch.setattr(entregas, "_motivos_das_marcas", lambda celula, posicao: [])
    raiz = tmp_path / "raiz"
    construir.construir(raiz, so=[TAREFA])
    _turma(raiz, tmp_path / "entregas", ALUNOS)
    codigo = avaliar.main(["--submissoes", str(tmp_path / "entregas"), "--tarefas", TAREFA, "--workers", "2",
                           "--raiz", str(raiz)])
    saida = capsys.readouterr()
    assert codigo == 1, saida.out[-3000:] + saida.err[-3000:]
    assert "O feedback desta entrega não pôde ser gerado" in saida.err, saida.err[-3000:]
    notas = _grades(raiz)
    assert set(notas) == set(ALUNOS), notas
    assert notas["honesto"][0] == notas["honesto"][1] > 0, notas
    assert (raiz / "feedback" / "honesto" / TAREFA / f"{TAREFA}.html").exists()
    assert not (raiz / "feedback" / "com_marca" / TAREFA / f"{TAREFA}.html").exists()
    with (raiz / "notas_por_exercicio.csv").open(encoding="utf-8") as f:
        assert {linha["aluno"] for linha in csv.DictReader(f)} == set(ALUNOS)
    relatorio = (raiz / "relatorio_avaliacao.md").read_text(encoding="utf-8")
    assert "## O que falhou nesta avaliação" in relatorio
    linha = next(linha for linha in relatorio.splitlines() if linha.startswith("| com_marca "))
    assert "O feedback desta entrega não pôde ser gerado" in linha, linha
    # Uma segunda corrida (a retoma) também chega ao fim, com as mesmas notas.
    assert avaliar.main(["--submissoes", str(tmp_path / "entregas"), "--tarefas", TAREFA, "--workers", "2",
                         "--raiz", str(raiz)]) == 1
    assert _grades(raiz) == notas


# --------------------------------------------------------------------------- as mensagens dos ocultos
def _celula_de_teste(fonte: str, saidas: list, metadados: dict | None = None):
    celula = nbformat.v4.new_code_cell(fonte)
    celula.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 1, "solution": False, "locked": True}
    celula.metadata.update(metadados or {})
    celula.outputs = saidas
    return celula


def _erro(linha: int, mensagem: str = "devia dar 4, deu 3"):
    traceback = ["\x1b[0;31m----\x1b[0m", "\x1b[0;31mAssertionError\x1b[0m  Traceback (most recent call last)",
                 f"Cell \x1b[0;32mIn[12], line {linha}\x1b[0m\n      1 x = 1", "Cell In[3], line 99\n  (a função do aluno)"]
    return nbformat.v4.new_output("error", ename="AssertionError", evalue=mensagem, traceback=traceback)


FONTE_COM_OCULTOS = "assert f(1) == 1, 'visível'\n### BEGIN HIDDEN TESTS\nassert f(7) == 4, 'oculto'\n### END HIDDEN TESTS"


@pytest.mark.parametrize(("celula", "oculto"), [
    (_celula_de_teste(FONTE_COM_OCULTOS, [_erro(1)]), False),  # a linha 1 é a parte visível
    (_celula_de_teste(FONTE_COM_OCULTOS, [_erro(3)]), True),  # a linha 3 vem depois do marcador (linha 2)
    (_celula_de_teste("assert f(1) == 1", [_erro(1)]), False),  # sem ocultos
    (_celula_de_teste(FONTE_COM_OCULTOS, [_erro(1)], {"curso4": {"falhou_em": "oculta"}}), True),  # o juiz disse
    (_celula_de_teste(FONTE_COM_OCULTOS, [_erro(3)], {"curso4": {"falhou_em": "visível"}}), False),
])
def test_onde_falhou_a_celula_de_teste(celula, oculto):
    from autograder import feedback_pt

    assert feedback_pt.falhou_no_oculto(celula) is oculto


def test_o_feedback_troca_a_mensagem_de_um_oculto_por_uma_pista():
    from autograder import feedback_pt

    celula = _celula_de_teste(FONTE_COM_OCULTOS, [nbformat.v4.new_output("stream", name="stdout", text="4\n"), _erro(3)])
    feedback_pt.EsconderOcultos().preprocess_cell(celula, {}, 0)
    assert [s["output_type"] for s in celula.outputs] == ["error"]
    assert celula.outputs[0]["evalue"] == feedback_pt.MENSAGEM_OCULTA and "4" not in celula.outputs[0]["traceback"][0]
    visivel = _celula_de_teste(FONTE_COM_OCULTOS, [_erro(1, "f(1) devia dar 1")])
    feedback_pt.EsconderOcultos().preprocess_cell(visivel, {}, 0)
    assert visivel.outputs[0]["evalue"] == "f(1) devia dar 1"  # os visíveis o aluno já os tem
