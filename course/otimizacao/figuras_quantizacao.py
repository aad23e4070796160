"""Figuras da secção 4.1 (cadernos 01_ptq_tflite, 02_quantizacao_pytorch e 03_qat): pesos
float vs. int8, tamanhos dos modelos, distribuição das latências e exatidões comparadas; e, do
caderno 05_poda_e_quantizacao, a razão de compressão contra o tamanho do modelo."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


def histograma_pesos_int8(pesos_float: np.ndarray, pesos_int8: np.ndarray,
                          titulo: str = "Pesos de uma camada: float32 vs. int8"):
    """Dois painéis: o histograma dos pesos float32 de uma camada e o histograma dos inteiros
    int8 (−128…127) que os guardam no modelo TFLite quantizado. Apresentado no caderno 01."""
    plt = _plt()
    w = np.asarray(pesos_float, dtype=np.float64).ravel()
    q = np.asarray(pesos_int8).astype(np.int64).ravel()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.6))
    a1.hist(w, bins=80, color="grey")
    a1.set_title(f"float32: {w.size} pesos, 4 bytes cada")
    a1.set_xlabel("valor do peso")
    a1.set_ylabel("número de pesos")
    a2.hist(q, bins=np.arange(-128.5, 128.5, 1.0), color="tab:blue")
    a2.set_title(f"int8: {len(np.unique(q))} inteiros distintos, 1 byte cada")
    a2.set_xlabel("inteiro guardado (−128 … 127)")
    fig.suptitle(titulo)
    fig.tight_layout()
    return fig


def barras_tamanhos(tamanhos: dict[str, float], titulo: str = "Tamanho de cada versão do modelo",
                    unidade: str = "KiB", referencia: str | None = None):
    """Barras com o tamanho (em bytes) de cada versão de um modelo, escritas em ``unidade``
    ("KiB" = 2^10 ou "MiB" = 2^20 bytes). Por cima de cada barra, quantas vezes é mais pequena
    (ou maior) do que a barra ``referencia`` (por omissão, a primeira). Apresentado no caderno
    01 (e usado no 02)."""
    plt = _plt()
    fator = {"KiB": 2**10, "MiB": 2**20}[unidade]
    nomes = list(tamanhos)
    referencia = nomes[0] if referencia is None else referencia
    ref = float(tamanhos[referencia])
    valores = np.array([tamanhos[n] for n in nomes], dtype=np.float64)
    fig, ax = plt.subplots(figsize=(1.8 * len(nomes) + 2.5, 3.6))
    barras = ax.bar(nomes, valores / fator, color=plt.cm.tab10(np.arange(len(nomes))))
    for nome, barra, v in zip(nomes, barras, valores, strict=True):
        ax.annotate(f"{v / fator:.1f} {unidade}\n{relacao_de_tamanho(v, ref)}" if nome != referencia
                    else f"{v / fator:.1f} {unidade}\nreferência",
                    (barra.get_x() + barra.get_width() / 2, barra.get_height()),
                    ha="center", va="bottom", fontsize="small")
    ax.set_ylabel(unidade)
    ax.set_ylim(0, valores.max() / fator * 1.3)
    ax.set_title(titulo)
    fig.tight_layout()
    return fig


def relacao_de_tamanho(tamanho: float, referencia: float) -> str:
    """«3.7× menor», «2.4× maior» ou «igual»: o tamanho face à referência, sempre com um fator
    ≥ 1 (um «0.32× menor» não se lê). Apresentado no caderno 01."""
    if np.isclose(tamanho, referencia):
        return "igual"
    if tamanho < referencia:
        return f"{referencia / tamanho:.1f}× menor"
    return f"{tamanho / referencia:.1f}× maior"


def tamanho_contra_exatidao(versoes: dict[str, tuple[float, float]], titulo: str = "Tamanho contra exatidão",
                            unidade: str = "KiB"):
    """Um ponto por versão do modelo: o tamanho em bytes (eixo x, em ``unidade``) e a exatidão
    entre 0 e 1 (eixo y). ``versoes`` = {nome: (tamanho_bytes, exatidao)}. O canto de cima à
    esquerda é o que se procura: pequeno e exato. Dois pontos próximos (o QAT e o int8 sem poda,
    no 05) não escrevem os rótulos um por cima do outro: o de baixo desce. Apresentado no caderno
    01 (e usado no 05)."""
    plt = _plt()
    fator = {"KiB": 2**10, "MiB": 2**20}[unidade]
    fig, ax = plt.subplots(figsize=(7.5, 4))
    cores = plt.cm.tab10(np.arange(len(versoes)))
    rotulos = []
    for cor, (nome, (tamanho, exatidao)) in zip(cores, versoes.items(), strict=True):
        ax.scatter(tamanho / fator, exatidao, s=60, color=cor, zorder=3)
        rotulo = ax.annotate(f"{nome}\n{tamanho / fator:.1f} {unidade}, {exatidao:.3f}",
                             (tamanho / fator, exatidao), xytext=(5, 0), textcoords="offset points",
                             fontsize="small", va="center", color=cor)
        rotulos.append((tamanho / fator, exatidao, rotulo))
    tamanhos = np.array([t for t, _ in versoes.values()], dtype=np.float64) / fator
    exatidoes = np.array([e for _, e in versoes.values()], dtype=np.float64)
    ax.set_xlim(0, tamanhos.max() * 1.45)
    margem = max(0.01, (exatidoes.max() - exatidoes.min()) * 0.5)
    ax.set_ylim(max(0.0, exatidoes.min() - margem), min(1.0, exatidoes.max() + margem))
    ax.set_xlabel(f"tamanho ({unidade})")
    ax.set_ylabel("exatidão (eixo ampliado)")
    ax.grid(alpha=0.3)
    ax.set_title(titulo)
    fig.tight_layout()
    _afastar_rotulos(fig, ax, sorted(rotulos, key=lambda t: (-t[1], t[0])))  # de cima para baixo
    return fig


def _afastar_rotulos(fig, ax, rotulos) -> None:
    """Desce cada rótulo (por esta ordem) até não tapar os anteriores nem os outros pontos.
    ``rotulos`` = [(x, y, anotação)], com (x, y) o ponto de cada um, em coordenadas dos dados."""
    from matplotlib.transforms import Bbox

    fig.canvas.draw()
    raio = 5 * fig.dpi / 72  # o ponto (s=60) tem uns 4 pontos de raio; em pixels
    pontos = [ax.transData.transform((x, y)) for x, y, _ in rotulos]
    caixas_pontos = [Bbox.from_extents(px - raio, py - raio, px + raio, py + raio) for px, py in pontos]
    colocados = []
    for i, (_, _, rotulo) in enumerate(rotulos):
        obstaculos = colocados + [c for j, c in enumerate(caixas_pontos) if j != i]
        for _ in range(2 * len(rotulos) + 1):
            caixa = rotulo.get_window_extent()
            tapados = [c for c in obstaculos if caixa.overlaps(c)]
            if not tapados:
                break
            descer = (caixa.y1 - min(c.y0 for c in tapados)) * 72 / fig.dpi + 1  # pixels → pontos
            x, y = rotulo.xyann
            rotulo.xyann = (x, y - descer)
        colocados.append(rotulo.get_window_extent())


def distribuicao_latencias(tempos_ms: dict[str, list[float]],
                           titulo: str = "Latência de cada chamada (ms)"):
    """Caixas de bigodes (com os pontos por cima) dos tempos de cada chamada, um grupo por
    modelo; a linha laranja é a mediana. Apresentado no caderno 02."""
    plt = _plt()
    nomes = list(tempos_ms)
    fig, ax = plt.subplots(figsize=(2.2 * len(nomes) + 3, 3.8))
    ax.boxplot([tempos_ms[n] for n in nomes], showfliers=False)
    ax.set_xticks(range(1, len(nomes) + 1), nomes)
    rng = np.random.default_rng(0)
    for i, n in enumerate(nomes, start=1):
        t = np.asarray(tempos_ms[n])
        ax.scatter(i + rng.uniform(-0.15, 0.15, t.size), t, s=8, alpha=0.4)
        ax.annotate(f"mediana {np.median(t):.3f} ms", (i, np.max(t)), ha="center", va="bottom",
                    fontsize="small")
    ax.set_ylabel("ms por chamada")
    ax.set_title(titulo)
    fig.tight_layout()
    return fig


def comparar_exatidoes(exatidoes: dict[str, float], titulo: str = "Exatidão no conjunto de teste"):
    """Barras horizontais com a exatidão (0..1) de cada versão do modelo, com o valor escrito e o
    eixo ampliado à volta dos valores (as diferenças são de décimas). Apresentado no caderno 03."""
    plt = _plt()
    nomes = list(exatidoes)
    valores = np.array([exatidoes[n] for n in nomes], dtype=np.float64)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(nomes) + 1.5))
    ax.barh(nomes, valores, color=plt.cm.tab10(np.arange(len(nomes))))
    for i, v in enumerate(valores):
        ax.text(v, i, f" {v:.3f}", va="center")
    minimo = max(0.0, valores.min() - 0.05)
    ax.set_xlim(minimo, min(1.0, valores.max() + 0.03) + 0.02)
    ax.invert_yaxis()
    ax.set_xlabel(f"exatidão (eixo a começar em {minimo:.2f})")
    ax.set_title(titulo)
    fig.tight_layout()
    return fig


def razao_contra_tamanho(parametros, tamanhos_float, tamanhos_comprimidos, custo_fixo: float,
                         alvo: float = 10.0, o_teu_modelo: tuple[float, float] | None = None,
                         titulo: str = "Compressão (poda + int8, gzip) contra o tamanho do modelo"):
    """Dois painéis, com o número de parâmetros de cada largura do modelo no eixo x (escala
    logarítmica). À esquerda, os bytes depois de gzip do TFLite float32 e do TFLite podado +
    int8, e a linha do ``custo_fixo`` (bytes que um TFLite ocupa mesmo quase sem pesos): o
    podado + int8 não desce abaixo dela. À direita, a razão float32 / podado + int8 de cada
    largura, e a linha do ``alvo`` (os 10× do guia do TF-MOT). ``o_teu_modelo`` = (parâmetros,
    razão) junta o ponto do modelo treinado (uma estrela). Apresentado no caderno
    05_poda_e_quantizacao."""
    plt = _plt()
    n = np.asarray(parametros, dtype=np.float64)
    f = np.asarray(tamanhos_float, dtype=np.float64)
    c = np.asarray(tamanhos_comprimidos, dtype=np.float64)
    if not (n.size == f.size == c.size) or n.size == 0:
        raise ValueError("parametros, tamanhos_float e tamanhos_comprimidos têm de ter o mesmo "
                         "número de valores (um por largura do modelo), pelo menos um.")
    ordem = np.argsort(n)
    n, f, c = n[ordem], f[ordem], c[ordem]
    razao = f / c
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))

    a1.plot(n, f / 2**10, "o-", color="grey", label="TFLite float32")
    a1.plot(n, c / 2**10, "o-", color="tab:blue", label="TFLite podado 80 % + int8")
    a1.axhline(custo_fixo / 2**10, color="tab:red", ls="--",
               label=f"custo fixo ≈ {custo_fixo / 2**10:.1f} KiB")
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_xlabel("parâmetros do modelo")
    a1.set_ylabel("KiB depois de gzip")
    a1.set_title("Tamanho de cada ficheiro")
    a1.grid(alpha=0.3, which="both")
    a1.legend(fontsize="small")

    a2.plot(n, razao, "o-", color="tab:blue", label="larguras do modelo (não treinadas)")
    for x, r in zip(n, razao, strict=True):
        a2.annotate(f"{r:.1f}×", (x, r), textcoords="offset points", xytext=(0, 7), ha="center",
                    fontsize="small")
    a2.axhline(alvo, color="tab:red", ls="--", label=f"{alvo:g}× (guia do TF-MOT)")
    topo = max(razao.max(), alvo)
    if o_teu_modelo is not None:
        pn, pr = o_teu_modelo
        a2.scatter([pn], [pr], marker="*", s=220, color="tab:orange", zorder=3,
                   label=f"o teu modelo treinado: {pr:.1f}×")
        topo = max(topo, pr)
    a2.set_xscale("log")
    a2.set_ylim(0, topo * 1.2)
    a2.set_xlabel("parâmetros do modelo")
    a2.set_ylabel("float32 ÷ podado + int8 (gzip)")
    a2.set_title("Razão de compressão")
    a2.grid(alpha=0.3, which="both")
    a2.legend(fontsize="small", loc="lower right")

    fig.suptitle(titulo)
    fig.tight_layout()
    return fig
