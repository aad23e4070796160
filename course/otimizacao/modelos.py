"""O modelo de base do curso: uma CNN tf_keras pequena (37,7 mil parâmetros) que treina em
segundos num CPU. Usamos ``tf_keras`` (Keras 2) porque o tfmot não funciona com Keras 3."""

from __future__ import annotations

import numpy as np


def fixar_sementes(semente: int = 0) -> None:
    """Fixa as sementes do Python, NumPy e TensorFlow (e torna as operações determinísticas).
    Apresentado no caderno 00."""
    import tensorflow as tf
    import tf_keras as keras

    keras.utils.set_random_seed(semente)
    try:
        tf.config.experimental.enable_op_determinism()
    except Exception:  # já ativado ou indisponível nesta versão: não é crítico
        pass


def criar_modelo_base(forma_entrada=(8, 8, 1), num_classes: int = 10, semente: int = 0):
    """Cria (sem treinar) a CNN de base: Conv2D(16) → Flatten → Dense(64) → Dense(classes).

    A saída são *logits* (sem softmax): a perda usa ``from_logits=True``. Com entradas 8×8
    tem 37 738 parâmetros; abaixo de ~25 mil, o overhead fixo de ~5 KB de um ficheiro TFLite
    esconde o ganho da quantização (CURSO.md, «Data and models»). Apresentado no caderno 00.
    """
    import tf_keras as keras

    fixar_sementes(semente)
    modelo = keras.Sequential(
        [
            keras.layers.Input(shape=tuple(forma_entrada)),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv"),
            keras.layers.Flatten(name="achatar"),
            keras.layers.Dense(64, activation="relu", name="densa"),
            keras.layers.Dense(num_classes, name="logits"),
        ],
        name="modelo_base",
    )
    compilar(modelo)
    return modelo


def compilar(modelo, taxa: float = 1e-3):
    """Compila com Adam e entropia cruzada esparsa sobre logits. Apresentado no caderno 00."""
    import tf_keras as keras

    modelo.compile(
        optimizer=keras.optimizers.Adam(taxa),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return modelo


def treinar_modelo_base(dados, epocas: int = 15, semente: int = 0, verbose: int = 0):
    """Cria e treina o modelo de base nos ``dados`` (ver ``otimizacao.dados``).

    Em digits chega a ~0,97 de exatidão em poucos segundos num CPU. Devolve o modelo treinado.
    Apresentado no caderno 00.
    """
    modelo = criar_modelo_base(dados.forma_entrada, dados.num_classes, semente)
    modelo.fit(
        dados.x_treino,
        dados.y_treino,
        validation_data=(dados.x_val, dados.y_val),
        epochs=epocas,
        batch_size=32,
        verbose=verbose,
        shuffle=True,
    )
    return modelo


def exatidao(modelo, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão (0..1) de um modelo Keras que devolve logits ou probabilidades.
    Apresentado no caderno 00."""
    previsoes = np.asarray(modelo.predict(x, verbose=0))
    return float(np.mean(np.argmax(previsoes, axis=-1) == np.asarray(y)))
