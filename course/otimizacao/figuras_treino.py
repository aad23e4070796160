"""Figuras da secção 4.3 (taxa de aprendizagem, paragem antecipada e checkpoints), em matplotlib.

Cada função pública diz, na sua docstring, o caderno que a apresenta. As funções só desenham:
recebem números já calculados (taxas por passo, curvas de validação, épocas escolhidas).
"""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


def taxas_por_passo(curvas: dict[str, tuple], titulo: str = "Taxa de aprendizagem ao longo do treino",
                    fim_do_treino: int | None = None, escala_log: bool = True):
    """Várias taxas de aprendizagem no mesmo gráfico: ``curvas[rotulo] = (passos, taxas)``.
    ``fim_do_treino`` (em passos) desenha uma linha vertical. Apresentado no caderno
    07_taxa_de_aprendizagem."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, (rotulo, (passos, taxas)) in enumerate(curvas.items()):
        estilo = "--" if i % 2 else "-"
        ax.plot(np.asarray(passos), np.asarray(taxas, dtype=float), estilo, label=rotulo, linewidth=2)
    if fim_do_treino is not None:
        ax.axvline(fim_do_treino, color="grey", linestyle=":", label=f"total_steps = {fim_do_treino}")
    if escala_log:
        ax.set_yscale("log")
    ax.set_xlabel("passo (lote)")
    ax.set_ylabel("taxa de aprendizagem")
    ax.set_title(titulo)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def curvas_com_epocas(curvas: dict[str, list[float]], marcas: dict[str, int] | None = None,
                      titulo: str = "Curva de validação", rotulo_y: str = "val_loss",
                      eixo_direito: dict[str, list[float]] | None = None, rotulo_direito: str = "",
                      log_direito: bool = True):
    """Curvas por época (a contar de 0) com épocas marcadas: ``marcas[rotulo] = época``.
    ``eixo_direito`` desenha outras curvas (por exemplo a taxa, em escala log com
    ``log_direito``, ou a exatidão) num segundo eixo.
    Apresentado nos cadernos 07_taxa_de_aprendizagem e 08_paragem_e_checkpoints."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4))
    for rotulo, valores in curvas.items():
        ax.plot(range(len(valores)), valores, "o-", markersize=3, label=rotulo)
    primeira = list(curvas.values())[0] if curvas else []
    for i, (rotulo, epoca) in enumerate((marcas or {}).items()):
        ax.axvline(epoca, color=f"C{i + 2}", linestyle="--", alpha=0.8, label=f"{rotulo}: época {epoca}")
        if 0 <= epoca < len(primeira):
            ax.plot([epoca], [primeira[epoca]], "o", color=f"C{i + 2}", markersize=9, alpha=0.6)
    ax.set_xlabel("época (a contar de 0, como o epoch dos callbacks)")
    ax.set_ylabel(rotulo_y)
    ax.set_title(titulo)
    ax.grid(alpha=0.3)
    linhas, rotulos = ax.get_legend_handles_labels()
    if eixo_direito:
        ax2 = ax.twinx()
        for j, (rotulo, valores) in enumerate(eixo_direito.items()):
            if log_direito:
                ax2.step(range(len(valores)), valores, where="mid", color=f"C{7 + j}", alpha=0.7, label=rotulo)
            else:
                ax2.plot(range(len(valores)), valores, "s:", markersize=3, color=f"C{7 + j}", alpha=0.8, label=rotulo)
        if log_direito:
            ax2.set_yscale("log")
        ax2.set_ylabel(rotulo_direito)
        l2, r2 = ax2.get_legend_handles_labels()
        linhas, rotulos = linhas + l2, rotulos + r2
    ax.legend(linhas, rotulos, fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig
