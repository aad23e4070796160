"""Implementação de referência de todos os exercícios do curso.

``from solutions import NOME`` funciona para cada exercício de docs/contrato.md. Os módulos só são
importados quando um nome é pedido, para que ``import solutions`` não carregue o TensorFlow
nem o PyTorch sem necessidade.

Este pacote NÃO é instalado no ambiente (ver pyproject.toml): o build do nbgrader injeta o
seu código nos cadernos de ``professor/source``, e durante a avaliação o código dos alunos
não o consegue importar.
"""

from importlib import import_module

from otimizacao.manifesto import CADERNOS

# nome do exercício -> módulo de solutions que o implementa (um módulo por caderno), derivado
# do manifesto do curso (course/otimizacao/manifesto.py): acrescentar um exercício é lá.
_ONDE = {nome: caderno.solucoes for caderno in CADERNOS for nome in caderno.nomes}

__all__ = sorted(_ONDE)


def __getattr__(nome):
    if nome in _ONDE:
        return getattr(import_module(f"{__name__}.{_ONDE[nome]}"), nome)
    raise AttributeError(f"solutions não tem {nome!r}")


def __dir__():
    return __all__
