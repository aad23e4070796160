"""Solução de referência do caderno 07_taxa_de_aprendizagem — 4.3 «Learning Rate Scheduling».

Corrige a armadilha 8 (docs/correcoes.md#a8-warmup-cosine). O ``WarmUpCosineDecay`` do texto:

* decide a fase com um ``if`` de Python sobre o passo. Dentro do ``model.fit`` o passo é um
  tensor simbólico (``optimizer.iterations``) e o ``if`` falha
  (``OperatorNotAllowedInGraphError``); aqui as duas fases são calculadas com operações do
  TensorFlow e escolhidas com ``tf.where``;
* não converte o passo: um passo inteiro dividido por um inteiro dá float64 e a multiplicação
  por ``tf.constant(3.14159)`` (float32) falha; aqui tudo é convertido para float32;
* depois de ``total_steps`` o progresso passa de 1 e o cosseno volta a subir; aqui o progresso é
  limitado a [0, 1] e a taxa fica em ``target_lr``;
* não tem ``get_config``: um modelo compilado com ele não se guarda; aqui ``get_config``
  devolve os quatro argumentos do construtor (``from_config`` da classe base faz ``cls(**config)``).

``simular_reduce_on_plateau`` reproduz o ``tf_keras.callbacks.ReduceLROnPlateau`` (mode="min")
linha a linha: melhoria = valor < melhor − min_delta; fora do arrefecimento, cada época sem
melhoria soma 1 à espera; com espera ≥ patience a taxa é multiplicada por ``factor`` (sem
descer abaixo de ``min_lr``), a espera volta a 0 e começa o arrefecimento. No tf_keras o
contador do arrefecimento desconta no início da época seguinte, por isso um cooldown de c só
silencia c − 1 épocas (cooldown=1 não muda nada).

Sem funções auxiliares privadas: o corpo de cada função/método só usa ``np``, ``tf`` e
``keras`` (os imports do caderno).
"""

from __future__ import annotations

import os

# O curso usa Keras 2 (tf_keras) em todos os modelos: docs/correcoes.md#a4-tfmot-so-com-keras-2.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402


class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Taxa de aprendizagem com aquecimento linear e descida em cosseno.

    - passo < warmup_steps: initial_lr · passo / warmup_steps (sobe de 0 até initial_lr);
    - depois: target_lr + (initial_lr − target_lr) · ½ · (1 + cos(π · p)), com
      p = (passo − warmup_steps) / (total_steps − warmup_steps) limitado a [0, 1];
    - a partir de total_steps a taxa fica em target_lr. warmup_steps = 0: sem aquecimento.

    Uso: ``keras.optimizers.Adam(learning_rate=WarmUpCosineDecay(100, 1000, 1e-2, 1e-5))``.
    """

    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        """Guarda os quatro argumentos. ValueError (pt-PT) se warmup_steps < 0,
        total_steps ≤ warmup_steps ou alguma das taxas for negativa."""
        super().__init__()
        if warmup_steps < 0:
            raise ValueError(f"warmup_steps tem de ser ≥ 0 (0 = sem aquecimento); recebi {warmup_steps}.")
        if total_steps <= warmup_steps:
            raise ValueError(
                f"total_steps ({total_steps}) tem de ser maior do que warmup_steps ({warmup_steps}): "
                "a descida em cosseno precisa de pelo menos um passo."
            )
        if initial_lr < 0 or target_lr < 0:
            raise ValueError(
                f"As taxas de aprendizagem não podem ser negativas (initial_lr={initial_lr}, "
                f"target_lr={target_lr})."
            )
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.initial_lr = initial_lr
        self.target_lr = target_lr

    def __call__(self, step):
        """A taxa no passo ``step`` (int ou float, número de Python ou tensor): um tensor
        escalar float32. Só operações do TensorFlow, sem ``if`` sobre tensores."""
        passo = tf.cast(step, tf.float32)
        aquecimento = tf.cast(self.warmup_steps, tf.float32)
        total = tf.cast(self.total_steps, tf.float32)
        lr_inicial = tf.cast(self.initial_lr, tf.float32)
        lr_final = tf.cast(self.target_lr, tf.float32)
        # Fase 1: subida linear. O maximum evita 0/0 com warmup_steps = 0 (fase nunca usada).
        subida = lr_inicial * passo / tf.maximum(aquecimento, 1.0)
        # Fase 2: cosseno, com o progresso limitado a [0, 1] (depois de total_steps fica no fim).
        progresso = tf.clip_by_value((passo - aquecimento) / (total - aquecimento), 0.0, 1.0)
        descida = lr_final + (lr_inicial - lr_final) * 0.5 * (1.0 + tf.cos(np.pi * progresso))
        # tf.where escolhe a fase sem um if de Python: funciona em grafo (model.fit).
        return tf.where(passo < aquecimento, subida, descida)

    def get_config(self):
        """Os argumentos do construtor: ``WarmUpCosineDecay.from_config(s.get_config())``
        recria a mesma taxa, e um modelo compilado com ela pode ser guardado."""
        return {
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
            "initial_lr": self.initial_lr,
            "target_lr": self.target_lr,
        }


def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    """A taxa de aprendizagem em vigor em cada época, tal como
    ``tf_keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", ...)`` a define ao ver
    ``historico_val_loss``.

    A lista tem o comprimento do histórico; o elemento 0 é ``lr_inicial``. Uma redução decidida
    no fim da época e vale a partir da época e + 1. ValueError (pt-PT) se ``factor`` não estiver
    em (0, 1) ou se ``patience`` for negativa.
    """
    if not 0 < factor < 1:
        raise ValueError(f"factor tem de estar entre 0 e 1 (exclusive): a taxa é multiplicada por ele; recebi {factor}.")
    if patience < 0:
        raise ValueError(f"patience não pode ser negativa; recebi {patience}.")
    lr = float(lr_inicial)
    melhor = np.inf
    espera = 0
    arrefecimento = 0
    taxas = []
    for valor in historico_val_loss:
        taxas.append(lr)  # a taxa com que esta época treinou
        # O que o callback faz no fim da época:
        if arrefecimento > 0:  # no tf_keras o arrefecimento desconta antes de comparar
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:  # melhoria (um empate não é melhoria)
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and np.float32(lr) > np.float32(min_lr):
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
                espera = 0
    return taxas
