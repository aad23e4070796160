"""Solução de referência do caderno 05_poda_e_quantizacao — 4.2 «Combinar Pruning +
Quantização»: poda → afinação → quantização int8 completa.

Corrige a armadilha 6 (docs/correcoes.md#a6-pipeline-do-texto): no texto, ``otimizar_modelo_completo`` é uma função livre
que chama métodos ``self.``, usa ``get_model_size`` (que não existe) e compara megabytes de um
``.keras`` com os bytes de um TFLite. Aqui comparamos o que é comparável: o TFLite float do
modelo original e o TFLite int8 do modelo podado, ambos comprimidos com gzip (os zeros só
poupam espaço depois de comprimidos).

Outra armadilha que aparece aqui: afinar um modelo podado *sem* o invólucro de poda volta a
encher os zeros (o gradiente não sabe que eles deviam ficar a zero). A afinação faz-se com a
máscara fixa e só depois se tira o invólucro.

Funções usadas pelo exercício, vindas de cadernos anteriores (o caderno 05 define-as antes
dele): ``podar_progressivamente`` e ``tamanho_gzip`` (04_poda), ``quantizar_modelo_int8`` e
``avaliar_tflite`` (01_ptq_tflite). Não há funções auxiliares privadas.
"""

from __future__ import annotations

import os

# O tfmot só funciona com Keras 2 (tf_keras): docs/correcoes.md#a4-tfmot-so-com-keras-2.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tensorflow as tf  # noqa: E402
import tensorflow_model_optimization as tfmot  # noqa: E402
import tf_keras as keras  # noqa: E402

from solutions.poda import podar_progressivamente, tamanho_gzip  # noqa: E402
from solutions.ptq_tflite import avaliar_tflite, quantizar_modelo_int8  # noqa: E402


def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:
    """Pipeline completo de compressão: poda → afinação → quantização int8 completa.

    Devolve um dicionário com:

    * ``"modelo_tflite"``: os bytes do modelo TFLite final (podado e int8);
    * ``"tamanho_original"`` / ``"tamanho_final"``: bytes, depois de gzip, do TFLite float do
      ``modelo`` original e do TFLite int8 final;
    * ``"reducao"``: percentagem poupada (ex.: 90.0 quando o final tem 1/10 do original);
    * ``"precisao_original"`` / ``"precisao_final"``: exatidão (0..1) em ``(x_val, y_val)`` do
      TFLite float original e do TFLite final.

    O ``modelo`` recebido (tf_keras, saída em logits) não é alterado.
    """
    # PASSO 1 — poda progressiva até `esparsidade` (caderno 04). Devolve uma cópia.
    modelo_podado = podar_progressivamente(modelo, x_treino, y_treino,
                                           esparsidade_final=esparsidade)

    # PASSO 2 — afinação com a máscara fixa. A máscara é calculada uma só vez, no passo 1
    # (os zeros já são os pesos mais pequenos, por isso são esses que ficam a zero), e depois
    # cada passo de treino volta a multiplicar os pesos por ela.
    mascara_fixa = tfmot.sparsity.keras.ConstantSparsity(
        esparsidade, begin_step=0, end_step=1, frequency=1
    )
    modelo_a_afinar = tfmot.sparsity.keras.prune_low_magnitude(
        modelo_podado, pruning_schedule=mascara_fixa
    )
    modelo_a_afinar.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    modelo_a_afinar.fit(
        x_treino,
        y_treino,
        batch_size=16,
        epochs=3,
        callbacks=[tfmot.sparsity.keras.UpdatePruningStep()],
        verbose=0,
    )
    modelo_afinado = tfmot.sparsity.keras.strip_pruning(modelo_a_afinar)

    # PASSO 3 — quantização int8 completa (caderno 01), calibrada com dados de treino.
    modelo_tflite = quantizar_modelo_int8(modelo_afinado, x_treino, num_amostras=100)

    # Comparação justa: o ponto de partida é o TFLite float32 do modelo original.
    tflite_original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    tamanho_original = tamanho_gzip(tflite_original)
    tamanho_final = tamanho_gzip(modelo_tflite)

    return {
        "modelo_tflite": modelo_tflite,
        "tamanho_original": tamanho_original,
        "tamanho_final": tamanho_final,
        "reducao": (1 - tamanho_final / tamanho_original) * 100,
        "precisao_original": avaliar_tflite(tflite_original, x_val, y_val),
        "precisao_final": avaliar_tflite(modelo_tflite, x_val, y_val),
    }
