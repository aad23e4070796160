"""Ler e arrumar a entrega de um aluno antes de a avaliar.

O nbgrader espera um caderno com o nome certo, JSON válido e as células avaliadas no sítio.
Os alunos entregam de tudo: ficheiros renomeados ou corrompidos, células apagadas,
duplicadas ou trocadas de ordem, testes editados, células acrescentadas que redefinem as
funções de verificação. Aqui a entrega é reconstruída sobre o caderno libertado (o release):
cada célula avaliada fica onde o release a tem, as respostas do aluno são as suas células de
solução (pelo grade_id) e tudo o que foi mexido fica registado como um motivo em pt-PT.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import io
import json
import re
import threading
import tokenize
import unicodedata
from pathlib import Path

import nbformat

from autograder.comum import FIM_OCULTOS, INICIO_OCULTOS, nbgrader_meta, partes_do_teste

# Nomes das ferramentas de verificação que as células de teste usam: um aluno não os redefine.
VERIFICADORES = {"levanta", "exercicio_pronto", "verificacao"}


def id_seguro(aluno: str) -> str:
    """Um identificador de aluno que serve de nome de pasta e de id no nbgrader.

    Mantém-se igual se só tiver letras ASCII, algarismos, «_», «-» ou «.»; senão tiram-se os
    acentos, os espaços passam a «_» e junta-se um sufixo curto para que dois nomes diferentes
    nunca colidam (ex.: «Zé Maria» → «Ze_Maria-3f2a1c»).
    """
    if re.fullmatch(r"[A-Za-z0-9_.-]+", aluno) and not aluno.startswith("."):
        return aluno
    base = unicodedata.normalize("NFKD", aluno).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", base).strip("._") or "aluno"
    return f"{base}-{hashlib.sha1(aluno.encode()).hexdigest()[:6]}"


def impressao_digital(*caminhos: Path) -> str:
    """sha256 dos ficheiros indicados (ou de todos os ficheiros das pastas indicadas)."""
    h = hashlib.sha256()
    for caminho in caminhos:
        ficheiros = sorted(p for p in caminho.rglob("*") if p.is_file()) if caminho.is_dir() else [caminho]
        for f in ficheiros:
            if f.exists():
                h.update(f.name.encode())
                h.update(f.read_bytes())
    return h.hexdigest()


_DO_NBGRADER = ("timestamp.txt", "submission_secret.txt")


def ler_entrega(pasta: Path, tarefa: str, release) -> tuple[nbformat.NotebookNode | None, list[str]]:
    """O caderno entregue em ``pasta`` para ``tarefa`` (ou None) e os motivos a registar."""
    esperado = f"{tarefa}.ipynb"
    motivos: list[str] = []
    if not pasta.is_dir():
        return None, [f"Não entregaste a tarefa {tarefa} (falta a pasta {tarefa}/ com {esperado})."]
    cadernos = sorted(p for p in pasta.glob("*.ipynb") if not p.name.startswith("."))
    # timestamp.txt e submission_secret.txt: o nbgrader põe-nos em cada entrega recolhida
    # (nbgrader collect); não são do aluno.
    outros = sorted(p.name for p in pasta.iterdir() if p.is_file() and p.suffix != ".ipynb"
                    and p.name not in _DO_NBGRADER)
    if outros:
        motivos.append(f"Ficheiros extra ignorados na avaliação: {', '.join(outros)}.")
    if (pasta / esperado).exists():
        escolhido = pasta / esperado
    elif cadernos:
        ids_release = {nbgrader_meta(c).get("grade_id") for c in release.cells} - {None}

        def parecenca(p: Path) -> int:
            try:
                nb = json.loads(p.read_text(encoding="utf-8"))
                return len(ids_release & {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb["cells"]})
            except Exception:
                return -1

        escolhido = max(cadernos, key=parecenca)
        motivos.append(
            f"O caderno chamava-se {escolhido.name} e não {esperado}: foi avaliado na mesma. "
            f"Da próxima vez, entrega-o com o nome {esperado}."
        )
    else:
        return None, motivos + [f"Não entregaste o caderno {esperado} da tarefa {tarefa}."]
    if len(cadernos) > 1:
        ignorados = [p.name for p in cadernos if p != escolhido]
        motivos.append(f"Só se avalia um caderno por tarefa; ignorados: {', '.join(ignorados)}.")
    try:
        nb = nbformat.reads(escolhido.read_text(encoding="utf-8"), as_version=4)
    except Exception as erro:  # JSON partido, ficheiro que não é um caderno, codificação errada
        return None, motivos + [
            f"O ficheiro {escolhido.name} não é um caderno válido ({type(erro).__name__}): abre-o no "
            "JupyterLab, guarda-o de novo e volta a entregar. Sem caderno legível, a tarefa vale 0."
        ]
    return nb, motivos


_ANALISADOR = threading.Lock()


def _analisar(fonte: str) -> ast.Module:
    """``ast.parse`` de uma entrega, uma de cada vez no processo. A avaliação lê as entregas em
    várias threads, e o CPython 3.11 partilha entre threads o contador de profundidade com que
    constrói a árvore: com duas ao mesmo tempo, ``ast.parse`` pode falhar com «SystemError: AST
    constructor recursion depth mismatch» (python/cpython#106905; visto aqui no CI, numa entrega
    certa que ficou com «Erro interno ao avaliar»)."""
    with _ANALISADOR:
        return ast.parse(fonte)


def nomes_importados(*fontes: str) -> set[str]:
    """Os nomes que as instruções ``import`` destas fontes ligam (módulos e o que deles se importa)."""
    nomes = {"builtins", "__builtins__"}
    for fonte in fontes:
        try:
            arvore = _analisar(fonte)
        except SyntaxError:
            continue
        for no in ast.walk(arvore):
            if isinstance(no, ast.Import):
                nomes.update(a.asname or a.name.split(".")[0] for a in no.names)
            elif isinstance(no, ast.ImportFrom):
                nomes.update(a.asname or a.name for a in no.names if a.name != "*")
    return nomes


def _raiz(expr: ast.expr) -> ast.expr:
    """O início de ``a.b[c].d`` (``a``), ou a chamada em ``vars(m)[x]``."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr


def _no_nivel_do_modulo(arvore: ast.AST):
    """Os nós que correm quando a célula corre: tudo menos o interior das funções (e lambdas).
    O corpo de uma classe corre ao defini-la, por isso conta."""
    pendentes = list(ast.iter_child_nodes(arvore))
    while pendentes:
        no = pendentes.pop()
        yield no
        if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pendentes.extend(no.decorator_list)  # os decoradores correm; o corpo não
            continue
        if isinstance(no, ast.Lambda):
            continue
        pendentes.extend(ast.iter_child_nodes(no))


def _suspeita(fonte: str, modulos: set[str] = frozenset()) -> str | None:
    """Porque é que uma célula acrescentada pelo aluno mexe na verificação (ou None).

    Só conta o que engana os testes: voltar a definir as ferramentas de verificação (``levanta``,
    ``exercicio_pronto``, ``verificacao``), ou alterar ao nível da célula um módulo importado
    (``np.allclose = ...``, ``setattr(np, ...)``, ``sys.modules[...] = ...``). Classes e funções
    auxiliares, atribuições a atributos dos próprios objetos do aluno (``self.tabela = ...``,
    ``professor.trainable = False``) e tudo o que está dentro de funções ficam.
    ``modulos``: os nomes ligados por ``import`` no caderno (ver ``nomes_importados``).
    """
    try:
        arvore = _analisar(fonte)
    except SyntaxError:
        return None  # o erro de sintaxe aparece na execução, com a sua própria mensagem
    modulos = set(modulos) | nomes_importados(fonte)
    for no in ast.walk(arvore):  # voltar a ligar o nome de uma ferramenta, em qualquer sítio
        if isinstance(no, (ast.Global, ast.Nonlocal)) and VERIFICADORES & set(no.names):
            return f"redefine {sorted(VERIFICADORES & set(no.names))[0]}"
    for no in _no_nivel_do_modulo(arvore):
        if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and no.name in VERIFICADORES:
            return f"redefine {no.name}"
        if isinstance(no, (ast.Import, ast.ImportFrom)):
            for a in no.names:
                nome = a.asname or (a.name if isinstance(no, ast.ImportFrom) else a.name.split(".")[0])
                vem_da_verificacao = isinstance(no, ast.ImportFrom) and (no.module or "").startswith("otimizacao")
                if nome in VERIFICADORES and not vem_da_verificacao:
                    return f"redefine {nome}"
        if isinstance(no, ast.Assign):
            alvos = no.targets
        elif isinstance(no, (ast.AugAssign, ast.AnnAssign)):
            alvos = [no.target]
        elif isinstance(no, ast.Delete):
            alvos = no.targets
        elif isinstance(no, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.NamedExpr)):
            alvos = [no.target] if hasattr(no, "target") else [i.optional_vars for i in no.items if i.optional_vars]
        else:
            alvos = []
        for alvo in alvos:
            for parte in ast.walk(alvo) if isinstance(alvo, (ast.Tuple, ast.List)) else [alvo]:
                if isinstance(parte, ast.Name) and parte.id in VERIFICADORES:
                    return f"redefine {parte.id}"
                raiz = _raiz(parte)
                if isinstance(parte, ast.Attribute) and isinstance(raiz, ast.Name) and raiz.id in modulos:
                    return f"altera {ast.unparse(parte)}"  # np.allclose = ..., otimizacao.x = ...
                if isinstance(parte, ast.Subscript):
                    contentor = ast.unparse(parte.value)
                    if contentor.endswith((".modules", "__dict__")) or (
                        isinstance(raiz, ast.Call) and ast.unparse(raiz.func) in ("vars", "globals")
                        and not (isinstance(parte.slice, ast.Constant) and parte.slice.value not in VERIFICADORES)
                    ):
                        return f"altera {ast.unparse(parte)}"
        if isinstance(no, ast.Call) and ast.unparse(no.func) in ("setattr", "builtins.setattr", "delattr") and no.args:
            raiz = _raiz(no.args[0])
            if isinstance(raiz, ast.Name) and raiz.id in modulos:
                return f"usa {ast.unparse(no.func)} para alterar {ast.unparse(no.args[0])}"
    return None


# --------------------------------------------------------------------------- marcas do nbgrader no texto do aluno
# O nbgrader reconhece uma marca pelo texto sem o «### » (o valor por omissão de
# ClearHiddenTests.begin_test_delimeter, ClearSolutions.begin_solution_delimeter, …) e procura-a
# em cada linha com ``marca in linha``: em qualquer sítio da linha (um comentário, um texto entre
# aspas, uma célula de texto), só com estas maiúsculas e este espaço simples entre as palavras.
# No feedback, o ClearHiddenTests corre em todas as células: «BEGIN HIDDEN TESTS» numa célula
# do aluno levanta RuntimeError (fora de uma célula de teste, ou sem o END) e o
# ``generate_feedback`` dessa tarefa falha. Mudar os espaços à volta da marca («###  BEGIN…»)
# não serve: a marca continua lá dentro; é preciso mudar um dos espaços entre as palavras.
# Só as dos testes ocultos: as de solução não são lidas pelo autograde nem pelo feedback (e
# estão, legitimamente, no caderno de referência da turma de demonstração).
MARCAS_NBGRADER = tuple(m.removeprefix("### ") for m in (INICIO_OCULTOS, FIM_OCULTOS))
_MARCA = re.compile("|".join(re.escape(m) for m in MARCAS_NBGRADER))


def _regioes_do_codigo(fonte: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Os intervalos [início, fim) de ``fonte`` que são (1) textos entre aspas onde ``\\x20`` vale
    o mesmo que um espaço (nem ``r"…"`` nem f-strings) e (2) comentários.

    Pelo ``tokenize`` (não pelo ``ast``: as células têm magics do IPython). Numa célula que não
    chega ao fim do ``tokenize`` (erro de sintaxe, texto por fechar) ficam as regiões lidas até
    ao erro, que estão certas. Numa célula ``%%…`` (o corpo não é Python) e nas linhas com um
    comando ``!…`` ou ``%…`` nenhum texto entre aspas conta: o ``\\x20`` não seria um espaço lá."""
    linhas = io.StringIO(fonte).readlines()
    if any(linha.strip() for linha in linhas) and next(linha for linha in linhas if linha.strip()).lstrip().startswith("%%"):
        return [], []
    inicio = [0]
    for linha in linhas:
        inicio.append(inicio[-1] + len(linha))
    magia = {i for i, linha in enumerate(linhas, 1) if re.match(r"\s*([!%]|[\w.,\s]+=\s*[!%])", linha)}
    aspas, comentarios = [], []
    try:
        for tok in tokenize.generate_tokens(iter(linhas).__next__):
            (l0, c0), (l1, c1) = tok.start, tok.end
            regiao = (inicio[l0 - 1] + c0, inicio[l1 - 1] + c1)
            if tok.type == tokenize.COMMENT:
                comentarios.append(regiao)
            elif tok.type == tokenize.STRING and l0 not in magia:
                prefixo = tok.string[: len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))].lower()
                if "r" not in prefixo and "f" not in prefixo:
                    aspas.append(regiao)
    except (tokenize.TokenError, SyntaxError):
        pass
    return aspas, comentarios


def neutralizar_marcas(fonte: str, codigo: bool) -> tuple[str, list[tuple[str, str, str]]]:
    """``fonte`` sem nenhuma marca do nbgrader (``MARCAS_NBGRADER``) e o que mudou: uma lista de
    (marca, substituta, onde), com ``onde`` em "aspas", "comentario", "texto" ou "codigo".

    A regra (a que menos surpreende, porque o código faz o mesmo sempre que é possível):
    - num texto entre aspas normal (nem ``r"…"`` nem f-string), os espaços da marca passam a
      ``\\x20``: «"BEGIN HIDDEN\\x20TESTS"» é exatamente o mesmo texto para o Python;
    - em tudo o resto (comentários, células de texto, ``r"…"``, f-strings, comandos ``!``/``%``),
      os espaços passam a «_» («BEGIN_HIDDEN_TESTS»): legível e já não é a marca. Só fora de
      comentários e de células de texto isto pode mudar o que o código faz ("codigo").
    ``codigo``: se ``fonte`` é uma célula de código (senão é texto: Markdown ou raw)."""
    if not _MARCA.search(fonte):
        return fonte, []
    aspas, comentarios = _regioes_do_codigo(fonte) if codigo else ([], [])
    trocas: list[tuple[str, str, str]] = []

    def dentro(m: re.Match, regioes) -> bool:
        return any(a <= m.start() and m.end() <= b for a, b in regioes)

    def trocar(m: re.Match) -> str:
        if dentro(m, aspas):
            nova, onde = m.group().replace(" ", "\\x20"), "aspas"
        else:
            nova = m.group().replace(" ", "_")
            onde = "texto" if not codigo else "comentario" if dentro(m, comentarios) else "codigo"
        if (m.group(), nova, onde) not in trocas:
            trocas.append((m.group(), nova, onde))
        return nova

    return _MARCA.sub(trocar, fonte), trocas


def _motivos_das_marcas(celula, posicao: int) -> list[str]:
    """Neutraliza as marcas do nbgrader em ``celula`` (no sítio) e devolve os motivos em pt-PT.
    ``posicao``: o número da célula no caderno avaliado (para a reconhecer, se não tiver grade_id)."""
    nova, trocas = neutralizar_marcas(celula.source, celula.cell_type == "code")
    if not trocas:
        return []
    celula.source = nova
    primeira = next((linha.strip() for linha in nova.split("\n") if linha.strip()), "")
    rotulo = nbgrader_meta(celula).get("grade_id") or f"n.º {posicao} do caderno avaliado (começa por «{primeira[:40]}»)"
    porque = {
        "aspas": "dentro de aspas: é o mesmo texto escrito de outra forma (\\x20 é um espaço), o código faz o mesmo",
        "comentario": "num comentário: o código faz o mesmo",
        "texto": "numa célula de texto",
        "codigo": ("fora de um comentário e de um texto normal entre aspas (r\"…\", f-string ou comando): o código "
                   "pode já não fazer o mesmo; se precisas deste texto, escreve-o aos bocados, como "
                   "\"BEGIN \" + \"HIDDEN TESTS\""),
    }
    def lista(textos: list[str]) -> str:
        textos = [f"«{x}»" for x in textos]
        return textos[0] if len(textos) == 1 else ", ".join(textos[:-1]) + " e " + textos[-1]

    motivos = []
    for onde in dict.fromkeys(o for _, _, o in trocas):  # um motivo por célula e por sítio
        marcas = [(m, s) for m, s, o in trocas if o == onde]
        uma = len(marcas) == 1
        motivos.append(
            f"A tua célula {rotulo} tinha {'a marca' if uma else 'as marcas'} {lista([m for m, _ in marcas])} do "
            f"nbgrader; {'foi alterada' if uma else 'foram alteradas'} para {lista([s for _, s in marcas])} "
            f"({porque[onde]}) para não estragar a avaliação: o nbgrader usa estas marcas para esconder as "
            "soluções e os testes ocultos, e uma marca fora do sítio pode fazer falhar o feedback da turma."
        )
    return motivos


def normalizar(nb, release) -> tuple[nbformat.NotebookNode, list[str]]:
    """Reconstrói a entrega sobre o release. Devolve o caderno a avaliar e os motivos."""
    motivos: list[str] = []
    solucoes: dict[str, nbformat.NotebookNode] = {}
    repetidas: set[str] = set()
    alteradas: list[str] = []
    ids_release = {c.get("id") for c in release.cells}
    # Cadernos sem ids (nbformat < 4.5) ou copiados à mão: casa-se pelo texto da célula.
    id_por_fonte = {c.source: c.get("id") for c in release.cells if not nbgrader_meta(c)}
    por_id: dict[str, nbformat.NotebookNode] = {}
    acrescentadas_depois: dict[str | None, list] = {}
    ancora: str | None = None
    ordem_aluno: list[str] = []

    for celula in nb.cells:
        meta = nbgrader_meta(celula)
        gid = meta.get("grade_id")
        if gid and meta.get("solution"):
            if gid in solucoes:
                repetidas.add(gid)
            else:
                solucoes[gid] = celula
            ordem_aluno.append(gid)
            ancora = f"gid:{gid}"
        elif gid:
            ordem_aluno.append(gid)
            ancora = f"gid:{gid}"
        elif celula.get("id") in ids_release and celula.get("id") not in por_id:
            por_id[celula["id"]] = celula
            ancora = f"id:{celula['id']}"
        elif id_por_fonte.get(celula.source) is not None and id_por_fonte[celula.source] not in por_id:
            por_id[id_por_fonte[celula.source]] = celula
            ancora = f"id:{id_por_fonte[celula.source]}"
        else:
            acrescentadas_depois.setdefault(ancora, []).append(celula)

    ordem_release = [nbgrader_meta(c)["grade_id"] for c in release.cells if nbgrader_meta(c).get("grade_id")]
    vistos = [g for g in dict.fromkeys(ordem_aluno) if g in ordem_release]
    if vistos != [g for g in ordem_release if g in vistos]:
        motivos.append("Trocaste a ordem de células avaliadas: foram repostas na ordem original.")
    if repetidas:
        motivos.append(
            f"Células de resposta duplicadas ({', '.join(sorted(repetidas))}): conta a primeira de cada."
        )

    saida = copy.deepcopy(release)
    saida.cells = []
    modulos = nomes_importados(*(c.source for c in [*release.cells, *nb.cells] if c.cell_type == "code"))

    def juntar_acrescentadas(chave: str | None):
        for celula in acrescentadas_depois.pop(chave, []):
            if celula.cell_type != "code":
                saida.cells.append(celula)
                continue
            porque = _suspeita(celula.source, modulos)
            if porque:
                motivos.append(
                    f"Uma célula que acrescentaste {porque}: foi retirada, porque a verificação "
                    "tem de usar as ferramentas originais. Põe o teu código dentro das funções."
                )
            else:
                saida.cells.append(celula)

    juntar_acrescentadas(None)
    for celula in release.cells:
        meta = nbgrader_meta(celula)
        gid = meta.get("grade_id")
        if gid and meta.get("solution"):
            if gid in solucoes:
                nova = copy.deepcopy(celula)
                nova.source = solucoes[gid].source
                saida.cells.append(nova)
            else:
                saida.cells.append(copy.deepcopy(celula))
                motivos.append(f"Apagaste a célula de resposta {gid}: foi reposta por fazer (vale 0).")
            juntar_acrescentadas(f"gid:{gid}")
        elif gid:
            saida.cells.append(copy.deepcopy(celula))
            if gid not in ordem_aluno:
                motivos.append(f"Apagaste a célula {gid}: foi reposta a original.")
            juntar_acrescentadas(f"gid:{gid}")
        else:
            saida.cells.append(copy.deepcopy(por_id.get(celula.get("id"), celula)))
            juntar_acrescentadas(f"id:{celula.get('id')}")
    for sobras in acrescentadas_depois.values():  # âncoras que já não existem
        for celula in sobras:
            saida.cells.append(celula)
    for celula in nb.cells:
        meta = nbgrader_meta(celula)
        if meta.get("grade_id") and meta.get("locked") and not meta.get("solution"):
            original = next((c for c in release.cells if nbgrader_meta(c).get("grade_id") == meta["grade_id"]), None)
            if original is not None and original.source != partes_do_teste(celula.source)[0] and meta["grade_id"] not in alteradas:
                alteradas.append(meta["grade_id"])
    if alteradas:
        motivos.append(
            f"Alteraste células só de leitura ({', '.join(alteradas)}): foram repostas as originais."
        )
    for i, celula in enumerate(saida.cells, 1):
        if celula.cell_type == "code":
            celula.outputs = []
            celula.execution_count = None
        # O texto do aluno (respostas, células acrescentadas, células dadas que editou, texto
        # incluído) nunca leva marcas do nbgrader para a avaliação. As células do release não as têm.
        motivos += _motivos_das_marcas(celula, i)
    return saida, motivos
