"""Pequenas ferramentas para as células de teste e de demonstração dos cadernos."""

from __future__ import annotations

import contextlib
import difflib

from otimizacao import manifesto, progresso
from otimizacao.validacao import resumo  # noqa: F401 (a última célula de cada caderno)

PASSOU = "passou nos testes visíveis"  # o texto da linha ✅ quando a célula não diz outro


class NomeDesconhecido(ValueError):
    """Uma célula de teste chamou ``passou``/``registar_medidas`` com um nome (exercício, caderno
    ou figura) que o manifesto não conhece: é um erro de quem escreveu o caderno, não do aluno."""


def _caderno_do_exercicio(exercicio: str, caderno: str | None) -> manifesto.Caderno:
    """O caderno do manifesto que tem o exercício ``exercicio`` (uma função ou classe que o aluno
    escreve). Um nome que esteja em mais de um caderno precisa de ``caderno``."""
    if caderno is not None:
        if caderno not in manifesto.POR_NOME:
            raise NomeDesconhecido(
                f"caderno={caderno!r}: o manifesto (course/otimizacao/manifesto.py) não tem nenhum caderno com "
                f"esse nome. Usa o nome do ficheiro sem .ipynb, um destes: {', '.join(manifesto.POR_NOME)}.")
        if exercicio not in manifesto.POR_NOME[caderno].nomes:
            raise NomeDesconhecido(
                f"{exercicio!r} não é um exercício do caderno {caderno} no manifesto "
                f"(course/otimizacao/manifesto.py); os dele são: {', '.join(manifesto.POR_NOME[caderno].nomes)}.")
        return manifesto.POR_NOME[caderno]
    donos = [c for c in manifesto.CADERNOS if exercicio in c.nomes]
    if len(donos) == 1:
        return donos[0]
    if donos:
        raise NomeDesconhecido(
            f"O exercício {exercicio!r} está em mais de um caderno do manifesto "
            f"({', '.join(c.nome for c in donos)}): diz qual com caderno=\"NN_nome\".")
    todos = [n for c in manifesto.CADERNOS for n in c.nomes]
    parecidos = difflib.get_close_matches(str(exercicio), todos, n=3)
    sugestao = f" Querias dizer {' ou '.join(repr(n) for n in parecidos)}?" if parecidos else ""
    raise NomeDesconhecido(
        f"O manifesto (course/otimizacao/manifesto.py) não tem nenhum exercício {exercicio!r}.{sugestao} "
        "Escreve o nome da função ou da classe do exercício tal como está no manifesto, ou acrescenta o "
        "exercício à entrada do caderno (docs/acrescentar_exercicio.md).")


def _conferir_figuras(caderno: manifesto.Caderno, figuras: dict | None) -> None:
    desconhecidas = sorted(str(f) for f in (figuras or {}) if f not in caderno.figuras)
    if desconhecidas:
        declaradas = ", ".join(caderno.figuras) or "nenhuma"
        raise NomeDesconhecido(
            f"O manifesto (course/otimizacao/manifesto.py) não declara a(s) figura(s) {', '.join(desconhecidas)} "
            f"no caderno {caderno.nome} (declara: {declaradas}). Acrescenta-as a figuras= na entrada do "
            "caderno ou corrige o nome.")


def linha_de_passou(exercicio: str, texto: str = PASSOU, *, figuras: dict | None = None,
                    caderno: str | None = None) -> tuple[str, str]:
    """(caderno, linha ✅) de uma chamada a :func:`passou`, com os nomes conferidos no manifesto
    (``NomeDesconhecido`` se não estiverem lá). O juiz da avaliação usa-a para mostrar a linha sem
    registar nada."""
    dono = _caderno_do_exercicio(exercicio, caderno)
    _conferir_figuras(dono, figuras)
    texto = str(texto).strip()
    fim = "" if texto.endswith((".", "!", "?", "…")) else "."
    return dono.nome, f"✅ {exercicio} {texto}{fim}"


def passou(exercicio: str, texto: str = PASSOU, *, figuras: dict | None = None,
           caderno: str | None = None) -> None:
    """A última linha de uma célula de testes visíveis: os ``assert`` de cima passaram.

    Escreve no ecrã ``✅ <exercicio> <texto>.`` e guarda no teu registo de progresso
    (``otimizacao.progresso``, que o caderno 10_checklist lê) que o ``exercicio`` passou, com as
    ``figuras`` que mediste ({nome: número}, as que o manifesto declara para o caderno). O caderno
    vem do manifesto, pelo nome do exercício; ``caderno="NN_nome"`` só é preciso se o mesmo nome
    estiver em mais de um caderno. Um nome que o manifesto não conhece é um erro de quem escreveu
    o caderno (``NomeDesconhecido``, com o que corrigir). Não devolve nada. Apresentado no
    caderno 00.

    Exemplo: ``verificacao.passou("mascara_magnitude", "trata bem os limites nos testes visíveis")``.
    """
    nome_caderno, linha = linha_de_passou(exercicio, texto, figuras=figuras, caderno=caderno)
    print(linha)
    progresso.registar(nome_caderno, exercicio, figuras=figuras)


def conferir_medidas(exercicio: str, figuras: dict, *, caderno: str | None = None) -> str:
    """O caderno de uma chamada a :func:`registar_medidas`, com os nomes conferidos no manifesto."""
    dono = _caderno_do_exercicio(exercicio, caderno)
    _conferir_figuras(dono, figuras)
    return dono.nome


def registar_medidas(exercicio: str, figuras: dict, *, caderno: str | None = None) -> None:
    """Guarda no teu registo de progresso as ``figuras`` ({nome: número}) que mediste com o
    ``exercicio``, sem dizer que o exercício passou (isso é :func:`passou`, na última célula de
    testes dele). O caderno vem do manifesto, como em :func:`passou`. Apresentado no caderno 00."""
    progresso.registar(conferir_medidas(exercicio, figuras, caderno=caderno), figuras=figuras)


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
