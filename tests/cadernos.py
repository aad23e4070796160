"""Ajuda dos testes: correr as células de um caderno no próprio processo do pytest.

Mais rápido do que um kernel por variante: corre-se o caderno uma vez, com as soluções de
referência, e depois só se trocam as funções do aluno e se voltam a correr as células de teste
(visíveis + ocultas, tal como o nbgrader as corre).
"""

from __future__ import annotations

import nbformat

from autograder.comum import nbgrader_meta


def celulas_codigo(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def celulas_teste(nb) -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: c.source for c in celulas_codigo(nb) if nbgrader_meta(c).get("grade")}


def executar(fonte: str, ns: dict, nome: str = "<célula>") -> None:
    exec(compile(fonte, nome, "exec"), ns)  # noqa: S102 (código do próprio curso)


def preparar_namespace(nb) -> dict:
    """Corre todas as células de código que não são de teste (com as soluções de referência)."""
    import matplotlib.pyplot as plt

    ns: dict = {"__name__": "__main__"}
    for i, celula in enumerate(celulas_codigo(nb)):
        if not nbgrader_meta(celula).get("grade"):
            executar(celula.source, ns, f"<célula {i}>")
    plt.close("all")
    ns.update(_pontes_locais(ns))
    return ns


def _pontes_locais(ns: dict) -> dict:
    """No juiz, os testes ocultos usam pontes para o kernel do aluno (``juiz.espaco_base``:
    ``espiar``, ``no_kernel``, ``contexto_no_kernel``). Aqui o «kernel» é este processo: as
    mesmas pontes, locais."""
    import importlib

    from otimizacao import servico_avaliacao

    def espiar(nomes, funcao, *args, **kwargs):
        registo: dict = {}
        with servico_avaliacao._espiar(nomes, registo):
            valor = funcao(*args, **kwargs)
        return valor, {n: list(registo.get(n) or []) for n in nomes}

    return {"espiar": espiar, "no_kernel": importlib.import_module,
            "contexto_no_kernel": lambda nome: ns[nome]}


def falha(fonte_teste: str, ns: dict) -> BaseException | None:
    """Corre uma célula de teste numa cópia de ``ns``; devolve a exceção (ou None se passou)."""
    try:
        executar(fonte_teste, dict(ns), "<teste>")
    except Exception as erro:  # a célula de teste falhou: é o que queremos saber
        return erro
    return None


def ler(caminho) -> nbformat.NotebookNode:
    return nbformat.read(caminho, as_version=4)


def _copia(valor):
    """Uma cópia de ``valor`` que uma variante pode estragar sem mexer no original: arrays,
    dados (dataclasses), contentores, modelos tf_keras (clonados, com os pesos e a compilação)
    e módulos PyTorch. Módulos, funções e classes ficam como estão; o que não se consegue
    copiar (um modelo Keras de uma subclasse própria) também."""
    import copy
    import dataclasses
    import types

    import numpy as np

    if isinstance(valor, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)):
        return valor
    if isinstance(valor, np.ndarray):
        return valor.copy()
    if dataclasses.is_dataclass(valor):
        campos = {c.name: _copia(getattr(valor, c.name)) for c in dataclasses.fields(valor) if c.init}
        return dataclasses.replace(valor, **campos)
    tipo = type(valor).__module__
    if tipo.startswith("tf_keras"):  # Sequential / Functional do curso
        from tf_keras.src.models.cloning import clone_and_build_model

        try:
            copia = clone_and_build_model(valor, compile_clone=valor.optimizer is not None)
            copia.set_weights(valor.get_weights())
            return copia
        except Exception:  # subclasse sem get_config, modelo por construir, …
            return valor
    if tipo.startswith("torch"):
        try:
            return copy.deepcopy(valor)
        except Exception:
            return valor
    if isinstance(valor, (list, dict, tuple, set)):
        try:
            return copy.deepcopy(valor)
        except Exception:
            return valor
    return valor


def copia_para_variante(ns: dict) -> dict:
    """O namespace preparado, com cópias de tudo o que uma resposta pode alterar: o resultado
    de uma variante não depende das que correram antes (nem da ordem dos testes)."""
    return {nome: _copia(valor) for nome, valor in ns.items()}
