"""O formato das mensagens entre o juiz e o kernel do aluno, nos dois sentidos: só dados simples.

``para_dados`` transforma um valor (números, texto, bytes, listas, dicionários, arrays do NumPy,
tensores, modelos do Keras pela configuração e pesos, módulos do PyTorch da lista branca de
``modulos_torch``, figuras) num dicionário de JSON; ``de_dados`` faz o caminho inverso e nunca
cria objetos que não sejam tipos simples ou arrays sem pickle (um modelo com código, como uma
camada ``Lambda``, é recusado). O juiz (``autograder/juiz.py``) e o ``servico_avaliacao`` do
kernel usam os dois. Um valor que não se transforma chega como ``Opaco`` (só o tipo); uma
mensagem estragada levanta ``ObservacaoInvalida``.
"""

from __future__ import annotations

import base64
import io
import json
import sys

MIME = "application/x-curso4-observacao+json"
PROFUNDIDADE_MAXIMA = 32
BYTES_MAXIMOS = 256 * 2**20  # uma resposta maior do que isto não é uma observação válida


class ObservacaoInvalida(ValueError):
    """Uma mensagem que não segue o formato (forjada, cortada ou grande demais)."""


def _array_para_texto(arr) -> str:
    import numpy as np

    arr = np.asarray(arr)
    if type(arr) is not np.ndarray:
        arr = arr.view(np.ndarray)
    if arr.dtype.hasobject:
        raise TypeError("array de objetos")
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array(arr, order="C", copy=True), allow_pickle=False)  # 0-d fica 0-d
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _texto_para_array(texto: str):
    import numpy as np

    dados = base64.b64decode(texto.encode("ascii"), validate=True)
    arr = np.lib.format.read_array(io.BytesIO(dados), allow_pickle=False)
    if type(arr) is not np.ndarray or arr.dtype.hasobject:
        raise ObservacaoInvalida("array inválido")
    return arr


def para_dados(valor, profundidade: int = 0) -> dict:
    """Um valor Python como dados simples com etiqueta (JSON). Lê os valores pelos métodos dos
    tipos base (``int.__index__``, ``float.__float__``…): uma subclasse que mente no ``__eq__``
    ou no ``__sub__`` é guardada pelo valor que realmente tem. O que não é um tipo simples fica
    ``{"t": "objeto", "tipo": nome}``: o juiz recebe só o nome do tipo."""
    if profundidade > PROFUNDIDADE_MAXIMA:
        return {"t": "objeto", "tipo": "estrutura demasiado funda"}
    p = profundidade + 1
    if valor is None:
        return {"t": "none"}
    if valor is True or valor is False:
        return {"t": "bool", "v": bool(valor)}
    if isinstance(valor, int):
        return {"t": "int", "v": str(int.__index__(valor))}
    if isinstance(valor, float):
        return {"t": "float", "v": float.__repr__(float.__float__(valor))}
    if isinstance(valor, complex):
        return {"t": "objeto", "tipo": "complex"}
    if isinstance(valor, str):
        return {"t": "str", "v": str.__str__(valor)}
    if isinstance(valor, (bytes, bytearray)):
        return {"t": "bytes", "v": base64.b64encode(bytes(memoryview(valor))).decode("ascii")}
    if isinstance(valor, tuple):
        return {"t": "tuple", "v": [para_dados(tuple.__getitem__(valor, i), p) for i in range(tuple.__len__(valor))]}
    if isinstance(valor, range):
        return para_dados(list(valor), profundidade)
    if isinstance(valor, list):
        return {"t": "list", "v": [para_dados(list.__getitem__(valor, i), p) for i in range(list.__len__(valor))]}
    if isinstance(valor, dict):
        return {"t": "dict", "v": [[para_dados(k, p), para_dados(v, p)] for k, v in dict.items(valor)]}
    if isinstance(valor, Referencia):  # do lado do juiz: um objeto que vive no kernel do aluno
        return valor._como_dados()
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(valor, (numpy.ndarray, numpy.generic)):
        try:
            return {"t": "escalar" if isinstance(valor, numpy.generic) else "ndarray", "v": _array_para_texto(valor)}
        except (TypeError, ValueError):
            return {"t": "objeto", "tipo": "array de objetos"}
    tf = sys.modules.get("tensorflow")
    if tf is not None and numpy is not None:
        try:
            if isinstance(valor, tf.Variable):  # como o optimizer.iterations: chega como variável
                return {"t": "variavel_tf", "v": _array_para_texto(numpy.asarray(valor))}
            if tf.is_tensor(valor):
                return {"t": "tensor_tf", "v": _array_para_texto(numpy.asarray(valor))}
        except Exception:  # noqa: BLE001 (um tensor simbólico, por exemplo)
            return {"t": "objeto", "tipo": type(valor).__name__}
    keras = sys.modules.get("tf_keras")
    if keras is not None and isinstance(valor, keras.optimizers.Optimizer):
        try:
            config = keras.optimizers.serialize(valor)
            json.dumps(config)
            return {"t": "otimizador_keras", "config": json.dumps(config)}
        except Exception:  # noqa: BLE001 (um otimizador que não se serializa: fica só o nome)
            return {"t": "objeto", "tipo": type(valor).__qualname__}
    if keras is not None and isinstance(valor, keras.callbacks.History):
        return {"t": "historico", "history": para_dados(dict(valor.history), p), "epoch": para_dados(list(valor.epoch), p)}
    figura = sys.modules.get("matplotlib.figure")
    if figura is not None and isinstance(valor, figura.Figure):
        return {"t": "figura", "eixos": [_eixo_para_dados(e) for e in valor.get_axes()[:50]]}
    if keras is not None and isinstance(valor, keras.Model):
        if not type(valor).__module__.startswith(("tf_keras.", "tensorflow_model_optimization.")):
            # uma subclasse do aluno (o Destilador): o código dela não atravessa; fica no kernel
            return {"t": "objeto", "tipo": type(valor).__qualname__}
        try:
            return _modelo_para_dados(valor)
        except Exception:  # noqa: BLE001 (um modelo que não se guarda: fica só o nome do tipo)
            return {"t": "objeto", "tipo": type(valor).__qualname__}
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(valor, torch.nn.Module):
        from otimizacao import modulos_torch

        try:
            return {"t": "modulo_torch", "v": modulos_torch.modulo_para_dados(valor, _array_para_texto)}
        except Exception:  # noqa: BLE001 (uma classe fora da lista branca: fica só o nome do tipo)
            return {"t": "objeto", "tipo": type(valor).__qualname__}
    if torch is not None and isinstance(valor, torch.Tensor):
        try:
            return {"t": "tensor_torch", "v": _array_para_texto(torch.Tensor.numpy(valor.detach().cpu()))}
        except Exception:  # noqa: BLE001
            return {"t": "objeto", "tipo": type(valor).__name__}
    return {"t": "objeto", "tipo": type(valor).__qualname__}


def _eixo_para_dados(eixo) -> dict:
    """Um eixo de uma figura do matplotlib como dados: títulos e o que tem desenhado (os pontos
    das linhas, os pontos dos gráficos de dispersão, os retângulos das barras)."""
    import numpy as np

    def pontos(xy) -> str:
        return _array_para_texto(np.asarray(xy, dtype=np.float64).reshape(-1, 2)[:10_000])

    retangulos = [[float(p.get_x()), float(p.get_y()), float(p.get_width()), float(p.get_height())]
                  for p in eixo.patches[:1000] if hasattr(p, "get_width") and hasattr(p, "get_x")]
    return {"titulo": str(eixo.get_title())[:500], "x": str(eixo.get_xlabel())[:500], "y": str(eixo.get_ylabel())[:500],
            "linhas": [pontos(linha.get_xydata()) for linha in eixo.lines[:100]],
            "dispersao": [pontos(c.get_offsets()) for c in eixo.collections[:100] if hasattr(c, "get_offsets")],
            "barras": retangulos}


def _modelo_para_dados(modelo) -> dict:
    """Um modelo do Keras (tf_keras) como dados: a configuração (JSON), os pesos (arrays) e a
    configuração da compilação (otimizador, perda, métricas), se o modelo estiver compilado."""
    compilacao = None
    if getattr(modelo, "optimizer", None) is not None:
        try:
            compilacao = json.dumps(modelo.get_compile_config())
        except Exception:  # noqa: BLE001 (uma perda ou métrica que não se serializa)
            compilacao = None
    # Os pesos camada a camada, com o nome curto de cada variável: um modelo do tfmot (QAT)
    # reconstruído tem variáveis a mais na camada de quantização da entrada, e casá-las pelo nome
    # curto, pela ordem, chega para as que importam.
    pesos = [[[v.name.split("/")[-1], _array_para_texto(v.numpy())] for v in camada.weights]
             for camada in modelo.layers]
    iteracoes = None
    if getattr(modelo, "optimizer", None) is not None:
        try:
            iteracoes = int(modelo.optimizer.iterations.numpy())  # quantos passos de treino deu
        except Exception:  # noqa: BLE001
            iteracoes = None
    return {"t": "keras", "config": modelo.to_json(), "compilacao": compilacao, "pesos": pesos,
            "iteracoes": iteracoes}


PROIBIDAS = ("Lambda", "TFOpLambda", "SlicingOpLambda")  # guardam código: nunca se reconstroem


def _sem_codigo(config) -> None:
    """Recusa uma configuração que traga código (camadas Lambda, funções serializadas)."""
    pilha = [config]
    while pilha:
        atual = pilha.pop()
        if isinstance(atual, dict):
            if atual.get("class_name") in PROIBIDAS or "function_type" in atual or atual.get("class_name") == "__lambda__":
                raise ObservacaoInvalida("o modelo tem uma camada com código (Lambda): não se reconstrói")
            pilha.extend(atual.values())
        elif isinstance(atual, list):
            pilha.extend(atual)


def _por_pesos(modelo, pesos: list) -> None:
    """Põe os pesos camada a camada (ver ``_modelo_para_dados``); formas diferentes: inválido."""
    import numpy as np

    if len(pesos) != len(modelo.layers):
        raise ObservacaoInvalida("o número de camadas não bate com a configuração")
    for camada, guardados in zip(modelo.layers, pesos, strict=True):
        por_nome: dict[str, list] = {}
        for nome, texto in guardados:
            por_nome.setdefault(str(nome), []).append(_texto_para_array(texto))
        vistas: dict[str, int] = {}
        for variavel in camada.weights:
            curto = variavel.name.split("/")[-1]
            fila = por_nome.get(curto)
            if fila:
                # A n-ésima variável com este nome curto recebe o n-ésimo valor guardado; as que
                # sobram (a camada de quantização da entrada do tfmot, reconstruída, tem cada uma
                # duas vezes) recebem o último: todas ficam com o que o modelo do aluno tinha.
                valor = fila[min(vistas.get(curto, 0), len(fila) - 1)]
                vistas[curto] = vistas.get(curto, 0) + 1
                if valor.size != int(np.prod(variavel.shape.as_list() or [1])):
                    raise ObservacaoInvalida(f"forma errada em {variavel.name}")
                variavel.assign(valor.reshape(variavel.shape))


def _dados_para_modelo(d: dict):
    """O inverso: reconstrói o modelo só a partir da configuração (camadas do Keras e do tfmot;
    nenhuma com código) e põe-lhe os pesos; uma camada do aluno não se reconstrói."""
    import contextlib

    import tf_keras as keras

    config = json.loads(str(d["config"]))
    _sem_codigo(config)
    compilacao = json.loads(d["compilacao"]) if d.get("compilacao") else None
    if compilacao is not None:
        _sem_codigo(compilacao)
    escopos = contextlib.ExitStack()
    tfmot = sys.modules.get("tensorflow_model_optimization")
    if tfmot is not None:
        escopos.enter_context(tfmot.sparsity.keras.prune_scope())
        escopos.enter_context(tfmot.quantization.keras.quantize_scope())
    try:
        with escopos:
            modelo = keras.models.model_from_json(json.dumps(config))
            _por_pesos(modelo, d["pesos"])
            if compilacao is not None:
                try:
                    modelo.compile_from_config(compilacao)
                except Exception:  # noqa: BLE001 (uma taxa ou perda do aluno na compilação: o código
                    # dela não atravessa; o modelo chega com a arquitetura e os pesos, sem compilação)
                    pass
                if d.get("iteracoes") is not None and getattr(modelo, "optimizer", None) is not None:
                    modelo.optimizer.iterations.assign(int(d["iteracoes"]))
    except ObservacaoInvalida:
        raise
    except Exception as erro:  # noqa: BLE001
        raise ObservacaoInvalida(f"modelo do Keras que não se reconstrói ({type(erro).__name__}: {str(erro)[:200]})") from None
    return modelo


class Referencia:
    """Do lado do juiz: a base dos objetos que vivem no kernel do aluno (um exercício, uma
    instância de uma classe do aluno). Atravessam a fronteira como o seu nome ou número, nunca
    como o objeto (``autograder/juiz.py``)."""

    def _como_dados(self) -> dict:
        raise NotImplementedError


class Remoto:
    """Do lado do juiz, ao ler uma resposta: o número de um objeto guardado no kernel do aluno
    (o juiz liga-o ao canal; ver ``juiz.ObjetoRemoto``)."""

    def __init__(self, numero: int, tipo: str):
        self.numero, self.tipo = numero, tipo


class Metodo:
    """Do lado do juiz, ao ler um atributo de um objeto do aluno: é um método (chama-se lá)."""


class Argumento:
    """Do lado do juiz: a função devolveu o próprio argumento ``i`` que recebeu (não uma cópia)."""

    def __init__(self, i: int):
        self.i = i


class Historico:
    """Do lado do juiz: o ``History`` de um ``fit`` feito no kernel do aluno, só com os dados."""

    def __init__(self, history: dict, epoch: list):
        self.history, self.epoch = history, epoch

    def __repr__(self) -> str:
        return f"<History {sorted(self.history)}>"


def _figura(eixos: list):
    """Do lado do juiz: uma figura do matplotlib nova com os títulos dos eixos da do aluno."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    figura = Figure()
    for eixo in eixos[:50]:
        novo = figura.add_subplot()
        novo.set_title(str(eixo.get("titulo", "")))
        novo.set_xlabel(str(eixo.get("x", "")))
        novo.set_ylabel(str(eixo.get("y", "")))
        for texto in list(eixo.get("linhas") or [])[:100]:
            xy = _texto_para_array(str(texto)).reshape(-1, 2)
            novo.plot(xy[:, 0], xy[:, 1])
        for texto in list(eixo.get("dispersao") or [])[:100]:
            xy = _texto_para_array(str(texto)).reshape(-1, 2)
            novo.scatter(xy[:, 0], xy[:, 1])
        for x, y, largura, altura in list(eixo.get("barras") or [])[:1000]:
            novo.add_patch(Rectangle((float(x), float(y)), float(largura), float(altura)))
    return figura


class Opaco:
    """Do lado do juiz: um valor que não era dado simples (só se sabe o nome do tipo)."""

    def __init__(self, tipo: str):
        self.tipo = tipo

    def __repr__(self) -> str:
        return f"<objeto {self.tipo}>"


def de_dados(d, profundidade: int = 0, tensores: str = "numpy", resolver=None):
    """O inverso de ``para_dados``, estrito: só cria tipos simples, arrays (sem pickle), modelos
    do Keras e do PyTorch reconstruídos só com classes das bibliotecas, e ``Opaco``/``Remoto``;
    qualquer outra coisa levanta ``ObservacaoInvalida``. ``tensores``: "numpy" (o juiz recebe
    arrays) ou "nativos" (o kernel do aluno recebe tensores do TensorFlow/PyTorch). ``resolver``
    (só no kernel): devolve o objeto do caderno de uma referência do juiz."""
    if profundidade > PROFUNDIDADE_MAXIMA + 1 or not isinstance(d, dict):
        raise ObservacaoInvalida("formato inválido")
    t, p = d.get("t"), profundidade + 1

    def de(x):
        return de_dados(x, p, tensores, resolver)

    try:
        if t == "none":
            return None
        if t == "bool":
            return bool(d["v"]) if type(d["v"]) is bool else _invalida()
        if t == "int":
            return int(str(d["v"]))
        if t == "float":
            return float(str(d["v"]))
        if t == "str":
            return str(d["v"])
        if t == "bytes":
            return base64.b64decode(str(d["v"]).encode("ascii"), validate=True)
        if t in ("list", "tuple"):
            itens = [de(x) for x in d["v"]]
            return itens if t == "list" else tuple(itens)
        if t == "dict":
            return {de(k): de(v) for k, v in d["v"]}
        if t == "ndarray":
            return _texto_para_array(d["v"])
        if t == "escalar":
            return _texto_para_array(d["v"])[()]
        if t in ("tensor_tf", "variavel_tf"):
            arr = _texto_para_array(d["v"])
            if tensores == "nativos":
                import tensorflow as tf

                return tf.Variable(arr) if t == "variavel_tf" else tf.constant(arr)
            return arr
        if t == "tensor_torch":
            arr = _texto_para_array(d["v"])
            if tensores == "nativos":
                import torch

                return torch.from_numpy(arr.copy())
            return arr
        if t == "keras":
            if "tf_keras" not in sys.modules:
                return Opaco("modelo do Keras")
            return _dados_para_modelo(d)
        if t == "modulo_torch":
            from otimizacao import modulos_torch

            return modulos_torch.dados_para_modulo(d["v"], _texto_para_array)
        if t == "metodo":
            return Metodo()
        if t == "argumento":
            if resolver is not None:
                _invalida()
            return Argumento(int(d["i"]))
        if t == "otimizador_keras":
            import tf_keras as keras

            config = json.loads(str(d["config"]))
            _sem_codigo(config)
            return keras.optimizers.deserialize(config)
        if t == "historico":
            history, epoch = de(d["history"]), de(d["epoch"])
            if not isinstance(history, dict) or not isinstance(epoch, list):
                _invalida()
            return Historico(history, epoch)
        if t == "figura":
            if not isinstance(d["eixos"], list):
                _invalida()
            return _figura([e for e in d["eixos"] if isinstance(e, dict)])
        if t in ("remoto", "exercicio"):
            if resolver is not None:
                return resolver(d)
            if t == "remoto":
                return Remoto(int(d["id"]), str(d.get("tipo", "?"))[:200])
            _invalida()
        if t == "objeto":
            return Opaco(str(d.get("tipo", "?"))[:200])
    except ObservacaoInvalida:
        raise
    except (KeyError, TypeError, ValueError) as erro:
        raise ObservacaoInvalida(f"formato inválido ({type(erro).__name__})") from None
    raise ObservacaoInvalida(f"etiqueta desconhecida {t!r}")


def _invalida():
    raise ObservacaoInvalida("formato inválido")
