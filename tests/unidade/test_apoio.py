"""O pacote de apoio dos cadernos (course/otimizacao)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from otimizacao import dados, dispositivo, medidas, modelos
from otimizacao.verificacao import exercicio_pronto, levanta


# --------------------------------------------------------------------------- dados
def test_digits_dividido_escalado_e_reprodutivel():
    d = dados.carregar_dados("digits")
    total = len(d.x_treino) + len(d.x_val) + len(d.x_teste)
    assert total == 1797  # load_digits tem 1 797 imagens
    assert d.forma_entrada == (8, 8, 1) and d.num_classes == 10
    assert d.x_treino.dtype == np.float32 and 0.0 <= d.x_treino.min() and d.x_treino.max() <= 1.0
    assert abs(len(d.x_teste) - 0.15 * 1797) <= 1 and abs(len(d.x_val) - 0.15 * 1797) <= 1
    outra = dados.carregar_dados("digits")
    assert np.array_equal(d.x_treino, outra.x_treino) and np.array_equal(d.y_teste, outra.y_teste)
    diferente = dados.carregar_dados("digits", semente=1)
    assert not np.array_equal(d.y_treino, diferente.y_treino)


def test_conjunto_desconhecido_da_erro_em_pt():
    with pytest.raises(ValueError, match="Conjunto de dados desconhecido"):
        dados.carregar_dados("cifar10")


def test_mnist_offline_falha_depressa_com_mensagem_clara(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # sem cópia no disco
    monkeypatch.setattr(dados, "_ha_internet", lambda *a, **k: False)
    with pytest.raises(dados.DadosIndisponiveis, match="offline"):
        dados.carregar_dados("mnist")


def test_verificacao_de_rede_nao_fica_pendurada(monkeypatch, tmp_path):
    """Sem rede (como neste CI) a verificação real responde em segundos, nunca pendura."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    inicio = time.monotonic()
    tem_rede = dados._ha_internet(espera=2.0)
    assert time.monotonic() - inicio < 10  # espera de 2 s + resolução de nomes
    if not tem_rede:
        with pytest.raises(dados.DadosIndisponiveis):
            dados.carregar_dados("fashion_mnist")


# --------------------------------------------------------------------------- modelo de base
@pytest.fixture(scope="module")
def digits():
    return dados.carregar_dados()


def test_modelo_base_tem_pelo_menos_30k_parametros(digits):
    modelo = modelos.criar_modelo_base(digits.forma_entrada, digits.num_classes)
    assert modelo.count_params() >= 30_000  # docs/invariantes.md#r-modelo-de-base: abaixo disso o overhead do TFLite domina
    assert modelo.count_params() == 37_738


def test_modelo_base_treina_e_e_deterministico(digits, tmp_path, monkeypatch):
    monkeypatch.setenv("CURSO4_CACHE_MODELOS", str(tmp_path))
    a = modelos.treinar_modelo_base(digits, epocas=15, cache=False)
    b = modelos.treinar_modelo_base(digits, epocas=15, cache=False)
    ex = modelos.exatidao(a, digits.x_teste, digits.y_teste)
    assert ex >= 0.95  # medido: 0.970 em 15 épocas (semente 0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_modelo_da_cache_e_igual_a_um_treino_novo(digits, tmp_path, monkeypatch, capsys):
    """Issue #14: o modelo de base lido da cache tem os mesmos pesos (e o mesmo estado do
    otimizador e dos geradores aleatórios a seguir) que um treino novo, e o ecrã diz de onde veio."""
    monkeypatch.setenv("CURSO4_CACHE_MODELOS", str(tmp_path))
    novo = modelos.treinar_modelo_base(digits, epocas=3, cache=False)
    depois_do_novo = np.random.random()
    guardado = modelos.treinar_modelo_base(digits, epocas=3)
    assert "treinado" in capsys.readouterr().out
    assert len(list(tmp_path.glob("modelo_base-*.keras"))) == 1
    lido = modelos.treinar_modelo_base(digits, epocas=3)
    depois_do_lido = np.random.random()
    assert "lido da cache" in capsys.readouterr().out
    for modelo in (guardado, lido):
        for wa, wb in zip(novo.get_weights(), modelo.get_weights(), strict=True):
            np.testing.assert_array_equal(wa, wb)
        assert int(modelo.optimizer.iterations.numpy()) == int(novo.optimizer.iterations.numpy())
    assert depois_do_lido == depois_do_novo
    # Outra semente (ou outros dados, épocas, versões) é outra chave: treina de novo.
    modelos.treinar_modelo_base(digits, epocas=3, semente=1)
    assert "treinado" in capsys.readouterr().out


def test_cache_que_nao_se_escreve_nao_para_o_caderno(digits, tmp_path, monkeypatch, capsys):
    ficheiro = tmp_path / "nao_e_pasta"
    ficheiro.write_text("x")
    monkeypatch.setenv("CURSO4_CACHE_MODELOS", str(ficheiro / "cache"))
    modelo = modelos.treinar_modelo_base(digits, epocas=1)
    assert modelo is not None and "não se pode escrever" in capsys.readouterr().out


# --------------------------------------------------------------------------- medidas
def test_tamanhos(tmp_path):
    assert medidas.tamanho_bytes(b"abc") == 3
    f = tmp_path / "x.bin"
    f.write_bytes(b"\0" * 1000)
    assert medidas.tamanho_bytes(f) == 1000
    with pytest.raises(FileNotFoundError, match="não existe"):
        medidas.tamanho_bytes(tmp_path / "nada.bin")
    with pytest.raises(TypeError, match="Não sei medir"):
        medidas.tamanho_bytes(3.5)
    assert medidas.bytes_para_mb(2**20) == 1.0
    zeros, aleatorios = bytes(10_000), np.random.default_rng(0).bytes(10_000)
    assert medidas.gzip_bytes(zeros) < 100 < 9_000 < medidas.gzip_bytes(aleatorios)
    assert medidas.gzip_bytes(aleatorios) == medidas.gzip_bytes(aleatorios)  # mtime=0: determinístico
    assert medidas.formatar_bytes(512) == "512 B"
    assert medidas.formatar_bytes(1536) == "1,5 KiB"
    assert medidas.formatar_bytes(3 * 2**20) == "3,00 MiB"
    assert medidas.formatar_bytes(7 * 2**30) == "7,00 GiB"
    assert medidas.formatar_bytes(10**9) == "953,67 MiB"  # o «1 GB» do texto (10^9 bytes) não é 1 GiB


# --------------------------------------------------------------------------- dispositivo
def test_dispositivo_do_tensorflow_vem_das_gpus_que_o_tensorflow_ve(monkeypatch):
    """Issue 21: a política de precisão do 09 decide-se pelo que o TensorFlow vê, não pelo PyTorch
    (num M1 o PyTorch vê «mps» e o TensorFlow corre no CPU). Lista de dispositivos falsa nos dois
    sentidos."""
    import tensorflow as tf

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda tipo=None: [])
    assert dispositivo.dispositivo_do_tensorflow() == "cpu"
    falsa = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda tipo=None: [falsa] if tipo == "GPU" else [])
    assert dispositivo.dispositivo_do_tensorflow() == "gpu"


def test_aviso_do_m1_aparece_uma_so_vez_em_pt(monkeypatch):
    """Issue 21: num Mac M1 o tf_keras avisa em cada otimizador criado; com o filtro do
    ambiente aparece uma vez, em pt-PT. Plataforma falsa (Darwin/arm), otimizadores a sério."""
    import logging
    import platform

    import tf_keras as keras

    from otimizacao import ambiente

    vistos = []

    class Guarda(logging.Handler):
        def emit(self, registo):
            vistos.append(registo.getMessage())

    guarda = Guarda()
    absl = logging.getLogger("absl")
    # Um teste anterior no mesmo processo (qualquer um que chame preparar_tensorflow) pode já ter
    # ligado o filtro verdadeiro: tira-se durante este teste, para o controlo ver o aviso em inglês.
    ligados = [f for f in absl.filters if isinstance(f, ambiente._AvisoM1UmaVez)]
    for f in ligados:
        absl.removeFilter(f)
    absl.addHandler(guarda)
    monkeypatch.setattr(ambiente, "_FILTRO_M1", ambiente._AvisoM1UmaVez())
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(platform, "processor", lambda: "arm")
    try:
        keras.optimizers.Adam()  # controlo: sem o filtro, o aviso aparece (em inglês)
        assert any(ambiente.AVISO_M1 in m for m in vistos), vistos
        vistos.clear()
        ambiente.filtrar_aviso_m1()
        for _ in range(3):
            keras.optimizers.Adam()
        assert len([m for m in vistos if "M1" in m]) == 1 and "Mac M1/M2" in vistos[0], vistos
    finally:
        absl.removeHandler(guarda)
        absl.removeFilter(ambiente._FILTRO_M1)
        for f in ligados:
            absl.addFilter(f)


def test_dispositivo_e_motor(monkeypatch):
    import torch

    assert dispositivo.detetar_dispositivo() in ("cuda", "mps", "cpu")
    original = torch.backends.quantized.engine
    try:
        monkeypatch.setattr(dispositivo.platform, "machine", lambda: "arm64")
        assert dispositivo.e_arm64()
        assert dispositivo.configurar_motor_quantizado() == "qnnpack"
        monkeypatch.setattr(dispositivo.platform, "machine", lambda: "x86_64")
        assert not dispositivo.e_arm64()
    finally:
        torch.backends.quantized.engine = original
    assert "Python" in dispositivo.resumo_maquina()


# --------------------------------------------------------------------------- verificação
def test_levanta_e_exercicio_pronto(capsys):
    def erro():
        raise ValueError("x")

    assert levanta(ValueError, erro)
    assert not levanta(ValueError, lambda: None)
    with pytest.raises(KeyError):
        levanta(ValueError, lambda: {}["x"])  # outros erros chegam ao aluno tal como são
    with exercicio_pronto("f"):
        raise NotImplementedError
    assert "ainda não implementaste" in capsys.readouterr().out
    with pytest.raises(ZeroDivisionError), exercicio_pronto("f"):
        1 / 0  # noqa: B018


def test_relacao_de_tamanho_e_grafico_tamanho_contra_exatidao():
    """O rótulo do caderno 01 tem sempre um fator ≥ 1 (antes: «0.32× menor» para o .keras)."""
    import matplotlib

    matplotlib.use("Agg")
    from otimizacao import figuras_quantizacao as fq

    assert fq.relacao_de_tamanho(41.8, 149.7) == "3.6× menor"
    assert fq.relacao_de_tamanho(464.1, 149.7) == "3.1× maior"
    assert fq.relacao_de_tamanho(149.7, 149.7) == "igual"
    fig = fq.barras_tamanhos({"Keras": 464.1e3, "TFLite float32": 149.7e3, "int8": 41.8e3}, referencia="TFLite float32")
    rotulos = [t.get_text() for t in fig.axes[0].texts]
    assert any("3.1× maior" in r for r in rotulos) and any("referência" in r for r in rotulos)
    assert not any("0." in r.split("\n")[1] for r in rotulos)
    fig = fq.tamanho_contra_exatidao({"float32": (140e3, 0.956), "int8": (38e3, 0.956), "podado + int8": (15e3, 0.941)})
    (ax,) = fig.axes
    assert len(ax.collections) == 3 and ax.get_xlim()[0] == 0


# --------------------------------------------------------------------------- ambiente
# O filtro mexe no descritor 2 do processo: corre num processo à parte, onde o pytest não está a
# capturar esse descritor.
_FILTRO = r"""
import os, sys, time
from otimizacao import ambiente
ruido = (b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
         b"I0000 00:00:1796249280.459719   29607 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.\n"
         b"fully_quantize: 0, inference_type: 6, input_inference_type: INT8, output_inference_type: INT8\n"
         b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
modo = sys.argv[1]
if modo == "permanente":
    ambiente.preparar_tensorflow()
    assert os.environ["TF_USE_LEGACY_KERAS"] == "1" and os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert ambiente.filtrar_mensagens_internas() is False  # já estava ligado: não liga outro
    os.write(2, ruido + b"F0000 erro a serio do C++\n" + ruido + b"linha sem fim")
    time.sleep(0.6)  # a linha sem «\n» sai ao fim de 0,2 s sem mais texto
elif modo == "erro_no_fim":  # uma exceção por apanhar num script: o traceback sai inteiro
    ambiente.preparar_tensorflow()
    raise ValueError("erro do fim do script")
else:
    with ambiente.mensagens_filtradas():
        os.write(2, ruido + b"F0000 erro a serio do C++\n")
    os.write(2, b"fully_quantize: 0 (fora do bloco)\n")
"""


@pytest.mark.parametrize("modo", ["permanente", "bloco"])
def test_filtro_tira_so_as_mensagens_informativas_do_tensorflow(modo):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _FILTRO, modo], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    erro = r.stderr.decode()
    assert "F0000 erro a serio do C++\n" in erro  # o que o filtro não conhece passa
    for ruido in ("absl::InitializeLog", "cudart_stub", "fully_quantize: 0, inference", "XNNPACK"):
        assert ruido not in erro, erro
    if modo == "permanente":
        assert erro.endswith("linha sem fim")
    else:  # fora do bloco, o descritor 2 volta ao que era: nada é filtrado
        assert erro.endswith("fully_quantize: 0 (fora do bloco)\n")


def test_filtro_ligado_nao_corta_o_traceback_de_um_script_que_falha():
    """Com o filtro ligado, o traceback de um erro no fim do processo (make bench, um script do
    aluno) chega inteiro ao ecrã: a thread do filtro é despejada antes de o processo acabar."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _FILTRO, "erro_no_fim"], capture_output=True, timeout=60)
    erro = r.stderr.decode()
    assert r.returncode == 1, erro
    assert erro.startswith("Traceback (most recent call last):") and erro.endswith(
        "ValueError: erro do fim do script\n"), erro


def test_cadernos_tensorflow_preparam_o_processo_antes_de_importar_o_tensorflow():
    """Um só caminho (issue 12): ambiente.preparar_tensorflow() na primeira célula, antes de
    qualquer import do TensorFlow; nenhum caderno manda o descritor 2 para /dev/null nem define
    as variáveis do TensorFlow à mão."""
    import json
    from pathlib import Path

    cadernos = sorted((Path(__file__).resolve().parents[2] / "course").glob("[0-9][0-9]_*.ipynb"))
    com_tf = 0
    for caderno in cadernos:
        celulas = [c for c in json.loads(caderno.read_text())["cells"] if c["cell_type"] == "code"]
        fonte = "\n".join("".join(c["source"]) for c in celulas)
        assert "os.dup2" not in fonte and "TF_CPP_MIN_LOG_LEVEL" not in fonte, caderno.name
        assert "TF_USE_LEGACY_KERAS\"] =" not in fonte, caderno.name
        usa_tf = "tensorflow" in fonte or "modelos.treinar_modelo_base" in fonte
        if not usa_tf:
            continue
        com_tf += 1
        primeira = "".join(celulas[0]["source"])
        assert "ambiente.preparar_tensorflow()" in primeira, caderno.name
        if "import tensorflow" in primeira:
            assert primeira.index("ambiente.preparar_tensorflow()") < primeira.index("import tensorflow"), caderno.name
    assert com_tf == 9  # 00, 01, 03–09 (o 02 é PyTorch e o 10 não treina nada)
