"""O modelo de base do curso: uma CNN tf_keras pequena (37,7 mil parâmetros) que treina em
segundos num CPU. Usamos ``tf_keras`` (Keras 2) porque o tfmot não funciona com Keras 3."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

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


def criar_modelo_base(forma_entrada=(8, 8, 1), num_classes: int = 10, semente: int = 0,
                      largura: float = 1.0):
    """Cria (sem treinar) a CNN de base: Conv2D(16) → Flatten → Dense(64) → Dense(classes).

    A saída são *logits* (sem softmax): a perda usa ``from_logits=True``. Com entradas 8×8
    tem 37 738 parâmetros; abaixo de ~25 mil, o custo fixo de um ficheiro TFLite (a estrutura
    e os parâmetros de quantização, uns KiB) esconde o ganho da quantização (docs/invariantes.md#r-modelo-de-base;
    o caderno 05 mede-o). Apresentado no caderno 00.

    ``largura`` multiplica o número de filtros da Conv2D e de neurónios da Dense escondida
    (arredondados, pelo menos 1): 0,5 dá 8 filtros e 32 neurónios, 2 dá 32 e 128. Com 1
    (omissão) é o modelo de base. O caderno 05 usa-a para medir a compressão em função do
    tamanho do modelo.
    """
    import tf_keras as keras

    fixar_sementes(semente)
    modelo = keras.Sequential(
        [
            keras.layers.Input(shape=tuple(forma_entrada)),
            keras.layers.Conv2D(max(1, int(round(16 * largura))), 3, activation="relu", name="conv"),
            keras.layers.Flatten(name="achatar"),
            keras.layers.Dense(max(1, int(round(64 * largura))), activation="relu", name="densa"),
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


def pasta_cache() -> Path:
    """Onde se guardam os modelos de base já treinados: ``CURSO4_CACHE_MODELOS`` se existir,
    senão ``~/.cache/curso4-otimizacao`` (fora de ``course/``, para não encher a pasta do curso).
    Apresentado no caderno 00."""
    pasta = os.environ.get("CURSO4_CACHE_MODELOS")
    if pasta:
        return Path(pasta)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "curso4-otimizacao"


def chave_cache(modelo, dados, epocas: int, semente: int) -> str:
    """A chave de um modelo treinado: a arquitetura, os dados (bytes), as épocas, a semente e
    as versões do Python, do NumPy, do TensorFlow e do tf_keras (e o processador). Se algum
    muda, é outro modelo e treina-se de novo. Apresentado no caderno 00."""
    import json
    import platform
    from importlib import metadata

    h = hashlib.sha256()
    # A arquitetura sem os nomes que o Keras gera (``input_1``, ``input_2``… mudam com o
    # número de modelos já criados no mesmo processo).
    camadas = [(type(c).__name__, {k: v for k, v in c.get_config().items() if k != "name"}) for c in modelo.layers]
    h.update(json.dumps([list(modelo.input_shape), camadas], sort_keys=True, default=str).encode())
    for parte in (dados.x_treino, dados.y_treino, dados.x_val, dados.y_val):
        h.update(np.ascontiguousarray(parte).tobytes())
    versoes = [platform.python_version(), platform.machine()]
    for pacote in ("numpy", "tensorflow", "tf-keras"):
        try:
            versoes.append(metadata.version(pacote))
        except metadata.PackageNotFoundError:
            versoes.append("?")
    h.update(json.dumps([epocas, semente, _LOTE, versoes]).encode())
    return h.hexdigest()[:16]


_LOTE = 32


def treinar_modelo_base(dados, epocas: int = 15, semente: int = 0, verbose: int = 0, cache: bool = True):
    """Cria e treina o modelo de base nos ``dados`` (ver ``otimizacao.dados``).

    Em digits chega a ~0,97 de exatidão em poucos segundos num CPU. Devolve o modelo treinado
    (compilado, com o estado do otimizador). Com ``cache=True`` (omissão), um modelo treinado
    com a mesma arquitetura, dados, épocas, semente e versões é lido da cache (``pasta_cache``)
    em vez de treinado outra vez, e diz-se no ecrã de onde veio; os pesos são os mesmos de um
    treino novo (as operações são determinísticas). Se a cache não se puder escrever (só de
    leitura, disco cheio), treina-se na mesma, sem erro. Apresentado no caderno 00.
    """
    import tf_keras as keras

    modelo = criar_modelo_base(dados.forma_entrada, dados.num_classes, semente)
    ficheiro = pasta_cache() / f"modelo_base-{chave_cache(modelo, dados, epocas, semente)}.keras"
    carregado = None
    if cache:
        try:
            if ficheiro.exists():
                carregado = keras.models.load_model(ficheiro)
        except Exception:  # sem permissão, ficheiro cortado ou de outra versão: treina-se de novo
            carregado = None
    if carregado is not None:
        modelo = carregado
        print(f"Modelo de base lido da cache ({ficheiro.name}): foi treinado antes com os mesmos dados, "
              "sementes e versões, e tem os mesmos pesos de um treino novo.")
    else:
        inicio = time.perf_counter()
        modelo.fit(
            dados.x_treino,
            dados.y_treino,
            validation_data=(dados.x_val, dados.y_val),
            epochs=epocas,
            batch_size=_LOTE,
            verbose=verbose,
            shuffle=True,
        )
        guardado = ""
        if cache:
            try:
                temporario = ficheiro.with_name(f"{ficheiro.stem}.{os.getpid()}.keras")
                ficheiro.parent.mkdir(parents=True, exist_ok=True)
                modelo.save(temporario)
                os.replace(temporario, ficheiro)  # nunca fica um ficheiro a meio na cache
                guardado = f"; guardado na cache ({ficheiro.parent}) para a próxima vez"
            except OSError:
                with contextlib.suppress(OSError):
                    temporario.unlink(missing_ok=True)
                guardado = "; a cache não se pode escrever aqui, por isso não foi guardado"
        print(f"Modelo de base treinado em {time.perf_counter() - inicio:.1f} s{guardado}.")
    # O estado dos geradores aleatórios depois desta função é o mesmo, venha o modelo da cache
    # ou de um treino novo: o que o caderno faz a seguir não depende disso.
    fixar_sementes(semente + 1)
    return modelo


def exatidao(modelo, x: np.ndarray, y: np.ndarray) -> float:
    """Exatidão (0..1) de um modelo Keras que devolve logits ou probabilidades.
    Apresentado no caderno 00."""
    previsoes = np.asarray(modelo.predict(x, verbose=0))
    return float(np.mean(np.argmax(previsoes, axis=-1) == np.asarray(y)))
