"""A documentação para quem mantém o curso (``docs/``) está em passo com o código.

- nenhum ficheiro manda o leitor para os textos de origem, que vivem fora do repositório (exceto
  os dois testes que os leem de propósito e saltam sem eles; ``docs/README.md``);
- cada ``docs/<página>.md#<âncora>`` citada no repositório (código, testes, cadernos, README e
  as próprias páginas) aponta para uma página e uma âncora que existem;
- cada teste nomeado nas páginas (``tests/ficheiro.py::função``) existe, e cada invariante tem
  pelo menos um;
- o contrato (``docs/contrato.md``) diz, para cada exercício do manifesto, a assinatura do caderno
  (nomes, anotações e valores por omissão dos parâmetros, tipo devolvido) e os pontos.

Rápidos: só leem ficheiros (nenhum caderno corre, nada importa o TensorFlow).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from otimizacao import manifesto

RAIZ = Path(__file__).resolve().parents[2]
DOCS = RAIZ / "docs"
PAGINAS = sorted(DOCS.glob("*.md"))
ESTE = Path(__file__).resolve().relative_to(RAIZ).as_posix()

# Pastas que não são do repositório (ambiente, gerados, caches).
_FORA = {".git", ".venv", "node_modules", "__pycache__", "source", "release", "submitted", "autograded",
         "feedback", "exchange", ".avaliacao", "turma_demo", "capturas", ".ipynb_checkpoints", "estado"}
_TEXTO = {".py", ".md", ".ipynb", ".toml", ".txt", ".yml", ".yaml", ".cfg", ".ini", ".json", ".html", ".j2", ""}


def ficheiros_do_repositorio() -> list[str]:
    """Os ficheiros de texto do repositório (versionados e novos ainda não ignorados), relativos à raiz."""
    try:
        saida = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=RAIZ, check=True,
                               capture_output=True, text=True).stdout
        nomes = [n for n in saida.splitlines() if n]
    except (OSError, subprocess.CalledProcessError):  # sem git (uma cópia sem .git): percorre a árvore
        nomes = []
        for pasta, subpastas, ficheiros in os.walk(RAIZ):
            subpastas[:] = [s for s in subpastas if s not in _FORA and not s.endswith(".egg-info")]
            nomes += [Path(pasta, f).relative_to(RAIZ).as_posix() for f in ficheiros]
    return sorted(n for n in nomes
                  if Path(n).suffix in _TEXTO and (RAIZ / n).is_file() and not set(Path(n).parts) & _FORA)


def _ler(nome: str) -> str:
    return (RAIZ / nome).read_text(encoding="utf-8", errors="replace")


# --------------------------------------------------------------------------- âncoras
def _slug(titulo: str) -> str:
    """A âncora que o GitHub dá a um título (minúsculas, sem pontuação, espaços → hífenes)."""
    titulo = re.sub(r"<[^>]+>|`", "", titulo).strip().lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", titulo))


def ancoras(pagina: Path) -> set[str]:
    texto = pagina.read_text(encoding="utf-8")
    explicitas = set(re.findall(r'<a id="([^"]+)"></a>', texto))
    titulos = {_slug(t) for t in re.findall(r"^#{1,6} (.+)$", texto, flags=re.M)}
    return explicitas | titulos


# «docs/pagina.md» ou «docs/pagina.md#ancora» em qualquer ficheiro; nas páginas, também as ligações
# relativas «](pagina.md#ancora)».
_CITACAO = re.compile(r"\bdocs/([\w-]+\.md)(?:#([\w-]+))?")
_LIGACAO = re.compile(r"\]\(([\w-]+\.md)(?:#([\w-]+))?\)")


def citacoes() -> list[tuple[str, str, str | None]]:
    """(quem cita, página, âncora ou None) de todo o repositório."""
    encontradas = []
    for nome in ficheiros_do_repositorio():
        if nome == ESTE:
            continue
        texto = _ler(nome)
        encontradas += [(nome, p, a) for p, a in _CITACAO.findall(texto)]
        if nome.startswith("docs/"):
            encontradas += [(nome, p, a) for p, a in _LIGACAO.findall(texto)]
    return [(quem, pagina, ancora or None) for quem, pagina, ancora in encontradas]


def test_ha_paginas_e_indice():
    nomes = {p.name for p in PAGINAS}
    assert {"README.md", "arquitetura.md", "invariantes.md", "contrato.md", "correcoes.md",
            "acrescentar_exercicio.md"} <= nomes, f"Faltam páginas em docs/: tenho {sorted(nomes)}."
    indice = (DOCS / "README.md").read_text(encoding="utf-8")
    for p in PAGINAS:
        if p.name != "README.md":
            assert f"({p.name})" in indice, f"docs/README.md (o índice) não liga a {p.name}: acrescenta-a à tabela."


def test_cada_citacao_dos_docs_aponta_para_uma_pagina_e_uma_ancora_que_existem():
    todas = citacoes()
    fora = [q for q, _, _ in todas if not q.startswith("docs/")]
    assert len(fora) >= 40, f"Só {len(fora)} citações de docs/ fora de docs/: o padrão deixou de as apanhar?"
    cache: dict[str, set[str]] = {}
    erradas = []
    for quem, pagina, ancora in todas:
        caminho = DOCS / pagina
        if not caminho.exists():
            erradas.append(f"{quem}: docs/{pagina} não existe")
            continue
        if ancora is None:
            continue
        if ancora not in cache.setdefault(pagina, ancoras(caminho)):
            erradas.append(f"{quem}: docs/{pagina}#{ancora} — a âncora não existe na página")
    assert not erradas, ("Citações de docs/ partidas (corrige a citação ou a âncora; as âncoras estão "
                         "em <a id=\"…\"></a> antes de cada título):\n  " + "\n  ".join(erradas))


# --------------------------------------------------------------------------- testes nomeados
_TESTE = re.compile(r"\b(tests/[\w/]+\.py)::(\w+)")


def _funcoes(ficheiro: Path) -> set[str]:
    arvore = ast.parse(ficheiro.read_text(encoding="utf-8"))
    nomes = set()
    for no in arvore.body:
        if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nomes.add(no.name)
        elif isinstance(no, ast.ClassDef):
            nomes |= {m.name for m in no.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return nomes


def test_cada_teste_nomeado_nos_docs_existe():
    citados = [(p.name, f, t) for p in PAGINAS for f, t in _TESTE.findall(p.read_text(encoding="utf-8"))]
    assert len(citados) >= 50, f"Só {len(citados)} testes nomeados em docs/: o padrão deixou de os apanhar?"
    cache: dict[str, set[str] | None] = {}
    em_falta = []
    for pagina, ficheiro, funcao in citados:
        if ficheiro not in cache:
            cache[ficheiro] = _funcoes(RAIZ / ficheiro) if (RAIZ / ficheiro).exists() else None
        if cache[ficheiro] is None:
            em_falta.append(f"docs/{pagina}: {ficheiro} não existe")
        elif funcao not in cache[ficheiro]:
            em_falta.append(f"docs/{pagina}: {ficheiro}::{funcao} não existe")
    assert not em_falta, ("Testes nomeados em docs/ que não existem (foram renomeados ou mudaram de ficheiro? "
                          "atualiza a página):\n  " + "\n  ".join(sorted(set(em_falta))))


def test_cada_invariante_tem_pelo_menos_um_teste():
    texto = (DOCS / "invariantes.md").read_text(encoding="utf-8")
    seccoes = re.split(r'(?=<a id=")', texto)[1:]
    assert len(seccoes) >= 12, "docs/invariantes.md devia ter as invariantes I1–I12, cada uma com a sua âncora."
    for seccao in seccoes:
        ancora = re.match(r'<a id="([^"]+)"', seccao).group(1)
        assert _TESTE.search(seccao), f"docs/invariantes.md#{ancora}: nenhum teste a prova (acrescenta «Provas:»)."
    numeros = [int(n) for n in re.findall(r'<a id="i(\d+)-', texto)]
    assert numeros == list(range(1, 13)), f"As invariantes numeradas devem ser I1–I12, por ordem; são {numeros}."


# --------------------------------------------------------------------------- o contrato
def _blocos_do_contrato() -> dict[str, list[str]]:
    """Caderno → os seus itens de topo («- …», com as linhas de continuação) em docs/contrato.md."""
    blocos: dict[str, list[str]] = {}
    atual = None
    for linha in (DOCS / "contrato.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^## (\d\d_\w+)", linha):
            atual = blocos.setdefault(m.group(1), [])
        elif atual is not None and linha.startswith("- "):
            atual.append(linha)
        elif atual is not None and linha.startswith("  ") and atual:
            atual[-1] += " " + linha.strip()
        elif linha.startswith("#"):
            atual = None
    return blocos


def _parametros(args: ast.arguments) -> list[tuple]:
    def valor(no):
        if no is None:
            return None
        try:
            return ("literal", ast.literal_eval(no))
        except ValueError:
            return ("expr", ast.unparse(no))

    posicionais = args.posonlyargs + args.args
    omissoes = [None] * (len(posicionais) - len(args.defaults)) + list(args.defaults)
    todos = [(a.arg, ast.unparse(a.annotation) if a.annotation else None, valor(d))
             for a, d in zip(posicionais, omissoes, strict=True)]
    todos += [(a.arg, ast.unparse(a.annotation) if a.annotation else None, valor(d))
              for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    todos += [("*" + a.arg, None, None) for a in (args.vararg,) if a]
    todos += [("**" + a.arg, None, None) for a in (args.kwarg,) if a]
    return [p for p in todos if p[0] != "self"]


def assinaturas_do_caderno(nome: str) -> dict[str, tuple[list[tuple], str | None]]:
    """Nome → (parâmetros, tipo devolvido) das funções e classes das células de resposta do caderno
    (de uma classe, o ``__init__`` e nenhum tipo devolvido)."""
    nb = nbformat.read(RAIZ / "course" / f"{nome}.ipynb", as_version=4)
    encontradas = {}
    for celula in nb.cells:
        meta = celula.metadata.get("nbgrader", {})
        if celula.cell_type != "code" or not meta.get("solution") or meta.get("grade_id", "").startswith("trazer_"):
            continue
        for no in ast.parse(celula.source).body:
            if isinstance(no, ast.FunctionDef):
                encontradas[no.name] = (_parametros(no.args), ast.unparse(no.returns) if no.returns else None)
            elif isinstance(no, ast.ClassDef):
                init = next((m for m in no.body if isinstance(m, ast.FunctionDef) and m.name == "__init__"), None)
                encontradas[no.name] = (_parametros(init.args) if init else [], None)
    return encontradas


_ASSINATURA = re.compile(r"^- `(\w+)\((.*?)\)(?: -> ([^`]+))?`(.*)$")
_LIVRE = re.compile(r"^- resposta livre `(\w+)` — \*\*(\d+(?:[.,]\d+)?) pontos?\*\*")
_PONTOS = re.compile(r"^\s*—\s*\*\*(\d+(?:[.,]\d+)?) pontos?")


def _numero(texto: str) -> float:
    return float(texto.replace(",", "."))


@pytest.mark.parametrize("caderno", manifesto.CADERNOS, ids=lambda c: c.nome)
def test_contrato_dos_docs_e_o_dos_cadernos(caderno):
    blocos = _blocos_do_contrato()
    assert caderno.nome in blocos, f"docs/contrato.md não tem a secção «## {caderno.nome} — …»."
    assinaturas, livres, pontos = {}, {}, {}
    for item in blocos[caderno.nome]:
        if m := _LIVRE.match(item):
            livres[m.group(1)] = _numero(m.group(2))
        elif m := _ASSINATURA.match(item):
            nome, params, devolve, resto = m.groups()
            funcao = ast.parse(f"def _f({params}): pass").body[0]
            assinaturas[nome] = (_parametros(funcao.args), devolve.strip() if devolve else None)
            if p := _PONTOS.match(resto):
                pontos[nome] = _numero(p.group(1))
    do_caderno = assinaturas_do_caderno(caderno.nome)
    for ex in caderno.exercicios:
        if ex.livre:
            assert livres.get(ex.nomes[0]) == ex.pontos, (
                f"docs/contrato.md, {caderno.nome}: a resposta livre {ex.nomes[0]} vale {ex.pontos:g} pontos no "
                f"manifesto; a página diz {livres.get(ex.nomes[0])}.")
            continue
        assert pontos.get(ex.nomes[0]) == ex.pontos, (
            f"docs/contrato.md, {caderno.nome}: {ex.nomes[0]} vale {ex.pontos:g} pontos no manifesto; a página "
            f"diz {pontos.get(ex.nomes[0])} (escreve «— **{ex.pontos:g} pontos.**» a seguir à assinatura).")
        for nome in ex.nomes:
            assert nome in do_caderno, f"course/{caderno.nome}.ipynb não define {nome} numa célula de resposta."
            assert nome in assinaturas, f"docs/contrato.md, {caderno.nome}: falta «- `{nome}(…)`»."
            assert assinaturas[nome] == do_caderno[nome], (
                f"docs/contrato.md, {caderno.nome}: a assinatura de {nome} não é a do caderno.\n"
                f"  página:  {assinaturas[nome]}\n  caderno: {do_caderno[nome]}")
    conhecidos = {n for ex in caderno.exercicios for n in ex.nomes}
    a_mais = (set(assinaturas) | set(livres)) - conhecidos
    assert not a_mais, f"docs/contrato.md, {caderno.nome}: {sorted(a_mais)} não estão no manifesto deste caderno."
    titulo = re.search(rf"^## {caderno.nome} .*\((\d+) pontos\)$",
                       (DOCS / "contrato.md").read_text(encoding="utf-8"), flags=re.M)
    assert titulo and _numero(titulo.group(1)) == caderno.pontos, (
        f"docs/contrato.md: o título de {caderno.nome} deve acabar em «({caderno.pontos:g} pontos)».")


def test_total_de_pontos_do_contrato():
    texto = (DOCS / "contrato.md").read_text(encoding="utf-8")
    total = sum(c.pontos for c in manifesto.CADERNOS)
    m = re.search(r"\*\*Pontos:\*\* (\d+) no total", texto)
    assert m and int(m.group(1)) == total, f"docs/contrato.md deve dizer «**Pontos:** {total:g} no total»."


# --------------------------------------------------------------------------- os textos de origem
# Os dois testes que leem os textos de origem de propósito (e saltam sem eles; docs/README.md,
# «Os textos de origem»), este ficheiro e a página que explica onde estão.
LEEM_DE_PROPOSITO = {"tests/construcao/test_construcao.py", "tests/construcao/test_manifesto.py", ESTE, "docs/README.md"}
_ORIGEM = re.compile(r"\b(?:DESIGN|CURSO)(?:\.md)?\b")


def test_nenhum_ficheiro_manda_o_leitor_para_os_textos_de_origem():
    """O contrato está em docs/: quem cita a especificação ou o desenho de fora do repositório manda
    um novo mantenedor para um ficheiro que ele não tem."""
    nomes = ficheiros_do_repositorio()
    assert "autograder/juiz.py" in nomes and "course/00_numeros_e_memoria.ipynb" in nomes, "A lista de ficheiros está incompleta."
    citam = []
    for nome in nomes:
        if nome in LEEM_DE_PROPOSITO:
            continue
        for numero, linha in enumerate(_ler(nome).splitlines(), 1):
            if _ORIGEM.search(linha):
                citam.append(f"{nome}:{numero}: {linha.strip()[:120]}")
    assert not citam, ("Estes ficheiros ainda mandam o leitor para os textos de fora do repositório; cita a "
                       "página de docs/ (ex.: docs/invariantes.md#i8-nada-do-que-o-aluno-recebe-resolve):\n  "
                       + "\n  ".join(citam))
