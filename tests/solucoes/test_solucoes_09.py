"""Propriedades das soluções de referência do caderno 09_pipeline_completo
(«Pipeline Completo de Otimização para M1»), com as verificações de docs/contrato.md#09_pipeline_completo.

Os limiares vêm do contrato (≥ 8× mais pequeno, perda ≤ 3 pontos) ou de margens medidas (o
valor medido está num comentário ao lado; Linux x86-64, 2 núcleos, digits, semente 0).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import warnings

import numpy as np
import pytest

import otimizacao  # noqa: F401  (define TF_USE_LEGACY_KERAS=1 antes de importar o TensorFlow)
from otimizacao import conversao
from otimizacao.dados import carregar_dados
from otimizacao.modelos import exatidao, fixar_sementes, treinar_modelo_base
from solutions import PipelineOtimizacao, escolher_politica_precisao

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("tf_keras")

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning"),
    pytest.mark.filterwarnings("ignore:Statistics for quantized inputs:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*mixed_float16 may run slowly.*"),
]

ETAPAS = ["original", "podado", "int8"]


# --------------------------------------------------------------------------- auxiliares
def _gzip(b: bytes) -> int:
    return len(gzip.compress(bytes(b), compresslevel=9, mtime=0))


def _exatidao_tflite(b: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão de um TFLite com um interpretador próprio (lote inteiro)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interp = tf.lite.Interpreter(model_content=bytes(b))
    entrada = interp.get_input_details()[0]
    interp.resize_tensor_input(entrada["index"], list(x.shape))
    interp.allocate_tensors()
    entrada, saida = interp.get_input_details()[0], interp.get_output_details()[0]
    v = np.asarray(x, dtype=np.float32)
    if entrada["dtype"] == np.int8:
        escala, zero = entrada["quantization"]
        v = np.clip(np.round(v / escala) + zero, -128, 127).astype(np.int8)
    interp.set_tensor(entrada["index"], v)
    interp.invoke()
    return float(np.mean(np.argmax(interp.get_tensor(saida["index"]), axis=-1) == y))


@contextlib.contextmanager
def _politica(nome: str):
    anterior = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(nome)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(anterior)


# --------------------------------------------------------------------------- escolher_politica_precisao
@pytest.mark.parametrize(("dispositivo", "politica"), [
    ("cpu", "float32"), ("gpu", "mixed_float16"), ("cuda", "mixed_float16"), ("mps", "mixed_float16"),
    ("tpu", "mixed_bfloat16"), (" GPU ", "mixed_float16"), ("Cpu\n", "float32"), ("\tTPU", "mixed_bfloat16"),
    ("MPS", "mixed_float16"),
])
def test_escolher_politica_segue_a_tabela(dispositivo, politica):
    assert escolher_politica_precisao(dispositivo) == politica


@pytest.mark.parametrize("dispositivo", ["", "  ", "npu", "gpu0", "cpu cuda", "float32", "m1"])
def test_escolher_politica_recusa_outros_dispositivos_em_pt(dispositivo):
    with pytest.raises(ValueError, match="Dispositivo desconhecido"):
        escolher_politica_precisao(dispositivo)


@pytest.mark.parametrize("dispositivo", ["cpu", "gpu", "tpu"])
def test_escolher_politica_da_nomes_que_o_keras_aceita(dispositivo):
    politica = keras.mixed_precision.Policy(escolher_politica_precisao(dispositivo))
    assert politica.variable_dtype == "float32"  # a política mista guarda sempre os pesos em float32


# --------------------------------------------------------------------------- PipelineOtimizacao
@pytest.fixture(scope="module")
def dados():
    return carregar_dados("digits")


@pytest.fixture(scope="module")
def modelo_base(dados):
    return treinar_modelo_base(dados)  # exatidão na validação medida: 0,956


@pytest.fixture(scope="module")
def corrida(dados, modelo_base, tmp_path_factory):
    """Uma corrida do pipeline (valores por omissão), numa pasta de trabalho vazia."""
    import os

    pasta = tmp_path_factory.mktemp("trabalho")
    antes = [np.array(w, copy=True) for w in modelo_base.get_weights()]
    politica_antes = keras.mixed_precision.global_policy().name
    inicial = os.getcwd()
    os.chdir(pasta)
    try:
        fixar_sementes(0)
        pipeline = PipelineOtimizacao(modelo_base)
        with conversao.sem_mensagens_internas():
            tflite = pipeline.otimizar_completo(dados.x_treino, dados.y_treino, dados.x_val, dados.y_val)
    finally:
        os.chdir(inicial)
    return {"pipeline": pipeline, "tflite": tflite, "pesos_antes": antes, "deixados": sorted(os.listdir(pasta)),
            "politica": (politica_antes, keras.mixed_precision.global_policy().name)}


def test_relatorio_antes_de_otimizar_da_runtime_error_em_pt(modelo_base):
    pipeline = PipelineOtimizacao(modelo_base)
    for metodo in (pipeline.relatorio, pipeline.gerar_relatorio):
        with pytest.raises(RuntimeError, match="otimizar_completo"):
            metodo()


@pytest.mark.lento
def test_pipeline_int8_completo_8x_menor_e_perde_no_maximo_3_pontos(dados, modelo_base, corrida):
    tflite = corrida["tflite"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interp = tf.lite.Interpreter(model_content=tflite)
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8
    with conversao.sem_mensagens_internas():
        fator = _gzip(conversao.converter_float(modelo_base)) / _gzip(tflite)
    assert fator >= 8  # medido: 9,5×
    queda = exatidao(modelo_base, dados.x_val, dados.y_val) - _exatidao_tflite(tflite, dados.x_val, dados.y_val)
    assert queda <= 0.03  # medido: 0,000


@pytest.mark.lento
def test_pipeline_nao_deixa_rasto(modelo_base, corrida):
    assert corrida["deixados"] == []
    assert corrida["politica"] == ("float32", "float32")
    assert all(np.array_equal(a, b) for a, b in zip(corrida["pesos_antes"], modelo_base.get_weights(), strict=True))
    assert [type(c).__name__ for c in modelo_base.layers] == ["Conv2D", "Flatten", "Dense", "Dense"]


@pytest.mark.lento
def test_relatorio_bate_com_medir_de_novo(dados, modelo_base, corrida):
    etapas = corrida["pipeline"].relatorio()
    assert [e["etapa"] for e in etapas] == ETAPAS
    e = {x["etapa"]: x for x in etapas}
    tamanhos = [x["tamanho_gzip"] for x in etapas]
    assert all(isinstance(t, int) for t in tamanhos)
    assert tamanhos[0] > tamanhos[1] > tamanhos[2]  # medido: 140 957 > 42 293 > 14 828
    with conversao.sem_mensagens_internas():
        float_original = conversao.converter_float(modelo_base)
        pesos_int8 = conversao.tensores_int8(corrida["tflite"])
    assert e["original"]["tamanho_gzip"] == _gzip(float_original)
    assert e["int8"]["tamanho_gzip"] == _gzip(corrida["tflite"])
    assert e["original"]["precisao"] == pytest.approx(_exatidao_tflite(float_original, dados.x_val, dados.y_val))
    assert e["int8"]["precisao"] == pytest.approx(_exatidao_tflite(corrida["tflite"], dados.x_val, dados.y_val))
    zeros_int8 = sum(int(np.sum(t == 0)) for t in pesos_int8.values()) / sum(t.size for t in pesos_int8.values())
    assert e["int8"]["esparsidade"] == pytest.approx(zeros_int8)
    assert e["original"]["esparsidade"] <= 0.01  # medido: 0,0
    assert abs(e["podado"]["esparsidade"] - 0.8) <= 0.02  # medido: 0,800
    for x in etapas:
        assert 0 < x["latencia_ms"] < 100  # medido: ~0,005–0,01 ms por exemplo
        assert 0 <= x["precisao"] <= 1


@pytest.mark.lento
def test_relatorio_devolve_copias(corrida):
    etapas = corrida["pipeline"].relatorio()
    etapas[0]["tamanho_gzip"] = -1
    assert corrida["pipeline"].relatorio()[0]["tamanho_gzip"] > 0


@pytest.mark.lento
def test_gerar_relatorio_escreve_a_tabela_e_devolve_a_figura(corrida):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    with contextlib.redirect_stdout(io.StringIO()) as ecra:
        figura = corrida["pipeline"].gerar_relatorio()
    texto = ecra.getvalue()
    assert isinstance(figura, Figure)
    assert all(etapa in texto for etapa in ETAPAS)
    assert "9." in texto or "10." in texto  # a redução × do int8 (medida: 9,5×)
    eixo = figura.axes[0]
    assert len(eixo.lines[0].get_xdata()) == 3
    plt.close(figura)


@pytest.mark.lento
def test_politica_reposta_mesmo_quando_o_pipeline_falha(dados, modelo_base):
    """Chamado sob mixed_float16 com dados que rebentam a poda: a exceção passa e a política
    global volta a ser a de antes (o finally)."""
    with _politica("mixed_float16"):
        pipeline = PipelineOtimizacao(modelo_base, epocas_poda=1, epocas_afinacao=0)
        with pytest.raises(Exception), conversao.sem_mensagens_internas():  # noqa: B017
            pipeline.otimizar_completo(dados.x_treino, dados.y_treino[:10], dados.x_val, dados.y_val)
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
    with pytest.raises(RuntimeError):
        pipeline.relatorio()


@pytest.mark.lento
def test_pipeline_funciona_sob_politica_mista_e_repoe_a(dados, modelo_base):
    """Fora do contrato (que chama sob float32), mas é o que a referência promete: sob uma
    política mista deixada por outra célula, trabalha em float32 e repõe a mista no fim.
    Uma época de poda e nenhuma de afinação, para ser rápido."""
    fixar_sementes(0)
    with _politica("mixed_float16"):
        pipeline = PipelineOtimizacao(modelo_base, esparsidade=0.5, epocas_poda=1, epocas_afinacao=0)
        with conversao.sem_mensagens_internas():
            tflite = pipeline.otimizar_completo(dados.x_treino, dados.y_treino, dados.x_val, dados.y_val)
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
    etapas = pipeline.relatorio()
    assert abs(etapas[1]["esparsidade"] - 0.5) <= 0.02  # medido: 0,500 (os parâmetros chegam à poda)
    assert etapas[0]["tamanho_gzip"] > etapas[2]["tamanho_gzip"]
    assert isinstance(tflite, bytes)
