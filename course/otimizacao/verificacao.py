"""Pequenas ferramentas para as células de teste e de demonstração dos cadernos."""

from __future__ import annotations

import contextlib

from otimizacao.validacao import resumo  # noqa: F401 (a última célula de cada caderno)


def levanta(tipo_erro: type[BaseException], funcao, *args, **kwargs) -> bool:
    """True se ``funcao(*args, **kwargs)`` levantar ``tipo_erro``; False se não levantar nada.

    Qualquer outro erro (por exemplo ``NotImplementedError`` de um exercício por fazer) é
    deixado passar, para que a mensagem chegue ao aluno tal como é. Apresentado no caderno 00.
    """
    try:
        funcao(*args, **kwargs)
    except tipo_erro:
        return True
    return False


@contextlib.contextmanager
def exercicio_pronto(nome: str):
    """Corre o bloco só se o exercício ``nome`` já estiver feito.

    As demonstrações usam as funções que o aluno escreve; enquanto um exercício tiver o
    esqueleto (``NotImplementedError``), a célula mostra um aviso em vez de um erro.
    Apresentado no caderno 00.
    """
    try:
        yield
    except NotImplementedError:
        print(
            f"ℹ️  Esta célula usa {nome}, que ainda não implementaste. "
            "Completa o exercício acima, corre a sua célula e depois volta a correr esta."
        )
