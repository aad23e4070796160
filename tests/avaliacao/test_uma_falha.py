"""Issue 21: uma falha, uma penalização (docs/invariantes.md#i12-uma-falha-uma-penalizacao).

Os cadernos 05 e 09 usam as funções do 04 que o aluno traz para a célula «trazer_do_caderno_04».
Um erro no 04 já custou pontos no 04; no 05 e no 09, os exercícios são julgados com as versões de
referência dessas funções (trocadas no kernel só na fase do juiz: o caderno do aluno corre com
as dele; os testes correm no juiz, e o PipelineOtimizacao do aluno, chamado por ele, usa no
kernel as referências). O que o kernel escreve nessa fase não chega ao aluno. Avaliado pelo
nbgrader a sério (make avaliar).
"""

from __future__ import annotations

import csv
import json
import re

import nbformat
import pytest

from autograder import avaliar, comum, construir, turma_demo

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
    referencia = turma_demo.respostas_referencia(source)
    assert "trazer_do_caderno_04" in referencia
    errada = dict(referencia)
    errada["trazer_do_caderno_04"] = referencia["trazer_do_caderno_04"] + NAO_PODA
    entregas = tmp_path / "entregas"
    for aluno, respostas in (("so_errou_no_04", errada),):
        nb = turma_demo.caderno_com_respostas(raiz / "release" / TAREFA / f"{TAREFA}.ipynb", respostas)
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


# O 09 com um 04 escrito pelo aluno (não copiado da referência), em que só o podar_progressivamente
# está errado (não poda), e um espião: depois de cada célula, escreve num ficheiro e no ecrã os
# nomes que o podar_progressivamente em vigor usa. Na fase do juiz, a referência (que usa o
# strip_pruning) está no kernel: nada dela pode chegar à pasta avaliada nem ao feedback.
# Controlos medidos: com a repetição desligada, 09 a 7/10 (teste_pipeline_resultado 0/3 por causa do
# 04); com a limpeza da pasta desligada, o espiado.txt com os nomes da referência (strip_pruning)
# chega a autograded/ e a feedback/ e este teste falha.
QUATRO_DO_ALUNO = """
def calcular_sparsity(modelo):
    ks = [c.kernel.numpy() for c in modelo.layers if hasattr(c, "kernel")]
    return float(sum(int((k == 0).sum()) for k in ks) / sum(k.size for k in ks))


def tamanho_gzip(modelo_ou_bytes):
    if isinstance(modelo_ou_bytes, (bytes, bytearray)):
        dados = bytes(modelo_ou_bytes)
    else:
        dados = b"".join(np.asarray(w).tobytes() for w in modelo_ou_bytes.get_weights())
    return len(gzip.compress(dados, compresslevel=9, mtime=0))
""" + NAO_PODA
# O espião escreve sempre na pasta da entrega (caminho absoluto, fixado ao registar): os pedidos do
# juiz também são células, e durante o numa_pasta_vazia o kernel está noutra pasta.
ESPIAO = """
import os as _os
_PASTA_DO_ESPIAO = _os.getcwd()


def _espiao(*_args):
    funcao = globals().get("podar_progressivamente")
    nomes = ",".join(getattr(getattr(funcao, "__code__", None), "co_names", ()))
    print("ESPIA:" + nomes)
    with open(_os.path.join(_PASTA_DO_ESPIAO, "espiado.txt"), "a", encoding="utf-8") as ficheiro:
        ficheiro.write(nomes + "\\n")


get_ipython().events.register("post_run_cell", _espiao)
"""


def test_um_erro_no_04_nao_custa_pontos_no_09_nem_mostra_a_referencia(tmp_path):
    tarefa = "09_pipeline_completo"
    raiz = tmp_path / "raiz"
    construir.construir(raiz, so=[tarefa])
    referencia = turma_demo.respostas_referencia(raiz / "source" / tarefa / f"{tarefa}.ipynb")
    assert "strip_pruning" in referencia["trazer_do_caderno_04"]  # o que o espião procura
    respostas = dict(referencia)
    respostas["trazer_do_caderno_04"] = QUATRO_DO_ALUNO
    nb = turma_demo.caderno_com_respostas(raiz / "release" / tarefa / f"{tarefa}.ipynb", respostas)
    nb.cells.insert(2, nbformat.v4.new_code_cell(ESPIAO))
    pasta = tmp_path / "entregas" / "so_errou_no_04" / tarefa
    pasta.mkdir(parents=True)
    nbformat.write(nb, pasta / f"{tarefa}.ipynb")
    assert avaliar.main(["--raiz", str(raiz), "--submissoes", str(tmp_path / "entregas"), "--tarefas", tarefa,
                         "--workers", "1"]) == 0
    with (raiz / "notas_por_exercicio.csv").open(encoding="utf-8") as f:
        pontos = {linha["celula"]: (float(linha["pontos"]), float(linha["maximo"])) for linha in csv.DictReader(f)}
    assert len(pontos) == 4 and all(p == m for p, m in pontos.values()), pontos
    # O espião correu (o caderno do aluno, com a função dele) e nada da referência saiu do kernel.
    avaliado = raiz / "autograded" / "so_errou_no_04" / tarefa
    saidas = json.dumps([c.get("outputs", []) for c in nbformat.read(avaliado / f"{tarefa}.ipynb", as_version=4).cells])
    assert "ESPIA:" in saidas and "clone_model" in saidas, "o espião não correu: o teste não prova nada"
    # (O enunciado também fala de strip_pruning: procuram-se só as linhas do espião.)
    da_referencia = re.compile(r"ESPIA:[\w,]*(strip_pruning|prune_low_magnitude)")
    textos = {"saídas": saidas}
    for p in [*avaliado.rglob("*"), *(raiz / "feedback").rglob("*")]:
        if p.is_file() and p.suffix != ".ipynb":
            texto = p.read_text(encoding="utf-8", errors="replace")
            # o ficheiro do espião tem uma linha de nomes por célula (sem o prefixo)
            textos[str(p)] = "ESPIA:" + texto.replace("\n", "\nESPIA:") if p.name == "espiado.txt" else texto
    assert not [onde for onde, t in textos.items() if da_referencia.search(t)], "a referência do 04 saiu do kernel"
