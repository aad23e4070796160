"""Propriedades das soluções de referência da secção 4.2 (cadernos 04_poda,
05_poda_e_quantizacao e 06_destilacao), com as verificações de docs/contrato.md.

Os limiares vêm do contrato ou de margens medidas (o valor medido está num comentário ao
lado de cada limiar; Linux x86-64, 2 núcleos, digits, sementes fixas).
"""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pytest

import otimizacao  # noqa: F401  (define TF_USE_LEGACY_KERAS=1 antes de importar o TensorFlow)
from otimizacao.dados import carregar_dados
from otimizacao.modelos import exatidao, fixar_sementes, treinar_modelo_base
from solutions import (
    Destilador,
    calcular_sparsity,
    mascara_magnitude,
    otimizar_modelo_completo,
    perda_destilacao,
    perda_total,
    podar_progressivamente,
    tamanho_gzip,
)

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("tf_keras")
tfmot = pytest.importorskip("tensorflow_model_optimization")

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*tf.lite.Interpreter is deprecated:UserWarning"),
    pytest.mark.filterwarnings("ignore:Statistics for quantized inputs:UserWarning"),
]


# --------------------------------------------------------------------------- auxiliares


def _kernels(modelo) -> list[np.ndarray]:
    return [np.asarray(c.kernel) for c in modelo.layers if hasattr(c, "kernel")]


def _fracao_zeros(arrays) -> float:
    return sum(int(np.sum(a == 0)) for a in arrays) / sum(a.size for a in arrays)


def _copia_pesos(modelo) -> list[np.ndarray]:
    return [np.array(w, copy=True) for w in modelo.get_weights()]


def _iguais(pesos_a, pesos_b) -> bool:
    return len(pesos_a) == len(pesos_b) and all(
        np.array_equal(a, b) for a, b in zip(pesos_a, pesos_b, strict=True)
    )


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def dados():
    return carregar_dados("digits")


@pytest.fixture(scope="module")
def modelo_base(dados):
    return treinar_modelo_base(dados)  # exatidão de teste medida: 0,970


@pytest.fixture(scope="module")
def poda(dados, modelo_base):
    """O modelo de base antes e depois de podar_progressivamente (0,8; 4 épocas)."""
    antes = _copia_pesos(modelo_base)
    tipos_antes = [type(c) for c in modelo_base.layers]
    podado = podar_progressivamente(modelo_base, dados.x_treino, dados.y_treino,
                                    esparsidade_final=0.8, epocas=4)
    return {"antes": antes, "tipos_antes": tipos_antes, "podado": podado}


@pytest.fixture(scope="module")
def completo(dados, modelo_base):
    antes = _copia_pesos(modelo_base)
    resultado = otimizar_modelo_completo(modelo_base, dados.x_treino, dados.y_treino,
                                         dados.x_val, dados.y_val, esparsidade=0.8)
    return {"antes": antes, "resultado": resultado}


# --------------------------------------------------------------------------- 04_poda


@pytest.mark.parametrize("forma, esparsidade, n_removidos", [
    ((7, 13), 0.3, 27),     # 91 × 0,3 = 27,3 → 27
    ((3, 3, 1, 16), 0.8, 115),  # 144 × 0,8 = 115,2 → 115
    ((10,), 0.0, 0),
    ((1000,), 0.4996, 500),  # 499,6 → 500: arredonda, não trunca (int() daria 499)
    ((5, 4), 0.66, 13),     # 20 × 0,66 = 13,2 → 13
])
def test_mascara_magnitude_exata(forma, esparsidade, n_removidos):
    rng = np.random.default_rng(42)
    pesos = rng.normal(size=forma).astype(np.float32)
    mascara = mascara_magnitude(pesos, esparsidade)
    assert mascara.shape == pesos.shape
    assert mascara.dtype == np.bool_
    assert int(np.sum(~mascara)) == n_removidos
    removidos, mantidos = np.abs(pesos[~mascara]), np.abs(pesos[mascara])
    if removidos.size and mantidos.size:
        assert removidos.max() <= mantidos.min()


def test_mascara_magnitude_usa_valor_absoluto():
    # Os negativos grandes ficam; um erro típico (ordenar w em vez de |w|) remove-os.
    pesos = np.array([-5.0, 0.1, -0.2, 3.0, -4.0, 0.3])
    np.testing.assert_array_equal(mascara_magnitude(pesos, 0.5),
                                  [True, False, False, True, True, False])


@pytest.mark.parametrize("esparsidade", [1.0, -0.1, 1.5])
def test_mascara_magnitude_rejeita_fora_de_0_1(esparsidade):
    with pytest.raises(ValueError):
        mascara_magnitude(np.ones((4, 4)), esparsidade)


def test_calcular_sparsity_com_zeros_conhecidos():
    modelo = keras.Sequential([
        keras.layers.Input((2, 2)),
        keras.layers.Flatten(),      # sem kernel: não conta
        keras.layers.Dense(3),       # kernel 4×3 = 12
        keras.layers.Dense(2),       # kernel 3×2 = 6
    ])
    k1 = np.ones((4, 3), np.float32)
    k1.flat[[0, 2, 5, 7, 9, 11]] = 0.0     # 6 zeros
    k2 = np.ones((3, 2), np.float32)
    k2.flat[[1, 3, 4]] = 0.0               # 3 zeros
    # Biases a zero (5): não contam. Contá-los daria (9 + 5) / 23 = 0,6087.
    modelo.set_weights([k1, np.zeros(3), k2, np.zeros(2)])
    valor = calcular_sparsity(modelo)
    assert isinstance(valor, float)
    assert valor == pytest.approx(9 / 18)  # fração, não percentagem (50)


def test_podar_progressivamente_sem_involucros(poda):
    podado = poda["podado"]
    assert isinstance(podado, keras.Model)
    for camada in podado.layers:
        # PruneLowMagnitude (não exportado na API pública do tfmot) é um keras.layers.Wrapper.
        assert not isinstance(camada, keras.layers.Wrapper), type(camada).__name__
    nomes = [w.name for w in podado.weights]
    assert not any("mask" in n or "threshold" in n or "pruning_step" in n for n in nomes), nomes
    assert [type(c).__name__ for c in podado.layers] == ["Conv2D", "Flatten", "Dense", "Dense"]


def test_podar_progressivamente_atinge_o_alvo(poda):
    kernels = _kernels(poda["podado"])
    assert abs(_fracao_zeros(kernels) - 0.8) <= 0.02  # medido: 0,79999
    for k in kernels:  # cada camada podável, não só o total
        assert abs(_fracao_zeros([k]) - 0.8) <= 0.02
    assert calcular_sparsity(poda["podado"]) == pytest.approx(_fracao_zeros(kernels))


def test_podar_progressivamente_mantem_exatidao(poda, modelo_base, dados):
    densa = exatidao(modelo_base, dados.x_teste, dados.y_teste)    # medido: 0,970
    podada = exatidao(poda["podado"], dados.x_teste, dados.y_teste)  # medido: 0,956–0,963
    assert podada >= densa - 0.03


def test_podar_progressivamente_nao_altera_o_original(poda, modelo_base):
    assert _iguais(poda["antes"], modelo_base.get_weights())
    assert [type(c) for c in modelo_base.layers] == poda["tipos_antes"]
    assert _fracao_zeros(_kernels(modelo_base)) < 0.01


def test_podar_progressivamente_respeita_outro_alvo(modelo_base, dados):
    # Separa quem fixou 0,8 no código de quem usa o argumento.
    podado = podar_progressivamente(modelo_base, dados.x_treino, dados.y_treino,
                                    esparsidade_final=0.5, epocas=2)
    assert abs(_fracao_zeros(_kernels(podado)) - 0.5) <= 0.02  # medido: 0,500


def test_tamanho_gzip_esparso_comprime_melhor(poda, modelo_base):
    denso, esparso = tamanho_gzip(modelo_base), tamanho_gzip(poda["podado"])
    # 37 738 pesos float32 = 150 952 bytes; gzip medido: denso 139 802, esparso 42 348 (3,30×).
    assert 100_000 < denso < 160_000
    assert denso / esparso >= 2.5


def test_tamanho_gzip_de_bytes():
    zeros = bytes(10_000)
    aleatorios = np.random.default_rng(0).bytes(10_000)
    assert tamanho_gzip(zeros) < 100
    assert tamanho_gzip(aleatorios) >= 10_000  # não se comprime
    assert tamanho_gzip(aleatorios) == len(gzip.compress(aleatorios, 9, mtime=0))


# --------------------------------------------------------------------------- 05_poda_e_quantizacao


def test_otimizar_modelo_completo_chaves_e_tipos(completo):
    r = completo["resultado"]
    assert set(r) == {"modelo_tflite", "tamanho_original", "tamanho_final", "reducao",
                      "precisao_original", "precisao_final"}
    assert isinstance(r["modelo_tflite"], bytes)
    assert isinstance(r["tamanho_original"], int) and isinstance(r["tamanho_final"], int)
    assert r["tamanho_final"] == len(gzip.compress(r["modelo_tflite"], 9, mtime=0))
    assert r["reducao"] == pytest.approx(100 * (1 - r["tamanho_final"] / r["tamanho_original"]))
    assert 0.0 <= r["precisao_final"] <= 1.0 and 0.0 <= r["precisao_original"] <= 1.0


def test_otimizar_modelo_completo_comprime_8x_sem_perder_exatidao(completo):
    r = completo["resultado"]
    # Medido: 140 957 → 14 930 bytes gzip (9,44×); exatidão val 0,956 → 0,959.
    assert r["tamanho_original"] / r["tamanho_final"] >= 8
    assert r["precisao_original"] - r["precisao_final"] <= 0.03
    assert r["precisao_original"] >= 0.9


def test_otimizar_modelo_completo_int8_e_esparso(completo):
    r = completo["resultado"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interp = tf.lite.Interpreter(model_content=r["modelo_tflite"])
    interp.allocate_tensors()
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8
    # Pesos de Conv/Dense: tensores constantes int8 de 2 ou mais dimensões, com ponto zero 0
    # (quantização simétrica), por isso um peso podado é exatamente o inteiro 0.
    entrada_saida = {interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"]}
    pesos = []
    for t in interp.get_tensor_details():
        if t["dtype"] != np.int8 or len(t["shape"]) < 2 or t["index"] in entrada_saida:
            continue
        try:
            pesos.append(interp.get_tensor(t["index"]))
        except ValueError:  # ativação (sem dados antes de invoke)
            continue
    assert sum(p.size for p in pesos) == 37_738 - (16 + 64 + 10)  # todos os kernels, sem biases
    assert _fracao_zeros(pesos) >= 0.78  # medido: 0,800


def test_otimizar_modelo_completo_nao_altera_o_original(completo, modelo_base):
    assert _iguais(completo["antes"], modelo_base.get_weights())


# --------------------------------------------------------------------------- 06_destilacao


# Casos calculados à mão (KL em nats):
# A) T=1, aluno [0, 0] → q = (1/2, 1/2); professor [ln 3, 0] → p = (3/4, 1/4).
#    KL(p‖q) = 3/4·ln(3/2) + 1/4·ln(1/2) = 0,304099 − 0,173287 = 0,130812.
#    (KL ao contrário daria 0,143841; a entropia cruzada do texto daria ln 2 = 0,693147.)
# B) T=2, professor [2·ln 3, 0]: dividido por T volta a ser A; × T² = 4 → 0,523248.
# C) 3 classes, T=1, professor [ln 2, 0, 0] → p = (1/2, 1/4, 1/4); aluno [0, 0, 0] → q = 1/3.
#    KL = 1/2·ln(3/2) + 2·1/4·ln(3/4) = 0,202733 − 0,143841 = 0,058892.
# D) lote com A e um exemplo de logits iguais (KL 0): média = 0,130812 / 2 = 0,065406.
LN3 = np.log(3.0)


@pytest.mark.parametrize("aluno, professor, t, esperado", [
    ([[0.0, 0.0]], [[LN3, 0.0]], 1.0, 0.130812),
    ([[0.0, 0.0]], [[2 * LN3, 0.0]], 2.0, 0.523248),
    ([[0.0, 0.0, 0.0]], [[np.log(2.0), 0.0, 0.0]], 1.0, 0.058892),
    ([[0.0, 0.0], [1.0, 2.0]], [[LN3, 0.0], [1.0, 2.0]], 1.0, 0.065406),
])
def test_perda_destilacao_casos_calculados(aluno, professor, t, esperado):
    valor = float(perda_destilacao(np.array(aluno), np.array(professor), t))
    assert valor == pytest.approx(esperado, abs=1e-5)
    # O mesmo com tensores float32 e dentro de tf.function.
    f = tf.function(lambda a, p: perda_destilacao(a, p, t))
    valor_tf = float(f(tf.constant(aluno, tf.float32), tf.constant(professor, tf.float32)))
    assert valor_tf == pytest.approx(esperado, abs=1e-5)


def test_perda_destilacao_zero_e_nunca_negativa():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(16, 10)) * 5
    assert float(perda_destilacao(logits, logits, 3.0)) == pytest.approx(0.0, abs=1e-6)
    for _ in range(20):
        a, p = rng.normal(size=(8, 10)) * 4, rng.normal(size=(8, 10)) * 4
        assert float(perda_destilacao(a, p, rng.uniform(0.5, 5.0))) >= 0.0


def test_perda_destilacao_escala_t_ao_quadrado():
    # Logits e temperatura multiplicados por k: mesmas distribuições, perda × k².
    rng = np.random.default_rng(2)
    a, p = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    base = float(perda_destilacao(a, p, 1.0))
    assert float(perda_destilacao(3 * a, 3 * p, 3.0)) == pytest.approx(9 * base, rel=1e-4)


def test_perda_total_mistura():
    # y = 0, aluno [0, 0]: entropia cruzada = ln 2 = 0,693147; parte suave (caso A) = 0,130812.
    # alpha = 0,25: 0,25·0,130812 + 0,75·0,693147 = 0,032703 + 0,519860 = 0,552563.
    y, aluno, prof = np.array([0]), np.array([[0.0, 0.0]]), np.array([[LN3, 0.0]])
    assert float(perda_total(y, aluno, prof, 0.25, 1.0)) == pytest.approx(0.552563, abs=1e-5)
    assert float(perda_total(y, aluno, prof, 1.0, 1.0)) == pytest.approx(0.130812, abs=1e-5)
    assert float(perda_total(y, aluno, prof, 0.0, 1.0)) == pytest.approx(0.693147, abs=1e-5)


def _aluno(semente: int = 0):
    fixar_sementes(semente)
    return keras.Sequential([
        keras.layers.Input((8, 8, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10),
    ], name="aluno")


@pytest.fixture(scope="module")
def destilacao(dados, modelo_base):
    # Um professor próprio (cópia do modelo de base), para não mexer na fixture partilhada.
    professor = keras.models.clone_model(modelo_base)
    professor.set_weights(modelo_base.get_weights())
    professor.trainable = True  # chega treinável: o Destilador tem de o congelar
    pesos_professor = _copia_pesos(professor)
    aluno = _aluno(0)
    pesos_aluno = _copia_pesos(aluno)
    destilador = Destilador(aluno, professor, alpha=0.1, temperatura=3.0)
    destilador.compile(optimizer=keras.optimizers.Adam(3e-3), metrics=["accuracy"])
    historico = destilador.fit(dados.x_treino, dados.y_treino, epochs=10, batch_size=32,
                               validation_data=(dados.x_val, dados.y_val), verbose=0)
    return {"professor": professor, "pesos_professor": pesos_professor, "aluno": aluno,
            "pesos_aluno": pesos_aluno, "destilador": destilador,
            "historico": historico.history}


def test_destilador_professor_nao_muda(destilacao):
    assert _iguais(destilacao["pesos_professor"], destilacao["professor"].get_weights())
    assert not _iguais(destilacao["pesos_aluno"], destilacao["aluno"].get_weights())


def test_destilador_perda_desce(destilacao):
    perdas = destilacao["historico"]["loss"]
    assert perdas[-1] < 0.5 * perdas[0]  # medido: 3,02 → 0,29
    assert "accuracy" in destilacao["historico"] and "val_loss" in destilacao["historico"]


def test_destilador_aluno_aprende(destilacao, dados):
    # Medido (sementes 0, 1, 2; 10 épocas): 0,959 / 0,948 / 0,937 no teste.
    assert exatidao(destilacao["aluno"], dados.x_teste, dados.y_teste) >= 0.90
    # predict do destilador = logits do aluno.
    np.testing.assert_allclose(destilacao["destilador"].predict(dados.x_teste[:5], verbose=0),
                               destilacao["aluno"].predict(dados.x_teste[:5], verbose=0),
                               rtol=1e-5, atol=1e-5)
    avaliacao = destilacao["destilador"].evaluate(dados.x_teste, dados.y_teste, verbose=0,
                                                  return_dict=True)
    assert avaliacao["accuracy"] >= 0.90 and avaliacao["loss"] > 0
