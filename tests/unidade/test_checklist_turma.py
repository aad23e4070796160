"""O checklist da turma (``autograder/checklist_turma.py``) com notas sintéticas: o mapa item →
células deriva do manifesto e dos cadernos, cada aluno conta se tem a nota toda em todas as
células de uma alternativa, e os ficheiros (CSV, PNG) e a tabela saem em pt-PT."""

from __future__ import annotations

import csv

import pytest

from autograder import checklist_turma
from autograder.gradebook import Nota
from otimizacao import manifesto


@pytest.fixture(scope="module")
def mapa():
    return checklist_turma.mapa_celulas()


def _notas(aluno, mapa, item_alternativa, pontos_cheios=True):
    """As notas de um aluno com a nota toda (ou zero) em todas as células de uma alternativa."""
    item, i = item_alternativa
    return [Nota(aluno, t, gid, 2.0 if pontos_cheios else 0.0, 2.0) for t, gid in mapa[item][i]]


def test_mapa_vem_do_manifesto_e_das_celulas_de_teste(mapa):
    assert list(mapa) == list(manifesto.ITENS)
    # As células do PTQ são as de teste dos três exercícios do caderno 01 (nenhuma de outro caderno).
    assert {t for t, _ in mapa["ptq"][0]} == {"01_ptq_tflite"}
    assert {"teste_quantizar_int8_tipos", "teste_quantizar_int8_tamanho", "teste_avaliar_tflite"} <= {g for _, g in mapa["ptq"][0]}
    # «combinar» tem as duas alternativas do manifesto: o caderno 05 ou o 09.
    assert [{t for t, _ in alt} for alt in mapa["combinar"]] == [{"05_poda_e_quantizacao"}, {"09_pipeline_completo"}]
    assert all(gid.startswith("teste_") for alts in mapa.values() for alt in alts for _, gid in alt)


def test_percentagens_com_uma_turma_sintetica(mapa):
    lista = []
    # ana: PTQ todo certo e «combinar» pelo 09; rui: PTQ com uma célula a meio; eva: «combinar» pelo 05.
    lista += _notas("ana", mapa, ("ptq", 0)) + _notas("ana", mapa, ("combinar", 1))
    ptq_rui = _notas("rui", mapa, ("ptq", 0))
    ptq_rui[-1].pontos = 1.0
    lista += ptq_rui + _notas("rui", mapa, ("combinar", 0), pontos_cheios=False)
    lista += _notas("eva", mapa, ("combinar", 0))
    # uma resposta ainda por avaliar à mão não conta como certa
    lista += [Nota("eva", t, gid, None, 2.0) for t, gid in mapa["ptq"][0]]
    linhas = {lin.item: lin for lin in checklist_turma.calcular(lista, mapa)}
    assert (linhas["ptq"].demonstram, linhas["ptq"].alunos) == (1, 3)
    assert (linhas["combinar"].demonstram, linhas["combinar"].alunos) == (2, 3)
    assert linhas["ptq"].fracao == pytest.approx(1 / 3)
    # Tarefas que não foram avaliadas nesta corrida: «não avaliado», não 0 %.
    assert linhas["taxa"].avaliado is False and linhas["taxa"].fracao is None
    assert "não avaliado" in checklist_turma.tabela(list(linhas.values()))


def test_escrever_csv_png_e_tabela(tmp_path, mapa, capsys):
    lista = _notas("ana", mapa, ("formatos", 0)) + _notas("rui", mapa, ("formatos", 0), pontos_cheios=False)
    linhas = checklist_turma.escrever(tmp_path, ["00_numeros_e_memoria"], lista=lista)
    with (tmp_path / checklist_turma.CSV).open(encoding="utf-8") as f:
        registos = list(csv.DictReader(f))
    assert [r["item"] for r in registos] == list(manifesto.ITENS)
    formatos = registos[0]
    assert (formatos["alunos_que_demonstram"], formatos["alunos"], formatos["percentagem"]) == ("1", "2", "50.0")
    assert registos[1]["percentagem"] == ""  # ptq: o 01 não foi avaliado
    assert (tmp_path / checklist_turma.PNG).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saida = capsys.readouterr().out
    assert "Entendo diferença entre FP32, FP16, INT8" in saida and "50 %" in saida
    assert len(linhas) == len(manifesto.ITENS)


def test_no_fim_da_avaliacao_nunca_para_o_make_avaliar(tmp_path, capsys):
    # Uma raiz que não se pode escrever (é um ficheiro): aviso em pt-PT, sem exceção.
    bloqueio = tmp_path / "ficheiro"
    bloqueio.write_text("x")
    checklist_turma.no_fim_da_avaliacao(bloqueio, [], {}, [Nota("ana", "00_numeros_e_memoria", "teste_memoria_modelo", 3.0, 3.0)])
    assert "Não consegui fazer o checklist da turma" in capsys.readouterr().out


def _textos_fora(fig) -> list[str]:
    """Os textos visíveis da figura que saem dela (desenhada como o savefig a desenha)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderizador = fig.canvas.get_renderer()
    caixa = fig.bbox
    fora = []
    for texto in fig.findobj(Text):
        if not texto.get_visible() or not texto.get_text().strip():
            continue
        bb = texto.get_window_extent(renderizador)
        # 1 píxel de folga: arredondamentos do Agg nas margens
        if bb.x0 < -1 or bb.y0 < -1 or bb.x1 > caixa.x1 + 1 or bb.y1 > caixa.y1 + 1:
            fora.append(f"{texto.get_text()!r}: {bb.bounds} fora de {caixa.bounds}")
    return fora


def test_o_texto_do_grafico_cabe_na_figura(mapa):
    """A legenda do eixo x, os itens, as percentagens e o título cabem na figura (a issue 24 viu
    a legenda cortada, «…com a no»), com todos os itens avaliados e com itens «não avaliado»."""
    turmas = {
        "todos a 100 %": [n for item, alts in mapa.items() for n in _notas("ana", mapa, (item, 0))],
        "só o 00 avaliado": _notas("ana", mapa, ("formatos", 0)),
    }
    for nome, lista in turmas.items():
        linhas = checklist_turma.calcular(lista, mapa)
        fora = _textos_fora(checklist_turma.figura(linhas))
        assert not fora, f"{nome}: " + "; ".join(fora)
        assert any(lin.fracao == 1 for lin in linhas)  # há uma barra cheia, com o «100 %» à direita
