"""Módulos do PyTorch como dados simples (``course/otimizacao/modulos_torch.py``): ida e volta
exata (saídas bit a bit, flags ``training``, dtypes, tipos, ``state_dict``) da rede do caderno
02, float e quantizada dinamicamente, e recusa de tudo o que não está na tabela ou vem
adulterado."""

from __future__ import annotations

import copy
import json
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn.utils.prune
from torch import nn

from otimizacao import mensagens, modulos_torch
from otimizacao.dispositivo import configurar_motor_quantizado
from otimizacao.mensagens import ObservacaoInvalida

nnqd = torch.ao.nn.quantized.dynamic
# O quantize_dynamic avisa que o quantize_per_tensor está obsoleto: não é deste módulo.
pytestmark = pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")


@pytest.fixture(scope="module", autouse=True)
def _motor():
    configurar_motor_quantizado()


def rede():
    """A rede do caderno 02, com pesos fixos."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(16 * 6 * 6, 128), nn.ReLU(), nn.Linear(128, 10))


def dinamica(modelo, dtype=torch.qint8, qconfig=None):
    especificacao = {nn.Linear: qconfig} if qconfig is not None else {nn.Linear}
    return torch.ao.quantization.quantize_dynamic(copy.deepcopy(modelo), especificacao, dtype=dtype)


def ida_e_volta(modulo):
    """Guarda, passa por JSON estrito (sem NaN) e reconstrói."""
    texto = json.dumps(modulos_torch.modulo_para_dados(modulo), allow_nan=False)
    return modulos_torch.dados_para_modulo(json.loads(texto))


def valores_iguais(a, b) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(valores_iguais, a, b))
    if isinstance(a, torch.Tensor):
        if not isinstance(b, torch.Tensor) or a.dtype != b.dtype or a.is_quantized != b.is_quantized:
            return False
        if not a.is_quantized:
            return torch.equal(a, b)
        if a.qscheme() != b.qscheme() or not torch.equal(a.int_repr(), b.int_repr()):
            return False
        if a.qscheme() == torch.per_tensor_affine:
            return a.q_scale() == b.q_scale() and a.q_zero_point() == b.q_zero_point()
        return (torch.equal(a.q_per_channel_scales(), b.q_per_channel_scales())
                and torch.equal(a.q_per_channel_zero_points(), b.q_per_channel_zero_points())
                and a.q_per_channel_axis() == b.q_per_channel_axis())
    return type(a) is type(b) and a == b


def assert_mesmo_modulo(original, copia, entrada):
    """Tipos e flags de cada submódulo, state_dict, requires_grad e saídas bit a bit."""
    assert copia is not original
    pares = list(zip(original.named_modules(), copia.named_modules(), strict=True))
    for (nome_a, a), (nome_b, b) in pares:
        assert nome_a == nome_b
        assert type(a) is type(b), nome_a
        assert a.training == b.training, nome_a
    sd_a, sd_b = original.state_dict(), copia.state_dict()
    assert list(sd_a) == list(sd_b)
    for chave in sd_a:
        assert valores_iguais(sd_a[chave], sd_b[chave]), chave
    assert [(n, p.dtype, p.requires_grad) for n, p in original.named_parameters()] == \
           [(n, p.dtype, p.requires_grad) for n, p in copia.named_parameters()]
    if entrada is None:
        return
    with torch.no_grad():
        saida_a, saida_b = original(entrada), copia(entrada)
    assert saida_a.dtype == saida_b.dtype
    assert torch.equal(saida_a, saida_b)


# --- Ida e volta ------------------------------------------------------------------------------

@pytest.mark.parametrize("modo", ["train", "eval"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_rede_float_ida_e_volta(modo, dtype):
    modelo = rede().to(dtype)
    getattr(modelo, modo)()
    modelo[2].training = not modelo[2].training  # flags misturadas: cada uma conta
    modelo[0].bias.requires_grad_(False)
    copia = ida_e_volta(modelo)
    assert copia[0].weight.dtype == dtype and copia[0].bias.requires_grad is False
    assert not any(p.is_meta for p in copia.parameters())
    assert_mesmo_modulo(modelo, copia, torch.randn(5, 1, 8, 8, dtype=dtype))
    # Tensores novos: mudar a cópia não muda o original.
    with torch.no_grad():
        copia[3].weight.add_(1.0)
    assert not torch.equal(copia[3].weight, modelo[3].weight)


@pytest.mark.parametrize("eval_depois", [False, True])
def test_rede_dinamica_qint8_ida_e_volta(eval_depois):
    modelo = dinamica(rede())
    if eval_depois:
        modelo.eval()
    else:  # o quantize_dynamic deixa as Linear novas em treino e o resto em eval
        assert modelo[3].training and not modelo[0].training
    copia = ida_e_volta(modelo)
    for i in (3, 5):
        assert type(copia[i]) is nnqd.Linear
        assert copia[i].weight().dtype == torch.qint8
        assert copia[i].weight().qscheme() == torch.per_tensor_affine
        assert copia[i].version == modelo[i].version == 4
    assert_mesmo_modulo(modelo, copia, torch.randn(5, 1, 8, 8))


def test_rede_dinamica_por_canal_ida_e_volta():
    modelo = dinamica(rede(), qconfig=torch.ao.quantization.per_channel_dynamic_qconfig).eval()
    assert modelo[3].weight().qscheme() == torch.per_channel_affine
    copia = ida_e_volta(modelo)
    assert copia[3].weight().qscheme() == torch.per_channel_affine
    assert_mesmo_modulo(modelo, copia, torch.randn(5, 1, 8, 8))


def test_rede_dinamica_float16_ida_e_volta():
    modelo = dinamica(rede(), dtype=torch.float16).eval()
    dados = modulos_torch.modulo_para_dados(modelo)
    peso = dados["raiz"]["filhos"][3][1]["estado"]["peso"]
    assert peso["esquema"] == "float16"
    assert mensagens._texto_para_array(peso["valor"]).dtype == np.float16
    copia = modulos_torch.dados_para_modulo(dados)
    assert copia[3]._packed_params.dtype == torch.float16
    assert_mesmo_modulo(modelo, copia, torch.randn(5, 1, 8, 8))


def test_linear_dinamica_sem_bias_e_bias_float64():
    sem_bias = dinamica(nn.Sequential(nn.Linear(6, 4, bias=False)))
    assert sem_bias[0].bias() is None
    copia = ida_e_volta(sem_bias)
    assert copia[0].bias() is None
    assert_mesmo_modulo(sem_bias, copia, torch.randn(3, 6))
    # De um modelo float64, o bias fica float64 e a Linear quantizada já não corre (o kernel
    # quer float32): compara-se só o estado, que tem de ser o mesmo.
    duplo = dinamica(nn.Sequential(nn.Linear(6, 4)).double())
    assert duplo[0].bias().dtype == torch.float64
    copia = ida_e_volta(duplo)
    assert copia[0].bias().dtype == torch.float64
    assert_mesmo_modulo(duplo, copia, None)


def test_todas_as_classes_e_configuracoes():
    torch.manual_seed(1)
    interior = nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2,
                           bias=False, padding_mode="reflect")),
        ("relu", nn.ReLU(inplace=True)),
        ("igual", nn.Identity()),
    ]))
    modelo = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding="same", padding_mode="circular"),
        interior,
        nn.Dropout(p=0.25),
        nn.Flatten(start_dim=2, end_dim=3),
        nn.Flatten(),
        nn.Linear(6 * 5 * 9, 3, bias=False),
    ).eval()
    entrada = torch.randn(2, 2, 9, 7)
    copia = ida_e_volta(modelo)
    assert [n for n, _ in copia[1].named_children()] == ["conv", "relu", "igual"]
    conv = copia[1].conv
    assert (conv.kernel_size, conv.stride, conv.padding, conv.dilation, conv.groups, conv.padding_mode) == \
           ((3, 2), (2, 1), (1, 2), (1, 2), 2, "reflect")
    assert conv.bias is None and copia[1].relu.inplace and copia[0].padding == "same"
    assert copia[2].p == 0.25 and (copia[3].start_dim, copia[3].end_dim) == (2, 3)
    assert_mesmo_modulo(modelo, copia, entrada)


def test_json_e_codificador_de_quem_chama():
    modelo = dinamica(rede()).eval()
    dados = modulos_torch.modulo_para_dados(modelo)
    assert json.loads(json.dumps(dados, allow_nan=False)) == dados
    assert dados["formato"] == "modulo_torch" and dados["raiz"]["classe"] == "Sequential"
    assert [f[1]["classe"] for f in dados["raiz"]["filhos"]] == \
           ["Conv2d", "ReLU", "Flatten", "LinearDinamica", "ReLU", "LinearDinamica"]

    vistos = []

    def codificar(arr):
        vistos.append(arr.dtype)
        return "X" + mensagens._array_para_texto(arr)

    def descodificar(texto):
        assert texto.startswith("X")
        return mensagens._texto_para_array(texto[1:])

    dados = modulos_torch.modulo_para_dados(modelo, codificar=codificar)
    assert np.dtype(np.int8) in vistos and np.dtype(np.float32) in vistos
    with pytest.raises(ObservacaoInvalida):  # o descodificador por omissão não lê o "X"
        modulos_torch.dados_para_modulo(dados)
    copia = modulos_torch.dados_para_modulo(dados, descodificar=descodificar)
    assert_mesmo_modulo(modelo, copia, torch.randn(5, 1, 8, 8))


def test_reconstruir_nao_gasta_o_gerador_aleatorio():
    dados = modulos_torch.modulo_para_dados(dinamica(rede()))
    antes = torch.get_rng_state()
    modulos_torch.dados_para_modulo(dados)
    assert torch.equal(antes, torch.get_rng_state())


def encadeado(niveis: int) -> nn.Module:
    modulo = nn.Identity()
    for _ in range(niveis - 1):
        modulo = nn.Sequential(modulo)
    return modulo


def test_profundidade_maxima():
    copia = ida_e_volta(encadeado(32))  # 32 níveis, contando a raiz: passa
    assert len(list(copia.modules())) == 32
    with pytest.raises(TypeError, match="níveis"):
        modulos_torch.modulo_para_dados(encadeado(33))


# --- Recusas ao guardar -----------------------------------------------------------------------

class Meu(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x):
        return self.linear(x)


class LinearDoAluno(nn.Linear):
    pass


@pytest.mark.parametrize(("fazer", "nome"), [
    (Meu, "Meu"),
    (lambda: LinearDoAluno(2, 2), "LinearDoAluno"),
    (lambda: nn.Sequential(nn.Linear(2, 2), Meu()), "Meu"),
    (lambda: nn.BatchNorm1d(2), "BatchNorm1d"),
])
def test_classes_fora_da_tabela(fazer, nome):
    with pytest.raises(TypeError, match=nome):
        modulos_torch.modulo_para_dados(fazer())


def test_modulos_que_nao_se_descrevem():
    com_gancho = nn.Sequential(nn.Linear(2, 2))
    com_gancho[0].register_forward_hook(lambda m, x, y: y * 2)
    podado = nn.Linear(4, 2)
    torch.nn.utils.prune.l1_unstructured(podado, "weight", amount=0.5)
    outro_forward = nn.Linear(2, 2)
    outro_forward.forward = lambda x: x
    parametro_a_mais = nn.Sequential(nn.ReLU())
    parametro_a_mais.register_parameter("extra", nn.Parameter(torch.zeros(1)))
    filho_a_mais = nn.Linear(2, 2)
    filho_a_mais.add_module("escondido", nn.ReLU())
    bfloat = nn.Linear(2, 2).to(torch.bfloat16)
    for modulo in (com_gancho, podado, outro_forward, parametro_a_mais, filho_a_mais, bfloat):
        with pytest.raises(TypeError):
            modulos_torch.modulo_para_dados(modulo)
    # O mesmo sem o que está a mais passa.
    modulos_torch.modulo_para_dados(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))


# --- Recusas ao reconstruir (dados adulterados) -----------------------------------------------

@pytest.fixture(scope="module")
def dados_base():
    return modulos_torch.modulo_para_dados(dinamica(rede()).eval())


def adulterar(dados_base, mudar):
    dados = copy.deepcopy(dados_base)
    mudar(dados)
    return dados


def filho(dados, i):
    return dados["raiz"]["filhos"][i][1]


def _forma_errada(d):
    filho(d, 0)["estado"]["weight"]["valor"] = mensagens._array_para_texto(np.zeros((16, 1, 3, 2), np.float32))


def _int_repr_errado(d):
    filho(d, 3)["estado"]["peso"]["int_repr"] = mensagens._array_para_texto(np.zeros((128, 575), np.int8))


def _int_repr_int16(d):
    filho(d, 3)["estado"]["peso"]["int_repr"] = mensagens._array_para_texto(np.zeros((128, 576), np.int16))


def _dtype_declarado(d):
    filho(d, 0)["estado"]["weight"]["dtype"] = "float64"  # o array é float32


def _dtype_desconhecido(d):
    filho(d, 0)["estado"]["bias"]["dtype"] = "int64"


def _array_com_pickle(d):
    import base64
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    filho(d, 0)["estado"]["bias"]["valor"] = base64.b64encode(buf.getvalue()).decode("ascii")


def _profundo(d):
    raiz = d["raiz"]
    for _ in range(31):  # a rede tem 2 níveis: fica com 33
        raiz = {"classe": "Sequential", "treino": False, "config": {}, "estado": {}, "filhos": [["0", raiz]]}
    d["raiz"] = raiz


def _demasiados(d):
    identidade = {"classe": "Identity", "treino": False, "config": {}, "estado": {}, "filhos": []}
    d["raiz"]["filhos"] = [[str(i), identidade] for i in range(10_001)]


ADULTERACOES = {
    "forma errada": _forma_errada,
    "int_repr com forma errada": _int_repr_errado,
    "int_repr int16": _int_repr_int16,
    "dtype declarado não bate": _dtype_declarado,
    "dtype desconhecido": _dtype_desconhecido,
    "array com pickle": _array_com_pickle,
    "base64 estragado": lambda d: filho(d, 0)["estado"]["bias"].update(valor="!!"),
    "classe desconhecida": lambda d: filho(d, 1).update(classe="os.system"),
    "classe da Linear em caminho": lambda d: filho(d, 1).update(classe="torch.nn.Linear"),
    "chave a mais no nó": lambda d: filho(d, 1).update(extra=1),
    "chave a mais na configuração": lambda d: filho(d, 0)["config"].update(extra=1),
    "chave a mais no estado": lambda d: filho(d, 1)["estado"].update(weight=None),
    "chave em falta": lambda d: filho(d, 0)["config"].pop("stride"),
    "nó que não é dicionário": lambda d: d["raiz"]["filhos"][1].__setitem__(1, ["ReLU"]),
    "filhos num ReLU": lambda d: filho(d, 1)["filhos"].append(["x", filho(d, 4)]),
    "nome repetido": lambda d: d["raiz"]["filhos"][1].__setitem__(0, "0"),
    "nome com ponto": lambda d: d["raiz"]["filhos"][1].__setitem__(0, "a.b"),
    "bool em vez de int": lambda d: filho(d, 3)["config"].update(in_features=True),
    "in_features que não bate": lambda d: filho(d, 3)["config"].update(in_features=577),
    "dtype da Linear quantizada": lambda d: filho(d, 3)["config"].update(dtype="quint8"),
    "escala negativa": lambda d: filho(d, 3)["estado"]["peso"].update(escala=-1.0),
    "ponto zero fora do int8": lambda d: filho(d, 3)["estado"]["peso"].update(ponto_zero=300),
    "esquema desconhecido": lambda d: filho(d, 3)["estado"]["peso"].update(esquema="per_tensor_symmetric"),
    "bias sem bias": lambda d: filho(d, 3)["config"].update(bias=False),
    "treino que não é bool": lambda d: filho(d, 2).update(treino=1),
    "versão do formato": lambda d: d.update(versao=2),
    "mais de 32 níveis": _profundo,
    "mais de 10 000 módulos": _demasiados,
    "groups que não divide": lambda d: filho(d, 0)["config"].update(groups=3),
    "padding_mode desconhecido": lambda d: filho(d, 0)["config"].update(padding_mode="espelho"),
}


@pytest.mark.parametrize("nome", list(ADULTERACOES))
def test_dados_adulterados(dados_base, nome):
    dados = adulterar(dados_base, ADULTERACOES[nome])
    assert dados != dados_base
    with pytest.raises(ObservacaoInvalida):
        modulos_torch.dados_para_modulo(dados)


def test_os_dados_sem_adulteracao_passam(dados_base):
    # O controlo dos testes acima: a cópia intacta reconstrói-se, e com 32 níveis também.
    assert type(modulos_torch.dados_para_modulo(copy.deepcopy(dados_base))[3]) is nnqd.Linear
    dados = copy.deepcopy(dados_base)
    for _ in range(30):
        dados["raiz"] = {"classe": "Sequential", "treino": False, "config": {}, "estado": {},
                         "filhos": [["0", dados["raiz"]]]}
    assert len(list(modulos_torch.dados_para_modulo(dados).modules())) == 30 + 1 + 6 + 2


@pytest.mark.parametrize("dados", [None, [], "x", {"formato": "modulo_torch", "versao": 1},
                                   {"formato": "modulo_torch", "versao": 1, "raiz": "Linear"}])
def test_nao_dicionarios(dados):
    with pytest.raises(ObservacaoInvalida):
        modulos_torch.dados_para_modulo(dados)
