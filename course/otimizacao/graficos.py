"""Figuras reutilizadas pelos cadernos (matplotlib)."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


def barras_memoria(tabela: dict[str, dict[str, float]], limite_gb: float | None = 16.0,
                   titulo: str = "Memória só para os pesos"):
    """Barras agrupadas (escala logarítmica) da memória em GiB (2^30 bytes) de cada modelo em
    cada formato.

    ``tabela[modelo][formato] = GiB``. A linha horizontal marca a memória do portátil (os
    «16 GB» de um M1 são 16 GiB). Apresentado no caderno 00.
    """
    plt = _plt()
    modelos = list(tabela)
    formatos = list(next(iter(tabela.values())))
    largura = 0.8 / len(formatos)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, formato in enumerate(formatos):
        valores = [tabela[m][formato] for m in modelos]
        ax.bar(np.arange(len(modelos)) + i * largura, valores, largura, label=formato)
    ax.set_xticks(np.arange(len(modelos)) + largura * (len(formatos) - 1) / 2, modelos)
    ax.set_yscale("log")
    ax.set_ylabel("GiB (escala logarítmica)")
    ax.set_xlabel("número de parâmetros")
    if limite_gb:
        ax.axhline(limite_gb, color="black", linestyle="--", linewidth=1)
        ax.text(0.01, limite_gb * 1.3, f"{limite_gb:g} GiB", ha="left", transform=ax.get_yaxis_transform())
    ax.set_title(titulo)
    ax.legend(title="formato", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def quantizacao_de_pesos(pesos: np.ndarray, reconstrucoes: dict[str, tuple[np.ndarray, float]],
                         titulo: str = "Pesos de uma camada antes e depois de quantizar"):
    """Três painéis: histograma dos pesos originais; original vs. reconstruído (a «escada»);
    distribuição do erro com os limites ±escala/2.

    ``reconstrucoes[rotulo] = (pesos_desquantizados, escala)``. O erro é mostrado em passos
    (dividido pela escala), para que INT8 e INT4 caibam no mesmo eixo; a legenda dá o erro
    máximo absoluto. Apresentado no caderno 00.
    """
    plt = _plt()
    w = np.asarray(pesos).ravel()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 3.8))
    a1.hist(w, bins=80, color="grey")
    a1.set_title("pesos originais (float32)")
    a1.set_xlabel("valor")
    ordem = np.argsort(w)
    a2.plot(w[ordem], w[ordem], color="grey", linewidth=1, label="float32")
    for rotulo, (reconstruido, escala) in reconstrucoes.items():
        r = np.asarray(reconstruido).ravel()
        a2.step(w[ordem], r[ordem], where="mid", label=rotulo)
        erro = r - w
        # Em passos (erro / escala) as duas distribuições cabem na mesma escala: [-0,5; 0,5].
        a3.hist(erro / escala, bins=40, histtype="step", linewidth=1.5,
                label=f"{rotulo}: |erro| máx {np.abs(erro).max():.4f}")
    for limite in (-0.5, 0.5):
        a3.axvline(limite, color="black", linewidth=0.8, linestyle="--")
    a2.set_title("original → reconstruído")
    a2.set_xlabel("peso original")
    a2.set_ylabel("peso depois de quantizar")
    a2.legend(fontsize="small")
    a3.set_title("erro em passos (tracejado: ±½ passo)")
    a3.set_xlabel("(reconstruído − original) / escala")
    a3.legend(fontsize="small")
    fig.suptitle(titulo)
    fig.tight_layout()
    return fig
