"""Lê ``autograder/variantes/NN_nome.py``: as respostas de alunos imaginários a um caderno.

Cada secção ``# %%`` é uma resposta, o conteúdo completo de uma célula de solução, escrito como
Python normal (o ruff lê-o; os nomes do caderno, como ``np``, ficam por definir):

    # %% certa <grade_id>: <descrição>     correta, escrita de outra forma que a referência
    # %% errada <grade_id>: <descrição>    um erro típico, com as células de teste que o apanham:
    # falha: <célula de teste>, <outra>      (obrigatória numa errada)
    # aluno: meio_certo                      (opcional) é o erro do aluno «meio certo» da turma
                                             de demonstração (``make avaliar``)
    # %% base <nome>                       código partilhado, que não é uma resposta; uma certa
    # base: <nome>                           ou errada com esta linha é o código da base seguido
                                             do seu (um erro que só muda um passo da base)

O cabeçalho são as linhas de comentário logo a seguir ao ``# %%``; as da forma ``# chave: valor``
(a chave numa palavra em minúsculas) são as de cima, as outras são notas para quem lê. O código
começa na primeira linha que não é um comentário (uma resposta que comece por um comentário
separa-o do cabeçalho com uma linha em branco).

``ler`` devolve o que o resto do projeto usa (construir.variantes, turma_demo, tests/):
``CERTAS = {descrição: (grade_id, código)}``, ``ERRADAS = {descrição: (grade_id, código,
[células que têm de falhar])}`` e ``MEIO_CERTO = {grade_id: descrição da errada}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.comum import RAIZ, ErroConstrucao, seccoes

_CHAVE = re.compile(r"# ([a-z_]+):\s*(.*?)\s*")
_CHAVES = {"falha": ("errada",), "aluno": ("errada",), "base": ("certa", "errada")}
_ALUNOS = ("meio_certo",)  # os alunos da turma de demonstração que trazem erros de variantes/


@dataclass
class Variantes:
    CERTAS: dict[str, tuple[str, str]] = field(default_factory=dict)
    ERRADAS: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)
    MEIO_CERTO: dict[str, str] = field(default_factory=dict)


def ler(ficheiro: Path) -> Variantes:
    """As respostas de ``ficheiro``; um cabeçalho mal escrito é um ErroConstrucao com o ficheiro,
    a linha e o que corrigir."""
    try:
        nome = Path(ficheiro).resolve().relative_to(RAIZ).as_posix()
    except ValueError:
        nome = str(ficheiro)

    def erro(numero: int, texto: str) -> ErroConstrucao:
        return ErroConstrucao(f"{nome}, linha {numero}: {texto}")

    var = Variantes()
    bases: dict[str, str] = {}
    por_usar: dict[str, int] = {}  # base -> linha, até uma resposta a usar
    for numero, cabecalho, linhas in seccoes(Path(ficheiro)):
        tipo, gid, descricao = _cabecalho(cabecalho, numero, var, bases, erro)
        chaves, inicio = _chaves(linhas, tipo, numero, erro)
        codigo = "\n".join(linhas[inicio:]).strip("\n")
        if not codigo.strip():
            raise erro(numero, f"a secção «# %% {cabecalho}» não tem código; escreve a resposta "
                               "a seguir ao cabeçalho.")
        if tipo == "base":
            bases[gid] = codigo
            por_usar[gid] = numero
            continue
        if "base" in chaves:
            if chaves["base"] not in bases:
                raise erro(numero, f"«# base: {chaves['base']}» não é uma base definida antes; "
                                   f"escreve primeiro «# %% base {chaves['base']}» com o código.")
            por_usar.pop(chaves["base"], None)
            codigo = f"{bases[chaves['base']]}\n\n\n{codigo}"
        if tipo == "certa":
            var.CERTAS[descricao] = (gid, codigo)
            continue
        falha = [c.strip() for c in chaves.get("falha", "").split(",") if c.strip()]
        if not falha or not all(re.fullmatch(r"\w+", c) for c in falha):
            raise erro(numero, "faltam as células de teste que apanham esta errada; escreve-as na linha "
                               "a seguir ao cabeçalho: «# falha: teste_a, teste_b» (os grade_id, separados "
                               "por vírgulas).")
        var.ERRADAS[descricao] = (gid, codigo, falha)
        if "aluno" in chaves:
            if chaves["aluno"] not in _ALUNOS:
                raise erro(numero, f"«# aluno: {chaves['aluno']}»: o único aluno da turma de demonstração "
                                   f"com erros daqui é {', '.join(_ALUNOS)}.")
            if gid in var.MEIO_CERTO:
                raise erro(numero, f"o aluno meio_certo já tem uma resposta para {gid} "
                                   f"(«{var.MEIO_CERTO[gid]}»); tira o «# aluno: meio_certo» de uma delas.")
            var.MEIO_CERTO[gid] = descricao
    if por_usar:
        base, numero = next(iter(por_usar.items()))
        raise erro(numero, f"nenhuma resposta usa a base {base} («# base: {base}»); apaga-a ou usa-a.")
    return var


def _cabecalho(cabecalho: str, numero: int, var: Variantes, bases: dict, erro) -> tuple[str, str, str]:
    """(tipo, grade_id ou nome da base, descrição) da linha «# %% <cabecalho>»."""
    tipo, _, resto = cabecalho.partition(" ")
    resto = resto.strip()
    if tipo == "base":
        if not re.fullmatch(r"\w+", resto):
            raise erro(numero, f"«# %% {cabecalho}»: uma base tem um nome numa palavra "
                               "(«# %% base pipeline_em_passos»).")
        if resto in bases:
            raise erro(numero, f"a base {resto} já existe; dá outro nome a esta.")
        return tipo, resto, ""
    if tipo not in ("certa", "errada"):
        raise erro(numero, f"«# %% {cabecalho}»: o cabeçalho tem de começar por certa, errada ou base "
                           "(ex.: «# %% certa minha_funcao: descrição»).")
    m = re.fullmatch(r"(\w+)\s*:\s*(\S.*)", resto)
    if not m:
        raise erro(numero, f"«# %% {cabecalho}»: escreve «# %% {tipo} <grade_id>: <descrição>» "
                           "(o grade_id da célula de resposta, dois pontos e a descrição).")
    if m.group(2) in (var.CERTAS if tipo == "certa" else var.ERRADAS):
        raise erro(numero, f"já há uma resposta {tipo} «{m.group(2)}»; as descrições de cada tipo "
                           "são únicas (são o nome do teste): muda uma delas.")
    return tipo, m.group(1), m.group(2)


def _chaves(linhas: list[str], tipo: str, numero: int, erro) -> tuple[dict[str, str], int]:
    """As chaves («# falha: …») das linhas de comentário logo a seguir ao «# %%» (as outras são
    notas) e o índice da primeira linha do código."""
    chaves: dict[str, str] = {}
    inicio = 0
    while inicio < len(linhas) and linhas[inicio].startswith("#"):
        m = _CHAVE.fullmatch(linhas[inicio])
        linha = numero + 1 + inicio
        inicio += 1
        if not m:
            continue
        chave, valor = m.groups()
        if chave not in _CHAVES:
            raise erro(linha, f"«# {chave}:» não é uma chave do cabeçalho; as chaves são "
                              f"{', '.join(_CHAVES)}. Uma nota não começa por «palavra:» em minúsculas.")
        if tipo not in _CHAVES[chave]:
            raise erro(linha, f"«# {chave}:» não vale numa secção {tipo} (só em {' ou '.join(_CHAVES[chave])}).")
        if chave in chaves:
            raise erro(linha, f"«# {chave}:» aparece duas vezes nesta secção; junta-as numa.")
        chaves[chave] = valor
    return chaves, inicio
