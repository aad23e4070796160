"""Módulos do PyTorch (``nn.Module``) como dados simples (JSON), nos dois sentidos.

Na avaliação, os valores passam entre o kernel do aluno e o juiz só como dados simples
(``mensagens.para_dados``/``de_dados``), nunca por pickle. Um modelo do PyTorch passa
como uma árvore de descrições: a classe de cada módulo (uma chave da ``TABELA`` deste ficheiro,
nunca um caminho de classe tirado do objeto), os argumentos do construtor, a flag ``training``,
os submódulos por nome (pela ordem) e o estado (parâmetros e buffers como arrays; o peso
empacotado de uma ``Linear`` quantizada dinamicamente como inteiros int8 e parâmetros de
quantização).

Só as classes da tabela passam: ``nn.Sequential``, ``nn.Linear``, ``nn.Conv2d``, ``nn.ReLU``,
``nn.Flatten``, ``nn.Identity``, ``nn.Dropout`` e ``torch.ao.nn.quantized.dynamic.Linear``
(qint8 e float16). Uma classe do aluno, ou uma subclasse de uma destas (``type(m) is …``, não
``isinstance``), levanta ``TypeError`` ao guardar: quem chama faz dela um valor opaco.

O formato (``versao`` 1)::

    {"formato": "modulo_torch", "versao": 1, "raiz": nó}
    nó = {"classe": "Linear", "treino": bool, "config": {...}, "estado": {...},
          "filhos": [[nome, nó], ...]}

- módulos float: ``estado`` = ``{nome: {"tipo": "parametro"|"buffer", "dtype": "float32",
  "valor": array, "requires_grad": bool}}`` (``requires_grad`` só nos parâmetros);
- ``LinearDinamica``: ``config`` = ``{in_features, out_features, bias, dtype: "qint8"|"float16"}``
  e ``estado`` = ``{"peso": {...}, "bias": {"dtype", "valor"} ou None, "escala", "ponto_zero",
  "versao", "treino_pacote"}``, com ``peso`` = ``{"esquema": "per_tensor_affine", "int_repr",
  "escala", "ponto_zero"}``, ``{"esquema": "per_channel_affine", "int_repr", "escalas",
  "pontos_zero", "eixo"}`` ou ``{"esquema": "float16", "valor"}``.

Os arrays são texto, pelo ``codificar`` de quem chama (por omissão o
``mensagens._array_para_texto``: .npy sem pickle, em base64).

``dados_para_modulo`` é o inverso, estrito: só instancia classes da tabela (procuradas pela
chave), confere as chaves de cada dicionário, as formas dos arrays contra a configuração, os
dtypes, a profundidade (32 níveis) e o número de módulos (10 000), e cria os tensores a partir de
cópias dos arrays (nunca ``torch.load``, nunca pickle). Tudo o que não bate levanta
``mensagens.ObservacaoInvalida``. O módulo reconstruído dá as mesmas saídas, bit a bit,
tem as mesmas flags ``training``, os mesmos dtypes, os mesmos tipos e o mesmo ``state_dict()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

# Só o módulo, e os seus nomes lidos na altura de cada chamada: o otimizacao.mensagens pode
# importar este ficheiro sem um ciclo de imports.
from otimizacao import mensagens

FORMATO = "modulo_torch"
VERSAO = 1
PROFUNDIDADE_MAXIMA = 32  # níveis da árvore, contando a raiz
MODULOS_MAXIMOS = 10_000
NOME_MAXIMO = 200  # caracteres no nome de um submódulo

# dtypes dos tensores float (parâmetros, buffers, bias): nome no JSON ↔ dtype do NumPy.
DTYPES_FLOAT = ("float16", "float32", "float64")
MODOS_PADDING = ("zeros", "reflect", "replicate", "circular")
# Os ganchos que mudam o que um módulo faz (ou o seu state_dict): um módulo com algum não se
# descreve só pela configuração e pelo estado (a poda do torch.nn.utils.prune, por exemplo).
GANCHOS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks",
           "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks",
           "_load_state_dict_post_hooks")


# ---------------------------------------------------------------------------------------------
# A tabela: chave → classe. É a única fonte das classes que se instanciam.
# ---------------------------------------------------------------------------------------------

def _tabela() -> dict:
    import torch.ao.nn.quantized.dynamic as nnqd
    from torch import nn

    return {
        "Sequential": nn.Sequential,
        "Linear": nn.Linear,
        "Conv2d": nn.Conv2d,
        "ReLU": nn.ReLU,
        "Flatten": nn.Flatten,
        "Identity": nn.Identity,
        "Dropout": nn.Dropout,
        "LinearDinamica": nnqd.Linear,
    }


# Parâmetros e buffers que cada classe float tem (os mesmos nomes dos dois lados).
PARAMETROS = {"Linear": ("weight", "bias"), "Conv2d": ("weight", "bias")}
COM_FILHOS = ("Sequential",)


def _chave_da_classe(modulo) -> str:
    for chave, classe in _tabela().items():
        if type(modulo) is classe:
            return chave
    tipo = type(modulo)
    raise TypeError(f"o módulo {tipo.__module__}.{tipo.__qualname__} não é de uma classe que se "
                    "saiba guardar como dados (só Sequential, Linear, Conv2d, ReLU, Flatten, "
                    "Identity, Dropout e a Linear quantizada dinamicamente, sem subclasses)")


# ---------------------------------------------------------------------------------------------
# Formas esperadas, a partir da configuração (usadas nos dois sentidos).
# ---------------------------------------------------------------------------------------------

def _formas(chave: str, config: dict) -> dict:
    """Nome do tensor → forma que ele tem de ter, para esta configuração."""
    if chave in ("Linear", "LinearDinamica"):
        formas = {"weight": (config["out_features"], config["in_features"])}
    elif chave == "Conv2d":
        kh, kw = config["kernel_size"]
        formas = {"weight": (config["out_channels"], config["in_channels"] // config["groups"], kh, kw)}
    else:
        return {}
    if config["bias"]:
        formas["bias"] = (formas["weight"][0],)
    return formas


# ---------------------------------------------------------------------------------------------
# Do módulo para os dados
# ---------------------------------------------------------------------------------------------

def modulo_para_dados(modulo, codificar: Callable | None = None) -> dict:
    """Descreve ``modulo`` (uma árvore de módulos das classes da tabela) como dados simples,
    serializáveis em JSON. ``codificar(np.ndarray) -> str`` transforma os arrays em texto (por
    omissão ``mensagens._array_para_texto``). Um módulo de outra classe (ou uma
    subclasse de uma destas), com ganchos, fundo demais ou com módulos a mais levanta
    ``TypeError``."""
    codificar = codificar or mensagens._array_para_texto
    contagem = [0]
    return {"formato": FORMATO, "versao": VERSAO,
            "raiz": _no_para_dados(modulo, codificar, 1, contagem)}


def _no_para_dados(modulo, codificar, profundidade: int, contagem: list) -> dict:
    if profundidade > PROFUNDIDADE_MAXIMA:
        raise TypeError(f"módulo com mais de {PROFUNDIDADE_MAXIMA} níveis de submódulos")
    contagem[0] += 1
    if contagem[0] > MODULOS_MAXIMOS:
        raise TypeError(f"módulo com mais de {MODULOS_MAXIMOS} submódulos")
    chave = _chave_da_classe(modulo)
    nome_tipo = type(modulo).__qualname__
    for gancho in GANCHOS:
        if getattr(modulo, gancho, None):
            raise TypeError(f"o módulo {nome_tipo} tem ganchos ({gancho}): não se guarda como dados")
    if "forward" in vars(modulo):
        raise TypeError(f"o módulo {nome_tipo} tem um forward próprio: não se guarda como dados")

    if chave == "LinearDinamica":
        config, estado = _linear_dinamica_para_dados(modulo, codificar)
        filhos = []
    else:
        config = _config_float(chave, modulo)
        estado = _estado_float(chave, modulo, config, codificar)
        filhos = []
        for nome, filho in modulo._modules.items():
            if chave not in COM_FILHOS:
                raise TypeError(f"o módulo {nome_tipo} tem submódulos que não são seus ({nome!r})")
            if filho is None:
                raise TypeError(f"o submódulo {nome!r} de {nome_tipo} é None")
            filhos.append([str(nome), _no_para_dados(filho, codificar, profundidade + 1, contagem)])
    return {"classe": chave, "treino": bool(modulo.training), "config": config,
            "estado": estado, "filhos": filhos}


def _tuplo2(valor) -> list:
    return [int(v) for v in valor]


def _config_float(chave: str, m) -> dict:
    if chave == "Linear":
        return {"in_features": int(m.in_features), "out_features": int(m.out_features),
                "bias": m.bias is not None}
    if chave == "Conv2d":
        padding = m.padding if isinstance(m.padding, str) else _tuplo2(m.padding)
        return {"in_channels": int(m.in_channels), "out_channels": int(m.out_channels),
                "kernel_size": _tuplo2(m.kernel_size), "stride": _tuplo2(m.stride),
                "padding": padding, "dilation": _tuplo2(m.dilation), "groups": int(m.groups),
                "padding_mode": str(m.padding_mode), "bias": m.bias is not None}
    if chave == "ReLU":
        return {"inplace": bool(m.inplace)}
    if chave == "Flatten":
        return {"start_dim": int(m.start_dim), "end_dim": int(m.end_dim)}
    if chave == "Dropout":
        return {"p": float(m.p), "inplace": bool(m.inplace)}
    return {}  # Sequential, Identity


def _array_float(tensor, o_que: str):
    """O array do NumPy de um tensor float (cópia, no CPU), num dos dtypes aceites."""
    import torch

    if type(tensor) not in (torch.Tensor, torch.nn.Parameter):
        raise TypeError(f"{o_que} é um {type(tensor).__qualname__}, não um tensor")
    nome = str(tensor.dtype).removeprefix("torch.")
    if nome not in DTYPES_FLOAT:
        raise TypeError(f"{o_que} tem dtype {tensor.dtype}: só {', '.join(DTYPES_FLOAT)} se guardam")
    return torch.Tensor.numpy(tensor.detach().cpu()).copy(), nome


def _estado_float(chave: str, m, config: dict, codificar) -> dict:
    esperados = PARAMETROS.get(chave, ())
    formas = _formas(chave, config)
    presentes = {nome for nome, p in m._parameters.items() if p is not None}
    if presentes != set(formas) or any(n not in esperados for n in m._parameters):
        raise TypeError(f"o módulo {type(m).__qualname__} tem parâmetros inesperados: {sorted(m._parameters)}")
    if m._buffers:
        raise TypeError(f"o módulo {type(m).__qualname__} tem buffers inesperados: {sorted(m._buffers)}")
    estado = {}
    for nome in esperados:
        p = m._parameters.get(nome)
        if p is None:
            continue
        arr, dtype = _array_float(p, f"o parâmetro {nome}")
        if arr.shape != formas[nome]:
            raise TypeError(f"o parâmetro {nome} tem forma {arr.shape}, e a configuração pede {formas[nome]}")
        estado[nome] = {"tipo": "parametro", "dtype": dtype, "valor": codificar(arr),
                        "requires_grad": bool(p.requires_grad)}
    return estado


def _linear_dinamica_para_dados(m, codificar) -> tuple[dict, dict]:
    import torch
    from torch.ao.nn.quantized.modules.linear import LinearPackedParams

    pacote = m._modules.get("_packed_params")
    if type(pacote) is not LinearPackedParams or list(m._modules) != ["_packed_params"] or \
            list(pacote._modules) or m._parameters or m._buffers or pacote._parameters or pacote._buffers:
        raise TypeError("Linear quantizada dinamicamente com submódulos, parâmetros ou buffers que não são os seus")
    for gancho in GANCHOS:
        if getattr(pacote, gancho, None):
            raise TypeError(f"Linear quantizada dinamicamente com ganchos ({gancho}) nos parâmetros empacotados")
    if pacote.dtype not in (torch.qint8, torch.float16):
        raise TypeError(f"Linear quantizada dinamicamente com dtype {pacote.dtype}")
    peso, bias = m._weight_bias()
    config = {"in_features": int(m.in_features), "out_features": int(m.out_features),
              "bias": bias is not None, "dtype": str(pacote.dtype).removeprefix("torch.")}
    if tuple(peso.shape) != _formas("LinearDinamica", config)["weight"]:
        raise TypeError(f"Linear quantizada dinamicamente com peso de forma {tuple(peso.shape)}")

    if pacote.dtype == torch.float16:
        # O peso empacotado em float16 volta do linear_unpack_fp16 como float32 (com valores
        # float16): guarda-se em float16, sem perda.
        meio = peso.detach().cpu().to(torch.float16)
        if not torch.equal(meio.to(peso.dtype), peso):
            raise TypeError("peso float16 que não cabe em float16")
        dados_peso = {"esquema": "float16", "valor": codificar(torch.Tensor.numpy(meio).copy())}
    elif peso.qscheme() == torch.per_tensor_affine:
        dados_peso = {"esquema": "per_tensor_affine",
                      "int_repr": codificar(torch.Tensor.numpy(peso.int_repr()).copy()),
                      "escala": float(peso.q_scale()), "ponto_zero": int(peso.q_zero_point())}
    elif peso.qscheme() == torch.per_channel_affine:
        dados_peso = {"esquema": "per_channel_affine",
                      "int_repr": codificar(torch.Tensor.numpy(peso.int_repr()).copy()),
                      "escalas": codificar(torch.Tensor.numpy(peso.q_per_channel_scales().to(torch.float64)).copy()),
                      "pontos_zero": codificar(torch.Tensor.numpy(peso.q_per_channel_zero_points().to(torch.int64)).copy()),
                      "eixo": int(peso.q_per_channel_axis())}
    else:
        raise TypeError(f"Linear quantizada dinamicamente com o esquema {peso.qscheme()}")

    dados_bias = None
    if bias is not None:
        arr, dtype = _array_float(bias, "o bias")
        dados_bias = {"dtype": dtype, "valor": codificar(arr)}
    versao = m.version
    if versao is not None and (type(versao) is not int or not 1 <= versao <= 4):
        raise TypeError(f"Linear quantizada dinamicamente com versão {versao!r}")
    estado = {"peso": dados_peso, "bias": dados_bias, "escala": float(m.scale),
              "ponto_zero": int(m.zero_point), "versao": versao, "treino_pacote": bool(pacote.training)}
    return config, estado


# ---------------------------------------------------------------------------------------------
# Dos dados para o módulo (o lado que recebe dados não confiáveis)
# ---------------------------------------------------------------------------------------------

def _invalida(mensagem: str):
    raise mensagens.ObservacaoInvalida(f"módulo do PyTorch inválido: {mensagem}")


def _dict(valor, chaves: set, onde: str) -> dict:
    if type(valor) is not dict:
        _invalida(f"{onde} não é um dicionário")
    if set(valor) != chaves:
        _invalida(f"{onde} tem as chaves {sorted(map(str, valor))}, e devia ter {sorted(chaves)}")
    return valor


def _int(valor, onde: str, minimo: int | None = None) -> int:
    if type(valor) is not int or (minimo is not None and valor < minimo):
        _invalida(f"{onde} não é um inteiro válido")
    return valor


def _bool(valor, onde: str) -> bool:
    if type(valor) is not bool:
        _invalida(f"{onde} não é um booleano")
    return valor


def _float(valor, onde: str) -> float:
    if type(valor) not in (float, int) or not math.isfinite(valor):
        _invalida(f"{onde} não é um número finito")
    return float(valor)


def _par(valor, onde: str, minimo: int) -> tuple:
    if type(valor) is not list or len(valor) != 2:
        _invalida(f"{onde} não é um par de inteiros")
    return tuple(_int(v, onde, minimo) for v in valor)


CHAVES_CONFIG = {
    "Sequential": set(), "Identity": set(),
    "Linear": {"in_features", "out_features", "bias"},
    "Conv2d": {"in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
               "groups", "padding_mode", "bias"},
    "ReLU": {"inplace"}, "Flatten": {"start_dim", "end_dim"}, "Dropout": {"p", "inplace"},
    "LinearDinamica": {"in_features", "out_features", "bias", "dtype"},
}


def _ler_config(chave: str, bruto) -> dict:
    c = _dict(bruto, CHAVES_CONFIG[chave], f"a configuração de {chave}")
    if chave in ("Linear", "LinearDinamica"):
        config = {"in_features": _int(c["in_features"], "in_features", 0),
                  "out_features": _int(c["out_features"], "out_features", 0),
                  "bias": _bool(c["bias"], "bias")}
        if chave == "LinearDinamica":
            if c["dtype"] not in ("qint8", "float16"):
                _invalida("dtype da Linear quantizada")
            config["dtype"] = c["dtype"]
        return config
    if chave == "Conv2d":
        padding = c["padding"]
        if padding not in ("same", "valid"):
            padding = _par(padding, "padding", 0)
        config = {"in_channels": _int(c["in_channels"], "in_channels", 1),
                  "out_channels": _int(c["out_channels"], "out_channels", 1),
                  "kernel_size": _par(c["kernel_size"], "kernel_size", 1),
                  "stride": _par(c["stride"], "stride", 1), "padding": padding,
                  "dilation": _par(c["dilation"], "dilation", 1),
                  "groups": _int(c["groups"], "groups", 1), "bias": _bool(c["bias"], "bias")}
        if c["padding_mode"] not in MODOS_PADDING:
            _invalida("padding_mode")
        config["padding_mode"] = c["padding_mode"]
        if config["in_channels"] % config["groups"] or config["out_channels"] % config["groups"]:
            _invalida("groups não divide os canais")
        return config
    if chave == "ReLU":
        return {"inplace": _bool(c["inplace"], "inplace")}
    if chave == "Flatten":
        return {"start_dim": _int(c["start_dim"], "start_dim"), "end_dim": _int(c["end_dim"], "end_dim")}
    if chave == "Dropout":
        p = _float(c["p"], "p")
        if not 0.0 <= p <= 1.0:
            _invalida("p do Dropout fora de [0, 1]")
        return {"p": p, "inplace": _bool(c["inplace"], "inplace")}
    return {}


def dados_para_modulo(d, descodificar: Callable | None = None):
    """O inverso de ``modulo_para_dados``: um ``nn.Module`` novo, só de classes da tabela.
    ``descodificar(str) -> np.ndarray`` (por omissão ``mensagens._texto_para_array``)
    lê os arrays. Dados que não seguem o formato levantam ``ObservacaoInvalida``."""
    descodificar = descodificar or mensagens._texto_para_array
    topo = _dict(d, {"formato", "versao", "raiz"}, "o topo")
    if topo["formato"] != FORMATO or type(topo["versao"]) is not int or topo["versao"] != VERSAO:
        _invalida("formato ou versão desconhecidos")
    # Primeiro confere a árvore toda (forma, profundidade, número de nós), sem criar nada.
    _conferir_arvore(topo["raiz"])
    try:
        return _no_para_modulo(topo["raiz"], descodificar)
    except mensagens.ObservacaoInvalida:
        raise
    except Exception as erro:  # noqa: BLE001 (o que o torch recusar também é inválido)
        raise mensagens.ObservacaoInvalida(f"módulo do PyTorch que não se reconstrói ({type(erro).__name__}: "
                                 f"{str(erro)[:200]})") from None


CHAVES_NO = {"classe", "treino", "config", "estado", "filhos"}


def _conferir_arvore(raiz) -> None:
    """Cada nó é um dicionário com as chaves certas, a árvore não passa de PROFUNDIDADE_MAXIMA
    níveis nem de MODULOS_MAXIMOS nós; os nomes dos filhos são texto, únicos e válidos."""
    tabela = _tabela()
    pilha, total = [(raiz, 1)], 0
    while pilha:
        no, nivel = pilha.pop()
        if nivel > PROFUNDIDADE_MAXIMA:
            _invalida(f"mais de {PROFUNDIDADE_MAXIMA} níveis de submódulos")
        total += 1
        if total > MODULOS_MAXIMOS:
            _invalida(f"mais de {MODULOS_MAXIMOS} módulos")
        _dict(no, CHAVES_NO, "um nó")
        if type(no["classe"]) is not str or no["classe"] not in tabela:
            _invalida(f"classe desconhecida {str(no['classe'])[:100]!r}")
        filhos = no["filhos"]
        if type(filhos) is not list or (filhos and no["classe"] not in COM_FILHOS):
            _invalida(f"filhos de {no['classe']}")
        nomes = set()
        for par in filhos:
            if type(par) is not list or len(par) != 2:
                _invalida("um filho não é um par [nome, nó]")
            nome = par[0]
            if type(nome) is not str or not nome or "." in nome or len(nome) > NOME_MAXIMO or nome in nomes:
                _invalida("nome de submódulo inválido ou repetido")
            nomes.add(nome)
            pilha.append((par[1], nivel + 1))


def _tensor_float(bruto, forma: tuple, descodificar, onde: str, dtype_esperado: str | None = None):
    """Um tensor float a partir de {"dtype", "valor"}: dtype na lista, forma certa, cópia."""
    import numpy as np
    import torch

    dtype = bruto["dtype"]
    if dtype not in DTYPES_FLOAT or (dtype_esperado is not None and dtype != dtype_esperado):
        _invalida(f"dtype de {onde}")
    arr = _array(bruto["valor"], descodificar, onde)
    if arr.dtype != np.dtype(dtype) or arr.shape != forma:
        _invalida(f"{onde}: {arr.dtype}{list(arr.shape)}, e devia ser {dtype}{list(forma)}")
    return torch.from_numpy(arr.copy())


def _array(texto, descodificar, onde: str):
    import numpy as np

    if type(texto) is not str:
        _invalida(f"{onde} não é texto")
    try:
        arr = descodificar(texto)
    except mensagens.ObservacaoInvalida:
        raise
    except Exception:  # noqa: BLE001 (base64 ou .npy estragados)
        _invalida(f"{onde} não é um array")
    if type(arr) is not np.ndarray or arr.dtype.hasobject:
        _invalida(f"{onde} não é um array")
    return arr


def _no_para_modulo(no: dict, descodificar):
    from torch import nn

    chave = no["classe"]
    classe = _tabela()[chave]
    config = _ler_config(chave, no["config"])
    treino = _bool(no["treino"], "treino")
    if chave == "LinearDinamica":
        modulo = _linear_dinamica(config, no["estado"], descodificar)
    else:
        formas = _formas(chave, config)
        estado = _dict(no["estado"], set(formas), f"o estado de {chave}")
        tensores = {}
        for nome, forma in formas.items():
            t = _dict(estado[nome], {"tipo", "dtype", "valor", "requires_grad"}, f"{chave}.{nome}")
            if t["tipo"] != "parametro":
                _invalida(f"{chave}.{nome} não é um parâmetro")
            tensores[nome] = nn.Parameter(_tensor_float(t, forma, descodificar, f"{chave}.{nome}"),
                                          requires_grad=_bool(t["requires_grad"], "requires_grad"))
        if chave in ("Linear", "Conv2d"):
            # No dispositivo "meta": nada se aloca nem se inicializa (nem se gasta o gerador de
            # números aleatórios); os parâmetros são logo trocados pelos que vieram nos dados.
            modulo = classe(**config, device="meta")
            for nome in PARAMETROS[chave]:
                setattr(modulo, nome, tensores.get(nome))
        else:
            modulo = classe(**config)
        for nome, filho in no["filhos"]:
            modulo.add_module(nome, _no_para_modulo(filho, descodificar))
    modulo.training = treino
    return modulo


CHAVES_PESO = {
    "per_tensor_affine": {"esquema", "int_repr", "escala", "ponto_zero"},
    "per_channel_affine": {"esquema", "int_repr", "escalas", "pontos_zero", "eixo"},
    "float16": {"esquema", "valor"},
}


def _ponto_zero_int8(valor: int, onde: str) -> int:
    if not -128 <= valor <= 127:
        _invalida(f"{onde} fora do intervalo do int8")
    return valor


def _linear_dinamica(config: dict, bruto, descodificar):
    import numpy as np
    import torch
    import torch.ao.nn.quantized.dynamic as nnqd

    estado = _dict(bruto, {"peso", "bias", "escala", "ponto_zero", "versao", "treino_pacote"},
                   "o estado da Linear quantizada")
    forma = _formas("LinearDinamica", config)["weight"]
    peso_bruto = estado["peso"]
    if type(peso_bruto) is not dict or peso_bruto.get("esquema") not in CHAVES_PESO:
        _invalida("esquema do peso quantizado")
    esquema = peso_bruto["esquema"]
    p = _dict(peso_bruto, CHAVES_PESO[esquema], "o peso quantizado")
    if (esquema == "float16") != (config["dtype"] == "float16"):
        _invalida("o esquema do peso não bate com o dtype")

    if esquema == "float16":
        peso = _tensor_float({"dtype": "float16", "valor": p["valor"]}, forma, descodificar,
                             "o peso float16").to(torch.float32)
    else:
        inteiros = _array(p["int_repr"], descodificar, "int_repr")
        if inteiros.dtype != np.int8 or inteiros.shape != forma:
            _invalida(f"int_repr: {inteiros.dtype}{list(inteiros.shape)}, e devia ser int8{list(forma)}")
        inteiros = torch.from_numpy(inteiros.copy())
        if esquema == "per_tensor_affine":
            escala = _float(p["escala"], "escala")
            if escala <= 0:
                _invalida("escala não positiva")
            zero = _ponto_zero_int8(_int(p["ponto_zero"], "ponto_zero"), "ponto_zero")
            peso = torch._make_per_tensor_quantized_tensor(inteiros, escala, zero)
        else:
            eixo = _int(p["eixo"], "eixo", 0)
            if eixo > 1:
                _invalida("eixo")
            n = forma[eixo]
            escalas = _array(p["escalas"], descodificar, "escalas")
            zeros = _array(p["pontos_zero"], descodificar, "pontos_zero")
            if escalas.dtype != np.float64 or escalas.shape != (n,) or zeros.dtype != np.int64 or zeros.shape != (n,):
                _invalida("escalas ou pontos_zero com dtype ou forma errados")
            if not (np.isfinite(escalas).all() and (escalas > 0).all()):
                _invalida("escalas não finitas ou não positivas")
            if ((zeros < -128) | (zeros > 127)).any():
                _invalida("pontos_zero fora do intervalo do int8")
            peso = torch._make_per_channel_quantized_tensor(
                inteiros, torch.from_numpy(escalas.copy()), torch.from_numpy(zeros.copy()), eixo)

    bias = None
    if config["bias"]:
        b = _dict(estado["bias"], {"dtype", "valor"}, "o bias")
        bias = _tensor_float(b, (forma[0],), descodificar, "o bias")
    elif estado["bias"] is not None:
        _invalida("bias sem bias na configuração")
    versao = estado["versao"]
    if versao is not None and (type(versao) is not int or not 1 <= versao <= 4):
        _invalida("versão da Linear quantizada")

    dtype = torch.qint8 if config["dtype"] == "qint8" else torch.float16
    modulo = nnqd.Linear(config["in_features"], config["out_features"], bias_=config["bias"], dtype=dtype)
    modulo.set_weight_bias(peso, bias)
    modulo.scale = _float(estado["escala"], "escala")
    modulo.zero_point = _int(estado["ponto_zero"], "ponto_zero")
    modulo.version = versao
    modulo._packed_params.training = _bool(estado["treino_pacote"], "treino_pacote")
    return modulo
