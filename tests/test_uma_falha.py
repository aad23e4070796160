"""Issue 21: uma falha, uma penalização (DESIGN, invariante 12).

O caderno 05 usa as funções do 04 que o aluno traz para a célula «trazer_do_caderno_04». Um erro
no 04 já custou pontos no 04; no 05, o exercício do 05 é julgado com as versões de referência
dessas funções (trocadas no kernel só na fase do juiz: o caderno do aluno corre com as dele).
Avaliado pelo nbgrader a sério (make avaliar).
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from autograder import avaliar, comum, construir

pytestmark = pytest.mark.lento

TAREFA = "05_poda_e_quantizacao"
# Um podar_progressivamente que não poda (devolve uma cópia densa). Controlo medido com a troca
# desligada: o aluno perde os 4 pontos de teste_otimizar_pipeline do 05 (0/4, medidas 2/2); com
# a troca, 6/6.
NAO_PODA = '''

def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=0.8, epocas=4):
    copia = keras.models.clone_model(modelo)
    copia.set_weights(modelo.get_weights())
    copia.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return copia
'''


def test_um_erro_no_04_nao_custa_pontos_no_05(tmp_path):
    raiz = tmp_path / "raiz"
    construir.construir(raiz, so=[TAREFA])
    source = raiz / "source" / TAREFA / f"{TAREFA}.ipynb"
    referencia = avaliar.respostas_referencia(source)
    assert "trazer_do_caderno_04" in referencia
    errada = dict(referencia)
    errada["trazer_do_caderno_04"] = referencia["trazer_do_caderno_04"] + NAO_PODA
    entregas = tmp_path / "entregas"
    for aluno, respostas in (("so_errou_no_04", errada),):
        nb = avaliar.caderno_com_respostas(raiz / "release" / TAREFA / f"{TAREFA}.ipynb", respostas)
        pasta = entregas / aluno / TAREFA
        pasta.mkdir(parents=True)
        nbformat.write(nb, pasta / f"{TAREFA}.ipynb")
    assert avaliar.main(["--raiz", str(raiz), "--submissoes", str(entregas), "--tarefas", TAREFA, "--workers", "1"]) == 0
    with (raiz / "notas_por_exercicio.csv").open(encoding="utf-8") as f:
        pontos = {linha["celula"]: (float(linha["pontos"]), float(linha["maximo"])) for linha in csv.DictReader(f)}
    assert pontos and all(p == m for p, m in pontos.values()), pontos
    # O caderno do aluno correu com a função dele: a célula de demonstração que poda mostra-o
    # (a troca só acontece depois, no juiz).
    avaliado = nbformat.read(raiz / "autograded" / "so_errou_no_04" / TAREFA / f"{TAREFA}.ipynb", as_version=4)
    trazida = next(c for c in avaliado.cells if comum.nbgrader_meta(c).get("grade_id") == "trazer_do_caderno_04")
    assert "def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=0.8, epocas=4):" in trazida.source
