"""Solução de referência do caderno 08_paragem_e_checkpoints — 4.3 «Early Stopping» e
«Checkpointing Estratégico».

``epoca_de_paragem`` reproduz o ``tf_keras.callbacks.EarlyStopping`` (com
``restore_best_weights=True``) linha a linha: no fim de cada época a espera sobe 1; se o valor
melhora o melhor por mais de ``min_delta`` (valor − min_delta < melhor em "min"), passa a ser o
melhor, a sua época é a que se restaura e a espera volta a 0; senão, com espera ≥ paciência (e
depois da primeira época) o treino para. Por isso paciência 0 e 1 dão o mesmo, e com
``min_delta`` a época restaurada pode não ser a do mínimo da curva.

Corrige a armadilha 9 (docs/correcoes.md#a9-checkpoints) no ``TopKCheckpoint`` do texto, que:

* ordena sempre do maior para o menor: com ``val_loss`` guarda os k *piores* modelos; aqui há
  ``modo`` ("max" ou "min");
* rebenta quando a métrica não está nos registos (``None`` na ordenação, ou ``KeyError`` no
  ``format`` do caminho); aqui avisa (``warnings.warn``, em pt-PT) e o treino continua;
* guarda todos os modelos e só depois apaga o que sai: aqui um modelo que não entra nos k
  melhores nem chega a ser escrito;
* usa a época a contar de 0 no nome do ficheiro; aqui é ``epoch + 1``, como o ``ModelCheckpoint``.

Sem funções auxiliares privadas: o corpo de cada função/método só usa ``os``, ``warnings``,
``np`` e ``keras`` (os imports do caderno).
"""

from __future__ import annotations

import os
import warnings

# O curso usa Keras 2 (tf_keras) em todos os modelos: docs/correcoes.md#a4-tfmot-so-com-keras-2.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402


def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    """(epocas_corridas, melhor_epoca) do ``tf_keras.callbacks.EarlyStopping(patience=paciencia,
    min_delta=min_delta, mode=modo, restore_best_weights=True)`` ao ver ``historico``.

    epocas_corridas: quantas épocas o ``fit`` corre antes de parar (len(historico) se nunca
    parar). melhor_epoca: a época (a contar de 0) cujos pesos o callback restaura.
    ValueError (pt-PT) para um histórico vazio, paciência negativa ou modo que não seja
    "min" nem "max".
    """
    if len(historico) == 0:
        raise ValueError("O histórico está vazio: preciso do valor monitorizado de pelo menos uma época.")
    if paciencia < 0:
        raise ValueError(f"A paciência não pode ser negativa; recebi {paciencia}.")
    modo = modo.strip().lower() if isinstance(modo, str) else modo  # "MAX" é "max", como no curso todo
    if modo not in ("min", "max"):
        raise ValueError(f"modo tem de ser 'min' ou 'max'; recebi {modo!r}.")
    # Em "max" comparamos os simétricos: maior é melhor passa a menor é melhor.
    sinal = 1.0 if modo == "min" else -1.0
    delta = abs(min_delta)
    melhor = np.inf
    melhor_epoca = 0
    espera = 0
    for epoca, valor in enumerate(historico):
        espera += 1  # o tf_keras soma antes de comparar
        if sinal * valor + delta < melhor:  # melhoria maior do que min_delta
            melhor = sinal * valor
            melhor_epoca = epoca
            espera = 0
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, melhor_epoca
    return len(historico), melhor_epoca


class TopKCheckpoint(keras.callbacks.Callback):
    """Guarda no disco só os k melhores modelos vistos até agora.

    No fim de cada época lê ``logs[monitor]``. Se o modelo entra nos k melhores (segundo
    ``modo``; num empate fica o mais antigo), guarda-o com ``self.model.save`` em
    ``caminho.format(epoch=epoch + 1, **logs)`` e apaga o ficheiro que sai. ``melhores``:
    lista de (valor, caminho), o melhor primeiro.
    """

    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        """Guarda os argumentos e começa com ``melhores = []``. ValueError (pt-PT) para k < 1
        ou um modo que não seja "max" nem "min"."""
        super().__init__()
        if k < 1:
            raise ValueError(f"k tem de ser pelo menos 1 (quantos modelos guardar); recebi {k}.")
        modo = modo.strip().lower() if isinstance(modo, str) else modo  # "MAX" é "max", como no curso todo
        if modo not in ("max", "min"):
            raise ValueError(f"modo tem de ser 'max' (maior é melhor) ou 'min' (menor é melhor); recebi {modo!r}.")
        self.caminho = caminho
        self.monitor = monitor
        self.k = k
        self.modo = modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        """Guarda o modelo desta época se estiver entre os k melhores e apaga o que sai; sem
        a métrica nos ``logs``, avisa e não guarda nada."""
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn(
                f"TopKCheckpoint: a métrica '{self.monitor}' não está nos registos da época "
                f"{epoch + 1} (há: {', '.join(sorted(logs)) or 'nenhuma'}). Não guardei nenhum "
                "modelo; confirma o nome em monitor= (e se precisas de validation_data).",
                stacklevel=2,
            )
            return
        valor = float(valor)
        # Posição na lista (o melhor primeiro): antes do primeiro que seja estritamente pior.
        # Um empate fica depois dos que já lá estavam (ganha o mais antigo).
        posicao = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if self.modo == "max" else (valor < outro):
                posicao = i
                break
        if posicao >= self.k:
            return  # não entra nos k melhores: nem chega a ser escrito
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(posicao, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if sai not in [c for _, c in self.melhores] and os.path.exists(sai):
                os.remove(sai)
