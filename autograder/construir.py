"""Gera o ``source/`` e o ``release/`` do nbgrader (``make notebooks``).

Cada coisa tem uma só casa (docs/invariantes.md#r-uma-casa):
    course/NN_nome.ipynb                 prosa, esqueletos e testes visíveis (o que o aluno abre)
    solutions/<módulo>.py                o código de referência de cada exercício
    autograder/testes_ocultos/NN_nome.py os testes ocultos, por célula de teste

Para cada caderno de ``course/``, o build:
  1. troca o esqueleto de cada função (as duas linhas do ``code_stub``) pelo corpo da função
     com o mesmo nome em ``solutions``, entre ``### BEGIN SOLUTION`` / ``### END SOLUTION``
     (e a resposta de referência nas perguntas de resposta livre);
  2. acrescenta a cada célula de teste os seus testes ocultos entre
     ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``;
  3. escreve ``professor/source/NN_nome/NN_nome.ipynb`` (uma tarefa do nbgrader por caderno);
  4. corre ``nbgrader generate_assignment`` e confirma que o ``release/`` é igual a ``course/``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import inspect
import json
import re
import sys
import textwrap
from pathlib import Path

import nbformat

from autograder import comum
from autograder.comum import (
    AUTOGRADER,
    COURSE,
    FIM_OCULTOS,
    FIM_SOLUCAO,
    INICIO_OCULTOS,
    INICIO_SOLUCAO,
    PROFESSOR,
    RAIZ,
    ErroConstrucao,
    nbgrader,
    nbgrader_meta,
    seccoes_dos_testes_ocultos,
)

OCULTOS = AUTOGRADER / "testes_ocultos"

# Metadados que o nbgrader acrescenta ao gerar o release e que não guardamos em course/.
METADADOS_GERADOS = ("checksum",)


# --------------------------------------------------------------------------- leitura
def cadernos(pasta: Path = COURSE) -> list[Path]:
    """Os cadernos do curso, por ordem (``NN_nome.ipynb``)."""
    return sorted(pasta.glob("[0-9][0-9]_*.ipynb"))


def configuracao_nbgrader():
    """A configuração de ``autograder/nbgrader_config.py`` (lida como o nbgrader a lê)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(AUTOGRADER)).load_config()


def esqueleto_codigo() -> list[str]:
    return configuracao_nbgrader().ClearSolutions.code_stub["python"].split("\n")


def esqueleto_texto() -> str:
    return configuracao_nbgrader().ClearSolutions.text_stub


def testes_ocultos(nome_caderno: str) -> dict[str, str]:
    """Lê ``testes_ocultos/<caderno>.py``: cada secção ``# %% <grade_id>`` vai para essa célula."""
    seccoes = seccoes_dos_testes_ocultos(OCULTOS / f"{nome_caderno}.py")
    # A secção «contexto» não é de nenhuma célula: é do juiz (autograder/juiz.py), que a corre
    # no seu processo antes dos testes; nunca entra no source nem no release.
    seccoes.pop("contexto", None)
    return seccoes


# --------------------------------------------------------------------------- soluções
def _funcoes(arvore: ast.AST, prefixo: str = "") -> dict[str, ast.FunctionDef]:
    """Funções e métodos de uma árvore, pelo nome qualificado (``Classe.metodo``)."""
    encontradas = {}
    for no in getattr(arvore, "body", []):
        if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef)):
            encontradas[prefixo + no.name] = no
        elif isinstance(no, ast.ClassDef):
            encontradas.update(_funcoes(no, f"{prefixo}{no.name}."))
    return encontradas


def _corpo_referencia(nome_qualificado: str) -> tuple[list[str], ast.FunctionDef]:
    """Linhas do corpo (sem a docstring, sem indentação) da função de referência."""
    import solutions
    from otimizacao import ambiente

    nome_topo = nome_qualificado.split(".")[0]
    # O módulo da referência importa o TensorFlow ou o PyTorch: as linhas informativas do C++
    # (em inglês, antes de o absl arrancar) não chegam ao terminal de quem corre o build.
    with ambiente.mensagens_filtradas():
        try:
            objeto = getattr(solutions, nome_topo)
        except AttributeError:
            raise ErroConstrucao(
                f"Não há referência para {nome_topo} em solutions/: acrescenta-a ao módulo do caderno "
                "e ao mapa _ONDE de solutions/__init__.py."
            ) from None
        modulo = importlib.import_module(objeto.__module__)
    fonte = inspect.getsource(modulo)
    funcoes = _funcoes(ast.parse(fonte))
    if nome_qualificado not in funcoes:
        raise ErroConstrucao(f"{modulo.__name__} não define {nome_qualificado}.")
    no = funcoes[nome_qualificado]
    primeiro = no.body[0]
    tem_docstring = isinstance(primeiro, ast.Expr) and isinstance(getattr(primeiro, "value", None), ast.Constant) \
        and isinstance(primeiro.value.value, str)
    if not tem_docstring or len(no.body) < 2:
        raise ErroConstrucao(
            f"{modulo.__name__}.{nome_qualificado} precisa de uma docstring seguida do corpo: "
            "o build injeta só o que vem depois da docstring."
        )
    linhas = fonte.splitlines()[primeiro.end_lineno : no.end_lineno]
    while linhas and not linhas[0].strip():
        linhas.pop(0)
    return textwrap.dedent("\n".join(linhas)).split("\n"), no


def _mesma_assinatura(a: ast.FunctionDef, b: ast.FunctionDef) -> bool:
    return ast.dump(a.args) == ast.dump(b.args) and ast.dump(a.returns or ast.Constant(None)) == ast.dump(
        b.returns or ast.Constant(None)
    )


def injetar_solucao_codigo(fonte: str, onde: str) -> str:
    """Troca cada esqueleto de ``fonte`` pelo corpo da função de referência correspondente."""
    stub = esqueleto_codigo()
    linhas = fonte.split("\n")
    funcoes = _funcoes(ast.parse(fonte))
    resultado: list[str] = []
    i = 0
    trocados = 0
    while i < len(linhas):
        bloco = [linha.strip() for linha in linhas[i : i + len(stub)]]
        if bloco == [s.strip() for s in stub]:
            indentacao = re.match(r"\s*", linhas[i]).group(0)
            dono = [n for n, no in funcoes.items() if no.lineno <= i + 1 <= no.end_lineno]
            if not dono:
                raise ErroConstrucao(f"{onde}: há um esqueleto fora de uma função; não sei o que pôr lá.")
            nome = max(dono, key=lambda n: funcoes[n].lineno)  # a função mais interior
            corpo, no_ref = _corpo_referencia(nome)
            if not _mesma_assinatura(funcoes[nome], no_ref):
                raise ErroConstrucao(
                    f"{onde}: a assinatura de {nome} no caderno é diferente da de solutions/. "
                    "O contrato (docs/contrato.md) fixa os nomes e as assinaturas: alinha as duas."
                )
            resultado.append(indentacao + INICIO_SOLUCAO)
            resultado.extend((indentacao + linha) if linha.strip() else "" for linha in corpo)
            resultado.append(indentacao + FIM_SOLUCAO)
            i += len(stub)
            trocados += 1
        else:
            resultado.append(linhas[i])
            i += 1
    if not trocados:
        raise ErroConstrucao(
            f"{onde}: célula de solução sem o esqueleto do nbgrader_config.py "
            "(# O TEU CÓDIGO AQUI / raise NotImplementedError(...))."
        )
    return "\n".join(resultado)


def injetar_solucao_texto(fonte: str, grade_id: str, onde: str) -> str:
    from solutions.respostas import RESPOSTAS

    if grade_id not in RESPOSTAS:
        raise ErroConstrucao(f"{onde}: falta a resposta de referência de {grade_id} em solutions/respostas.py.")
    stub = esqueleto_texto()
    if stub not in fonte:
        raise ErroConstrucao(f"{onde}: a célula de resposta livre não tem o texto «{stub}».")
    return fonte.replace(stub, f"{INICIO_SOLUCAO}\n{RESPOSTAS[grade_id].strip()}\n{FIM_SOLUCAO}")


def caderno_fonte(caminho: Path):
    """O caderno ``source`` do nbgrader para ``course/<caminho>`` (em memória)."""
    nb = nbformat.read(caminho, as_version=4)
    ocultos = testes_ocultos(caminho.stem)
    usados = set()
    for celula in nb.cells:
        meta = nbgrader_meta(celula)
        onde = f"{caminho.name} [{meta.get('grade_id', celula.get('id'))}]"
        if meta.get("solution"):
            if celula.cell_type == "code":
                celula.source = injetar_solucao_codigo(celula.source, onde)
            else:
                celula.source = injetar_solucao_texto(celula.source, meta["grade_id"], onde)
        if meta.get("grade") and celula.cell_type == "code" and meta["grade_id"] in ocultos:
            celula.source = f"{celula.source}\n{INICIO_OCULTOS}\n{ocultos[meta['grade_id']]}\n{FIM_OCULTOS}"
            usados.add(meta["grade_id"])
    sobras = set(ocultos) - usados
    if sobras:
        raise ErroConstrucao(
            f"testes_ocultos/{caminho.stem}.py tem secções sem célula de teste correspondente: "
            f"{', '.join(sorted(sobras))}. Confirma os grade_id no caderno."
        )
    return nb


# --------------------------------------------------------------------------- manifesto
VARIANTES = AUTOGRADER / "variantes"


def variantes(tarefa: str):
    """As respostas certas e erradas de ``autograder/variantes/<tarefa>.py`` (``.CERTAS``,
    ``.ERRADAS``, ``.MEIO_CERTO``; o formato em autograder/ler_variantes.py), ou None."""
    from autograder import ler_variantes

    caminho = VARIANTES / f"{tarefa}.py"
    return ler_variantes.ler(caminho) if caminho.exists() else None


def exercicios_do_caderno(nb, caderno) -> tuple[dict, dict, dict]:
    """Liga as células do caderno aos exercícios do manifesto.

    Devolve ``(resposta, testes, pontos)``: exercício (o primeiro nome) → grade_id da célula de
    resposta; → grade_ids das células de teste que o avaliam (as que vêm depois da sua resposta,
    até à resposta seguinte); → pontos dessas células (ou da própria resposta livre). Uma
    célula de resposta só com exercícios de cadernos anteriores (o aluno traz a sua versão)
    não tem testes. Levanta ErroConstrucao para células que não batem com o manifesto."""
    from otimizacao import manifesto

    onde = caderno.nome
    por_nome = {n: e.nomes[0] for e in caderno.exercicios for n in e.nomes}
    resposta: dict[str, str] = {}
    testes: dict[str, list[str]] = {e.nomes[0]: [] for e in caderno.exercicios}
    pontos: dict[str, float] = {e.nomes[0]: 0.0 for e in caderno.exercicios}
    atual = None
    for celula in nb.cells:
        meta = nbgrader_meta(celula)
        if not meta.get("grade") and not meta.get("solution"):
            continue
        gid = meta.get("grade_id")
        if meta.get("solution") and celula.cell_type == "code":
            nomes = [no.name for no in ast.parse(celula.source).body
                     if isinstance(no, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            deste = [por_nome[n] for n in nomes if n in por_nome]
            estranhos = []
            for n in nomes:
                if n in por_nome:
                    continue
                try:
                    anterior = manifesto.onde_esta(n).nome < onde
                except KeyError:
                    anterior = False
                if not anterior:
                    estranhos.append(n)
            if estranhos:
                raise ErroConstrucao(
                    f"{onde} [{gid}]: {', '.join(estranhos)} não é exercício deste caderno nem de um "
                    "anterior no manifesto: acrescenta-o a course/otimizacao/manifesto.py."
                )
            atual = deste[0] if deste else None  # None: o aluno traz exercícios de cadernos anteriores
            for nome in dict.fromkeys(deste):
                resposta.setdefault(nome, gid)
        elif meta.get("solution"):  # resposta livre (markdown), avaliada à mão
            if gid not in por_nome:
                raise ErroConstrucao(f"{onde}: a resposta livre {gid} não está no manifesto; acrescenta-a.")
            resposta[gid] = gid
            pontos[gid] += float(meta.get("points", 0))
            atual = None
        elif meta.get("grade"):
            if atual is None:
                raise ErroConstrucao(
                    f"{onde}: a célula de teste {gid} não vem depois de nenhum exercício deste caderno."
                )
            testes[atual].append(gid)
            pontos[atual] += float(meta.get("points", 0))
    return resposta, testes, pontos


def verificar_manifesto(nb, caderno, ocultos: dict[str, str], var) -> list[str]:
    """Os problemas (em pt-PT) de um caderno face ao manifesto: exercícios em falta, pontos que
    não batem, exercícios sem testes ocultos ou sem variantes certas e erradas."""
    try:
        resposta, testes, pontos = exercicios_do_caderno(nb, caderno)
    except ErroConstrucao as erro:
        return [str(erro)]
    problemas = []
    for ex in caderno.exercicios:
        chave = ex.nomes[0]
        rotulo = "/".join(ex.nomes)
        if chave not in resposta:
            problemas.append(f"{caderno.nome}: o exercício {rotulo} do manifesto não tem célula de resposta no caderno.")
            continue
        if pontos[chave] != ex.pontos:
            problemas.append(f"{caderno.nome}: {rotulo} vale {ex.pontos:g} pontos no manifesto e "
                             f"{pontos[chave]:g} nas células do caderno.")
        if ex.livre:
            continue
        if not any(gid in ocultos for gid in testes[chave]):
            problemas.append(f"{caderno.nome}: {rotulo} não tem testes ocultos: acrescenta uma secção "
                             f"«# %% <célula de teste>» a autograder/testes_ocultos/{caderno.nome}.py.")
        if var is None:
            continue
        for tipo in ("CERTAS", "ERRADAS"):
            if not any(v[0] == resposta[chave] for v in getattr(var, tipo, {}).values()):
                problemas.append(f"{caderno.nome}: {rotulo} não tem respostas {tipo} em "
                                 f"autograder/variantes/{caderno.nome}.py (grade_id {resposta[chave]}).")
    if var is None:
        problemas.append(f"{caderno.nome}: falta autograder/variantes/{caderno.nome}.py (respostas certas e "
                         "erradas de cada exercício, para provar que a avaliação é justa).")
    return problemas


# --------------------------------------------------------------------------- nbgrader
def _comparavel(celula) -> dict:
    c = copy.deepcopy(dict(celula))
    c.pop("outputs", None)
    c.pop("execution_count", None)
    meta = c.get("metadata", {}).get("nbgrader")
    if meta:
        for chave in METADADOS_GERADOS:
            meta.pop(chave, None)
    return json.loads(json.dumps(c))


def diferencas(release: Path, original: Path) -> list[str]:
    """Diferenças célula a célula entre um caderno do release e o de course/ (vazio = iguais)."""
    a = nbformat.read(release, as_version=4)
    b = nbformat.read(original, as_version=4)
    if len(a.cells) != len(b.cells):
        return [f"{original.name}: {len(a.cells)} células no release, {len(b.cells)} em course/"]
    erros = []
    for i, (ca, cb) in enumerate(zip(a.cells, b.cells, strict=False)):
        if _comparavel(ca) != _comparavel(cb):
            erros.append(f"{original.name}, célula {i} ({cb.get('id')}): o release difere de course/")
    return erros


def construir(raiz: Path = PROFESSOR, so: list[str] | None = None, release: bool = True) -> list[str]:
    """Escreve ``raiz/source`` e (com ``release``) ``raiz/release``; devolve as tarefas geradas."""
    from otimizacao import manifesto

    tarefas = []
    # Um caderno fora do manifesto nunca passa em silêncio (uma entrada do manifesto ainda sem
    # caderno é apanhada por tests/construcao/test_manifesto.py, para não parar o build de quem o escreve).
    sem_manifesto = sorted({c.stem for c in cadernos()} - set(manifesto.POR_NOME))
    if sem_manifesto:
        raise ErroConstrucao(
            f"Cadernos fora do manifesto: {', '.join(sem_manifesto)}. Acrescenta a cada um uma entrada "
            "em course/otimizacao/manifesto.py (secção, exercícios com pontos, itens do checklist)."
        )
    for caminho in cadernos():
        if so and caminho.stem not in so:
            continue
        problemas = verificar_manifesto(nbformat.read(caminho, as_version=4), manifesto.POR_NOME[caminho.stem],
                                        testes_ocultos(caminho.stem), variantes(caminho.stem))
        if problemas:
            raise ErroConstrucao("\n  ".join(["O caderno não cumpre o manifesto:", *problemas]))
        destino = raiz / "source" / caminho.stem / caminho.name
        destino.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(caderno_fonte(caminho), destino)
        tarefas.append(caminho.stem)
    if release:
        comum.copiar_configuracao(raiz)  # sempre: a cópia segue o autograder/nbgrader_config.py
        for tarefa in tarefas:
            nbgrader("generate_assignment", tarefa, "--force", raiz=raiz)
    return tarefas


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Gera source/ e release/ do nbgrader a partir de course/.")
    ap.add_argument("cadernos", nargs="*", help="só estes cadernos (ex.: 00_numeros_e_memoria)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(RAIZ))
    try:
        tarefas = construir(so=args.cadernos or None)
    except ErroConstrucao as erro:
        print(f"❌ {erro}", file=sys.stderr)
        return 1
    # A tabela de cadernos do README vem do manifesto (como o resto): reescreve-a aqui.
    from otimizacao import manifesto

    readme = RAIZ / "README.md"
    texto = readme.read_text(encoding="utf-8")
    try:
        novo = manifesto.readme_com_tabela(texto)
    except ValueError as erro:
        print(f"❌ {erro}", file=sys.stderr)
        return 1
    if novo != texto:
        readme.write_text(novo, encoding="utf-8")
        print("✅ README.md: tabela de cadernos atualizada a partir do manifesto")
    problemas = []
    for tarefa in tarefas:
        problemas += diferencas(PROFESSOR / "release" / tarefa / f"{tarefa}.ipynb", COURSE / f"{tarefa}.ipynb")
    for tarefa in tarefas:
        print(f"✅ {tarefa}: source/ e release/ gerados")
    if problemas:
        print("❌ O release não é igual a course/:", *problemas, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
