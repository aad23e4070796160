"""O gráfico da secção 5 do caderno 05 (razão de compressão contra o tamanho do modelo) e a
``largura`` do modelo de base que ele usa: testes rápidos, sem conversões TFLite."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from otimizacao import figuras_quantizacao as fq  # noqa: E402
from otimizacao import modelos  # noqa: E402

# Medidos nesta máquina (caderno 05, secção 5): parâmetros, gzip do float32, gzip do podado + int8.
PARAMETROS = [208, 2530, 9658, 37738, 149194]
FLOAT = [1694, 10375, 36757, 140807, 555246]
PODADO = [1148, 2101, 4708, 14221, 50904]


def _linha_horizontal(ax, y):
    """Há no eixo uma linha horizontal (axhline) à altura ``y``?"""
    return any(np.allclose(linha.get_ydata(), [y, y]) for linha in ax.lines if len(linha.get_ydata()) == 2)


def test_razao_contra_tamanho_desenha_tamanhos_razoes_custo_fixo_e_10x():
    fig = fq.razao_contra_tamanho(PARAMETROS, FLOAT, PODADO, custo_fixo=1148, o_teu_modelo=(37738, 9.46))
    try:
        esquerda, direita = fig.axes
        assert esquerda.get_xscale() == "log" and direita.get_xscale() == "log"
        # À esquerda, os dois tamanhos em KiB e a linha do custo fixo.
        curvas = [linha for linha in esquerda.lines if len(linha.get_xdata()) == len(PARAMETROS)]
        assert len(curvas) == 2
        np.testing.assert_allclose(curvas[0].get_ydata(), np.array(FLOAT) / 1024)
        np.testing.assert_allclose(curvas[1].get_ydata(), np.array(PODADO) / 1024)
        assert _linha_horizontal(esquerda, 1148 / 1024)
        assert "1.1 KiB" in " ".join(t.get_text() for t in esquerda.get_legend().get_texts())
        # À direita, a razão de cada largura (com o valor escrito), a linha dos 10× e a estrela.
        (razoes,) = [linha for linha in direita.lines if len(linha.get_xdata()) == len(PARAMETROS)]
        np.testing.assert_allclose(razoes.get_ydata(), np.array(FLOAT) / np.array(PODADO))
        assert _linha_horizontal(direita, 10.0)
        assert [t.get_text() for t in direita.texts] == ["1.5×", "4.9×", "7.8×", "9.9×", "10.9×"]
        (estrela,) = direita.collections
        np.testing.assert_allclose(estrela.get_offsets(), [[37738, 9.46]])
        assert direita.get_ylim()[0] == 0 and direita.get_ylim()[1] > 10.9
    finally:
        plt.close(fig)


def test_razao_contra_tamanho_ordena_por_tamanho_e_dispensa_a_estrela():
    ordem = [3, 0, 4, 1, 2]
    fig = fq.razao_contra_tamanho([PARAMETROS[i] for i in ordem], [FLOAT[i] for i in ordem],
                                  [PODADO[i] for i in ordem], custo_fixo=1148)
    try:
        direita = fig.axes[1]
        (razoes,) = [linha for linha in direita.lines if len(linha.get_xdata()) == len(PARAMETROS)]
        np.testing.assert_array_equal(razoes.get_xdata(), PARAMETROS)
        assert not direita.collections  # sem o_teu_modelo, sem estrela
    finally:
        plt.close(fig)


def test_razao_contra_tamanho_recusa_listas_de_tamanhos_diferentes():
    with pytest.raises(ValueError, match="mesmo"):
        fq.razao_contra_tamanho(PARAMETROS, FLOAT[:-1], PODADO, custo_fixo=1148)
    plt.close("all")


def test_largura_do_modelo_de_base():
    """A omissão é o modelo de sempre (a chave da cache não muda); a largura escala a
    convolução e a camada densa escondida, nunca abaixo de 1."""
    base = modelos.criar_modelo_base()
    assert base.count_params() == 37_738
    assert base.get_layer("conv").filters == 16 and base.get_layer("densa").units == 64
    config_antes = [c.get_config() for c in base.layers]
    igual = modelos.criar_modelo_base(largura=1)
    assert [c.get_config() | {"name": None} for c in igual.layers] == [c | {"name": None} for c in config_antes]
    for largura, filtros, neuronios, parametros in [(0.5, 8, 32, 9_658), (2, 32, 128, 149_194),
                                                    (1 / 16, 1, 4, 208), (0.001, 1, 1, 67)]:
        m = modelos.criar_modelo_base(largura=largura)
        assert m.get_layer("conv").filters == filtros and m.get_layer("densa").units == neuronios
        assert isinstance(m.get_layer("conv").filters, int)
        assert m.count_params() == parametros
        assert m.output_shape == (None, 10)


def test_tamanho_contra_exatidao_com_o_qat_nao_sobrepoe_rotulos():
    """No 05, o QAT do caderno 03 cai ao lado do «int8 sem poda» e do «podado (float)»: os
    rótulos afastam-se em vez de se escreverem uns por cima dos outros (e dos pontos)."""
    versoes = {"float32": (140957, 0.956), "int8 sem poda": (38156, 0.956), "podado (float)": (42466, 0.952),
               "podado + int8": (14901, 0.941), "QAT int8 (caderno 03)": (38500, 0.952)}
    fig = fq.tamanho_contra_exatidao(versoes)
    try:
        (ax,) = fig.axes
        assert len(ax.collections) == len(versoes) and ax.get_xlim()[0] == 0
        fig.canvas.draw()
        caixas = [t.get_window_extent() for t in ax.texts]
        assert len(caixas) == len(versoes)
        for i, a in enumerate(caixas):
            for b in caixas[i + 1:]:
                assert not a.overlaps(b), "dois rótulos do gráfico tamanho contra exatidão sobrepõem-se"
        assert any("QAT int8 (caderno 03)" in t.get_text() for t in ax.texts)
    finally:
        plt.close(fig)
