"""O lado do aluno na avaliação: chamar uma função do caderno e devolver só dados simples.

Na avaliação do professor (``make avaliar``), nenhum veredicto é calculado no kernel do aluno:
os testes (visíveis e ocultos) correm num processo de confiança, o *juiz*
(``autograder/juiz.py``), que só tem os dados de entrada de cada chamada. Quando um teste chama
``memoria_modelo(7, "int4")``, o juiz pede ao kernel do aluno, já com o caderno todo corrido,
``servir(pedido, globals())``: esta função chama ``memoria_modelo`` com os argumentos do
pedido e publica a resposta como dados simples (``otimizacao.mensagens``: números, texto,
bytes, listas, dicionários, arrays do NumPy), nunca como objetos do aluno. O juiz compara.

Este módulo corre no processo do aluno e o aluno pode alterá-lo: o que ele devolve é tratado
como uma observação não confiável. Uma resposta forjada vale o mesmo que a função devolver
esses valores a sério — e os valores esperados nunca cá chegam. Também não há nada aqui que
resolva um exercício. Nos cadernos não se usa: é só para a avaliação.

A sonda (``marcar``/``inspecionar``, no fim) só alimenta o relatório do professor.
"""

from __future__ import annotations

import base64
import io
import json
import sys

from otimizacao.mensagens import MIME, ObservacaoInvalida, de_dados, para_dados


def _nomes_do_erro(erro: BaseException) -> list[str]:
    """Os nomes das classes do erro (a sua e as mães), para o juiz o voltar a levantar com o tipo
    embutido mais próximo (um ``class MeuErro(ValueError)`` continua a ser um ValueError)."""
    return [c.__name__ for c in type(erro).__mro__][:20]


# Os objetos do aluno que o juiz usa por número (uma instância de uma classe do caderno, um
# gestor de contexto aberto): ficam aqui, no kernel, e só o número atravessa a fronteira. Com
# cada um, os argumentos com que foi criado (o juiz recebe o estado deles depois de cada método:
# um modelo que o Destilador treina, por exemplo).
_OBJETOS: dict[int, object] = {}
_LIGADOS: dict[int, tuple] = {}
_MODULOS_PERMITIDOS = ("otimizacao.",)  # funções de pacote que o juiz pode pedir (cenários dos testes)


def _guardar(valor, ligados=None) -> dict:
    numero = len(_OBJETOS) + 1
    _OBJETOS[numero] = valor
    if ligados is not None:
        _LIGADOS[numero] = ligados
    return {"t": "remoto", "id": numero, "tipo": type(valor).__qualname__[:200]}


def _alvo(msg: dict, espaco: dict):
    """O que o pedido quer chamar: um nome do caderno, um objeto guardado, ou uma função de um
    módulo do pacote do curso; e, se houver, o seu atributo."""
    import importlib

    alvo = msg.get("alvo") or {}
    if "objeto" in alvo:
        valor = _OBJETOS[int(alvo["objeto"])]
    elif "modulo" in alvo:
        modulo = str(alvo["modulo"])
        if not modulo.startswith(_MODULOS_PERMITIDOS):
            raise ObservacaoInvalida(f"módulo não permitido: {modulo}")
        valor = getattr(importlib.import_module(modulo), str(alvo["nome"]))
    else:
        valor = espaco[str(alvo["nome"])]
    if msg.get("atributo"):
        valor = getattr(valor, str(msg["atributo"]))
    return valor


# Funções de biblioteca que um teste pode espiar durante uma chamada (o que recebem, nunca o que
# devolvem): por cada chamada, o tipo de cada argumento e se é um ficheiro em memória/aberto.
_ESPIAVEIS = {"torch.save": ("torch", "save")}


class _espiar:
    def __init__(self, nomes, registo: dict):
        self.nomes = [str(n) for n in nomes if str(n) in _ESPIAVEIS]
        self.registo, self.originais = registo, []

    def __enter__(self):
        import importlib

        for nome in self.nomes:
            modulo, atributo = _ESPIAVEIS[nome]
            alvo = importlib.import_module(modulo)
            original = getattr(alvo, atributo)
            chamadas = self.registo.setdefault(nome, [])

            def espiao(*args, _original=original, _chamadas=chamadas, **kwargs):
                _chamadas.append([[type(a).__name__, isinstance(a, io.IOBase)] for a in args][:10])
                return _original(*args, **kwargs)

            setattr(alvo, atributo, espiao)
            self.originais.append((alvo, atributo, original))
        return self

    def __exit__(self, *erro):
        for alvo, atributo, original in reversed(self.originais):
            setattr(alvo, atributo, original)
        return False


def servir(pedido: str, espaco: dict) -> None:
    """Faz o pedido do juiz (em JSON e base64) e publica a resposta (``{"ok": dados}`` ou
    ``{"erro": {...}}``) como uma saída do tipo ``MIME``. O pedido diz o alvo (um nome do caderno,
    um objeto guardado por número ou uma função do pacote ``otimizacao``), o atributo a chamar, os
    argumentos, e se é para ler o valor (``ler``), chamar em grafo (``grafo``: um ``tf.function``)
    ou entrar/sair de um gestor de contexto (``contexto``)."""
    from IPython.display import publish_display_data

    avisos: list = []
    try:
        msg = _ler_pedido(pedido)
        if msg.get("ler"):  # o valor de um nome do caderno ou de um atributo de um objeto, sem chamar nada
            resposta = {"ok": _dados_do_valor(_alvo(msg, espaco))}
        elif msg.get("contexto") == "sair":  # fecha um gestor de contexto aberto com «entrar»
            resposta = {"ok": _sair_do_contexto(msg)}
        else:
            resposta = _chamar(msg, espaco, avisos)
    except BaseException as erro:  # noqa: BLE001 (tudo o que a função do aluno levantar é uma observação)
        if isinstance(erro, (KeyboardInterrupt, SystemExit)):
            raise
        resposta = {"erro": {"tipos": _nomes_do_erro(erro), "mensagem": str(erro)[:2000]}}
    if avisos:
        resposta["avisos"] = [[[c.__name__ for c in getattr(a.category, "__mro__", (Warning,))][:20],
                               str(a.message)[:500]] for a in avisos[:100]]
    publish_display_data({MIME: resposta})


def _ler_pedido(pedido: str) -> dict:
    """O pedido do juiz (JSON em base64); a forma antiga ``{"nome": …}`` passa a ``alvo``."""
    msg = json.loads(base64.b64decode(pedido.encode("ascii")).decode("utf-8"))
    if "nome" in msg and "alvo" not in msg:
        msg["alvo"] = {"nome": msg["nome"]}
    return msg


def _dados_do_valor(valor) -> dict:
    """Um valor lido (sem chamar nada) como dados; um objeto do aluno fica cá e vai o número
    (um método vai só como «é um método»)."""
    dados = para_dados(valor)
    if dados.get("t") == "objeto":
        dados = {"t": "metodo"} if callable(valor) else _guardar(valor)
    return dados


def _sair_do_contexto(msg: dict) -> dict:
    """Fecha o gestor de contexto guardado com «entrar»; devolve o valor que ele tinha dado."""
    gestor, valor = _OBJETOS[int(msg["alvo"]["objeto"])]
    gestor.__exit__(None, None, None)
    return para_dados(valor)


def _chamar(msg: dict, espaco: dict, avisos: list) -> dict:
    """Chama o alvo com os argumentos do pedido (em grafo, com sementes, com o ``errstate`` do
    NumPy e com espiões, se o pedido os pede) e devolve a resposta: o resultado, o estado dos
    argumentos depois da chamada e, num método de um objeto guardado, o dos seus ligados. Os
    avisos levantados durante a chamada ficam em ``avisos``."""
    import warnings

    funcao = _alvo(msg, espaco)

    def resolver(d):
        if d.get("t") == "remoto":
            return _OBJETOS[int(d["id"])]
        return espaco[str(d["nome"])]

    args = de_dados(msg["args"], tensores="nativos", resolver=resolver)
    kwargs = de_dados(msg["kwargs"], tensores="nativos", resolver=resolver)
    if msg.get("grafo") is not None:  # como no fit: a função compilada em grafo
        import tensorflow as tf

        funcao = tf.function(funcao, **{str(k): v for k, v in dict(msg["grafo"]).items()})
    if msg.get("semente") is not None:  # o teste fixou as sementes antes desta chamada
        from otimizacao import modelos

        modelos.fixar_sementes(int(msg["semente"]))
    contexto = None
    if msg.get("errstate") and "numpy" in sys.modules:
        contexto = sys.modules["numpy"].errstate(**msg["errstate"])
    espiados: dict = {}
    with warnings.catch_warnings(record=True) as registados, _espiar(msg.get("espiar") or (), espiados):
        warnings.simplefilter("always")
        try:
            if contexto is not None:
                with contexto:
                    valor = funcao(*args, **kwargs)
            else:
                valor = funcao(*args, **kwargs)
            if msg.get("contexto") == "entrar":
                gestor, valor = valor, valor.__enter__()
                resposta = {"ok": para_dados(valor), "contexto": _guardar((gestor, valor))["id"]}
            else:
                resposta = {"ok": _dados_do_resultado(funcao, valor, args, kwargs)}
        finally:
            avisos.extend(registados)
    if espiados:
        resposta["espiados"] = espiados
    # Os argumentos depois da chamada: o juiz repõe nos seus o que a função mudou no lugar
    # (uma lista, um dicionário, um array, um modelo), como se a chamada tivesse sido local;
    # e, num método de um objeto guardado, o estado dos argumentos com que ele foi criado.
    resposta["depois"] = para_dados([list(args), kwargs])
    numero = (msg.get("alvo") or {}).get("objeto")
    if numero is not None and int(numero) in _LIGADOS:
        resposta["ligados"] = para_dados(list(_LIGADOS[int(numero)]))
    return resposta


def _dados_do_resultado(funcao, valor, args: list, kwargs: dict) -> dict:
    """O que a chamada devolveu, como dados. Se devolveu o próprio argumento (não uma cópia), o
    juiz devolve o seu; uma instância do aluno fica cá e vai o número (com os argumentos com que
    foi criada, se ``funcao`` é a classe)."""
    mesmo = [i for i, a in enumerate(args) if valor is a and not isinstance(a, (int, float, str, bool))]
    if mesmo:
        return {"t": "argumento", "i": mesmo[0]}
    dados = para_dados(valor)
    if dados.get("t") == "objeto":
        dados = _guardar(valor, (list(args), kwargs) if isinstance(funcao, type) else None)
    return dados


# --------------------------------------------------------------------------- a sonda
# Só para o relatório do professor, nunca para a nota: no início da avaliação o juiz pede
# ``marcar()`` (o estado do kernel antes de qualquer célula do aluno) e, no fim do caderno,
# ``inspecionar()`` (o que mudou). Um aluno pode enganar a sonda: esconde-se do relatório, mas
# não ganha pontos, porque nenhum veredicto é calculado aqui.
_VIGIADOS = {
    "builtins": ("abs", "all", "any", "compile", "exec", "float", "int", "isinstance", "len", "max", "min",
                 "print", "repr", "round", "sorted", "str", "sum", "type"),
    "math": ("isclose",),
    "numpy": ("abs", "all", "allclose", "any", "array_equal", "asarray", "isclose"),
    "numpy.testing": ("assert_allclose", "assert_array_equal"),
    "otimizacao.verificacao": ("exercicio_pronto", "levanta"),
    "otimizacao.servico_avaliacao": ("para_dados", "servir"),
    "otimizacao.mensagens": ("para_dados",),
}
_SOMBRAS = ("abs", "all", "any", "float", "int", "isinstance", "len", "max", "min", "round", "sorted", "sum", "type")
_INICIAL: dict = {}


def _estado_do_kernel() -> dict:
    import importlib

    from IPython import get_ipython

    shell = get_ipython()
    estado = {
        "ast": list(getattr(shell, "ast_transformers", [])),
        "entrada": list(getattr(shell, "input_transformers_post", [])),
        "limpeza": list(getattr(shell, "input_transformers_cleanup", [])),
        "eventos": {k: list(v) for k, v in getattr(getattr(shell, "events", None), "callbacks", {}).items()},
        "excecoes": tuple(getattr(shell, "custom_exceptions", ()) or ()),
        "excepthook": sys.excepthook,
        "atributos": {},
    }
    for nome_modulo, nomes in _VIGIADOS.items():
        try:
            modulo = importlib.import_module(nome_modulo)
        except Exception:  # noqa: BLE001 (um módulo que não importa não se vigia)
            continue
        for nome in nomes:
            estado["atributos"][f"{nome_modulo}.{nome}"] = getattr(modulo, nome, None)
    return estado


def _de_biblioteca(funcao) -> bool:
    modulo = str(getattr(getattr(funcao, "__func__", funcao), "__module__", "") or "")
    return modulo.split(".")[0] in ("matplotlib", "matplotlib_inline", "ipykernel", "IPython")


def _publicar(valor) -> None:
    from IPython.display import publish_display_data

    publish_display_data({MIME: {"ok": para_dados(valor)}})


def marcar() -> None:
    """O estado do kernel antes das células do aluno (ganchos do IPython, funções vigiadas)."""
    _INICIAL.clear()
    _INICIAL.update(_estado_do_kernel())
    _publicar(True)


def inspecionar() -> None:
    """Publica o que mudou desde ``marcar()``: uma lista de códigos (``"ast"``, ``"eventos:pre_run_cell"``,
    ``"numpy.allclose"``, ``"sombra:abs"``…) que o juiz traduz para o relatório."""
    import builtins

    from IPython import get_ipython

    agora, antes, achados = _estado_do_kernel(), _INICIAL, []
    if not antes:
        _publicar(["sem_marca"])
        return

    def novos(a, b):
        return [x for x in a if not any(x is y for y in b)]

    for chave in ("ast", "entrada", "limpeza"):
        if novos(agora[chave], antes[chave]):
            achados.append(chave)
    for evento, funcoes in agora["eventos"].items():
        # o %matplotlib inline regista os seus ao importar o pyplot: esses não contam
        if [f for f in novos(funcoes, antes["eventos"].get(evento, [])) if not _de_biblioteca(f)]:
            achados.append(f"eventos:{evento}")
    if agora["excecoes"] and agora["excecoes"] != antes["excecoes"]:
        achados.append("excecoes")
    # o IPython volta a pôr o seu a cada célula (um método ligado novo, igual mas não o mesmo)
    if agora["excepthook"] != antes["excepthook"] and not _de_biblioteca(agora["excepthook"]):
        achados.append("excepthook")
    for nome, valor in agora["atributos"].items():
        if nome in antes["atributos"] and valor is not antes["atributos"][nome]:
            achados.append(nome)
    espaco = getattr(get_ipython(), "user_ns", {})
    achados += [f"sombra:{n}" for n in _SOMBRAS if n in espaco and espaco[n] is not getattr(builtins, n)]
    _publicar(achados)
