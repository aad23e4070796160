"""Invariante 8 (docs/invariantes.md#i8-nada-do-que-o-aluno-recebe-resolve): nada do que o aluno recebe resolve um exercício avaliado.

O aluno recebe o pacote ``course/otimizacao/`` e os cadernos do release (iguais a ``course/``,
célula a célula: ``tests/construcao/test_construcao.py``). Em tudo isso, fora das células de resposta:

(a) nenhum nome avaliado (as chaves de ``solutions._ONDE``, classes incluídas) é definido — por
    ``def``, ``class``, atribuição, ``import`` ou ciclo, a qualquer nível;
(b) nenhuma função (nem nenhum bloco de instruções seguidas, dentro ou fora de uma função) é uma
    cópia do corpo de uma função de referência a menos de nomes: comparam-se as árvores (AST)
    normalizadas — sem docstrings nem anotações de tipo, com todos os nomes que não são
    *builtins* trocados, pela ordem em que aparecem, por ``_v0``, ``_v1``, … e os textos por
    ``"…"``. Nos blocos de código das células de texto só se procuram cópias (b): a prosa mostra
    de propósito o código errado do texto do módulo, às vezes com o nome do exercício.

As referências são os corpos das funções avaliadas de ``solutions/`` e de tudo o que está dentro
delas (métodos das classes avaliadas, funções aninhadas). As funções auxiliares privadas de
``solutions/`` que não são exercícios (``_interpretador``, ``_sincronizar``) ficam de fora: os
cadernos dão-nas de propósito, antes dos exercícios que as usam.

Um caderno que precisa de um exercício anterior (o 05 precisa dos do 01 e do 04) traz a versão
do próprio aluno numa célula de resposta sem pontos; ver docs/acrescentar_exercicio.md.
"""

from __future__ import annotations

import ast
import builtins
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

import solutions
from autograder import comum, construir
from autograder.comum import nbgrader_meta

RAIZ = Path(__file__).resolve().parents[2]
SOLUTIONS = RAIZ / "solutions"
NOMES_AVALIADOS = frozenset(solutions._ONDE)
BUILTINS = frozenset(dir(builtins))
# Corpos de referência mais pequenos do que isto (nós da AST normalizada) não contam: uma linha
# como ``return self.aluno(x, training=training)`` aparece em qualquer lado e não resolve nada.
NOS_MINIMOS = 25
# Última versão com as funções do caderno 01 em otimizacao/conversao.py e as do caderno 04
# numa célula dada do caderno 05 (issue 9): o detetor tem de as apanhar.
COMMIT_ANTIGO = "232675cefd0fb52c85ef6ec5ff0267d4eda29620"
BLOCO_PYTHON = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.S)


# --------------------------------------------------------------------------- normalização
class _Normalizador(ast.NodeTransformer):
    """Troca cada nome (que não é um *builtin*) por ``_v<n>``, pela ordem em que aparece; tira
    anotações de tipo e docstrings; troca os textos por «…»."""

    def __init__(self):
        self.nomes: dict[str, str] = {}

    def _novo(self, nome: str | None) -> str | None:
        if nome is None or nome in BUILTINS:
            return nome
        return self.nomes.setdefault(nome, f"_v{len(self.nomes)}")

    def visit_Name(self, no):
        no.id = self._novo(no.id)
        return no

    def visit_arg(self, no):
        no.arg = self._novo(no.arg)
        no.annotation = None
        return no

    def _funcao(self, no):
        no.name = self._novo(no.name)
        no.returns = None
        no.body = _sem_docstring(no.body) or [ast.Pass()]
        return self.generic_visit(no)

    visit_FunctionDef = visit_AsyncFunctionDef = _funcao

    def visit_ClassDef(self, no):
        no.name = self._novo(no.name)
        no.body = _sem_docstring(no.body) or [ast.Pass()]
        return self.generic_visit(no)

    def visit_AnnAssign(self, no):
        if no.value is None:
            return None
        return self.visit(ast.Assign(targets=[no.target], value=no.value, lineno=no.lineno))

    def visit_alias(self, no):
        no.asname = self._novo(no.asname or no.name.split(".")[0])
        return no

    def visit_ExceptHandler(self, no):
        no.name = self._novo(no.name)
        return self.generic_visit(no)

    def visit_Global(self, no):
        no.names = [self._novo(n) for n in no.names]
        return no

    visit_Nonlocal = visit_Global

    def visit_JoinedStr(self, no):
        return ast.Constant("…")

    def visit_Constant(self, no):
        return ast.Constant("…") if isinstance(no.value, str) else no


def _e_docstring(no) -> bool:
    return isinstance(no, ast.Expr) and isinstance(getattr(no, "value", None), ast.Constant) \
        and isinstance(no.value.value, str)


def _sem_docstring(corpo: list[ast.stmt]) -> list[ast.stmt]:
    return corpo[1:] if corpo and _e_docstring(corpo[0]) else list(corpo)


def normalizar(instrucoes: list[ast.stmt]) -> str:
    """A forma canónica de uma sequência de instruções (ver o docstring do módulo)."""
    import copy

    modulo = ast.Module(body=copy.deepcopy(instrucoes), type_ignores=[])
    return ast.dump(_Normalizador().visit(modulo), annotate_fields=False)


def _tamanho(forma: str) -> int:
    return forma.count("(")


# --------------------------------------------------------------------------- referências
def _dentro(no: ast.AST, prefixo: str):
    """(nome qualificado, nó) de cada função dentro de ``no`` (métodos, funções aninhadas)."""
    for filho in ast.iter_child_nodes(no):
        if isinstance(filho, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            nome = f"{prefixo}.{filho.name}"
            if not isinstance(filho, ast.ClassDef):
                yield nome, filho
            yield from _dentro(filho, nome)
        else:
            yield from _dentro(filho, prefixo)


def _fonte_de_solutions(modulo: str) -> ast.Module:
    """A árvore de ``solutions/<modulo>.py`` (lida do disco: sem importar o TensorFlow)."""
    return ast.parse((SOLUTIONS / f"{modulo}.py").read_text(encoding="utf-8"))


def referencias() -> dict[str, str]:
    """«módulo.função» → forma canónica do corpo, para cada exercício de ``solutions`` e cada
    função ou método dentro dele."""
    formas = {}
    for nome, modulo in solutions._ONDE.items():
        for no in _fonte_de_solutions(modulo).body:
            if getattr(no, "name", None) != nome:
                continue
            if not isinstance(no, ast.ClassDef):
                formas[f"{modulo}.{nome}"] = normalizar(_sem_docstring(no.body))
            for qualificado, funcao in _dentro(no, f"{modulo}.{nome}"):
                formas[qualificado] = normalizar(_sem_docstring(funcao.body))
    return {nome: forma for nome, forma in formas.items() if _tamanho(forma) >= NOS_MINIMOS}


REFERENCIAS = referencias()
# Uma forma canónica → as referências com essa forma; e os tamanhos (em instruções) a procurar.
_POR_FORMA: dict[str, list[str]] = {}
for _nome, _forma in REFERENCIAS.items():
    _POR_FORMA.setdefault(_forma, []).append(_nome)


def _tipos(instrucoes: list[ast.stmt]) -> tuple[str, ...]:
    return tuple(type(i).__name__ for i in instrucoes)


def _tipos_das_referencias() -> set[tuple[str, ...]]:
    """Os tipos das instruções de cada corpo de referência (um filtro rápido antes de normalizar)."""
    tipos = set()
    for nome, modulo in solutions._ONDE.items():
        for no in _fonte_de_solutions(modulo).body:
            if getattr(no, "name", None) == nome:
                funcoes = [] if isinstance(no, ast.ClassDef) else [no]
                funcoes += [f for _, f in _dentro(no, "")]
                tipos |= {_tipos(_sem_docstring(f.body)) for f in funcoes}
    return tipos


TIPOS = _tipos_das_referencias()
COMPRIMENTOS = {len(t) for t in TIPOS}


# --------------------------------------------------------------------------- detetores
def definicoes_avaliadas(arvore: ast.AST) -> list[tuple[str, int]]:
    """(nome, linha) de cada nome avaliado que ``arvore`` define, a qualquer nível."""
    achados = []
    for no in ast.walk(arvore):
        nomes: list[str] = []
        if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            nomes = [no.name]
        elif isinstance(no, ast.Name) and isinstance(no.ctx, (ast.Store, ast.Del)):
            nomes = [no.id]
        elif isinstance(no, (ast.Import, ast.ImportFrom)):
            nomes = [a.asname or a.name.split(".")[0] for a in no.names]
        elif isinstance(no, (ast.Global, ast.Nonlocal)):
            nomes = list(no.names)
        elif isinstance(no, ast.ExceptHandler) and no.name:
            nomes = [no.name]
        achados += [(n, getattr(no, "lineno", 0)) for n in nomes if n in NOMES_AVALIADOS]
    return achados


def _listas_de_instrucoes(arvore: ast.AST):
    """Cada lista de instruções da árvore (módulo, corpos de funções, de ciclos, de ``if``…),
    sem a docstring."""
    for no in ast.walk(arvore):
        for campo in ("body", "orelse", "finalbody"):
            lista = getattr(no, campo, None)
            if isinstance(lista, list) and lista and isinstance(lista[0], ast.stmt):
                yield _sem_docstring(lista)
        for tratador in getattr(no, "handlers", []) or []:
            yield list(tratador.body)


def copias_de_referencias(arvore: ast.AST) -> list[tuple[str, int]]:
    """(referência copiada, linha) de cada bloco de instruções seguidas de ``arvore`` que é um
    corpo de referência a menos de nomes (uma função inteira ou um pedaço de código)."""
    achados = []
    for lista in _listas_de_instrucoes(arvore):
        for n in COMPRIMENTOS:
            for inicio in range(len(lista) - n + 1):
                janela = lista[inicio : inicio + n]
                if _tipos(janela) not in TIPOS:
                    continue
                for ref in _POR_FORMA.get(normalizar(janela), []):
                    achados.append((ref, janela[0].lineno))
    return achados


# --------------------------------------------------------------------------- o que o aluno recebe
def _arvore(fonte: str, onde: str) -> ast.AST:
    try:
        return ast.parse(fonte)
    except SyntaxError as erro:
        raise AssertionError(f"{onde}: não consegui ler o código ({erro})") from None


def _codigo_de_celula(fonte: str) -> str:
    """O código de uma célula, sem as linhas mágicas do IPython (``%matplotlib``, ``!pip``)."""
    return "\n".join("" if linha.lstrip().startswith(("%", "!")) else linha for linha in fonte.split("\n"))


def do_caderno(nb, nome: str) -> tuple[list[tuple[str, ast.AST]], list[tuple[str, ast.AST]]]:
    """(código, blocos de texto) das células de um caderno que não são de resposta."""
    codigo, texto = [], []
    for i, celula in enumerate(nb.cells):
        if nbgrader_meta(celula).get("solution"):
            continue
        onde = f"{nome}, célula {i} ({nbgrader_meta(celula).get('grade_id') or celula.get('id')})"
        if celula.cell_type == "code":
            codigo.append((onde, _arvore(_codigo_de_celula(celula.source), onde)))
        elif celula.cell_type == "markdown":
            for bloco in BLOCO_PYTHON.findall(celula.source):
                try:
                    texto.append((f"{onde}, bloco de código", ast.parse(bloco)))
                except SyntaxError:
                    continue  # pseudo-código na prosa: não é Python que se possa correr
    return codigo, texto


def recebido() -> tuple[list[tuple[str, ast.AST]], list[tuple[str, ast.AST]]]:
    """Tudo o que o aluno recebe: (código, blocos de código nas células de texto)."""
    codigo = [(str(p.relative_to(RAIZ)), _arvore(p.read_text(encoding="utf-8"), str(p)))
              for p in sorted(comum.COURSE.rglob("*.py"))]
    texto = []
    for caminho in construir.cadernos():
        c, t = do_caderno(nbformat.read(caminho, as_version=4), caminho.name)
        codigo += c
        texto += t
    return codigo, texto


def _problemas(codigo, texto) -> list[str]:
    problemas = [f"{onde}, linha {linha}: define «{nome}», um exercício avaliado"
                 for onde, arvore in codigo for nome, linha in definicoes_avaliadas(arvore)]
    problemas += [f"{onde}, linha {linha}: é uma cópia (a menos de nomes) de solutions.{ref}"
                  for onde, arvore in codigo + texto for ref, linha in copias_de_referencias(arvore)]
    return problemas


# --------------------------------------------------------------------------- testes
def test_ha_referencias_e_pacote_e_cadernos_para_verificar():
    codigo, _ = recebido()
    assert any(onde.startswith("course/otimizacao/") for onde, _ in codigo)
    assert len(construir.cadernos()) >= 6
    # Todos os exercícios com corpo que se veja entram na comparação (nenhum é pequeno demais).
    assert {r.split(".")[1] for r in REFERENCIAS} == NOMES_AVALIADOS


def test_nada_do_que_o_aluno_recebe_resolve_um_exercicio():
    """Invariante 8: nem nomes avaliados nem cópias de referências no pacote e nos cadernos."""
    problemas = _problemas(*recebido())
    assert not problemas, (
        "Há código dado ao aluno que resolve um exercício avaliado. Tira-o do pacote otimizacao ou "
        "da célula dada; se um caderno precisa de um exercício anterior, o aluno traz a sua versão "
        "numa célula de resposta (docs/invariantes.md#i8-nada-do-que-o-aluno-recebe-resolve):\n  " + "\n  ".join(problemas)
    )


# ---- o detetor deteta: casos que têm de ser apanhados
class _Renomear(ast.NodeTransformer):
    """Uma «cópia disfarçada»: todos os nomes locais e os argumentos com outro nome."""

    def __init__(self, locais: set[str]):
        self.locais = locais

    def _r(self, nome):
        return f"meu_{nome}" if nome in self.locais else nome

    def visit_Name(self, no):
        no.id = self._r(no.id)
        return no

    def visit_arg(self, no):
        no.arg = self._r(no.arg)
        return no


def _copia_disfarcada(ref: str) -> str:
    """O código de uma função com o corpo de ``solutions.<ref>``, com outro nome, sem docstring,
    sem anotações e com os argumentos e as variáveis locais renomeados."""
    modulo, *caminho = ref.split(".")
    no = _fonte_de_solutions(modulo)
    for parte in caminho:
        no = next(f for f in ast.walk(no) if getattr(f, "name", None) == parte
                  and isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    locais = {a.arg for a in ast.walk(no) if isinstance(a, ast.arg)}
    locais |= {n.id for n in ast.walk(no) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    corpo = [_Renomear(locais).visit(i) for i in _sem_docstring(no.body)]
    args = _Renomear(locais).visit(no.args)
    for a in args.args + args.kwonlyargs:
        a.annotation = None
    funcao = ast.FunctionDef(name="ferramenta_inocente", args=args, body=corpo, decorator_list=[],
                             returns=None, type_params=[], lineno=1)
    return "import numpy as np\n\n\n" + ast.unparse(ast.fix_missing_locations(ast.Module([funcao], [])))


@pytest.mark.parametrize("ref", sorted(REFERENCIAS))
def test_detetor_apanha_uma_copia_com_outros_nomes(ref):
    codigo = _copia_disfarcada(ref)
    assert "def ferramenta_inocente(" in codigo and f"def {ref.split('.')[-1]}(" not in codigo
    achados = [r for r, _ in copias_de_referencias(ast.parse(codigo))]
    assert ref in achados, f"o detetor não apanhou a cópia disfarçada de {ref}:\n{codigo}"


def test_detetor_apanha_uma_copia_no_meio_de_outro_codigo_e_num_bloco_de_texto():
    copia = _copia_disfarcada("poda.tamanho_gzip")
    corpo = copia.split("def ferramenta_inocente(meu_modelo_ou_bytes):\n", 1)[1]
    celula = "x = 1\nmeu_modelo_ou_bytes = b'abc'\n" + "\n".join(linha[4:] for linha in corpo.split("\n")) + "\nprint(x)"
    assert ("poda.tamanho_gzip", 3) in copias_de_referencias(ast.parse(celula))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"Uma ajuda:\n\n```python\n{copia}\n```\n")]
    _, texto = do_caderno(nb, "inventado.ipynb")
    assert any("poda.tamanho_gzip" in p for p in _problemas([], texto))


def test_detetor_apanha_nomes_avaliados_definidos_de_todas_as_formas():
    fonte = """
import otimizacao.conversao as quantizar_modelo_int8
from x import y as inferencia_tflite
avaliar_tflite = lambda m, x, y: 1.0
for tamanho_gzip in []:
    pass
class Ajuda:
    def podar_progressivamente(self):
        calcular_sparsity: int = 0
def f():
    global mascara_magnitude
    with open("f") as memoria_modelo:
        pass
    (reducao_percentual := 3)
class Destilador:
    pass
"""
    nomes = {n for n, _ in definicoes_avaliadas(ast.parse(fonte))}
    assert nomes == {"quantizar_modelo_int8", "inferencia_tflite", "avaliar_tflite", "tamanho_gzip",
                     "podar_progressivamente", "calcular_sparsity", "mascara_magnitude", "memoria_modelo",
                     "reducao_percentual", "Destilador"}
    # Usar (chamar) um nome avaliado não é defini-lo.
    assert definicoes_avaliadas(ast.parse("r = otimizar_modelo_completo(m)\nprint(tamanho_gzip(b''))")) == []


def test_detetor_nao_acusa_respostas_certas_escritas_de_outra_forma():
    """As respostas certas-mas-diferentes de autograder/variantes/ não são cópias: o detetor
    compara formas, não comportamentos."""

    for tarefa in [p.stem for p in construir.cadernos()]:
        var = construir.variantes(tarefa)
        for nome, (_, codigo) in (getattr(var, "CERTAS", None) or {}).items():
            assert copias_de_referencias(ast.parse(codigo)) == [], f"{tarefa}: «{nome}»"


def _git_show(caminho: str) -> str:
    existe = subprocess.run(["git", "cat-file", "-e", f"{COMMIT_ANTIGO}^{{commit}}"], cwd=RAIZ, capture_output=True)
    if existe.returncode != 0:
        pytest.skip(f"o histórico do git não tem o commit {COMMIT_ANTIGO[:7]} (clone raso?)")
    proc = subprocess.run(["git", "show", f"{COMMIT_ANTIGO}:{caminho}"], cwd=RAIZ, capture_output=True, text=True,
                          check=True)
    return proc.stdout


def test_detetor_apanha_o_pacote_e_o_caderno_05_de_antes_da_correcao():
    """O otimizacao/conversao.py e o caderno 05 antigos (issue 9) falham a verificação."""
    conversao = ast.parse(_git_show("course/otimizacao/conversao.py"))
    assert {n for n, _ in definicoes_avaliadas(conversao)} == {"quantizar_modelo_int8", "inferencia_tflite", "avaliar_tflite"}
    assert "ptq_tflite.quantizar_modelo_int8" in {r for r, _ in copias_de_referencias(conversao)}
    nb = nbformat.reads(_git_show("course/05_poda_e_quantizacao.ipynb"), as_version=4)
    codigo, texto = do_caderno(nb, "05_poda_e_quantizacao.ipynb")
    definidos = {n for _, arvore in codigo for n, _ in definicoes_avaliadas(arvore)}
    assert {"podar_progressivamente", "tamanho_gzip", "quantizar_modelo_int8", "avaliar_tflite"} <= definidos


# ---- uma entrega que vai buscar o exercício ao pacote não ganha nada
BATOTA_QUANTIZAR = '''def quantizar_modelo_int8(modelo, dados_calibracao: np.ndarray, num_amostras: int = 100) -> bytes:
    """Batota: a função pronta do pacote do curso."""
    from otimizacao.conversao import quantizar_modelo_int8 as _q
    return _q(modelo, dados_calibracao, num_amostras)'''

BATOTA_INFERENCIA = '''def _procurar(nome):
    """Procura uma função com este nome em todos os módulos do pacote otimizacao."""
    import importlib
    import pkgutil

    import otimizacao
    for info in pkgutil.iter_modules(otimizacao.__path__):
        funcao = getattr(importlib.import_module(f"otimizacao.{info.name}"), nome, None)
        if callable(funcao):
            return funcao
    raise ImportError(f"o pacote otimizacao não tem {nome}")


def inferencia_tflite(modelo_tflite: bytes, x: np.ndarray) -> np.ndarray:
    """Batota: a função pronta, esteja em que módulo estiver."""
    return _procurar("inferencia_tflite")(modelo_tflite, x)'''

# Controlo: esta resposta é honesta (não usa a inferencia_tflite, que é batota) e tem de ter a
# nota toda — prova que a entrega foi avaliada a sério e que os zeros vêm da batota.
HONESTA_AVALIAR = '''def avaliar_tflite(modelo_tflite: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão, um exemplo de cada vez."""
    interp = _interpretador(modelo_tflite)
    interp.allocate_tensors()
    entrada, saida = interp.get_input_details()[0], interp.get_output_details()[0]
    certos = 0
    for xi, yi in zip(np.asarray(x, dtype=np.float32), np.asarray(y).reshape(-1)):
        v = xi[np.newaxis]
        if entrada["dtype"] == np.int8:
            escala, zero = entrada["quantization"]
            v = np.clip(np.round(v / escala) + zero, -128, 127).astype(np.int8)
        interp.set_tensor(entrada["index"], v)
        interp.invoke()
        certos += int(np.argmax(interp.get_tensor(saida["index"])[0]) == yi)
    return certos / len(x)'''


@pytest.mark.lento
def test_entrega_que_importa_o_exercicio_do_pacote_nao_ganha_pontos(tmp_path):
    """Com o nbgrader a sério (motor de avaliação, tarefa 01, um aluno): as respostas que vão
    buscar quantizar_modelo_int8 e inferencia_tflite ao pacote otimizacao valem 0; a resposta
    honesta da mesma entrega vale tudo."""
    from autograder import entrega, processos

    tarefa = "01_ptq_tflite"
    construir.construir(tmp_path, so=[tarefa])
    nb = nbformat.read(tmp_path / "release" / tarefa / f"{tarefa}.ipynb", as_version=4)
    respostas = {"quantizar_modelo_int8": BATOTA_QUANTIZAR, "inferencia_tflite": BATOTA_INFERENCIA,
                 "avaliar_tflite": HONESTA_AVALIAR}
    for celula in nb.cells:
        gid = nbgrader_meta(celula).get("grade_id")
        if nbgrader_meta(celula).get("solution") and gid in respostas:
            celula.source = respostas.pop(gid)
    assert not respostas, f"o caderno 01 já não tem as células {sorted(respostas)}"
    pasta = tmp_path / "entregas" / "batoteiro" / tarefa
    pasta.mkdir(parents=True)
    nbformat.write(nb, pasta / f"{tarefa}.ipynb")

    r = entrega.avaliar_entrega(tmp_path, tarefa, "batoteiro", pasta, processos.Limites())
    assert r.avaliado, (r.motivos, r.nao_avaliada)
    pontos = {gid: p for gid, (p, _) in r.notas.items()}
    assert pontos == {"teste_quantizar_int8_tipos": 0, "teste_quantizar_int8_tamanho": 0,
                      "teste_inferencia_float": 0, "teste_inferencia_int8": 0, "teste_avaliar_tflite": 2}, (
        pontos, r.motivos)
    # Os zeros vêm de a função não existir no pacote (e não de outra falha qualquer).
    caminho = next(tmp_path.rglob(f"autograded/{r.aluno_id}/{tarefa}/{tarefa}.ipynb"))
    avaliado = nbformat.read(caminho, as_version=4)
    erros = {saida.get("ename") for celula in avaliado.cells if nbgrader_meta(celula).get("grade")
             for saida in celula.get("outputs", []) if saida.get("output_type") == "error"}
    assert erros == {"ImportError"}, erros


def test_entregas_analisadas_uma_de_cada_vez_entre_threads(monkeypatch):
    """No CI, uma entrega certa ficou com «Erro interno ao avaliar (SystemError: AST constructor
    recursion depth mismatch …)»: o CPython 3.11 partilha entre threads o contador com que o
    ``ast.parse`` constrói a árvore (python/cpython#106905). Aqui, 8 threads com o coletor de lixo
    a correr código Python a meio deram 1 falha em 240 ``ast.parse``; com ``entregas._analisar``,
    0. Este teste confirma, sem depender da sorte, que a avaliação nunca tem dois ao mesmo tempo."""
    import ast
    import threading
    import time

    from autograder import entregas

    ativos, maximo, trinco = [0], [0], threading.Lock()
    parse = ast.parse

    def parse_lento(fonte, *a, **k):
        with trinco:
            ativos[0] += 1
            maximo[0] = max(maximo[0], ativos[0])
        time.sleep(0.01)
        with trinco:
            ativos[0] -= 1
        return parse(fonte, *a, **k)

    monkeypatch.setattr(ast, "parse", parse_lento)
    fonte = "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
    threads = [threading.Thread(target=entregas._suspeita, args=(fonte, {"np"})) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert maximo[0] == 1, f"{maximo[0]} análises ao mesmo tempo"
