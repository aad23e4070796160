"""Um módulo do PyTorch de custo conhecido, para testar medições de latência.

Apresentado no caderno 02: o ``Dorminhoco`` dorme um tempo que escolhemos em cada chamada e conta
as chamadas. Com ele, um teste sabe a latência certa (2 ms, 50 ms…) e quantas chamadas a função
de medição fez, sem depender da velocidade da máquina.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import torch
from torch import nn


class Dorminhoco(nn.Module):
    """Dorme ``lento_s`` segundos nas chamadas cujo número (a contar de 0) está em ``lentas`` e
    ``rapido_s`` nas outras; devolve a entrada. ``chamadas``: quantas vezes foi chamado;
    ``modos``: em cada chamada, se corria dentro de ``torch.inference_mode()``. Apresentado no
    caderno 02."""

    def __init__(self, rapido_s: float = 0.0, lento_s: float = 0.0, lentas: Iterable[int] = ()):
        super().__init__()
        if rapido_s < 0 or lento_s < 0:
            raise ValueError("Os tempos de espera (rapido_s, lento_s) não podem ser negativos.")
        self.rapido_s, self.lento_s = float(rapido_s), float(lento_s)
        self.lentas = frozenset(int(i) for i in lentas)
        self.chamadas = 0
        self.modos: list[bool] = []

    def forward(self, x):
        self.modos.append(torch.is_inference_mode_enabled())
        espera = self.lento_s if self.chamadas in self.lentas else self.rapido_s
        self.chamadas += 1
        if espera:
            time.sleep(espera)
        return x
