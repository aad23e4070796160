"""Solução de referência do caderno 03_qat — treino com consciência da quantização (QAT)
com o tensorflow-model-optimization (tfmot).

Armadilha 4 (docs/correcoes.md#a4-tfmot-so-com-keras-2): o tfmot não funciona com Keras 3, por isso tudo o que lhe toca usa
``tf_keras`` (Keras 2). Importar o pacote ``otimizacao`` define ``TF_USE_LEGACY_KERAS=1``,
para que o conversor TFLite do TensorFlow também trabalhe com modelos ``tf_keras``.

Não há funções auxiliares privadas: ``treinar_com_qat`` usa ``preparar_qat``, o exercício
anterior do mesmo caderno.
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_model_optimization as tfmot
import tf_keras as keras


def preparar_qat(modelo) -> keras.Model:
    """Devolve uma cópia de ``modelo`` (tf_keras) preparada para QAT, compilada e pronta a treinar.

    ``tfmot.quantization.keras.quantize_model`` envolve cada camada em nós que simulam a
    quantização int8 (fake quant) no passo para a frente. A cópia é compilada com Adam e
    entropia cruzada esparsa sobre logits, com a métrica ``accuracy``. O ``modelo`` recebido
    não é alterado.

    Atenção: antes do primeiro passo de treino, o modelo QAT ainda não tem os intervalos de
    quantização calibrados e prevê ao acaso; compara-o só depois de treinar.
    """
    # quantize_model já trabalha sobre um clone; clonar aqui torna explícito que o original
    # (camadas e pesos) fica intacto.
    copia = keras.models.clone_model(modelo)
    copia.set_weights(modelo.get_weights())

    modelo_qat = tfmot.quantization.keras.quantize_model(copia)
    modelo_qat.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return modelo_qat


def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    """Prepara uma cópia QAT de ``modelo``, treina-a ``epocas`` épocas e converte-a para TFLite.

    Devolve ``(modelo_qat, modelo_tflite)``: o modelo tf_keras treinado e os bytes do modelo
    TFLite com pesos int8 (a entrada e a saída ficam em float32). O ``modelo`` recebido não é
    alterado.
    """
    modelo_qat = preparar_qat(modelo)
    modelo_qat.fit(
        x_treino,
        y_treino,
        validation_data=(x_val, y_val),
        epochs=epocas,
        batch_size=32,
        verbose=0,
    )

    # O modelo QAT já traz os intervalos de quantização aprendidos: o conversor usa-os e não
    # precisa de dataset representativo.
    conversor = tf.lite.TFLiteConverter.from_keras_model(modelo_qat)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    modelo_tflite = conversor.convert()
    return modelo_qat, modelo_tflite
