"""Issue 21: quem segue o caderno à letra tem a nota toda — provado pelo nbgrader a sério.

As variantes certas de ``autograder/variantes`` já passam pelas células de teste neste processo
(``test_exercicios``); aqui, as que a revisão de 07–08 encontrou a perder pontos passam pelo
caminho do professor (``make avaliar``: caixa, juiz, nbgrader, ``SaveAutoGrades``):

- 07: uma simulação do ReduceLROnPlateau que guarda a taxa em float32, como o tf_keras
  (0.1 → 0.10000000149011612), e outra que lê as taxas do próprio callback;
- 08: o ``epoca_de_paragem`` escrito como a célula 4 do caderno ensina (``v + min_delta <
  melhor``, sem ``abs``) e que aceita «MAX» / « min » (a convenção do curso: maiúsculas e
  espaços não contam).

E o controlo (o teste pode falhar): um erro típico do 07, pelo mesmo caminho, perde pontos.
(A quarta, nenhuma penalização dupla entre cadernos, está em ``test_uma_falha``.)
"""

from __future__ import annotations

import csv
import html

import nbformat
import pytest

from autograder import avaliar, construir, feedback_pt, turma_demo

pytestmark = pytest.mark.lento

ENTREGAS = {
    # aluno: (tarefa, nome da variante, "certa" | "errada")
    "plateau_float32": ("07_taxa_de_aprendizagem",
                        "simular_reduce_on_plateau com contadores à parte e taxa em float32 (como o callback)", "certa"),
    "plateau_do_callback": ("07_taxa_de_aprendizagem",
                            "simular_reduce_on_plateau que conduz o próprio ReduceLROnPlateau", "certa"),
    "paragem_a_letra": ("08_paragem_e_checkpoints",
                        "epoca_de_paragem como o caderno ensina (v + min_delta < melhor, sem abs)", "certa"),
    "plateau_sem_min_delta": ("07_taxa_de_aprendizagem", "ReduceLROnPlateau: ignora min_delta", "errada"),
}


@pytest.fixture(scope="module")
def notas(tmp_path_factory):
    base = tmp_path_factory.mktemp("justica")
    raiz, entregas = base / "raiz", base / "entregas"
    tarefas = sorted({t for t, _, _ in ENTREGAS.values()})
    construir.construir(raiz, so=tarefas)
    for aluno, (tarefa, nome, tipo) in ENTREGAS.items():
        variantes = construir.variantes(tarefa)
        respostas = turma_demo.respostas_referencia(raiz / "source" / tarefa / f"{tarefa}.ipynb")
        gid, codigo = (variantes.CERTAS[nome] if tipo == "certa" else variantes.ERRADAS[nome][:2])
        respostas[gid] = codigo
        pasta = entregas / aluno / tarefa
        pasta.mkdir(parents=True)
        nbformat.write(turma_demo.caderno_com_respostas(raiz / "release" / tarefa / f"{tarefa}.ipynb", respostas),
                       pasta / f"{tarefa}.ipynb")
    assert avaliar.main(["--raiz", str(raiz), "--submissoes", str(entregas), "--tarefas", *tarefas,
                         "--workers", "2"]) == 0
    por_aluno: dict = {"_raiz": raiz}
    with (raiz / "notas_por_exercicio.csv").open(encoding="utf-8") as f:
        for linha in csv.DictReader(f):
            if ENTREGAS.get(linha["aluno"], ("",))[0] == linha["tarefa"]:  # a tarefa que entregou
                por_aluno.setdefault(linha["aluno"], {})[linha["celula"]] = (float(linha["pontos"]),
                                                                             float(linha["maximo"]))
    return por_aluno


@pytest.mark.parametrize("aluno", [a for a, (_, _, tipo) in ENTREGAS.items() if tipo == "certa"])
def test_quem_segue_o_caderno_tem_a_nota_toda(notas, aluno):
    celulas = notas[aluno]
    assert celulas and all(p == m for p, m in celulas.values()), sorted(celulas.items())


def test_o_erro_tipico_perde_pontos_pelo_mesmo_caminho(notas):
    celulas = notas["plateau_sem_min_delta"]
    assert sum(p for p, _ in celulas.values()) < sum(m for _, m in celulas.values()), celulas


def test_o_feedback_nao_mostra_as_mensagens_dos_testes_ocultos(notas):
    """A mensagem de um teste oculto que falhou pode dizer o valor esperado: fica no caderno
    avaliado (o professor vê-a), e o feedback do aluno mostra só o tipo do erro e uma pista geral.
    Medido: o erro típico do 07 falha a parte oculta de teste_simular_plateau_casos (no juiz)."""
    raiz, aluno, tarefa = notas["_raiz"], "plateau_sem_min_delta", "07_taxa_de_aprendizagem"
    avaliado = nbformat.read(raiz / "autograded" / aluno / tarefa / f"{tarefa}.ipynb", as_version=4)
    feedback = (raiz / "feedback" / aluno / tarefa / f"{tarefa}.html").read_text(encoding="utf-8")
    ocultas = [c for c in avaliado.cells if c.cell_type == "code" and feedback_pt.falhou_no_oculto(c)]
    assert ocultas, "nenhuma célula falhou na parte oculta: o teste não prova nada"
    for celula in ocultas:
        mensagem = next(s["evalue"] for s in celula.outputs if s.get("output_type") == "error")
        assert mensagem and mensagem != feedback_pt.MENSAGEM_OCULTA  # o professor vê a original
        assert html.escape(mensagem[:60], quote=False) not in feedback and mensagem[:60] not in feedback
    assert html.escape(feedback_pt.MENSAGEM_OCULTA[:50], quote=False) in feedback
