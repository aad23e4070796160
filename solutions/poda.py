"""Solução de referência do caderno 04_poda — 4.2 «Pruning e Compressão» (poda por magnitude).

Corrige duas armadilhas do texto (docs/correcoes.md#a5-esparsidade-e-tamanho e docs/correcoes.md#a11-calendario-da-poda):

* ``calcular_sparsity`` devolve uma fração (0..1) e o texto imprime-a como percentagem
  (100 vezes a menos); aqui devolvemos a fração e quem a mostra usa ``:.1%``;
* com o ``end_step`` do texto e a ``frequency=100`` predefinida, a poda para antes da
  esparsidade pedida (medido: 0,73 para 0,8). Aqui o ``end_step`` é calculado a partir do
  número de passos do treino e é um múltiplo da frequência, para que a última atualização da
  máscara aconteça mesmo com a esparsidade final;
* o ``prune_low_magnitude`` envolve as próprias camadas que recebe: sem clonar, o modelo de
  quem chama também seria podado.

Um modelo podado só fica mais pequeno depois de ``strip_pruning`` *e* de comprimido (gzip):
os zeros continuam a ocupar 4 bytes cada no ficheiro, mas comprimem-se muito bem.

Os exercícios não usam funções auxiliares privadas: só os imports do topo do módulo
(``gzip``, ``numpy as np``, ``tf_keras as keras``, ``tensorflow_model_optimization as tfmot``).
"""

from __future__ import annotations

import os

# O tfmot só funciona com Keras 2 (tf_keras): docs/correcoes.md#a4-tfmot-so-com-keras-2.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import gzip  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow_model_optimization as tfmot  # noqa: E402
import tf_keras as keras  # noqa: E402


def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    """Máscara booleana da poda por magnitude (``True`` = o peso fica).

    Remove exatamente ``round(esparsidade * n)`` dos ``n`` pesos: os de menor valor absoluto.
    A máscara tem a mesma forma de ``pesos``. Levanta ``ValueError`` se ``esparsidade`` não
    estiver em [0, 1).
    """
    if not 0.0 <= esparsidade < 1.0:
        raise ValueError(
            f"A esparsidade tem de estar em [0, 1) (é a fração de pesos a remover); "
            f"recebi {esparsidade!r}. Exemplo: 0.8 remove 80% dos pesos."
        )
    pesos = np.asarray(pesos)
    n_remover = int(round(esparsidade * pesos.size))
    # Índices dos pesos, do menor |w| para o maior; os primeiros n_remover saem.
    ordem = np.argsort(np.abs(pesos).ravel(), kind="stable")
    mascara = np.ones(pesos.size, dtype=bool)
    mascara[ordem[:n_remover]] = False
    return mascara.reshape(pesos.shape)


def calcular_sparsity(modelo) -> float:
    """Fração (entre 0 e 1, não percentagem) de pesos iguais a zero nos *kernels* das camadas
    do ``modelo`` que têm um (Conv2D, Dense, ...). Os *biases* não contam."""
    total = 0
    zeros = 0
    for camada in modelo.layers:
        if hasattr(camada, "kernel"):
            kernel = np.asarray(camada.kernel)
            total += kernel.size
            zeros += int(np.sum(kernel == 0))
    return zeros / total if total > 0 else 0.0


def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final: float = 0.8,
                           epocas: int = 4) -> keras.Model:
    """Poda por magnitude, progressiva, com o tfmot; devolve um modelo novo já sem os
    invólucros de poda (``strip_pruning``) e compilado.

    A esparsidade sobe de 0 até ``esparsidade_final`` segundo um ``PolynomialDecay`` que
    termina a 2/3 do treino de ``epocas`` épocas; o último terço afina o modelo com a máscara
    final fixa. O ``modelo`` recebido (tf_keras, saída em logits) não é alterado.
    """
    # Lotes pequenos = mais passos de treino: o modelo recupera melhor da poda.
    tamanho_lote = 16
    passos_por_epoca = int(np.ceil(len(x_treino) / tamanho_lote))
    passos_totais = epocas * passos_por_epoca
    # A máscara só é atualizada nos passos múltiplos de `frequencia` (o passo conta a partir
    # de 1). O último passo da poda tem de ser um desses passos e tem de chegar a acontecer:
    # é aí que a esparsidade atinge o valor final. ~40 atualizações ao longo do treino.
    frequencia = max(1, passos_totais // 40)
    passo_final = max(frequencia, (2 * passos_totais // 3) // frequencia * frequencia)

    # prune_low_magnitude envolve as camadas que recebe: trabalhamos numa cópia.
    copia = keras.models.clone_model(modelo)
    copia.set_weights(modelo.get_weights())

    calendario = tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=0.0,
        final_sparsity=esparsidade_final,
        begin_step=0,
        end_step=passo_final,
        frequency=frequencia,
    )
    modelo_a_podar = tfmot.sparsity.keras.prune_low_magnitude(copia, pruning_schedule=calendario)
    modelo_a_podar.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    modelo_a_podar.fit(
        x_treino,
        y_treino,
        batch_size=tamanho_lote,
        epochs=epocas,
        # Sem este callback o tfmot não avança o passo da poda (e dá erro).
        callbacks=[tfmot.sparsity.keras.UpdatePruningStep()],
        verbose=0,
    )

    # Tira os invólucros: ficam as camadas normais, com os zeros nos kernels.
    modelo_podado = tfmot.sparsity.keras.strip_pruning(modelo_a_podar)
    modelo_podado.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return modelo_podado


def tamanho_gzip(modelo_ou_bytes) -> int:
    """Tamanho em bytes, depois de comprimido com gzip, de um modelo TFLite (``bytes``) ou dos
    pesos de um modelo Keras.

    Para um modelo Keras comprimimos os bytes de todos os arrays de pesos, um a seguir ao
    outro (float32, como ficam num ficheiro de pesos), sem metadados e sem escrever nenhum
    ficheiro: a medida é determinística e depende só dos pesos.
    """
    if isinstance(modelo_ou_bytes, (bytes, bytearray, memoryview)):
        dados = bytes(modelo_ou_bytes)
    else:
        dados = b"".join(np.asarray(w).tobytes() for w in modelo_ou_bytes.get_weights())
    # mtime=0: o cabeçalho gzip não leva a hora, o tamanho é sempre o mesmo.
    return len(gzip.compress(dados, compresslevel=9, mtime=0))
