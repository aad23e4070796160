"""Figuras do caderno 09_pipeline_completo, em matplotlib.

As funções só desenham: recebem números já medidos no caderno (tempos por passo de treino).
O gráfico tamanho contra exatidão das etapas do pipeline é parte do exercício
(``gerar_relatorio``): não está aqui.
"""

from __future__ import annotations

import numpy as np


def tempos_por_politica(tempos: dict[str, dict[str, list[float]]],
                        titulo: str = "Um passo de treino, o mesmo modelo e o mesmo lote"):
    """Caixas com os tempos (ms) de cada política de precisão, um painel por relógio.

    ``tempos[relogio][politica]`` é a lista de tempos medidos (ms), por exemplo
    ``{"relógio de parede": {"float32": [...], "mixed_float16": [...]}, "tempo de CPU": {...}}``.
    A linha dentro de cada caixa é a mediana. Apresentado no caderno 09_pipeline_completo.
    """
    import matplotlib.pyplot as plt

    fig, eixos = plt.subplots(1, len(tempos), figsize=(5 * len(tempos), 3.8), squeeze=False)
    for eixo, (relogio, por_politica) in zip(eixos[0], tempos.items(), strict=True):
        nomes = list(por_politica)
        valores = [np.asarray(por_politica[n], dtype=float) for n in nomes]
        eixo.boxplot(valores, showfliers=False)
        eixo.set_xticks(range(1, len(nomes) + 1), nomes)
        for i, v in enumerate(valores, start=1):
            eixo.annotate(f"{np.median(v):.1f} ms", (i, np.median(v)), textcoords="offset points",
                          xytext=(28, 0), va="center", fontsize=9)
        eixo.set_ylabel("ms por passo")
        eixo.set_title(relogio)
    fig.suptitle(titulo)
    fig.tight_layout()
    return fig
