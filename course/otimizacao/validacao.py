"""O resumo da validação: o estado de cada exercício de um caderno, em pt-PT, em segundos.

Quando um caderno importa o pacote (``otimizacao.verificacao``), :func:`instalar` regista um
gancho ``post_run_cell`` do IPython que guarda, para cada célula que corres, se acabou bem ou
com que erro (só texto: o tipo, a primeira linha da mensagem e a linha da célula onde parou).
A última célula de cada caderno, ``verificacao.resumo("NN_nome")``, lê o caderno (as células
de teste, pelos metadados do nbgrader), liga cada célula de teste ao seu exercício (o
manifesto) e diz, exercício a exercício, se os testes visíveis passaram, falharam (com a razão
e a pista, a mensagem do ``assert``), se o exercício ainda é o esqueleto
(``NotImplementedError``) ou se os testes ainda não correram neste kernel.

Não conta para a nota: o resumo é uma célula sem metadados do nbgrader (o build não a torna
avaliada) e só mostra o que já correu no teu kernel. Na avaliação do professor
(``CURSO4_AUTOGRADER`` definida) o gancho nem é registado: lá os testes correm fora do kernel
(o juiz), e um gancho do IPython seria, para a sonda da avaliação, uma adulteração.

O gancho nunca escreve nada no ecrã e nunca levanta (um erro num gancho do IPython iria para o
stderr de todas as células, e o nbgrader dá 0 a uma célula de teste com stderr).
Apresentado em todos os cadernos (a última célula).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV_AVALIACAO = "CURSO4_AUTOGRADER"  # a mesma de otimizacao.progresso: a avaliação do professor

# O que correu neste kernel: por id da célula (o JupyterLab manda-o em cada pedido) e pelo texto
# da célula (as células de teste são só de leitura: o texto é o do caderno).
_POR_ID: dict[str, dict] = {}
_POR_TEXTO: dict[str, dict] = {}
_CONTADOR = [0]
_INSTALADO = [False]
MAX_TEXTO = 400  # caracteres de uma mensagem de erro guardados (a pista inteira cabe)


# --------------------------------------------------------------------------- o gancho
def _linha_da_celula(erro: BaseException, fonte: str) -> tuple[int | None, str]:
    """A linha da célula onde o erro parou (o último quadro ao nível da célula)."""
    linha = None
    tb = erro.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "<module>" and tb.tb_frame.f_globals.get("__name__") == "__main__":
            linha = tb.tb_lineno
        tb = tb.tb_next
    if linha is None:
        return None, ""
    linhas = fonte.splitlines()
    codigo = linhas[linha - 1].strip() if 0 < linha <= len(linhas) else ""
    return linha, _so_a_condicao(codigo)


def _so_a_condicao(codigo: str) -> str:
    """Num ``assert condição, "mensagem"`` numa linha, só a condição (a mensagem é a pista)."""
    import ast

    try:
        no = ast.parse(codigo).body[0]
    except (SyntaxError, IndexError):
        return codigo
    if isinstance(no, ast.Assert) and no.msg is not None:
        return f"assert {ast.get_source_segment(codigo, no.test)}"
    return codigo


def _esqueleto(erro: BaseException) -> bool:
    """O erro vem de um ``NotImplementedError`` (o esqueleto), ele próprio ou a sua causa."""
    vistos = 0
    while erro is not None and vistos < 10:
        if isinstance(erro, NotImplementedError):
            return True
        erro = erro.__cause__ or erro.__context__
        vistos += 1
    return False


def _primeira_linha(texto: str) -> str:
    texto = str(texto).strip()
    return (texto.splitlines()[0] if texto else "")[:MAX_TEXTO]


def registar_execucao(fonte: str, cell_id: str | None, erro: BaseException | None) -> None:
    """Guarda o que aconteceu a uma célula (o gancho chama-a; os testes também)."""
    _CONTADOR[0] += 1
    registo = {"ordem": _CONTADOR[0], "erro": None}
    if erro is not None:
        linha, codigo = _linha_da_celula(erro, fonte)
        registo["erro"] = {"tipo": type(erro).__name__, "mensagem": _primeira_linha(erro),
                           "linha": linha, "codigo": codigo[:200], "esqueleto": _esqueleto(erro)}
    if cell_id:
        _POR_ID[str(cell_id)] = registo
    _POR_TEXTO[fonte.strip()] = registo


def _depois_da_celula(resultado) -> None:
    try:
        info = getattr(resultado, "info", None)
        fonte = getattr(info, "raw_cell", None)
        if not isinstance(fonte, str) or getattr(info, "silent", False):
            return
        erro = resultado.error_before_exec or resultado.error_in_exec
        registar_execucao(fonte, getattr(info, "cell_id", None), erro)
    except Exception:  # noqa: BLE001 (o gancho nunca pode estragar a célula do aluno)
        pass


def instalar() -> bool:
    """Regista o gancho no IPython deste kernel (uma vez). Fora do IPython, ou na avaliação
    do professor, não faz nada. Devolve True se o gancho ficou registado."""
    if _INSTALADO[0]:
        return True
    if os.environ.get(ENV_AVALIACAO):
        return False
    try:
        import sys

        if "IPython" not in sys.modules:
            return False
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or not hasattr(shell, "events"):
            return False
        shell.events.register("post_run_cell", _depois_da_celula)
    except Exception:  # noqa: BLE001 (sem gancho, o resumo diz que não tem dados)
        return False
    _INSTALADO[0] = True
    return True


def esquecer() -> None:
    """Apaga o que ficou registado (os testes usam-no)."""
    _POR_ID.clear()
    _POR_TEXTO.clear()


# --------------------------------------------------------------------------- o caderno
def _encontrar_caderno(nome: str) -> Path | None:
    """O ficheiro do caderno: na pasta do kernel (a do caderno), no caminho que o Jupyter dá
    ao kernel (JPY_SESSION_NAME) ou na pasta course/ ao lado do pacote."""
    candidatos = [Path.cwd() / f"{nome}.ipynb"]
    sessao = os.environ.get("JPY_SESSION_NAME", "")
    if sessao.endswith(f"{nome}.ipynb"):
        candidatos.insert(0, Path(sessao))
    candidatos.append(Path(__file__).resolve().parent.parent / f"{nome}.ipynb")
    return next((c for c in candidatos if c.is_file()), None)


def _fonte(celula: dict) -> str:
    fonte = celula.get("source", "")
    return "".join(fonte) if isinstance(fonte, list) else str(fonte)


def celulas_por_exercicio(nb: dict, nome: str) -> list[dict]:
    """Os exercícios do caderno (pela ordem do manifesto), cada um com as suas células: a da
    resposta (id) e as de teste (id, grade_id, pontos, texto). Uma célula de teste pertence ao
    último exercício cuja resposta veio antes dela (como no build, ``construir.py``)."""
    from otimizacao import manifesto

    caderno = manifesto.POR_NOME[nome]
    exercicios = {e.nomes[0]: {"nome": "/".join(e.nomes), "pontos": e.pontos, "livre": e.livre,
                               "resposta": None, "testes": []} for e in caderno.exercicios}
    atual = None
    for celula in nb.get("cells", []):
        meta = (celula.get("metadata") or {}).get("nbgrader") or {}
        gid = meta.get("grade_id")
        if meta.get("solution"):
            atual = gid if gid in exercicios else None  # «trazer_do_caderno_*»: sem testes
            if atual is not None:
                exercicios[atual]["resposta"] = celula.get("id")
            if atual is not None and exercicios[atual]["livre"]:
                atual = None
        elif meta.get("grade") and celula.get("cell_type") == "code" and atual is not None:
            exercicios[atual]["testes"].append({"id": celula.get("id"), "grade_id": gid,
                                                "pontos": meta.get("points", 0), "texto": _fonte(celula)})
    return list(exercicios.values())


def _execucao(celula_id: str | None, texto: str | None = None) -> dict | None:
    if celula_id and str(celula_id) in _POR_ID:
        return _POR_ID[str(celula_id)]
    if texto is not None:
        return _POR_TEXTO.get(texto.strip())
    return None


def estado_dos_exercicios(nome: str, nb: dict | None = None) -> list[dict]:
    """O estado de cada exercício do caderno ``nome``: ``estado`` é "passou", "falhou",
    "esqueleto", "por_correr", "desatualizado" ou "livre", com o teste que falhou, a razão e a
    pista quando há."""
    if nb is None:
        caminho = _encontrar_caderno(nome)
        if caminho is None:
            raise FileNotFoundError(f"{nome}.ipynb")
        nb = json.loads(caminho.read_text(encoding="utf-8"))
    resultado = []
    for ex in celulas_por_exercicio(nb, nome):
        item = {"nome": ex["nome"], "pontos": ex["pontos"], "testes": len(ex["testes"])}
        if ex["livre"]:
            resultado.append({**item, "estado": "livre"})
            continue
        corridas = [(t, _execucao(t["id"], t["texto"])) for t in ex["testes"]]
        resposta = _execucao(ex["resposta"])
        falhas = [(t, r) for t, r in corridas if r is not None and r["erro"] is not None]
        por_correr = [t for t, r in corridas if r is None]
        if any(r["erro"]["esqueleto"] for _, r in falhas):
            t, r = next((t, r) for t, r in falhas if r["erro"]["esqueleto"])
            resultado.append({**item, "estado": "esqueleto", "teste": t["grade_id"], **_razao(r)})
        elif falhas:
            t, r = falhas[0]
            resultado.append({**item, "estado": "falhou", "teste": t["grade_id"], **_razao(r)})
        elif por_correr:
            resultado.append({**item, "estado": "por_correr", "corridos": len(corridas) - len(por_correr)})
        elif resposta is not None and resposta["ordem"] > min(r["ordem"] for _, r in corridas):
            resultado.append({**item, "estado": "desatualizado"})
        else:
            resultado.append({**item, "estado": "passou"})
    return resultado


def _razao(registo: dict) -> dict:
    erro = registo["erro"]
    onde = f"linha {erro['linha']}: {erro['codigo']}" if erro.get("linha") and erro.get("codigo") else ""
    return {"tipo": erro["tipo"], "mensagem": erro["mensagem"], "onde": onde}


# --------------------------------------------------------------------------- o resumo
SIMBOLOS = {"passou": "✅", "falhou": "❌", "esqueleto": "🚧", "por_correr": "⏸️ ", "desatualizado": "🔁",
            "livre": "✍️ "}


def _pontos(p: float) -> str:
    return f"{p:g} ponto{'s' if p != 1 else ''}"


def linhas_do_resumo(nome: str, nb: dict | None = None) -> list[str]:
    """O resumo como linhas de texto (o que :func:`resumo` mostra)."""
    if os.environ.get(ENV_AVALIACAO):
        return ["ℹ️  O resumo da validação só funciona no teu JupyterLab: na avaliação, os testes "
                "correm fora do teu kernel."]
    try:
        estados = estado_dos_exercicios(nome, nb)
    except FileNotFoundError:
        return [f"⚠️  Não encontrei o ficheiro {nome}.ipynb na pasta do caderno: o resumo lê-o para saber que "
                "células de teste tem cada exercício. Abre o caderno a partir da pasta do curso."]
    except KeyError:
        return [f"⚠️  O caderno {nome!r} não está no manifesto do curso: confirma o nome na chamada ao resumo."]
    linhas = [f"Resumo dos testes visíveis de {nome} (o que correste neste kernel):", ""]
    for e in estados:
        simbolo, titulo = SIMBOLOS[e["estado"]], f"{e['nome']} ({_pontos(e['pontos'])})"
        if e["estado"] == "passou":
            linhas.append(f"{simbolo} {titulo}: passou nos testes visíveis.")
        elif e["estado"] == "falhou":
            linhas.append(f"{simbolo} {titulo}: falhou em {e['teste']}" + (f", {e['onde']}" if e["onde"] else "") + ".")
            if e["tipo"] == "AssertionError" and e["mensagem"]:
                linhas.append(f"     pista: {e['mensagem']}")
            elif e["tipo"] == "NameError":
                linhas.append(f"     {e['tipo']}: {e['mensagem']} — corre primeiro as células de cima "
                              "(a da tua resposta incluída) e depois a de teste.")
            else:
                linhas.append(f"     {e['tipo']}: {e['mensagem']}" if e["mensagem"] else f"     {e['tipo']}")
        elif e["estado"] == "esqueleto":
            linhas.append(f"{simbolo} {titulo}: ainda por fazer (o esqueleto, NotImplementedError, em {e['teste']}). "
                          "Escreve o teu código na célula da resposta, corre-a e depois os testes.")
        elif e["estado"] == "por_correr":
            feitos = f" ({e['corridos']} de {e['testes']} células de teste)" if e["corridos"] else ""
            linhas.append(f"{simbolo} {titulo}: os testes ainda não correram neste kernel{feitos}. "
                          "Corre a célula da resposta e as células de teste a seguir.")
        elif e["estado"] == "desatualizado":
            linhas.append(f"{simbolo} {titulo}: os testes passaram, mas voltaste a correr a resposta depois. "
                          "Corre outra vez as células de teste.")
        else:
            linhas.append(f"{simbolo} {titulo}: resposta escrita, corrigida à mão pelo professor (não entra aqui).")
    codigo = [e for e in estados if e["estado"] != "livre"]
    passaram = sum(e["estado"] == "passou" for e in codigo)
    linhas += ["", f"{passaram} de {len(codigo)} exercício(s) passam nos testes visíveis. A nota usa também "
               "testes ocultos, que verificam mais casos; este resumo não dá pontos.",
               "O botão Validate do nbgrader corre o caderno inteiro num kernel novo, como a avaliação "
               "(demora mais e mostra os erros em inglês)."]
    return linhas


def resumo(nome: str) -> None:
    """Mostra o resumo da validação do caderno ``nome`` (ex.: ``"07_taxa_de_aprendizagem"``)."""
    print("\n".join(linhas_do_resumo(nome)))
