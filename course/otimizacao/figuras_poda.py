"""Figuras da secção 4.2 (poda, poda + quantização e destilação), em matplotlib.

Cada função pública diz, na sua docstring, o caderno que a apresenta. As funções só desenham:
recebem números já calculados (pesos, máscaras, esparsidades, tamanhos, exatidões).
"""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


def mascara_em_texto(mascara: np.ndarray, linhas: int = 3, colunas: int = 16) -> str:
    """O desenho do texto do módulo (█ = peso que fica, ░ = peso removido), feito com o canto
    superior esquerdo de uma máscara verdadeira. Apresentado no caderno 04_poda."""
    m = np.asarray(mascara, dtype=bool)
    m = m.reshape(m.shape[0], -1)[:linhas, :colunas]
    return "\n".join("".join("█" if v else "░" for v in linha) for linha in m)


def mascara_como_imagem(pesos: np.ndarray, mascara: np.ndarray, linhas: int = 48,
                        titulo: str = "Poda por magnitude numa camada treinada"):
    """Dois painéis lado a lado: |pesos| de uma camada (as primeiras ``linhas`` linhas da
    matriz) e a máscara (preto = peso que fica, branco = peso removido).
    Apresentado no caderno 04_poda."""
    plt = _plt()
    w = np.abs(np.asarray(pesos).reshape(np.shape(pesos)[0], -1))[:linhas]
    m = np.asarray(mascara, dtype=bool).reshape(np.shape(mascara)[0], -1)[:linhas]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
    im = a1.imshow(w, cmap="viridis", aspect="auto")
    a1.set_title("|peso| (mais claro = maior)")
    fig.colorbar(im, ax=a1, fraction=0.04)
    a2.imshow(m, cmap="gray_r", aspect="auto", vmin=0, vmax=1)
    a2.set_title(f"máscara: preto = fica ({m.mean():.0%}), branco = removido")
    for a in (a1, a2):
        a.set_xlabel("neurónio de saída")
        a.set_ylabel("entrada")
    fig.suptitle(titulo)
    fig.tight_layout()
    return fig


def esparsidade_ao_longo_do_treino(registos: dict[str, tuple], titulo: str = "Esparsidade durante o treino"):
    """Esparsidade medida nas máscaras da poda (pontos) e a pedida pelo calendário (linha) ao longo dos
    passos de treino. ``registos[rotulo] = (passos, medida, passos_calendario, calendario)``;
    ``passos_calendario`` e ``calendario`` podem ser ``None``. Apresentado no caderno 04_poda."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, (rotulo, (passos, medida, passos_cal, cal)) in enumerate(registos.items()):
        cor = f"C{i}"
        if cal is not None:
            ax.plot(passos_cal, cal, color=cor, linewidth=1, linestyle="--",
                    label=f"{rotulo}: calendário PolynomialDecay")
        ax.plot(passos, medida, "o", color=cor, markersize=3, label=f"{rotulo}: medida nas máscaras")
    ax.set_xlabel("passo de treino (lote)")
    ax.set_ylabel("fração de pesos a zero")
    ax.set_ylim(-0.02, 1.0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(titulo)
    fig.tight_layout()
    return fig


def esparsidade_por_camada(esparsidades: dict[str, float], alvo: float | None = None,
                           titulo: str = "Esparsidade por camada"):
    """Barras com a fração de zeros de cada camada (``esparsidades[nome] = fração``) e, a
    tracejado, o alvo. Apresentado no caderno 04_poda."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    nomes = list(esparsidades)
    ax.bar(nomes, [esparsidades[n] for n in nomes], color="C2")
    for i, n in enumerate(nomes):
        ax.text(i, esparsidades[n] + 0.02, f"{esparsidades[n]:.1%}", ha="center")
    if alvo is not None:
        ax.axhline(alvo, color="black", linestyle="--", linewidth=1, label=f"alvo {alvo:.0%}")
        ax.legend()
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("fração de pesos a zero")
    ax.set_title(titulo)
    fig.tight_layout()
    return fig


def barras_bytes(tamanhos: dict[str, float], titulo: str = "Tamanho (bytes)", referencia: str | None = None):
    """Barras horizontais de tamanhos em bytes, com o fator face a ``referencia`` (a primeira
    barra, se não for indicada). Apresentado no caderno 04_poda."""
    plt = _plt()
    nomes = list(tamanhos)
    ref = tamanhos[referencia or nomes[0]]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(nomes) + 1.2))
    y = np.arange(len(nomes))[::-1]
    ax.barh(y, [tamanhos[n] for n in nomes], color=[f"C{i}" for i in range(len(nomes))])
    for yi, n in zip(y, nomes, strict=True):
        ax.text(tamanhos[n], yi, f"  {tamanhos[n] / 1024:.1f} KiB (÷{ref / tamanhos[n]:.1f})", va="center")
    ax.set_yticks(y, nomes)
    ax.set_xlim(0, max(tamanhos.values()) * 1.45)
    ax.set_xlabel("bytes")
    ax.set_title(titulo)
    fig.tight_layout()
    return fig


def cascata_tamanhos(passos: dict[str, float], titulo: str = "Do modelo float ao podado + int8 (bytes gzip)"):
    """Gráfico em cascata: cada barra é um passo da compressão (``passos[rotulo] = bytes``,
    por ordem) e mostra quanto se poupou face ao passo anterior e o fator acumulado.
    Apresentado no caderno 05_poda_e_quantizacao."""
    plt = _plt()
    nomes = list(passos)
    valores = [passos[n] for n in nomes]
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, v in enumerate(valores):
        ax.bar(i, v, color="C0" if i == 0 else "C2")
        if i > 0:
            anterior = valores[i - 1]
            ax.bar(i, anterior - v, bottom=v, color="lightgrey", edgecolor="grey", hatch="//")
            ax.plot([i - 1.4, i + 0.4], [anterior, anterior], color="grey", linewidth=0.8)
        ax.text(i, v, f"{v / 1024:.1f} KiB\n÷{valores[0] / v:.1f}", ha="center", va="bottom")
    ax.set_xticks(range(len(nomes)), nomes)
    ax.set_ylabel("bytes depois de gzip")
    ax.set_ylim(0, valores[0] * 1.25)
    ax.set_title(titulo + "\n(a tracejado, o que cada passo poupou)")
    fig.tight_layout()
    return fig


def softmax_com_temperatura(logits: np.ndarray, temperaturas=(1, 3, 10),
                            titulo: str = "Probabilidades do professor para uma imagem"):
    """Barras do softmax(logits / T) de um exemplo para cada temperatura T.
    Apresentado no caderno 06_destilacao."""
    plt = _plt()
    z = np.asarray(logits, dtype=np.float64).ravel()
    fig, eixos = plt.subplots(1, len(temperaturas), figsize=(4 * len(temperaturas), 3.2), sharey=True)
    for ax, t in zip(np.atleast_1d(eixos), temperaturas, strict=True):
        p = np.exp((z - z.max()) / t)
        p /= p.sum()
        ax.bar(range(len(p)), p, color="C1")
        ax.set_title(f"T = {t}")
        ax.set_xticks(range(len(p)))
        ax.set_xlabel("classe")
    np.atleast_1d(eixos)[0].set_ylabel("probabilidade")
    fig.suptitle(titulo)
    fig.tight_layout()
    return fig


def comparar_com_barras_de_erro(resultados: dict[str, list[float]],
                                titulo: str = "Exatidão no teste (média ± desvio-padrão)"):
    """Barras com a média e o desvio-padrão de cada grupo de medições
    (``resultados[rotulo] = [exatidão de cada semente]``), com os pontos individuais.
    Apresentado no caderno 06_destilacao."""
    plt = _plt()
    nomes = list(resultados)
    medias = [float(np.mean(resultados[n])) for n in nomes]
    desvios = [float(np.std(resultados[n])) for n in nomes]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.bar(range(len(nomes)), medias, yerr=desvios, capsize=6, color=[f"C{i}" for i in range(len(nomes))], alpha=0.7)
    for i, n in enumerate(nomes):
        ax.plot([i] * len(resultados[n]), resultados[n], "k.", markersize=8)
        ax.text(i, medias[i] + desvios[i] + 0.004, f"{medias[i]:.3f}", ha="center")
    ax.set_xticks(range(len(nomes)), nomes)
    baixo = min(min(v) for v in resultados.values())
    ax.set_ylim(max(0.0, baixo - 0.05), 1.0)
    ax.set_ylabel("exatidão")
    ax.set_title(titulo)
    fig.tight_layout()
    return fig
