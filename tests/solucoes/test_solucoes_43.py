"""Propriedades das soluções de referência da secção 4.3 (cadernos 07_taxa_de_aprendizagem e
08_paragem_e_checkpoints), com as verificações de docs/contrato.md.

As simulações são comparadas com os callbacks e a taxa do próprio tf_keras, conduzidos pelos
mesmos históricos e passos (docs/contrato.md#07_taxa_de_aprendizagem: tolerâncias 1e-6 relativas; a referência float32 da
biblioteca tem um erro próprio de ~1e-7·initial_lr).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import otimizacao  # noqa: F401  (define TF_USE_LEGACY_KERAS=1 antes de importar o TensorFlow)
from solutions import TopKCheckpoint, WarmUpCosineDecay, epoca_de_paragem, simular_reduce_on_plateau

pytestmark = pytest.mark.lento  # corre os exercícios com o TensorFlow e o PyTorch

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("tf_keras")


# --------------------------------------------------------------------------- auxiliares


def _modelo_minimo(taxa: float = 0.1):
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    modelo.compile(optimizer=keras.optimizers.SGD(taxa), loss="mse")
    return modelo


def _plateau_real(historico, lr_inicial, **kwargs) -> list[float]:
    """A taxa em vigor em cada época com o ReduceLROnPlateau verdadeiro."""
    modelo = _modelo_minimo(lr_inicial)
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", **kwargs)
    cb.set_model(modelo)
    cb.on_train_begin()
    taxas = []
    for epoca, valor in enumerate(historico):
        taxas.append(float(modelo.optimizer.learning_rate))
        cb.on_epoch_end(epoca, {"val_loss": valor})
    return taxas


def _paragem_real(historico, paciencia, min_delta=0.0, modo="min") -> tuple[int, int]:
    """(épocas corridas, época restaurada) com o EarlyStopping verdadeiro: o peso do modelo
    guarda o número da época, por isso o peso restaurado diz que época foi restaurada."""
    modelo = _modelo_minimo()
    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=paciencia, min_delta=min_delta,
                                       mode=modo, restore_best_weights=True)
    cb.set_model(modelo)
    modelo.stop_training = False
    cb.on_train_begin()
    corridas = 0
    for epoca, valor in enumerate(historico):
        modelo.set_weights([np.array([[float(epoca)]], np.float32)])
        corridas = epoca + 1
        cb.on_epoch_end(epoca, {"val_loss": valor})
        if modelo.stop_training:
            break
    cb.on_train_end()
    return corridas, int(round(float(modelo.get_weights()[0][0, 0])))


def _referencia_cosseno(warmup, total, inicial, final):
    return keras.optimizers.schedules.CosineDecay(
        0.0, total - warmup, alpha=final / inicial, warmup_target=inicial, warmup_steps=warmup)


# --------------------------------------------------------------------------- 07: WarmUpCosineDecay


@pytest.mark.parametrize("warmup, total, inicial, final", [
    (100, 1000, 1e-2, 1e-5),
    (0, 50, 3e-3, 0.0),       # sem aquecimento
    (7, 8, 1.0, 0.5),         # um só passo de descida
    (1000, 10000, 1e-3, 1e-6),  # os valores do texto
])
def test_warmup_cosine_igual_ao_cosine_decay_do_tf_keras(warmup, total, inicial, final):
    s = WarmUpCosineDecay(warmup, total, inicial, final)
    ref = _referencia_cosseno(warmup, total, inicial, final)
    passos = sorted({0, 1, max(warmup - 1, 0), warmup, warmup + 1, (warmup + total) // 2, total - 1,
                     total, total + 1, 2 * total, 50 * total})
    for passo in passos:
        v, r = float(s(passo)), float(ref(passo))
        assert abs(v - r) <= 1e-6 * abs(r) + 1e-6 * inicial, (passo, v, r)
    assert float(s(50 * total)) == pytest.approx(final, abs=1e-6 * inicial)  # não volta a subir


def test_warmup_cosine_tipos_de_passo_e_grafo():
    s = WarmUpCosineDecay(10, 100, 1e-2, 1e-4)
    esperado = float(s(37))
    for passo in (37, 37.0, np.int64(37), tf.constant(37), tf.constant(37, tf.int64),
                  tf.constant(37.0), tf.Variable(37, dtype=tf.int64)):
        v = s(passo)
        assert v.dtype == tf.float32 and v.shape == ()
        assert float(v) == pytest.approx(esperado, rel=1e-6)
    f = tf.function(lambda p: s(p), autograph=False)
    assert float(f(tf.constant(5, tf.int64))) == pytest.approx(5e-3, rel=1e-6)
    assert float(f(tf.constant(500, tf.int64))) == pytest.approx(1e-4, rel=1e-5)


def test_warmup_cosine_get_config_e_guardar(tmp_path):
    s = WarmUpCosineDecay(5, 60, 2e-2, 1e-4)
    copia = WarmUpCosineDecay.from_config(s.get_config())
    assert [float(copia(p)) for p in (0, 5, 30, 60, 99)] == [float(s(p)) for p in (0, 5, 30, 60, 99)]
    modelo = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(2)])
    modelo.compile(optimizer=keras.optimizers.Adam(s), loss="mse")
    modelo.fit(np.ones((8, 3)), np.zeros((8, 2)), epochs=1, batch_size=4, verbose=0)
    caminho = tmp_path / "m.keras"
    modelo.save(caminho)
    lido = keras.models.load_model(caminho, custom_objects={"WarmUpCosineDecay": WarmUpCosineDecay})
    assert lido.optimizer._learning_rate.get_config() == s.get_config()


def test_warmup_cosine_no_fit_segue_a_referencia():
    s = WarmUpCosineDecay(6, 20, 5e-2, 1e-3)
    ref = _referencia_cosseno(6, 20, 5e-2, 1e-3)
    vistos = []

    class Registo(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            vistos.append((int(self.model.optimizer.iterations), float(self.model.optimizer.learning_rate)))

    modelo = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(2)])
    modelo.compile(optimizer=keras.optimizers.Adam(s), loss="mse")
    modelo.fit(np.ones((32, 3)), np.zeros((32, 2)), epochs=3, batch_size=4, verbose=0, callbacks=[Registo()])
    assert len(vistos) == 24
    for iteracoes, lr in vistos:  # depois do passo k (iterations = k + 1) o otimizador usou lr(k)
        r = float(ref(iteracoes - 1))
        assert abs(lr - r) <= 1e-6 * abs(r) + 1e-6 * 5e-2


@pytest.mark.parametrize("args", [(-1, 10, 1e-3, 0.0), (10, 10, 1e-3, 0.0), (10, 5, 1e-3, 0.0),
                                  (0, 10, -1e-3, 0.0), (0, 10, 1e-3, -1e-5)])
def test_warmup_cosine_argumentos_invalidos(args):
    with pytest.raises(ValueError):
        WarmUpCosineDecay(*args)


# --------------------------------------------------------------------------- 07: ReduceLROnPlateau


CASOS_PLATEAU = [
    # (histórico, lr_inicial, kwargs)
    ([1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], 1e-2, {}),                              # empates
    ([1.0, 0.99995, 0.99993, 0.9999, 0.99991, 0.5, 0.5, 0.5, 0.5], 1e-2, {}),           # < min_delta
    ([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9], 1e-2, {"patience": 1, "cooldown": 3}),
    ([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7], 1e-2, {"patience": 1, "cooldown": 1}),  # = sem cooldown
    ([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7], 1e-2, {"patience": 0, "cooldown": 2}),
    ([1.0] + [2.0] * 20, 1e-3, {"factor": 0.1, "patience": 2, "min_lr": 1e-5}),        # min_lr
    ([3.0, 2.0, 2.5, 1.0, 1.5, 1.6, 0.9, 0.95, 0.97, 0.99, 0.98], 0.1, {"factor": 0.3, "patience": 2, "min_delta": 0.05}),
]


@pytest.mark.parametrize("historico, lr_inicial, kwargs", CASOS_PLATEAU)
def test_simular_reduce_on_plateau_igual_ao_callback(historico, lr_inicial, kwargs):
    real = _plateau_real(historico, lr_inicial, **{"factor": 0.5, "patience": 3, "min_lr": 1e-7, **kwargs})
    simulado = simular_reduce_on_plateau(historico, lr_inicial, **kwargs)
    assert len(simulado) == len(historico) and simulado[0] == lr_inicial
    np.testing.assert_allclose(simulado, real, rtol=1e-6)


def test_simular_reduce_on_plateau_historicos_aleatorios():
    rng = np.random.default_rng(43)
    for _ in range(60):
        n = int(rng.integers(1, 30))
        historico = list(np.round(np.cumsum(rng.normal(-0.01, 0.05, size=n)) + 2, 3))
        kwargs = {"factor": float(rng.choice([0.1, 0.5, 0.8])), "patience": int(rng.integers(0, 4)),
                  "min_lr": float(rng.choice([0.0, 1e-4, 2e-3])), "min_delta": float(rng.choice([0.0, 1e-4, 0.02])),
                  "cooldown": int(rng.integers(0, 4))}
        real = _plateau_real(historico, 1e-2, **kwargs)
        np.testing.assert_allclose(simular_reduce_on_plateau(historico, 1e-2, **kwargs), real, rtol=1e-6,
                                   err_msg=str((historico, kwargs)))


@pytest.mark.parametrize("kwargs", [{"factor": 1.0}, {"factor": 0.0}, {"factor": 1.5}, {"patience": -1}])
def test_simular_reduce_on_plateau_argumentos_invalidos(kwargs):
    with pytest.raises(ValueError):
        simular_reduce_on_plateau([1.0, 0.9], 1e-3, **kwargs)


# --------------------------------------------------------------------------- 08: EarlyStopping


CASOS_PARAGEM = [
    ([1.0, 0.8, 0.8, 0.8, 0.8], 2, 0.0, "min"),                 # empate não é melhoria
    ([1.0, 0.9, 0.8995, 0.899, 0.85, 0.86, 0.87], 2, 0.001, "min"),  # melhorias < min_delta
    ([1.0, 0.9995, 0.9990, 0.9985, 0.998], 2, 0.001, "min"),    # a época restaurada não é a do mínimo
    ([1.0, 1.2, 0.5, 0.4], 0, 0.0, "min"),                      # paciência 0 = 1
    ([1.0, 1.2, 0.5, 0.4], 1, 0.0, "min"),
    ([0.5, 0.7, 0.7, 0.6, 0.9, 0.8, 0.85, 0.8], 2, 0.0, "max"),
    ([0.5, 0.6, 0.7, 0.8], 3, 0.0, "min"),                      # nunca melhora depois da 1.ª
    ([3.0, 2.0, 1.0], 5, 0.0, "min"),                           # nunca para
]


@pytest.mark.parametrize("historico, paciencia, min_delta, modo", CASOS_PARAGEM)
def test_epoca_de_paragem_igual_ao_callback(historico, paciencia, min_delta, modo):
    assert epoca_de_paragem(historico, paciencia, min_delta, modo) == _paragem_real(historico, paciencia, min_delta, modo)


def test_epoca_de_paragem_min_delta_restaura_antes_do_minimo():
    historico = [1.0, 0.9995, 0.9990, 0.9985, 0.998]
    corridas, melhor = epoca_de_paragem(historico, 2, 0.001)
    assert (corridas, melhor) == (3, 0) and melhor != int(np.argmin(historico))


def test_epoca_de_paragem_historicos_aleatorios():
    rng = np.random.default_rng(8)
    for _ in range(60):
        n = int(rng.integers(1, 25))
        historico = list(np.round(np.cumsum(rng.normal(-0.01, 0.05, size=n)) + 2, 3))
        args = (int(rng.integers(0, 5)), float(rng.choice([0.0, 0.001, 0.03])), str(rng.choice(["min", "max"])))
        assert epoca_de_paragem(historico, *args) == _paragem_real(historico, *args), (historico, args)


@pytest.mark.parametrize("args", [([], 2), ([1.0], -1), ([1.0], 1, 0.0, "auto"), ([1.0], 1, 0.0, "mínimo")])
def test_epoca_de_paragem_argumentos_invalidos(args):
    with pytest.raises(ValueError):
        epoca_de_paragem(*args)


def test_maiusculas_e_espacos_no_modo_nao_contam():
    """Issue 21: a convenção do curso (como no 09): «MAX» e « min » valem «max» e «min»."""
    historico = [0.5, 0.7, 0.6, 0.65, 0.9]
    assert epoca_de_paragem(historico, 2, modo="MAX") == epoca_de_paragem(historico, 2, modo="max")
    assert epoca_de_paragem(historico, 2, modo=" min ") == epoca_de_paragem(historico, 2, modo="min")
    assert TopKCheckpoint("m.keras", modo="MAX").modo == "max"


# --------------------------------------------------------------------------- 08: TopKCheckpoint


class _ModeloQueConta(keras.Sequential):
    """Um modelo que regista cada save (para ver o que foi escrito)."""

    def __init__(self):
        super().__init__([keras.layers.Input((2,)), keras.layers.Dense(1)])
        self.guardados = []

    def save(self, filepath, *args, **kwargs):
        self.guardados.append(str(filepath))
        return super().save(filepath, *args, **kwargs)


def _conduzir(cb, valores, monitor):
    modelo = _ModeloQueConta()
    cb.set_model(modelo)
    for epoca, v in enumerate(valores):
        cb.on_epoch_end(epoca, {monitor: v, "loss": 1.0})
    return modelo.guardados


@pytest.mark.parametrize("modo, valores, k, ficam, escritos", [
    # max, k = 2: a época 4 (0,4) não entra; a 6 empata com a 2 e fica a mais antiga.
    ("max", [0.5, 0.7, 0.6, 0.4, 0.8, 0.7], 2, [5, 2], [1, 2, 3, 5]),
    # min (val_loss), k = 3: guarda os 3 menores; a época 7 empata com a 2 e tira a 6 (0,6).
    ("min", [0.9, 0.5, 0.7, 0.95, 0.4, 0.6, 0.5], 3, [5, 2, 7], [1, 2, 3, 5, 6, 7]),
    ("max", [0.3, 0.3, 0.3], 1, [1], [1]),
])
def test_topk_checkpoint_ficheiros_e_melhores(tmp_path, modo, valores, k, ficam, escritos):
    padrao = str(tmp_path / "m{epoch:02d}.keras")
    cb = TopKCheckpoint(padrao, monitor="val_x", k=k, modo=modo)
    guardados = _conduzir(cb, valores, "val_x")
    assert guardados == [padrao.format(epoch=e) for e in escritos]
    assert sorted(os.listdir(tmp_path)) == sorted(f"m{e:02d}.keras" for e in ficam)
    assert cb.melhores == [(valores[e - 1], padrao.format(epoch=e)) for e in ficam]


def test_topk_checkpoint_metrica_em_falta_avisa(tmp_path):
    cb = TopKCheckpoint(str(tmp_path / "m{epoch}_{val_accuracy:.3f}.keras"))
    with warnings.catch_warnings(record=True) as avisos:
        warnings.simplefilter("always")
        _conduzir(cb, [1.0, 0.5], "loss")
    assert len(avisos) == 2 and "val_accuracy" in str(avisos[0].message)
    assert os.listdir(tmp_path) == [] and cb.melhores == []


def test_topk_checkpoint_num_fit_real(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 2)).astype(np.float32), rng.integers(0, 2, 64)
    modelo = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(2)])
    modelo.compile(optimizer=keras.optimizers.SGD(0.05),
                   loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    cb = TopKCheckpoint(str(tmp_path / "e{epoch:02d}_{val_loss:.4f}.keras"), monitor="val_loss", k=2, modo="min")
    hist = modelo.fit(x, y, validation_split=0.25, epochs=6, batch_size=16, verbose=0, callbacks=[cb]).history
    melhores = sorted(range(6), key=lambda e: hist["val_loss"][e])[:2]
    esperados = [f"e{e + 1:02d}_{hist['val_loss'][e]:.4f}.keras" for e in melhores]
    assert sorted(os.listdir(tmp_path)) == sorted(esperados)
    assert [os.path.basename(c) for _, c in cb.melhores] == esperados
    keras.models.load_model(cb.melhores[0][1])  # um modelo que se lê de volta


@pytest.mark.parametrize("kwargs", [{"k": 0}, {"modo": "auto"}])
def test_topk_checkpoint_argumentos_invalidos(tmp_path, kwargs):
    with pytest.raises(ValueError):
        TopKCheckpoint(str(tmp_path / "m.keras"), **kwargs)
